"""Grid Engine integration: environment (sge.env), job backends
(sge.backends: DRMAA/SGE and local subprocesses) and the single-node
Grid Engine set-up script (sge/setup_gridengine.sh)."""
