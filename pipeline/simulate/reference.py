"""Synthetic reference genome (seeded) and a minimal FASTA reader/writer with ``.fai``."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..basecaller.flowspace import decode, encode

LINE = 60


@dataclass
class Reference:
    names: list
    lengths: np.ndarray       # int64 per contig
    offsets: np.ndarray       # start of each contig in ``codes``
    codes: np.ndarray         # uint8 base codes of all contigs concatenated
    path: Path | None = None


def generate_reference(path, *, genome_size: int, n_contigs: int = 3, seed: int = 0,
                       prefix: str = "contig", gc: float = 0.45) -> Reference:
    """Random contigs (lengths roughly halving) written to ``path`` with a ``.fai`` index."""
    if genome_size < 1000:
        raise ValueError("genome_size must be at least 1000 bases")
    if n_contigs < 1:
        raise ValueError("n_contigs must be >= 1")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EF]))
    weights = 0.5 ** np.arange(n_contigs) + 0.5
    lengths = np.maximum((weights / weights.sum() * genome_size).astype(np.int64), 200)
    p = np.array([(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2])
    names = [f"{prefix}{i + 1}" for i in range(n_contigs)]
    seqs = [rng.choice(4, size=int(n), p=p).astype(np.uint8) for n in lengths]
    write_fasta(path, names, seqs)
    return load_reference(path)


def write_fasta(path, names, code_arrays) -> None:
    path = Path(path)
    fai = []
    with open(path, "w") as fh:
        for name, codes in zip(names, code_arrays):
            header = f">{name}\n"
            fh.write(header)
            offset = fh.tell()
            seq = decode(codes)
            for i in range(0, len(seq), LINE):
                fh.write(seq[i:i + LINE] + "\n")
            fai.append(f"{name}\t{len(seq)}\t{offset}\t{LINE}\t{LINE + 1}\n")
    Path(str(path) + ".fai").write_text("".join(fai))


def load_reference(path) -> Reference:
    """Read a FASTA file into one code array (non-ACGT bases become code 4)."""
    path = Path(path)
    names, chunks, cur = [], [], []
    with open(path, "rb") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            if line.startswith(b">"):
                if names:
                    chunks.append(b"".join(cur))
                names.append(line[1:].split()[0].decode())
                cur = []
            else:
                cur.append(line)
    if not names:
        raise ValueError(f"{path}: no FASTA records")
    chunks.append(b"".join(cur))
    lengths = np.array([len(c) for c in chunks], dtype=np.int64)
    offsets = np.zeros(len(chunks), dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    codes = encode(b"".join(chunks))
    return Reference(names, lengths, offsets, codes, path)
