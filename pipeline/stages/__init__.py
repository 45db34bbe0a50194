"""Streaming analysis stages (numpy + pysam + mappy; no Django).

    bamio      chunked BAM/BGZF reading and writing (vectorised record access)
    barcodes   barcode classification (flow-space error count) + trimming + per-barcode BAMs
    align      minimap2 (mappy) alignment, MD/NM, sort + index
    datasets   datasets_basecaller.json and the barcode `filtered` rule
    run        run_stages(): the whole chain for one report
"""
from .errors import PipelineError

__all__ = ["PipelineError"]
