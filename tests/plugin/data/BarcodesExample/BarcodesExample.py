#!/usr/bin/env python3
# "Accessing Barcode Data" example of the SDK manual, ported to Python 3.
import json
from functools import cached_property

from ion.plugin import *


class BarcodesExample(IonPlugin):
    """Prints every barcode of the run with its BAM file, in barcode_index order."""

    version = "5.4.0.0"
    runtypes = [RunType.FULLCHIP, RunType.THUMB, RunType.COMPOSITE]
    runlevels = [RunLevel.DEFAULT]

    @cached_property
    def startplugin_json(self):
        return self.startplugin

    @cached_property
    def barcodes_json(self):
        with open("barcodes.json", "r") as barcodes_handle:
            return json.load(barcodes_handle)

    def launch(self, data=None):
        ordered = sorted(self.barcodes_json.items(), key=lambda item: item[1].get("barcode_index", 0))
        for barcode_name, barcode_values in ordered:
            # per-barcode work goes here
            print("Barcode Name: " + barcode_name)
            print("Bam File: " + barcode_values["bam_file"])
        return True


if __name__ == "__main__":
    PluginCLI()
