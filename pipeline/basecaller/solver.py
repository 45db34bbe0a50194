"""Phase-corrected homopolymer calling, vectorised over wells.

Iterative "simulate and correct" solver:

1. Start from the rounded key-normalised signal (key flows forced to the key).
2. Simulate the expected flowgram P of the current calls with the phasing model and the
   in-phase mass a (how strongly a flow's signal depends on its own homopolymer).
3. Corrected signal C = h + (M - P) / max(a, min_inphase); new calls = round(C), made
   canonical (a physically impossible call vector collapses to the one its bases spell).
4. The per-well gain is refitted (least squares of M on P over the early flows).
5. Wells whose calls did not change are final; the others are simulated again. Each well
   returns the calls with the smallest misfit seen (guards against oscillation).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .flowspace import canonical_flow_vector, next_flow_table
from .phasing import simulate_flowgrams


@dataclass
class SolveResult:
    calls: np.ndarray       # int16 [W, F] homopolymer length per flow
    corrected: np.ndarray   # float32 [W, F] phase-corrected signal (compare to calls)
    predicted: np.ndarray   # float32 [W, F] model prediction of the measurement
    inphase: np.ndarray     # float32 [W, F] in-phase mass per flow
    measured: np.ndarray    # float32 [W, F] measurement after gain refit
    gain: np.ndarray        # float32 [W] gain applied on top of key normalisation


def make_canonical(h: np.ndarray, fo_codes: np.ndarray, table: np.ndarray | None = None
                   ) -> np.ndarray:
    """Canonicalise only the rows that need it (the common case is already valid).

    A call vector is canonical when every run sits on the first flow of its nucleotide
    after the previous run, and never repeats the previous run's nucleotide.
    """
    W, F = h.shape
    if table is None:
        table = next_flow_table(fo_codes)
    pos = h > 0
    last = np.maximum.accumulate(np.where(pos, np.arange(F)[None, :], -1), axis=1)
    prev = np.full_like(last, -1)
    prev[:, 1:] = last[:, :-1]
    nuc = np.broadcast_to(fo_codes[None, :], (W, F))
    expected = table[prev + 1, nuc]
    prev_nuc = np.where(prev >= 0, fo_codes[np.maximum(prev, 0)], 255)
    bad_flow = pos & ((expected != np.arange(F)[None, :]) | (prev_nuc == nuc))
    bad = np.nonzero(bad_flow.any(axis=1))[0]
    if bad.size == 0:
        return h
    out = h.copy()
    out[bad] = canonical_flow_vector(h[bad], fo_codes)
    return out


def solve_flowgrams(measured: np.ndarray, fo_codes: np.ndarray, key_hp: np.ndarray, cf, ie, dr,
                    *, max_iter: int = 8, max_hp: int = 12, min_inphase: float = 0.25,
                    gain_flows: int = 120, model_kwargs: dict | None = None) -> SolveResult:
    """Call homopolymers for key-normalised flowgrams ``measured[W, F]``.

    ``key_hp`` are the key flows whose calls are forced (all key flows but the last).
    """
    model_kwargs = model_kwargs or {}
    M = np.array(measured, dtype=np.float32, copy=True)
    W, F = M.shape
    nk = key_hp.size
    table = next_flow_table(fo_codes)
    h = np.clip(np.rint(M), 0, max_hp).astype(np.int16)
    h[:, :nk] = key_hp
    h = make_canonical(h, fo_codes, table)
    best_h = h.copy()
    corrected = np.zeros_like(M)
    predicted = np.zeros_like(M)
    inphase = np.ones_like(M)
    gain = np.ones(W, dtype=np.float32)
    best_sse = np.full(W, np.inf, dtype=np.float64)
    active = np.arange(W)
    gf = min(F, gain_flows)
    for _ in range(max_iter):
        if active.size == 0:
            break
        ha = h[active]
        P, a = simulate_flowgrams(ha, fo_codes, cf, ie, dr, return_inphase=True, **model_kwargs)
        # Gain refit: M ~ s * P by least squares (noise is in M), then M /= s.
        Ma = M[active]
        num = np.einsum("ij,ij->i", P[:, :gf], P[:, :gf])
        den = np.einsum("ij,ij->i", Ma[:, :gf], P[:, :gf])
        g = np.where((den > 0) & (num > 0), num / np.maximum(den, 1e-12), 1.0)
        g = np.clip(g, 0.5, 2.0).astype(np.float32)
        Ma = Ma * g[:, None]
        sse = ((Ma - P) ** 2).sum(axis=1)
        M[active] = Ma
        gain[active] *= g
        C = ha + (Ma - P) / np.maximum(a, min_inphase)
        # The path to the solution need not lower the misfit monotonically, so iterate on
        # regardless but remember, per well, the best-fitting calls seen.
        better = sse < best_sse[active]
        bi = active[better]
        best_sse[bi] = sse[better]
        best_h[bi] = ha[better]
        predicted[bi] = P[better]
        inphase[bi] = a[better]
        corrected[bi] = C[better]
        new = np.clip(np.rint(C), 0, max_hp).astype(np.int16)
        new[:, :nk] = key_hp
        new = make_canonical(new, fo_codes, table)
        changed = (new != ha).any(axis=1)
        h[active[changed]] = new[changed]
        active = active[changed]
    return SolveResult(best_h, corrected, predicted, inphase, M, gain)
