"""Vectorised generation of simulated reads, one batch at a time.

A batch is a set of library (or TF) molecules: a template (insert) sampled from the
reference, a 5' prefix (barcode + barcode adapter, a no-match junk prefix, or nothing),
the library/TF key in front and the 3' adapter behind. Sequencing errors are applied in
read orientation to the insert; the bases that fit in the run's flows form the read.

All per-base work is done on flat ("ragged") numpy arrays: ``flat`` holds the bases of all
reads of the batch one after another and ``lengths`` the number of bases of each read.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..basecaller.flowspace import PAD, base_flows, flow_vector_from_flows

OP_M, OP_X, OP_D, OP_I = 0, 1, 2, 3
# Error kinds per slot (a slot is one template base, or one inserted base after it).
K_MATCH, K_SUB, K_DEL, K_INS, K_HP_OVER, K_HP_UNDER = 0, 1, 2, 3, 4, 5
_KIND_OP = np.array([OP_M, OP_X, OP_D, OP_I, OP_I, OP_D], dtype=np.int8)
_CIGAR_CHAR = np.array(list("MMDI"))


@dataclass
class ErrorModel:
    """Error rates per template base; all grow along the read by (1 + slope * pos / 100).

    ``hp_rate`` is per base of a homopolymer: a run of length L is miscalled by +-1 with
    probability ``hp_rate * L`` (the dominant flow-space error).
    """
    sub_rate: float = 0.0008
    ins_rate: float = 0.0005
    del_rate: float = 0.0005
    hp_rate: float = 0.0015
    slope: float = 1.0

    def scaled(self, factor: float) -> "ErrorModel":
        return ErrorModel(self.sub_rate * factor, self.ins_rate * factor, self.del_rate * factor,
                          self.hp_rate * factor, self.slope)


@dataclass
class QualityModel:
    """QVs of correct bases fall linearly from ``start`` to ``end`` over ``span`` bases
    (plus Gaussian noise); bases at or next to an error get QVs in [error_low, error_high]."""
    start: float = 33.0
    end: float = 21.0
    span: float = 300.0
    sd: float = 2.5
    error_low: int = 5
    error_high: int = 12
    prefix: float = 32.0


def exclusive_cumsum(lengths: np.ndarray) -> np.ndarray:
    out = np.zeros(len(lengths), dtype=np.int64)
    if len(lengths) > 1:
        np.cumsum(lengths[:-1], out=out[1:])
    return out


def ragged_positions(lengths: np.ndarray):
    """(read index, position within read) of every element of a ragged batch."""
    lengths = np.asarray(lengths, dtype=np.int64)
    rid = np.repeat(np.arange(lengths.size), lengths)
    pos = np.arange(rid.size, dtype=np.int64) - exclusive_cumsum(lengths)[rid]
    return rid, pos


def place_ragged(out2d: np.ndarray, flat: np.ndarray, lengths: np.ndarray,
                 start_cols: np.ndarray) -> None:
    """Copy read i's elements of a ragged array into ``out2d[i, start_cols[i]:...]``."""
    if flat.size == 0:
        return
    rid, pos = ragged_positions(lengths)
    out2d[rid, start_cols[rid] + pos] = flat


def take_ragged(padded: np.ndarray, start_cols: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Inverse of :func:`place_ragged`: the flat elements ``padded[i, s_i:s_i+l_i]``."""
    rid, pos = ragged_positions(lengths)
    return padded[rid, start_cols[rid] + pos]


def sample_templates(rng, ref, n: int, mean: float, sd: float, min_len: int, max_len: int):
    """Insert length, contig, 0-based start and strand of ``n`` fragments, and their bases
    in read orientation (flat) with lengths."""
    lengths = np.clip(np.rint(rng.normal(mean, sd, n)), min_len, max_len).astype(np.int64)
    p = ref.lengths / ref.lengths.sum()
    contig = rng.choice(ref.lengths.size, size=n, p=p)
    lengths = np.minimum(lengths, ref.lengths[contig])
    start = (rng.random(n) * (ref.lengths[contig] - lengths + 1)).astype(np.int64)
    reverse = rng.random(n) < 0.5
    rid, pos = ragged_positions(lengths)
    fwd_idx = ref.offsets[contig[rid]] + start[rid] + pos
    rev_idx = ref.offsets[contig[rid]] + start[rid] + lengths[rid] - 1 - pos
    idx = np.where(reverse[rid], rev_idx, fwd_idx)
    bases = ref.codes[idx]
    bases = np.where(reverse[rid] & (bases < 4), 3 - bases, bases).astype(np.uint8)
    bases[bases == PAD] = 0          # N in the reference is read as A
    return lengths, contig, start, reverse, bases


@dataclass
class ErrorResult:
    called: np.ndarray        # flat called insert bases
    called_len: np.ndarray    # per read
    qual: np.ndarray          # flat QVs of the called bases
    slot_kind: np.ndarray     # flat error kind per slot (template or inserted base)
    slot_rid: np.ndarray      # read of each slot
    slot_called_pos: np.ndarray  # for called slots: position in the called read;
                                 # for deletions: position of the next called base


def apply_errors(rng, tmpl: np.ndarray, lengths: np.ndarray, em: ErrorModel,
                 qm: QualityModel) -> ErrorResult:
    """Apply substitutions, indels and homopolymer errors to the flat templates."""
    lengths = np.asarray(lengths, dtype=np.int64)
    T = tmpl.size
    rid, k = ragged_positions(lengths)
    mult = 1.0 + em.slope * k / 100.0
    # Homopolymer runs of the templates.
    newrun = np.ones(T, dtype=bool)
    if T > 1:
        newrun[1:] = (tmpl[1:] != tmpl[:-1]) | (rid[1:] != rid[:-1])
    run_start = np.nonzero(newrun)[0]
    run_len = np.diff(np.append(run_start, T))
    run_last = run_start + run_len - 1
    p_hp = np.clip(em.hp_rate * run_len * mult[run_last], 0.0, 0.5)
    hp_event = rng.random(run_start.size) < p_hp
    over = rng.random(run_start.size) < 0.5
    hp_over = run_last[hp_event & over]
    hp_under = run_last[hp_event & ~over]
    hp_under = hp_under[k[hp_under] > 0]          # a read never starts with a deletion
    affected = np.zeros(T, dtype=bool)
    affected[hp_over] = True
    affected[hp_under] = True
    u = rng.random(T)
    ps, pi, pd = em.sub_rate * mult, em.ins_rate * mult, em.del_rate * mult
    sub = ~affected & (u < ps)
    ins = ~affected & (u >= ps) & (u < ps + pi)
    dele = ~affected & (u >= ps + pi) & (u < ps + pi + pd) & (k > 0)

    kind_a = np.full(T, K_MATCH, dtype=np.int8)
    kind_a[sub] = K_SUB
    kind_a[dele] = K_DEL
    kind_a[hp_under] = K_HP_UNDER
    code_a = tmpl.copy()
    code_a[sub] = (tmpl[sub] + rng.integers(1, 4, int(sub.sum()))) % 4
    kind_b = np.full(T, -1, dtype=np.int8)
    kind_b[ins] = K_INS
    kind_b[hp_over] = K_HP_OVER
    code_b = tmpl.copy()
    code_b[ins] = (tmpl[ins] + rng.integers(1, 4, int(ins.sum()))) % 4

    kind = np.stack([kind_a, kind_b], axis=1).ravel()
    code = np.stack([code_a, code_b], axis=1).ravel()
    valid = kind >= 0
    kind, code = kind[valid], code[valid]
    slot_rid = np.repeat(rid, 2)[valid]
    is_called = _KIND_OP[kind] != OP_D
    called = code[is_called].astype(np.uint8)
    called_rid = slot_rid[is_called]
    called_len = np.bincount(called_rid, minlength=lengths.size).astype(np.int64)
    # Position of each slot's called base (or of the next one, for deletions).
    before = np.cumsum(is_called) - is_called
    slot_called_pos = before - exclusive_cumsum(called_len)[slot_rid]

    # Quality values.
    _, cpos = ragged_positions(called_len)
    frac = np.minimum(cpos / qm.span, 1.0)
    q = qm.start + (qm.end - qm.start) * frac + rng.normal(0.0, qm.sd, cpos.size)
    low = np.zeros(called.size, dtype=bool)
    err_called = (kind[is_called] != K_MATCH)
    low[err_called] = True
    # Around a deletion: the called bases on both sides (same read) look uncertain.
    d_slots = np.nonzero(~is_called)[0]
    for idx in (before[d_slots], before[d_slots] - 1):
        ok = (idx >= 0) & (idx < called.size)
        ok[ok] &= called_rid[idx[ok]] == slot_rid[d_slots[ok]]
        low[idx[ok]] = True
    q[low] = rng.integers(qm.error_low, qm.error_high + 1, int(low.sum()))
    qual = np.clip(np.rint(q), 2, 41).astype(np.uint8)
    return ErrorResult(called, called_len, qual, kind, slot_rid, slot_called_pos)


def truncate_and_describe(er: ErrorResult, kept: np.ndarray, reverse: np.ndarray):
    """Per-read error counts, reference span and CIGAR (reference orientation) of the
    first ``kept[i]`` called bases of each read."""
    n = kept.size
    op = _KIND_OP[er.slot_kind]
    keep_slot = er.slot_called_pos < kept[er.slot_rid]
    kind = er.slot_kind[keep_slot]
    rid = er.slot_rid[keep_slot]
    op = op[keep_slot]
    counts = {}
    for name, kinds in (("n_sub", (K_SUB,)), ("n_ins", (K_INS, K_HP_OVER)),
                        ("n_del", (K_DEL, K_HP_UNDER)), ("n_hp", (K_HP_OVER, K_HP_UNDER))):
        sel = np.isin(kind, kinds)
        counts[name] = np.bincount(rid[sel], minlength=n)
    span = np.bincount(rid[op != OP_I], minlength=n).astype(np.int64)
    cig_op = np.where(op == OP_X, OP_M, op)
    cigars = _cigar_strings(cig_op, rid, n, reverse)
    return counts, span, cigars


def _cigar_strings(op: np.ndarray, rid: np.ndarray, n: int, reverse: np.ndarray) -> list:
    if op.size == 0:
        return [""] * n
    brk = np.ones(op.size, dtype=bool)
    brk[1:] = (op[1:] != op[:-1]) | (rid[1:] != rid[:-1])
    starts = np.nonzero(brk)[0]
    run_len = np.diff(np.append(starts, op.size))
    run_op = op[starts]
    run_rid = rid[starts]
    tokens = [f"{l}{c}" for l, c in zip(run_len.tolist(), _CIGAR_CHAR[run_op].tolist())]
    per_read = np.bincount(run_rid, minlength=n)
    bounds = np.append(0, np.cumsum(per_read)).tolist()
    rev = reverse.tolist()
    out = []
    for i in range(n):
        toks = tokens[bounds[i]:bounds[i + 1]]
        if rev[i]:
            toks = toks[::-1]
        out.append("".join(toks))
    return out


def q_lengths(qual: np.ndarray, lengths: np.ndarray, max_rate: float) -> np.ndarray:
    """Largest k with (sum of error probabilities of the first k bases) / k <= max_rate
    (0 if none); the cumulative sum runs sequentially in float64, 5' to 3'."""
    n = lengths.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    width = int(lengths.max()) if n else 0
    if width == 0:
        return np.zeros(n, dtype=np.int64)
    q = np.zeros((n, width), dtype=np.float64)
    place_ragged(q, np.power(10.0, -qual.astype(np.float64) / 10.0), lengths,
                 np.zeros(n, dtype=np.int64))
    csum = np.cumsum(q, axis=1)
    k = np.arange(1, width + 1, dtype=np.float64)
    ok = (csum / k <= max_rate) & (np.arange(width)[None, :] < lengths[:, None])
    last = width - 1 - np.argmax(ok[:, ::-1], axis=1)
    return np.where(ok.any(axis=1), last + 1, 0).astype(np.int64)


def molecule_flows(key_codes: np.ndarray, prefix_flat, prefix_len, insert_flat, insert_len,
                   tail_codes: np.ndarray, fo_codes: np.ndarray):
    """Padded molecules key + prefix + insert + tail and the flow of every base."""
    n = insert_len.size
    nk, nt = key_codes.size, tail_codes.size
    width = nk + int(prefix_len.max(initial=0)) + int(insert_len.max(initial=0)) + nt
    mol = np.full((n, width), PAD, dtype=np.uint8)
    mol[:, :nk] = key_codes
    place_ragged(mol, prefix_flat, prefix_len, np.full(n, nk, dtype=np.int64))
    place_ragged(mol, insert_flat, insert_len, nk + prefix_len)
    tail_flat = np.tile(tail_codes, n)
    place_ragged(mol, tail_flat, np.full(n, nt, dtype=np.int64), nk + prefix_len + insert_len)
    flows = base_flows(mol, fo_codes)
    return mol, flows


def flowgram_tag(flows: np.ndarray, last_flow: np.ndarray, F: int, rng, sigma: float,
                 extra: int = 16):
    """ZM-like int16 flowgram (128 x signal, from flow 0) of the called molecules, up to the
    read's last base flow + ``extra``: ideal HP counts plus Gaussian noise."""
    hp = flow_vector_from_flows(flows, F).astype(np.float32)
    count = np.minimum(last_flow.astype(np.int64) + 1 + extra, F)
    mask = np.arange(F)[None, :] < count[:, None]
    vals = hp[mask] + rng.normal(0.0, sigma, int(mask.sum())).astype(np.float32)
    return np.clip(np.rint(vals * 128.0), -16383, 16383).astype(np.int16), count
