"""Flow-space helpers shared by the simulator and the basecaller.

Bases are coded 0=A 1=C 2=G 3=T (4 = padding / N). A read in flow space is the vector of
homopolymer lengths incorporated at each flow of the (cyclic) flow order: base k of a
sequence is incorporated at the first flow, at or after the flow of base k-1, whose
nucleotide matches (the same flow when it repeats the previous base).
"""
from __future__ import annotations

import numpy as np

NUCS = "ACGT"
PAD = 4
DEFAULT_FLOW_ORDER = "TACGTACGTCTGAGCATCGATCGATGTACAGC"
DEFAULT_LIBRARY_KEY = "TCAG"
DEFAULT_TF_KEY = "ATCG"
DEFAULT_3PRIME_ADAPTER = "ATCACCGACTGCCCATAGAGAGGCTGAGAC"

_ENCODE = np.full(256, PAD, dtype=np.uint8)
for _i, _c in enumerate(NUCS):
    _ENCODE[ord(_c)] = _i
    _ENCODE[ord(_c.lower())] = _i
_DECODE = np.frombuffer(b"ACGTN", dtype=np.uint8)


def encode(seq) -> np.ndarray:
    """DNA string/bytes -> uint8 codes (anything not ACGT -> 4)."""
    if isinstance(seq, str):
        seq = seq.encode("ascii")
    return _ENCODE[np.frombuffer(seq, dtype=np.uint8)]


def decode(codes) -> str:
    return _DECODE[np.minimum(np.asarray(codes, dtype=np.uint8), PAD)].tobytes().decode("ascii")


def decode_bytes(codes) -> np.ndarray:
    """Codes -> ASCII byte values (uint8)."""
    return _DECODE[np.minimum(np.asarray(codes, dtype=np.uint8), PAD)]


def expand_flow_order(flow_order: str, flows: int) -> str:
    """Repeat a flow-order cycle to exactly ``flows`` characters."""
    flow_order = flow_order.strip().upper()
    if not flow_order or set(flow_order) - set(NUCS):
        raise ValueError(f"invalid flow order {flow_order!r}: only A, C, G, T allowed")
    if flows <= 0:
        raise ValueError("number of flows must be positive")
    reps = -(-flows // len(flow_order))
    return (flow_order * reps)[:flows]


def next_flow_table(fo_codes: np.ndarray) -> np.ndarray:
    """``t[f, n]`` = first flow >= f with nucleotide n, or F if none (rows 0..F; n 0..4)."""
    F = fo_codes.size
    table = np.full((F + 2, 5), F, dtype=np.int32)
    for f in range(F - 1, -1, -1):
        table[f, :4] = table[f + 1, :4]
        table[f, fo_codes[f]] = f
    return table


def base_flows(codes: np.ndarray, fo_codes: np.ndarray, table: np.ndarray | None = None
               ) -> np.ndarray:
    """Incorporation flow of every base of padded reads ``codes[n, L]`` (F when the base is
    not reached within the flows, or is padding)."""
    if table is None:
        table = next_flow_table(fo_codes)
    F = fo_codes.size
    n, L = codes.shape
    # Work column by column on transposed (contiguous) copies: one column = one base
    # position of every read.
    out_t = np.full((L, n), F, dtype=np.int32)
    if L == 0 or n == 0:
        return out_t.T
    codes_t = np.ascontiguousarray(codes.T).astype(np.int32)
    flat = table.ravel()
    width = table.shape[1]
    prev_flow = flat[codes_t[0]]
    out_t[0] = prev_flow
    prev_code = codes_t[0]
    for k in range(1, L):
        cur = codes_t[k]
        nxt = flat[np.minimum(prev_flow + 1, F) * width + cur]
        flow = np.where(cur == prev_code, prev_flow, nxt)
        flow[cur == PAD] = F
        out_t[k] = flow
        if k % 16 == 0 and flow.min() >= F:
            break
        prev_flow, prev_code = flow, cur
    return out_t.T


def flow_vector_from_flows(flows_of_bases: np.ndarray, F: int) -> np.ndarray:
    """Homopolymer length per flow [n, F] from per-base incorporation flows [n, L]."""
    n = flows_of_bases.shape[0]
    ok = flows_of_bases < F
    rows = np.broadcast_to(np.arange(n)[:, None], flows_of_bases.shape)[ok]
    idx = rows.astype(np.int64) * F + flows_of_bases[ok]
    return np.bincount(idx, minlength=n * F).reshape(n, F).astype(np.int16)


def flow_vector(codes: np.ndarray, fo_codes: np.ndarray) -> np.ndarray:
    """Ideal flowgram [n, F] (HP length per flow) of padded reads ``codes[n, L]``."""
    return flow_vector_from_flows(base_flows(codes, fo_codes), fo_codes.size)


def seq_flow_vector(seq: str, flow_order: str) -> np.ndarray:
    """Ideal flowgram of one sequence over the given (already expanded) flow order."""
    fo = encode(flow_order)
    return flow_vector(encode(seq)[None, :], fo)[0]


def key_flow_vector(key: str, flow_order: str) -> np.ndarray:
    """Flows 0..(flow of the last key base) of the key; the last entry can merge with the
    template (same nucleotide), so normalisation and keypass use all but the last."""
    fo = encode(flow_order)
    flows = base_flows(encode(key)[None, :], fo)[0]
    if np.any(flows >= fo.size):
        raise ValueError(f"key {key!r} does not fit in the flow order")
    vec = np.bincount(flows, minlength=fo.size)[: flows[-1] + 1]
    return vec.astype(np.int16)


def flows_to_codes(hp: np.ndarray, fo_codes: np.ndarray):
    """Flowgram calls [n, F] -> (flat base codes, lengths per read)."""
    hp = np.clip(hp, 0, None).astype(np.int64)
    n, F = hp.shape
    flat = np.repeat(np.tile(fo_codes, n), hp.ravel())
    return flat.astype(np.uint8), hp.sum(axis=1)


def pad_ragged(flat: np.ndarray, lengths: np.ndarray, width: int | None = None,
               fill: int = PAD) -> np.ndarray:
    """Ragged (flat, lengths) -> padded [n, width] (longer rows are cut)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    n = lengths.size
    if width is None:
        width = int(lengths.max()) if n else 0
    out = np.full((n, width), fill, dtype=flat.dtype)
    if n == 0 or width == 0:
        return out
    keep = np.arange(width)[None, :] < lengths[:, None]
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    src = starts[:, None] + np.arange(width)[None, :]
    out[keep] = flat[src[keep]]
    return out


def canonical_flow_vector(hp: np.ndarray, fo_codes: np.ndarray) -> np.ndarray:
    """Re-derive flowgrams from the bases they spell: a call vector in which the same
    nucleotide is called again before any other nucleotide was incorporated is physically
    impossible and collapses into the earlier flow."""
    flat, lengths = flows_to_codes(hp, fo_codes)
    padded = pad_ragged(flat, lengths)
    return flow_vector(padded, fo_codes)
