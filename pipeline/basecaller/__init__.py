"""Numpy flowgram basecaller: ``1.wells`` + bead mask -> unmapped BAM (format a).

    from pipeline.basecaller import basecall_run
    result = basecall_run("<run>/sigproc_results", "<report>/basecaller_results",
                          run_id="ABCDE")

Writes ``rawlib.basecaller.bam`` (RG ``<run_id>``), ``rawtf.basecaller.bam``
(RG ``<run_id>.TF``), ``BaseCaller.json`` and ``analysis.bfmask.stats`` into the output
folder. Modules: ``flowspace`` (flow-order helpers), ``phasing`` (CF/IE/DR forward model),
``solver`` (phase-corrected calling), ``estimate`` (CF/IE/DR fit), ``quality`` (QVs,
adapter and quality trimming), ``run`` (orchestration), ``cli``.
"""
from .run import BasecallerConfig, BasecallerInputError, BasecallResult, basecall_run

__all__ = ["basecall_run", "BasecallerConfig", "BasecallResult", "BasecallerInputError"]
