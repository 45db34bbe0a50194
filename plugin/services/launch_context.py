"""LaunchContext: everything one plugin launch reads, gathered once and handed to the writers
of startplugin.json, barcodes.json and the launch script (plugin/services/launch.py builds it).

The report's rows (result, experiment, analysis settings, plan, reference, samples, global
configuration) come from reportinfo.ReportContext; the files every job of the launch shares
(barcodes.json, the report-only startplugin sections, the genome path) are built on first
use and then reused by each job.
"""
from dataclasses import dataclass
from functools import cached_property

from .barcodes_json import barcodes_json, reference_fields
from .reportinfo import ReportContext
from .startplugin import report_sections


@dataclass
class LaunchContext:
    report: ReportContext
    plugin: object
    user: object
    run_mode: str
    session: str
    config: dict = None

    @classmethod
    def of(cls, result, plugin, *, user, run_mode, session):
        return cls(report=ReportContext.of(result), plugin=plugin, user=user, run_mode=run_mode, session=session)

    @property
    def result(self):
        return self.report.result

    @cached_property
    def barcodes(self):
        """The barcodes.json dict (the same file in every job folder of the launch)."""
        return barcodes_json(self.report)

    @cached_property
    def genome_fasta(self):
        """Full path of the report reference's FASTA ("" without one)."""
        return reference_fields(self.report, self.report.reference)["reference_fullpath"]

    @cached_property
    def report_sections(self):
        """startplugin.json sections that depend on the report only (expmeta, plan, ...)."""
        return report_sections(self.report)
