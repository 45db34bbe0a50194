"""Synthetic test fragments (TFs): known sequences read with the TF key.

These are our own made-up sequences (not the vendor's TFs). The simulator writes them as
``DefaultTFs.fasta`` / ``DefaultTFs.conf`` (``name,key,sequence``) beside the truth.
"""
from __future__ import annotations

from pathlib import Path

TEST_FRAGMENTS = {
    "TF_A": "ATTTGCTGCTTAGTGGACGCGAGGATCTATGGCAGCCGTATGCGAGGTAACCTTTCGATCCGTTTTCCAGTTGGCCTG"
            "CCTCTGTAGTCATGGTGTAAAGTCAAATACTG",
    "TF_B": "GGCCTATATCGAGGCTAACCTGGAGGACTCGAACACACTGGCGTCGACCTCTCGGTAGGTGTGCTTGTGGACGCCCAG"
            "CTCATTCTCTAATGGGCGATGCAGTGACACCAGTGAATCTTT",
    "TF_1": "AGAATCGATCCCTTGCTGGGTTGGGCATAGTGTTTCGCGCTACCGGCTGTCGAAATAAGTGAATGACGGCTGGGAGCT"
            "ATCTCCGCCCTATCACTCCAGG",
}


def write_tf_files(directory, tf_key: str, tfs: dict | None = None):
    """Write ``DefaultTFs.fasta`` and ``DefaultTFs.conf``; returns the fasta path."""
    tfs = tfs or TEST_FRAGMENTS
    directory = Path(directory)
    fasta = directory / "DefaultTFs.fasta"
    with open(fasta, "w") as fh:
        for name, seq in tfs.items():
            fh.write(f">{name}\n{seq}\n")
    with open(directory / "DefaultTFs.conf", "w") as fh:
        for name, seq in tfs.items():
            fh.write(f"{name},{tf_key},{seq}\n")
    return fasta
