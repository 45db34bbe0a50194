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
    rid = np.repeat(np.arange(lengths.size, dtype=np.int32), lengths)
    pos = np.arange(rid.size, dtype=np.int32)
    pos -= np.repeat(exclusive_cumsum(lengths).astype(np.int32), lengths)
    return rid, pos


def _flat_index(shape, start_cols, lengths):
    """Flat indices into a C-ordered [n, width] array of row i, columns s_i .. s_i+l_i-1."""
    lengths = np.asarray(lengths, dtype=np.int64)
    base = np.arange(lengths.size, dtype=np.int64) * shape[1] + start_cols - \
        exclusive_cumsum(lengths)
    idx = np.repeat(base, lengths)
    idx += np.arange(idx.size, dtype=np.int64)
    return idx


def place_ragged(out2d: np.ndarray, flat: np.ndarray, lengths: np.ndarray,
                 start_cols: np.ndarray) -> None:
    """Copy read i's elements of a ragged array into ``out2d[i, start_cols[i]:...]``."""
    if flat.size == 0:
        return
    out2d.reshape(-1)[_flat_index(out2d.shape, start_cols, lengths)] = flat


def take_ragged(padded: np.ndarray, start_cols: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Inverse of :func:`place_ragged`: the flat elements ``padded[i, s_i:s_i+l_i]``."""
    return np.ascontiguousarray(padded).reshape(-1)[_flat_index(padded.shape, start_cols,
                                                                lengths)]


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
    ev_rid: np.ndarray        # sparse error events: read,
    ev_kind: np.ndarray       # kind (K_SUB, K_INS, K_DEL, K_HP_OVER, K_HP_UNDER),
    ev_cpos: np.ndarray       # position in the called read (of the substituted/inserted
                              # base; for deletions: of the next called base)


_NOISE_TABLE_SIZE = 1 << 14


def noise_table(rng, sd: float) -> np.ndarray:
    return rng.normal(0.0, sd, _NOISE_TABLE_SIZE).astype(np.float32)


def table_noise(rng, table: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Gaussian-like noise for a ragged batch: each read reads the shared table from a
    random offset (far cheaper than drawing one normal per element)."""
    rid, pos = ragged_positions(lengths)
    off = rng.integers(0, table.size, lengths.size)
    return table[(off[rid] + pos) & (table.size - 1)]


def apply_errors(rng, tmpl: np.ndarray, lengths: np.ndarray, em: ErrorModel,
                 qm: QualityModel) -> ErrorResult:
    """Apply substitutions, indels and homopolymer errors to the flat templates.

    Events are sparse, so they are drawn sparsely: candidate positions at the maximal rate,
    thinned by the position-dependent multiplier. A homopolymer event drawn on any base of
    a run is moved to the run's last base, so a run of length L is hit with probability
    proportional to L.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    starts = exclusive_cumsum(lengths)
    pos, rid, k, kind = _error_events(rng, tmpl, lengths, starts, em)
    called, called_len, gpos, is_del = _called_bases(rng, tmpl, lengths, pos, rid, kind)
    cstart = exclusive_cumsum(called_len)
    ev_cpos = gpos - cstart[rid]
    qual = _error_qualities(rng, qm, called_len, cstart, gpos, rid, is_del)
    return ErrorResult(called, called_len, qual, rid, kind, ev_cpos)


def _error_events(rng, tmpl, lengths, starts, em):
    """(template position, read, position in read, kind) of every error event, sorted by
    position, at most one per base."""
    T = int(tmpl.size)
    rates = np.array([em.sub_rate, em.ins_rate, em.del_rate, em.hp_rate], dtype=np.float64)
    rtot = float(rates.sum())
    kmax = int(lengths.max(initial=0))
    mmax = 1.0 + em.slope * kmax / 100.0
    ncand = int(rng.binomial(T, min(1.0, rtot * mmax))) if T and rtot > 0 else 0
    pos = np.unique(rng.integers(0, max(T, 1), ncand)) if ncand else np.zeros(0, np.int64)
    rid = np.searchsorted(starts, pos, side="right") - 1
    k = pos - starts[rid]
    keep = rng.random(pos.size) < (1.0 + em.slope * k / 100.0) / mmax
    pos, rid, k = pos[keep], rid[keep], k[keep]
    if pos.size:
        typ = rng.choice(4, size=pos.size, p=rates / rtot)
    else:
        typ = np.zeros(0, dtype=np.int64)
    kind = np.array([K_SUB, K_INS, K_DEL, K_HP_OVER], dtype=np.int8)[typ]
    # Homopolymer events: move to the run's last base; half of them are under-calls.
    hp = np.nonzero(typ == 3)[0]
    if hp.size:
        e = pos[hp].copy()
        end = starts[rid[hp]] + lengths[rid[hp]] - 1
        for _ in range(64):
            step = (e < end) & (tmpl[np.minimum(e + 1, T - 1)] == tmpl[e])
            if not step.any():
                break
            e[step] += 1
        pos[hp] = e
        k[hp] = e - starts[rid[hp]]
        kind[hp[rng.random(hp.size) < 0.5]] = K_HP_UNDER
    # A read never starts with a deletion; one event per base.
    ok = ~(((kind == K_DEL) | (kind == K_HP_UNDER)) & (k == 0))
    pos, rid, k, kind = pos[ok], rid[ok], k[ok], kind[ok]
    order = np.argsort(pos, kind="stable")
    pos, rid, k, kind = pos[order], rid[order], k[order], kind[order]
    first = np.ones(pos.size, dtype=bool)
    first[1:] = pos[1:] != pos[:-1]
    return pos[first], rid[first], k[first], kind[first]


def _called_bases(rng, tmpl, lengths, pos, rid, kind):
    """(flat called bases, called length per read, called position of each event -- for
    deletions the next called base --, deletion mask) after applying the events."""
    T = int(tmpl.size)
    src = tmpl.copy()
    sub = pos[kind == K_SUB]
    src[sub] = (tmpl[sub] + rng.integers(1, 4, sub.size)) % 4
    counts = np.ones(T, dtype=np.int64)
    is_del = (kind == K_DEL) | (kind == K_HP_UNDER)
    is_ins = (kind == K_INS) | (kind == K_HP_OVER)
    counts[pos[is_del]] = 0
    counts[pos[is_ins]] = 2
    called = np.repeat(src, counts).astype(np.uint8)
    cend = np.cumsum(counts)               # called index just after each template base
    ins_new = pos[kind == K_INS]
    called[cend[ins_new] - 1] = (tmpl[ins_new] + rng.integers(1, 4, ins_new.size)) % 4
    delta = np.zeros(pos.size, dtype=np.int64)
    delta[is_ins] = 1
    delta[is_del] = -1
    called_len = lengths + np.bincount(rid, weights=delta, minlength=lengths.size).astype(np.int64)
    gpos = np.where(is_del, cend[pos], cend[pos] - 1)
    return called, called_len, gpos, is_del


def _error_qualities(rng, qm, called_len, cstart, gpos, rid, is_del):
    """Quality values: linear profile + noise; low around every error."""
    _, cpos = ragged_positions(called_len)
    profile = qm.start + (qm.end - qm.start) * np.minimum(cpos / qm.span, 1.0)
    q = profile.astype(np.float32) + table_noise(rng, noise_table(rng, qm.sd), called_len)
    low = [gpos[~is_del]]
    for side in (gpos[is_del] - 1, gpos[is_del]):
        r = rid[is_del]
        inside = (side >= cstart[r]) & (side < cstart[r] + called_len[r])
        low.append(side[inside])
    low = np.concatenate(low)
    q[low] = rng.integers(qm.error_low, qm.error_high + 1, low.size)
    return np.clip(np.rint(q), 2, 41).astype(np.uint8)


def truncate_and_describe(er: ErrorResult, kept: np.ndarray, reverse: np.ndarray):
    """Per-read error counts, reference span and CIGAR (reference orientation) of the
    first ``kept[i]`` called bases of each read."""
    n = kept.size
    keep = er.ev_cpos < kept[er.ev_rid]
    rid, kind, cpos = er.ev_rid[keep], er.ev_kind[keep], er.ev_cpos[keep]
    counts = {}
    for name, kinds in (("n_sub", (K_SUB,)), ("n_ins", (K_INS, K_HP_OVER)),
                        ("n_del", (K_DEL, K_HP_UNDER)), ("n_hp", (K_HP_OVER, K_HP_UNDER))):
        counts[name] = np.bincount(rid[np.isin(kind, kinds)], minlength=n)
    span = (kept - counts["n_ins"] + counts["n_del"]).astype(np.int64)
    cigars = _cigars(rid, kind, cpos, kept, reverse)
    return counts, span, cigars


def _cigars(rid, kind, cpos, kept, reverse) -> list:
    """CIGAR strings from sparse, sorted indel events (vectorised; one join per read)."""
    n = kept.size
    cigars = [f"{m}M" if m else "" for m in kept.tolist()]
    indel = kind != K_SUB
    rid, cpos = rid[indel], cpos[indel]
    is_ins = _KIND_OP[kind[indel]] == OP_I
    if rid.size == 0:
        return cigars
    end = cpos + is_ins                      # read position after the event
    first = np.ones(rid.size, dtype=bool)
    first[1:] = rid[1:] != rid[:-1]
    prev_end = np.zeros(rid.size, dtype=np.int64)
    prev_end[1:] = end[:-1]
    prev_end[first] = 0
    mlen = cpos - prev_end                   # matched bases before the event
    # Consecutive events of one kind with nothing between them form one CIGAR operation.
    same = np.zeros(rid.size, dtype=bool)
    same[1:] = ~first[1:] & (mlen[1:] == 0) & (is_ins[1:] == is_ins[:-1])
    gstart = np.nonzero(~same)[0]
    gcount = np.diff(np.append(gstart, rid.size))
    g_rid, g_m, g_ins = rid[gstart], mlen[gstart], is_ins[gstart]
    last_end = np.zeros(n, dtype=np.int64)
    last_end[rid] = end                      # the last event of each read wins
    # Tokens: per group an optional M then the indel; per read a final M.
    t_rid = np.concatenate([g_rid, g_rid, np.unique(rid)])
    t_len = np.concatenate([g_m, gcount, kept[np.unique(rid)] - last_end[np.unique(rid)]])
    t_op = np.concatenate([np.zeros(g_rid.size, np.int8), np.where(g_ins, 1, 2).astype(np.int8),
                           np.zeros(np.unique(rid).size, np.int8)])
    t_ord = np.concatenate([2 * gstart, 2 * gstart + 1,
                            np.full(np.unique(rid).size, 2 * rid.size + 1)])
    keep = t_len > 0
    t_rid, t_len, t_op, t_ord = t_rid[keep], t_len[keep], t_op[keep], t_ord[keep]
    t_ord = np.where(reverse[t_rid], -t_ord, t_ord)
    order = np.lexsort((t_ord, t_rid))
    t_rid, t_len, t_op = t_rid[order], t_len[order], t_op[order]
    letters = ("M", "I", "D")
    tokens = [f"{ln}{letters[o]}" for ln, o in zip(t_len.tolist(), t_op.tolist())]
    bounds = np.searchsorted(t_rid, np.arange(n + 1)).tolist()
    for i in np.unique(t_rid).tolist():
        cigars[i] = "".join(tokens[bounds[i]:bounds[i + 1]])
    return cigars


_ERR_PROB = np.power(10.0, -np.arange(256, dtype=np.float64) / 10.0)


def q_lengths(qual: np.ndarray, lengths: np.ndarray, *max_rates: float):
    """For each rate: largest k with (sum of error probabilities of the first k bases) / k
    <= rate (0 if none). The cumulative sum runs sequentially in float64, 5' to 3'."""
    lengths = np.asarray(lengths, dtype=np.int64)
    n = lengths.size
    width = int(lengths.max(initial=0))
    if n == 0 or width == 0:
        return [np.zeros(n, dtype=np.int64) for _ in max_rates]
    q = np.zeros((n, width), dtype=np.float64)
    place_ragged(q, _ERR_PROB[qual], lengths, np.zeros(n, dtype=np.int64))
    np.cumsum(q, axis=1, out=q)
    q /= np.arange(1, width + 1, dtype=np.float64)
    inside = np.arange(width)[None, :] < lengths[:, None]
    out = []
    for rate in max_rates:
        ok = (q <= rate) & inside
        last = width - 1 - np.argmax(ok[:, ::-1], axis=1)
        out.append(np.where(ok.any(axis=1), last + 1, 0).astype(np.int64))
    return out


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
    vals = hp[mask] + table_noise(rng, noise_table(rng, sigma), count)
    return np.clip(np.rint(vals * 128.0), -16383, 16383).astype(np.int16), count
