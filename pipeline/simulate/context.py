"""What the generators of both formats share: the simulation context, seeded random streams,
read names, and the 5' prefix each library read starts with (barcode + barcode adapter, or
no-match junk)."""
from __future__ import annotations

import numpy as np

from ..basecaller.flowspace import encode


class SimContext:
    """Everything the batch generators need (reference, flow order, models, prefixes, ...)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def rng(seed: int, stream: int):
    """Random stream ``stream`` of ``seed``: each use (layout, reads, prefixes, noise) has its own."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), stream]))


def read_names(run_id, rows, cols):
    return np.array([f"{run_id}:{r:05d}:{c:05d}" for r, c in zip(rows.tolist(), cols.tolist())],
                    dtype="S")


def prefix_ids(rng, ctx, n):
    """Per-read prefix id: -1 none, [0, n_bc) barcode, >= n_bc no-match junk."""
    if not ctx.n_bc:
        return np.full(n, -1, dtype=np.int64)
    nomatch = rng.random(n) < ctx.nomatch_fraction
    bc = rng.choice(ctx.n_bc, size=n, p=ctx.weights)
    junk = ctx.n_bc + rng.integers(0, len(ctx.prefixes) - ctx.n_bc, n)
    return np.where(nomatch, junk, bc)


def prefix_arrays(rng, ctx, pid, error_rate):
    """Flat prefix bases/lengths/flow errors; optional single HP errors in barcodes."""
    strs = ["" if p < 0 else ctx.prefixes[p] for p in pid.tolist()]
    bc_err = np.zeros(pid.size, dtype=np.int64)
    if error_rate > 0:
        hit = np.nonzero((pid >= 0) & (pid < ctx.n_bc) & (rng.random(pid.size) < error_rate))[0]
        for i in hit.tolist():
            bc = ctx.chosen[pid[i]]["sequence"]
            runs = [(j, k) for j, k in _hp_runs(bc)]
            j, length = runs[int(rng.integers(len(runs)))]
            if length >= 2 and rng.random() < 0.5:
                new = bc[:j] + bc[j + 1:]                  # under-call
            else:
                new = bc[:j] + bc[j] + bc[j:]              # over-call
            strs[i] = new + ctx.chosen[pid[i]]["adapter"]
            bc_err[i] = 1
    lens = np.fromiter((len(s) for s in strs), dtype=np.int64, count=len(strs))
    return encode("".join(strs)), lens, bc_err


def _hp_runs(seq):
    j = 0
    while j < len(seq):
        k = j
        while k < len(seq) and seq[k] == seq[j]:
            k += 1
        yield j, k - j
        j = k
