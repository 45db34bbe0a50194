"""Test-fragment (TF) processing: align ``rawtf.basecaller.bam`` to the TF sequences and
compute per-TF ionstats (the data of the TF metrics, pipeline/metrics/tables.py).

Simplifications (documented): AQ lengths use the library AQ algorithm of
IonStats on TF reads that are forward-strand and mapped at position <= 5 (as
the original's read selection); HP accuracy is not computed (all 0/0).
"""
import os

import numpy as np

from pipeline.metrics.ionstats import IonStats

from .align import align_bam, load_aligner
from .bamio import BamReader


def process_test_fragments(rawtf_bam, test_fragments, out_dir, *, tf_key="ATCG", flow_order=None,
                           histogram_length=400, threads=2):
    """``test_fragments``: [{"name", "sequence"}]. Returns {tf name: {"sequence", "stats"}}."""
    tfs = [t for t in test_fragments if t.get("name") and t.get("sequence")]
    if not tfs:
        return {}
    os.makedirs(out_dir, exist_ok=True)
    fasta = os.path.join(out_dir, "DefaultTFs.fasta")
    with open(fasta, "w") as fh:
        for t in tfs:
            fh.write(f">{t['name']}\n{t['sequence'].upper()}\n")
    aligner = load_aligner(fasta)
    out_bam = os.path.join(out_dir, "rawtf.bam")
    align_bam(rawtf_bam, out_bam, fasta, aligner=aligner, threads=threads)
    result = {t["name"]: {"sequence": t["sequence"].upper(),
                          "stats": IonStats(histogram_length, key=tf_key, flow_order=flow_order)} for t in tfs}
    with BamReader(out_bam) as bam:
        names = [n for n, _ in bam.references]
        for chunk in bam.chunks():
            ok = ((chunk.flag & 4) == 0) & ((chunk.flag & 16) == 0) & (chunk.pos <= 5) & (chunk.refid >= 0)
            for tid in np.unique(chunk.refid[ok]).tolist():
                result[names[tid]]["stats"].add_chunk(chunk, select=ok & (chunk.refid == tid))
    return result
