#!/bin/bash
# Legacy launch.sh plugin used as test data.
VERSION="2.3.4.0"
#MAJORBLOCK
#$ -l mem_free=2G
echo "legacy plugin running in $(pwd)" > LegacyShell_block.html
