"""Per-base quality values and read trimming (adapter, quality, minimum length).

Quality model: the phase-corrected signal of a flow, C = h + e, carries noise of standard
deviation sigma_f = sqrt(sigma_w**2 + (kappa*h)**2) / inphase_f, where sigma_w is the
well's noise (robust spread of the model residual over the early flows). The error
probability of a call h is the posterior mass of h-1 and h+1 under that Gaussian noise;
QV = -10*log10(p), clipped to [min_qv, max_qv]. All bases of a homopolymer get its QV.
"""
from __future__ import annotations

import numpy as np

MIN_QV = 2
MAX_QV = 40


def well_noise(measured: np.ndarray, predicted: np.ndarray, first: int, last: int,
               floor: float = 0.02) -> np.ndarray:
    """Robust residual spread per well (1.4826 * median |M - P|) over flows [first, last)."""
    r = np.abs(measured[:, first:last] - predicted[:, first:last])
    if r.shape[1] == 0:
        return np.full(measured.shape[0], floor, dtype=np.float32)
    return np.maximum(1.4826 * np.median(r, axis=1), floor).astype(np.float32)


def flow_qualities(corrected: np.ndarray, calls: np.ndarray, inphase: np.ndarray,
                   sigma: np.ndarray, *, kappa: float = 0.03, min_inphase: float = 0.2,
                   min_qv: int = MIN_QV, max_qv: int = MAX_QV) -> np.ndarray:
    """QV of the call at every flow, uint8 [W, F]."""
    h = calls.astype(np.float32)
    s = np.sqrt(sigma[:, None] ** 2 + (kappa * h) ** 2) / np.maximum(inphase, min_inphase)
    r = (corrected - h) / s
    inv = 1.0 / s
    # Log-likelihoods (up to a shared constant) of h, h+1 and h-1.
    l0 = -0.5 * r * r
    lp = -0.5 * (r - inv) ** 2
    lm = np.where(h >= 1, -0.5 * (r + inv) ** 2, -np.inf)
    top = np.maximum(np.maximum(l0, lp), lm)
    e0, ep, em = np.exp(l0 - top), np.exp(lp - top), np.exp(lm - top)
    p_err = (ep + em) / (e0 + ep + em)
    qv = -10.0 * np.log10(np.maximum(p_err, 1e-10))
    return np.clip(np.rint(qv), min_qv, max_qv).astype(np.uint8)


def find_adapter(read: bytes, adapter: bytes, *, min_overlap: int = 6, seed: int = 12,
                 max_mismatch_frac: float = 0.15) -> int:
    """Start of the 3' adapter in ``read`` (-1 if absent).

    Exact seed matches anywhere in the read (three seeds across the adapter, so one error
    in the adapter does not hide it), verified by Hamming distance; then a partial adapter
    at the very end of the read (overlap >= ``min_overlap``, exact below 10 bases).
    """
    n, m = len(read), len(adapter)
    best = -1
    for offset in range(0, max(1, m - seed + 1), seed):
        probe = adapter[offset:offset + seed]
        if len(probe) < min_overlap:
            break
        pos = read.find(probe)
        while pos != -1:
            start = pos - offset
            if start >= 0 and _matches(read, adapter, start, max_mismatch_frac):
                if best == -1 or start < best:
                    best = start
                break
            pos = read.find(probe, pos + 1)
        if best != -1 and offset == 0:
            return best
    if best != -1:
        return best
    for k in range(min(m, n), min_overlap - 1, -1):
        tail = read[n - k:]
        if tail == adapter[:k]:
            return n - k
        if k >= 10:
            h = k // 2
            # One mismatch leaves one half exact: a cheap filter before counting.
            if tail[:h] == adapter[:h] or tail[h:] == adapter[h:k]:
                if sum(1 for a, b in zip(tail, adapter[:k]) if a != b) <= 1:
                    return n - k
    return -1


def _matches(read: bytes, adapter: bytes, start: int, max_frac: float) -> bool:
    seg = read[start:start + len(adapter)]
    k = len(seg)
    if k == 0:
        return False
    mism = sum(1 for a, b in zip(seg, adapter) if a != b)
    return mism <= max_frac * k


def quality_trim_lengths(qual_padded: np.ndarray, lengths: np.ndarray, *, window: int = 30,
                         cutoff: float = 15.0) -> np.ndarray:
    """Length after sliding-window quality trimming: the read is cut at the start of the
    first window (of ``window`` bases, shorter at the read end) whose mean QV < cutoff."""
    n, L = qual_padded.shape
    if n == 0 or L == 0:
        return np.asarray(lengths).copy()
    q = qual_padded.astype(np.float64)
    csum = np.zeros((n, L + 1))
    np.cumsum(q, axis=1, out=csum[:, 1:])
    starts = np.arange(L)[None, :]
    ends = np.minimum(starts + window, np.asarray(lengths)[:, None])
    width = ends - starts
    valid = width > 0
    total = np.take_along_axis(csum, np.minimum(ends, L), axis=1) - csum[:, :L]
    mean = np.where(valid, total / np.maximum(width, 1), np.inf)
    bad = mean < cutoff
    first = np.where(bad.any(axis=1), bad.argmax(axis=1), lengths)
    return np.minimum(first, lengths)
