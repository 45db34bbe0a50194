#!/usr/bin/env python3
# LogParser example of the SDK manual, ported to Python 3: reads a few explog entries.
import json
import os
from functools import cached_property

from ion.plugin import *


class LogParser(IonPlugin):
    """Shows the Project, Sample and Library entries of explog_final.txt."""

    version = "5.4.0.0"
    runtypes = [RunType.FULLCHIP, RunType.THUMB, RunType.COMPOSITE]
    runlevels = [RunLevel.DEFAULT]

    @cached_property
    def startplugin_json(self):
        return self.startplugin

    def read_explog(self):
        """Colon-separated key/value pairs of explog_final.txt."""
        path = os.path.join(self.startplugin_json["runinfo"]["raw_data_dir"], "explog_final.txt")
        if not os.path.exists(path):
            raise Exception("explog_final.txt missing")
        data = {}
        with open(path) as handle:
            for line in handle:
                datum = line.split(":", 1)
                if len(datum) == 2:
                    key, value = datum
                    data[key.strip()] = value.strip()
        return data

    def launch(self, data=None):
        na = "<strong>NA</strong>"
        exp_log_data = self.read_explog()
        results_json = {
            "Project": exp_log_data.get("Project") or na,
            "Sample": exp_log_data.get("Sample") or na,
            "Library": exp_log_data.get("Library") or na,
        }
        results_dir = self.startplugin_json["runinfo"]["results_dir"]
        with open(os.path.join(results_dir, "LogParser_block.html"), "w") as html_handle:
            html_handle.write("<html><body>")
            html_handle.write("Project is: %s<br/>" % results_json["Project"])
            html_handle.write("Sample is: %s<br/>" % results_json["Sample"])
            html_handle.write("Library is: %s<br/>" % results_json["Library"])
            html_handle.write("</body></html>")
        with open(os.path.join(results_dir, "results.json"), "w") as results_handle:
            json.dump(results_json, results_handle, indent=4)
        return True


if __name__ == "__main__":
    PluginCLI()
