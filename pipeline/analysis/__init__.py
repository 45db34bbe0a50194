"""`run_analysis(result_pk)`: the analysis job of one report, from run folder to metric rows
and plugin run levels. The job service runs it as `manage.py run_analysis <pk>` (the script
written by pipeline.analysis_launch); tests and `make run` may call it directly.

Order of work (Results.status shows where it is; names as the original's where it has one):

    Started            resolve the inputs (run folder, explog, barcode kit, reference, keys),
                       write ion_params_NN.json / expMeta.dat, launch PRE plugins
    Base Calling       only for flowgram input (1.wells + bead mask): numpy basecaller ->
                       <report>/basecaller_results/rawlib.basecaller.bam
    Barcode Classification | Read Counting, Alignment (i/n: barcode), TF Processing,
    Metrics, Figures   the streaming stages (pipeline.stages.run.run_stages)
    Uploading Metrics  metric rows replaced in one transaction (pipeline.metrics_store)
    Plugins            DEFAULT, POST, LAST
    Completed          or `Error: <reason>` (first 64 characters; the whole reason and the
                       traceback are in <report>/ReportLog.html and metaData["error"])

Plugin run levels fire when their data is ready (PipelinePlugins below), all in one launch
session (LAST and EXPORT plugins wait for this analysis's plugin jobs only):
    PRE        before the stages; every block_<id> folder of a composite run exists by then
    BLOCK      per block, as soon as that block is basecalled (flowgram input); a run that
               arrives basecalled has no per-block analysis here: its blocks fire after the stages
    SEPARATOR  composite runs, once, as soon as the separator output exists (separator_output)
    DEFAULT, POST, LAST  after the metrics are stored

An error in one report never touches another: everything here is scoped to the report's row
and folder, and the caller (the job) exits non-zero. Missing optional inputs (BaseCaller.json,
bead-find stats, key traces, an uninstalled reference) only leave their metrics at 0/NULL.

Modules: job (run_analysis and its steps), inputs (what the run and the database say),
params (ion_params_NN.json, expMeta.dat), wells (flowgram input -> basecaller), plugins (run
levels), status (status values, ReportLog.html, the outcome).
"""
from .job import run_analysis
from .status import AnalysisError, AnalysisOutcome

__all__ = ["run_analysis", "AnalysisError", "AnalysisOutcome"]
