"""Streaming analysis stages (numpy + pysam + mappy; no Django).

    bamio      chunked BAM/BGZF reading and writing (vectorised record access)
    barcodes   classify_and_split(): mode-1 flow-space barcode classification + trimming
    align      align_bam(), build_index(): minimap2 (mappy) alignment, MD/NM, sort + index
    datasets   datasets_basecaller.json, the barcode `filtered` rule, plugin barcodes.json
    tf         process_test_fragments(): TF reads -> per-TF ionstats
    run        run_stages(): the whole chain for one report
    smallbam   write_bam(): tiny BAMs from dicts (tests, examples)

Every stage raises :class:`PipelineError` (``.reason``) for missing, truncated or
corrupt input.
"""
from .errors import PipelineError

__all__ = ["PipelineError"]
