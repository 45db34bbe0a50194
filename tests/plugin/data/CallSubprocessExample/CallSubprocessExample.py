#!/usr/bin/env python3
# "Plugin which uses a subprocess" example of the SDK manual, ported to Python 3.
# The executable ships inside the plugin folder and runs with the plugin folder as cwd.
import os
import sys
from functools import cached_property
from subprocess import check_output

from ion.plugin import *


class CallSubprocessExample(IonPlugin):
    """Runs a helper program bundled with the plugin and keeps its output."""

    version = "5.4.0.0"
    runtypes = [RunType.FULLCHIP, RunType.THUMB, RunType.COMPOSITE]
    runlevels = [RunLevel.DEFAULT]

    @cached_property
    def startplugin_json(self):
        return self.startplugin

    def launch(self, data=None):
        plugin_path = self.startplugin_json["runinfo"]["plugin"]["path"]
        path_to_executable = os.path.join(plugin_path, "my_executable.py")
        arg1 = "First Argument"
        arg2 = "Second Argument"
        results = check_output([sys.executable, path_to_executable, arg1, arg2], cwd=plugin_path)
        with open("subprocess_output.txt", "wb") as handle:
            handle.write(results)
        return True


if __name__ == "__main__":
    PluginCLI()
