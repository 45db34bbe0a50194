#!/usr/bin/env python3
# Quick Start example of the SDK manual, ported to Python 3.
import subprocess

from ion.plugin import *


class MyPlugin(IonPlugin):
    """Lists the results folder into status_block.html."""

    version = "1.0.0.0"

    def launch(self, data=None):
        output = subprocess.check_output(["ls", "-l"]).decode()
        with open("status_block.html", "w") as html_fp:
            html_fp.write("<html><body><pre>")
            html_fp.write(output)
            html_fp.write("</pre></body></html>")


if __name__ == "__main__":
    PluginCLI()
