"""Barcode classification, trimming and per-barcode unmapped BAMs.

Mode implemented: **mode 1, flow-space error count** — the kit's
``score_mode`` 1 and the natural choice for base-called reads. For every
barcode the string ``<library key><barcode><adapter>`` is turned into a
homopolymer-length-per-flow vector over the run's flow order; the read (key
removed by the instrument, so the key is put back in front) is turned into the
same kind of vector. Errors = Σ |barcode HP − read HP| over flows
``[start_flow, adapter_start_flow)``; at the barcode's last flow
(``num_flows − 1``) only a shortfall counts (extra bases there may be
template). A barcode is assigned when its errors are ``<= score_cutoff`` and it
is the *unique* minimum (ties -> nomatch). An HP over/under-call costs 1, where
a base-space Hamming distance would count a whole shifted tail.

Trimming (mode 1): every read base in flows ``< num_flows − 1`` plus up to
``last_homopolymer`` bases in flow ``num_flows − 1``. Assigned reads get
``XB:i`` = barcode errors and read group ``<runID>.<barcode>``; the others go
unchanged to ``<runID>.nomatch``. Not implemented: the signal-space modes 2–5
and the adapter check (they need per-flow signals and a phasing model), so
``barcode_adapter_filtered`` is always 0.

Everything is vectorised per chunk (see bamio); records are rewritten at the
byte level, so every other tag (ZA, ZF, ZM, ...) is carried over untouched.
"""
import os
import re

import numpy as np

from rundb.paths import check_name, safe_join

from .bamio import (CHUNK_BYTES, BamReader, BamWriter, ranges, header_lines_without_rg, rg_line, q20_counts,
                    _NT16)
from .errors import PipelineError

NOMATCH = "nomatch"
_MAX_HP_CODE = 7  # read HPs are clipped here for the lookup tables (>= any real barcode HP)


# --------------------------------------------------------------------------- kit

def load_barcode_kit(entries):
    """Normalise a kit: list of dicts (plain, or Django fixture rows with ``fields``).

    Returns dicts with id_str, sequence, adapter, index, score_mode,
    score_cutoff, annotation, type, sorted by index then id_str.
    """
    out = []
    for e in entries:
        f = e.get("fields", e)
        if f.get("active") is False:
            continue
        seq = str(f.get("sequence", "")).upper()
        if not f.get("id_str") or not seq:
            raise PipelineError(f"barcode kit entry without id_str/sequence: {f!r}")
        if re.search(r"[^ACGT]", seq + str(f.get("adapter", "")).upper()):
            raise PipelineError(f"barcode {f['id_str']}: only A/C/G/T supported in sequence/adapter")
        out.append({
            "id_str": f["id_str"],
            "sequence": seq,
            "adapter": str(f.get("adapter", "") or "").upper(),
            "index": int(f.get("index", 0) or 0),
            "score_mode": int(f.get("score_mode", 1) or 1),
            "score_cutoff": float(f.get("score_cutoff", 2) if f.get("score_cutoff") is not None else 2),
            "annotation": f.get("annotation", "") or "",
            "type": f.get("type", "") or "",
            "name": f.get("name", ""),
        })
    out.sort(key=lambda d: (d["index"], d["id_str"]))
    ids = [d["id_str"] for d in out]
    if len(set(ids)) != len(ids):
        raise PipelineError("barcode kit has duplicate id_str values")
    return out


def flow_vector(seq, flow_order):
    """(HP per flow, flow of each base) of ``seq`` over the cyclic flow order."""
    hp, base_flow = [], []
    i, f = 0, 0
    nf = len(flow_order)
    guard = (len(seq) + 1) * nf
    while i < len(seq):
        nuc = flow_order[f % nf]
        n = 0
        while i < len(seq) and seq[i] == nuc:
            base_flow.append(f)
            n += 1
            i += 1
        hp.append(n)
        f += 1
        if f > guard:
            raise PipelineError(f"sequence {seq!r} cannot be sequenced with flow order {flow_order!r}")
    return hp, base_flow


class FlowSpaceClassifier:
    """Mode-1 classifier for one kit / flow order / key (see module doc)."""

    def __init__(self, kit, flow_order, key="TCAG", cutoff=None):
        if not flow_order or re.search(r"[^ACGT]", flow_order.upper()):
            raise PipelineError(f"bad flow order {flow_order!r}")
        if not key or re.search(r"[^ACGT]", key.upper()):
            raise PipelineError(f"bad library key {key!r}")
        self.kit = kit
        self.flow_order = flow_order.upper()
        self.key = key.upper()
        nb = len(kit)
        if nb == 0:
            raise PipelineError("empty barcode kit")
        self.cutoff = float(cutoff if cutoff is not None else max(b["score_cutoff"] for b in kit))
        key_last = flow_vector(self.key, self.flow_order)[1][-1]
        info = [self._barcode_flows(b) for b in kit]
        self.start_flow = key_last if any(i["first_flow"] == key_last for i in info) else key_last + 1
        self.info = info
        F = max(i["num_flows"] for i in info)
        self.F = F
        self.B = np.zeros((nb, F), dtype=np.int16)
        for k, i in enumerate(info):
            self.B[k, :i["num_flows"]] = i["hp"]
        self.num_flows = np.array([i["num_flows"] for i in info])
        self.last_hp = np.array([i["last_hp"] for i in info])
        self.adapter_start = np.array([i["adapter_start_flow"] for i in info])
        self.Fc = int(self.adapter_start.max())
        self.groups = self._cost_groups()
        self._check_distinct()
        self.prefix_bases = max(len(b["sequence"]) + len(b["adapter"]) for b in kit) + 12
        self.key_codes = _NT16[np.frombuffer(self.key.encode(), np.uint8)]
        self.flow_codes = _NT16[np.frombuffer(self.flow_order.encode(), np.uint8)]

    def _barcode_flows(self, b):
        """Flow-space facts of key + barcode + adapter: HP vector, flows, where the barcode
        starts and ends, where the adapter starts."""
        hp, bflow = flow_vector(self.key + b["sequence"] + b["adapter"], self.flow_order)
        kl, bl = len(self.key), len(b["sequence"])
        end_flow = bflow[kl + bl - 1]
        adapter_start = next((f for f in bflow[kl + bl:] if f > end_flow), len(hp))
        return {"hp": hp, "num_flows": len(hp), "end_flow": end_flow,
                "adapter_start_flow": adapter_start, "last_hp": hp[-1], "first_flow": bflow[kl]}

    def _cost_groups(self):
        """[(flows, table)]: the compared flows in triples, each with a table of the summed
        cost per barcode for every combination of read HPs (one row gather per triple)."""
        nb = len(self.kit)
        # cost tables per flow: cost[f][v, b] for read HP v (clipped)
        vals = np.arange(_MAX_HP_CODE + 1)
        cost = np.zeros((self.F, _MAX_HP_CODE + 1, nb), dtype=np.int16)
        for k, i in enumerate(self.info):
            for f in range(self.start_flow, i["adapter_start_flow"]):
                d = self.B[k, f] - vals
                cost[f, :, k] = np.maximum(d, 0) if f == i["num_flows"] - 1 else np.abs(d)
        flows = list(range(self.start_flow, self.Fc))
        groups = []
        for g in range(0, len(flows), 3):
            fs = flows[g:g + 3]
            tab = np.zeros(((_MAX_HP_CODE + 1) ** len(fs), nb), dtype=np.int16)
            grid = np.stack(np.meshgrid(*([vals] * len(fs)), indexing="ij"), -1).reshape(-1, len(fs))
            for c, combo in enumerate(grid):
                tab[c] = sum(cost[f, v] for f, v in zip(fs, combo))
            groups.append((fs, tab))
        return groups

    def _check_distinct(self):
        """PipelineError when two barcodes are identical on the compared flows."""
        nb = len(self.kit)
        lo = self.start_flow
        hi = int(self.adapter_start.min())
        if nb > 1 and hi > lo:
            sub = self.B[:, lo:hi]
            dmin = min(int(np.abs(sub[a] - sub[c]).sum()) for a in range(nb) for c in range(a + 1, nb)) \
                if nb <= 400 else None
            if dmin == 0:
                raise PipelineError("barcode kit has barcodes that are identical in flow space")

    def read_flows(self, codes):
        """(m, F) HP per flow of key + read prefix codes (m, K)."""
        m = codes.shape[0]
        full = np.concatenate([np.broadcast_to(self.key_codes, (m, len(self.key_codes))), codes,
                               np.full((m, 1), 15, np.uint8)], axis=1)
        width = full.shape[1]
        flat = full.ravel()
        # flat index of each read's next base; the trailing N column stops every walk
        ptr = np.arange(m, dtype=np.int64) * width
        stop = ptr + width - 1
        R = np.zeros((m, self.F), dtype=np.int16)
        nfo = len(self.flow_codes)
        for f in range(self.F):
            c = self.flow_codes[f % nfo]
            col = R[:, f]
            while True:
                hit = flat[ptr] == c
                if not hit.any():
                    break
                col += hit
                ptr += hit
                np.minimum(ptr, stop, out=ptr)
        return R

    def classify(self, codes):
        """Return (barcode index or -1, errors, trimmed base count) for prefix codes (m, K)."""
        m = codes.shape[0]
        R = self.read_flows(codes)
        Rc = np.minimum(R, _MAX_HP_CODE)
        D = np.zeros((m, len(self.kit)), dtype=np.int16)
        base = _MAX_HP_CODE + 1
        for fs, tab in self.groups:
            code = np.zeros(m, dtype=np.int64)
            for f in fs:
                code = code * base + Rc[:, f]
            D += tab[code]
        rows = np.arange(m)
        best = np.argmin(D, axis=1)
        bestd = D[rows, best]
        if D.shape[1] > 1:
            D[rows, best] = np.iinfo(D.dtype).max
            unique = D.min(axis=1) > bestd  # ties -> no barcode
        else:
            unique = np.ones(m, dtype=bool)
        ok = unique & (bestd <= self.cutoff)
        bc = np.where(ok, best, -1)
        # trimming: bases in flows < num_flows-1, plus up to last_hp in the last flow
        C = np.cumsum(R, axis=1)
        nfb = self.num_flows[best]
        before = C[np.arange(m), nfb - 2]
        lastf = np.minimum(R[np.arange(m), nfb - 1], self.last_hp[best])
        trim = before + lastf - len(self.key)
        trim = np.where(ok, np.maximum(trim, 0), 0)
        return bc, np.where(ok, bestd, 0).astype(np.int64), trim.astype(np.int64)


# --------------------------------------------------------------------------- writing

def _tag_z(tag, value):
    return tag.encode() + b"Z" + value.encode() + b"\0"


class _DatasetOut:
    def __init__(self, path, header_text, rg_id, level):
        self.path = path
        self.rg_id = rg_id
        self.writer = BamWriter(path, header_text, level=level)
        self.read_count = 0
        self.total_bases = 0
        self.q20_bases = 0
        self.errors_hist = [0, 0, 0]


def _make_header(in_header, rg_fields):
    lines = header_lines_without_rg(in_header)
    hd = [ln for ln in lines if ln.startswith("@HD")]
    rest = [ln for ln in lines if not ln.startswith("@HD") and not ln.startswith("@SQ")]
    head = ["@HD\tVN:1.4\tSO:unsorted"] if not hd else [re.sub(r"SO:\S+", "SO:unsorted", hd[0])]
    return "\n".join(head + [rg_line(rg_fields)] + rest) + "\n"


def rewrite_records(chunk, trim, tail_pool, tail_start, tail_len, extra, extra_len, order=None):
    """Rebuild every record of ``chunk`` (input order): ``trim`` 5' bases removed, the RG
    tag dropped, and two aux pieces appended: ``tail_pool[tail_start:+tail_len]`` (shared
    templates, e.g. the new RG tag) and ``extra[i, :extra_len[i]]`` (e.g. XB).

    Done as edits of a copy of the chunk's bytes — a deletion mask (trimmed qualities,
    the old RG tag, dropped sequence bytes), in-place header/sequence rewrites and a
    masked scatter of the appended tags — so the cost is a few passes over the buffer,
    with no per-record Python work (np.insert is slower than this mask scatter). Returns (new bytes, record starts, record lengths,
    new read lengths, effective trims). Records are laid out in input order, or in ``order``
    (a permutation, e.g. grouping the records by output file) for big records; ``starts``
    always gives each input record's offset in the new bytes.
    """
    n = chunk.n
    lo, hi = int(chunk.off[0]), int(chunk.end[-1])
    if hi - lo > SLICE_RECORD_BYTES * n:
        return _rewrite_by_slices(chunk, trim, tail_pool, tail_start, tail_len, extra, extra_len, order)
    arr = chunk.buf[lo:hi].copy()
    L = chunk.l_seq
    t = np.minimum(trim, L)
    newL = L - t
    nb_new = (newL + 1) // 2
    seq_off = chunk.seq_off - lo
    odd = (t % 2) == 1
    _shift_odd_trims(arr, chunk, t, newL, nb_new, seq_off, odd)
    keep, deleted = _kept_bytes(chunk, lo, hi, t, nb_new, seq_off, odd)
    tail_len = np.asarray(tail_len, dtype=np.int64)
    extra_len = np.asarray(extra_len, dtype=np.int64)
    add_len = tail_len + extra_len
    rec_len = 4 + chunk.block_size - deleted + add_len
    # fixed fields: block_size, l_seq
    o = (chunk.off - lo)[:, None]
    arr[o + np.arange(4)] = np.ascontiguousarray((rec_len - 4).astype("<i4")).view(np.uint8).reshape(n, 4)
    arr[o + 20 + np.arange(4)] = np.ascontiguousarray(newL.astype("<i4")).view(np.uint8).reshape(n, 4)
    # appended tags, inserted at each record's (compacted) end
    w = extra.shape[1]
    tsrc = np.concatenate([np.asarray(tail_pool, np.uint8), extra.ravel()])
    tstarts = np.stack([np.asarray(tail_start, np.int64), len(tail_pool) + w * np.arange(n)], axis=1)
    tlens = np.stack([tail_len, extra_len], axis=1)
    ins_vals = tsrc[ranges(tstarts.ravel(), tlens.ravel())]
    starts = np.cumsum(rec_len) - rec_len
    # scatter: appended bytes at each record's end, the kept bytes everywhere else
    out = np.empty(int(rec_len.sum()), dtype=np.uint8)
    slot = np.ones(len(out), dtype=bool)
    ins_idx = ranges(starts + rec_len - add_len, add_len)
    slot[ins_idx] = False
    out[ins_idx] = ins_vals
    out[slot] = arr[keep]
    return out.tobytes(), starts, rec_len, newL, t


def _shift_odd_trims(arr, chunk, t, newL, nb_new, seq_off, odd):
    """Odd trims: every sequence byte shifts by a nibble, so the first ``nb_new`` sequence
    bytes of those records are rewritten in ``arr`` (the chunk's bytes from its first record)."""
    buf = chunk.buf
    oi = np.flatnonzero(odd & (nb_new > 0))
    if not oi.size:
        return
    first = chunk.seq_off[oi] + t[oi] // 2
    cnt = nb_new[oi]
    gi = ranges(first, cnt)
    b0 = buf[gi]
    # the next byte is the following element of b0, except at each read's last byte
    # (there: the byte after it, inside the record: qualities follow the sequence)
    last = np.cumsum(cnt) - 1
    b1 = np.empty_like(b0)
    b1[:-1] = b0[1:]
    b1[last] = buf[gi[last] + 1]
    nbytes = (b0 << 4) | (b1 >> 4)
    fix = (newL[oi] % 2) == 1
    nbytes[last[fix]] &= 0xF0
    gi -= np.repeat(first - seq_off[oi], cnt)  # same positions, shifted to the record start
    arr[gi] = nbytes


def _kept_bytes(chunk, lo, hi, t, nb_new, seq_off, odd):
    """(mask of the chunk bytes kept, bytes deleted per record): dropped sequence bytes,
    trimmed qualities, the old RG tag."""
    nb_old = (chunk.l_seq + 1) // 2
    seq_del_start = np.where(odd, seq_off + nb_new, seq_off)
    rg_start, rg_end = _rg_span(chunk)
    keep = np.ones(hi - lo, dtype=bool)
    dstarts = np.stack([seq_del_start, chunk.qual_off - lo, rg_start - lo], axis=1)
    dlens = np.stack([nb_old - nb_new, t, rg_end - rg_start], axis=1)
    keep[ranges(dstarts.ravel(), dlens.ravel())] = False
    return keep, dlens.sum(axis=1)


def _rg_span(chunk):
    """(start, end) of each record's RG tag; both at the record's end when it has none."""
    tags = chunk.find_tags(["RG"], stop_when_found=True)
    rg_off = tags["RG"][0]
    has_rg = rg_off >= 0
    return np.where(has_rg, rg_off - 3, chunk.end), np.where(has_rg, rg_off + tags["RG"][2], chunk.end)


SLICE_RECORD_BYTES = 900  # above this mean record size (bytes), copying spans by slicing wins


def _rewrite_by_slices(chunk, trim, tail_pool, tail_start, tail_len, extra, extra_len, order=None):
    """rewrite_records for big records (long flowgram tags): the small modified parts
    (header, name, new sequence; appended tags) are built with numpy gathers, the big
    unchanged spans (qualities + other tags) are memoryview slices joined once."""
    n = chunk.n
    buf = chunk.buf
    L = chunk.l_seq
    t = np.minimum(trim, L)
    newL = L - t
    nb_new = (newL + 1) // 2
    seq_new = _trimmed_sequence(chunk, t, newL, nb_new)
    end = chunk.end
    rg_start, rg_end = _rg_span(chunk)
    tail_len = np.asarray(tail_len, dtype=np.int64)
    extra_len = np.asarray(extra_len, dtype=np.int64)
    fixed = chunk.fixed.copy()
    qa = chunk.qual_off + t
    namecig = chunk.seq_off - chunk.name_off
    rec_len = 36 + namecig + nb_new + (rg_start - qa) + (end - rg_end) + tail_len + extra_len
    v = fixed.view("<i4")
    v[:, 0] = (rec_len - 4).astype(np.int32)
    v[:, 5] = newL.astype(np.int32)
    w = extra.shape[1]
    # the pieces the new bytes come from; names gathered first, rather than copying the chunk
    names = buf[ranges(chunk.name_off, namecig)]
    o_fixed = len(names)
    o_seq = o_fixed + fixed.size
    o_tail = o_seq + len(seq_new)
    o_extra = o_tail + len(tail_pool)
    src = np.concatenate([names, fixed.ravel(), seq_new, np.asarray(tail_pool, np.uint8), extra.ravel()])
    o = np.arange(n) if order is None else np.asarray(order)
    # Output, record by record: new head (fixed fields, name, trimmed sequence), the
    # original qualities and tags around the old RG (slices of the chunk), new tags. A
    # record's new tags and the next record's head are contiguous in the output, so they
    # are gathered together into one "glue" piece: three pieces per record, not four.
    ss = np.cumsum(nb_new) - nb_new
    name_at = np.cumsum(namecig) - namecig
    head_parts = np.stack([o_fixed + 36 * o, name_at[o], o_seq + ss[o]], axis=1)
    head_lens = np.stack([np.full(n, 36), namecig[o], nb_new[o]], axis=1)
    tail_at = np.stack([o_tail + np.asarray(tail_start, np.int64)[o], o_extra + w * o], axis=1)
    tail_lens = np.stack([tail_len[o], extra_len[o]], axis=1)
    data = _join_pieces(chunk, src, head_parts, head_lens, tail_at, tail_lens,
                        (qa[o], rg_start[o], rg_end[o], end[o]))
    laid = rec_len[o]
    starts = np.empty(n, dtype=np.int64)
    starts[o] = np.cumsum(laid) - laid
    return data, starts, rec_len, newL, t


def _trimmed_sequence(chunk, t, newL, nb_new):
    """Packed sequence bytes of every record after trimming ``t`` bases, concatenated."""
    buf = chunk.buf
    gi = ranges(chunk.seq_off + t // 2, nb_new)
    seq_new = buf[gi]
    odd = (t % 2) == 1
    if odd.any() and seq_new.size:
        last = np.cumsum(nb_new) - 1
        nxt = np.empty_like(seq_new)
        nxt[:-1] = seq_new[1:]
        nxt[last[nb_new > 0]] = buf[gi[last[nb_new > 0]] + 1]
        odd_b = np.repeat(odd, nb_new)
        seq_new = np.where(odd_b, (seq_new << 4) | (nxt >> 4), seq_new)
        fix = odd & (newL % 2 == 1) & (nb_new > 0)
        seq_new[last[fix]] &= 0xF0
    return seq_new


def _join_pieces(chunk, src, head_parts, head_lens, tail_at, tail_lens, spans):
    """The new records' bytes: per record a "glue" piece gathered from ``src`` (the
    previous record's new tags + this record's head), then its kept slices of the chunk
    (``spans`` = qualities start, RG start, RG end, record end, in output order)."""
    n = len(head_parts)
    gstarts = np.concatenate([np.zeros((n, 2), np.int64), head_parts], axis=1)
    glens = np.concatenate([np.zeros((n, 2), np.int64), head_lens], axis=1)
    gstarts[1:, :2], glens[1:, :2] = tail_at[:-1], tail_lens[:-1]  # the previous record's tags
    glens_rec = glens.sum(axis=1)
    glue = src[ranges(np.r_[gstarts.ravel(), tail_at[-1]], np.r_[glens.ravel(), tail_lens[-1]])].tobytes()
    g1 = np.cumsum(glens_rec)
    g0 = g1 - glens_rec
    mv = memoryview(chunk.data)
    pieces = []
    add = pieces.extend
    qa, rg_start, rg_end, end = (x.tolist() for x in spans)
    for a, b, q0, r0, r1, e in zip(g0.tolist(), g1.tolist(), qa, rg_start, rg_end, end):
        add((glue[a:b], mv[q0:r0], mv[r1:e]))
    pieces.append(glue[int(g1[-1]):])
    return b"".join(pieces)


def classify_and_split(in_bam, out_dir, kit, *, flow_order, library_key="TCAG", run_id=None,
                       samples=None, cutoff=None, level=1, chunk_bytes=CHUNK_BYTES, progress=None):
    """Classify reads of one unmapped BAM, trim, and write one BAM per barcode.

    Writes ``<out_dir>/<id_str>_rawlib.basecaller.bam`` for barcodes with reads and
    always ``<out_dir>/nomatch_rawlib.basecaller.bam``. Returns
    ``{"run_id", "datasets": {name: {path, read_group, read_count, total_bases,
    Q20_bases, barcode_errors_hist}}, "total_reads"}`` where ``name`` is an
    id_str or ``"nomatch"``.
    """
    kit = load_barcode_kit(kit)
    clf = FlowSpaceClassifier(kit, flow_order, library_key, cutoff)
    os.makedirs(out_dir, exist_ok=True)
    with BamReader(in_bam, chunk_bytes=chunk_bytes) as bam:
        split = _Split(bam, clf, kit, out_dir, run_id=run_id, samples=samples or {}, level=level)
        done = 0
        for chunk in bam.chunks():
            done += split.write_chunk(*split.classify_chunk(chunk))
            if progress:
                progress(f"Barcode classification: {done} reads")
    return {"run_id": split.run_id, "datasets": split.close(), "total_reads": done}


class _Split:
    """The per-barcode outputs of one classify_and_split: read groups, files opened on
    first use (nomatch always), per-file totals."""

    def __init__(self, bam, clf, kit, out_dir, *, run_id, samples, level):
        self.bam, self.clf, self.kit, self.out_dir = bam, clf, kit, out_dir
        self.samples, self.level = samples, level
        rgs = bam.read_groups()
        self.base_rg = dict(next(iter(rgs.values()), {}))
        self.run_id = run_id if run_id is not None else (self.base_rg.get("ID") or "RUN00").split(".")[0]
        self.base_rg.pop("ID", None)
        self.names = [b["id_str"] for b in kit] + [NOMATCH]
        rg_tags = [_tag_z("RG", f"{self.run_id}.{nm}") for nm in self.names]
        self.rg_len = np.array([len(x) for x in rg_tags], dtype=np.int64)
        self.rg_start = np.cumsum(self.rg_len) - self.rg_len
        self.rg_pool = np.frombuffer(b"".join(rg_tags), dtype=np.uint8)
        self.outs = {}
        self.nomatch = len(self.names) - 1
        self.out_for(self.nomatch)  # nomatch always exists

    def _rg_fields(self, k):
        nm, base_rg = self.names[k], self.base_rg
        pu = base_rg.get("PU", "")
        fields = dict(base_rg)
        fields["ID"] = f"{self.run_id}.{nm}"
        if nm == NOMATCH:
            fields["KS"] = self.clf.key
            fields["SM"] = self.samples.get(NOMATCH, base_rg.get("SM", "none"))
        else:
            b = self.kit[k]
            fields["KS"] = self.clf.key + b["sequence"] + b["adapter"]
            fields["SM"] = self.samples.get(nm, "none")
        fields["PU"] = f"{pu}/{nm}" if pu else nm
        fields.setdefault("PL", "IONTORRENT")
        return fields

    def out_for(self, k):
        if k not in self.outs:
            fields = self._rg_fields(k)
            path = str(safe_join(self.out_dir, check_name(f"{self.names[k]}_rawlib.basecaller.bam", "barcode name")))
            self.outs[k] = _DatasetOut(path, _make_header(self.bam.header_text, fields), fields["ID"], self.level)
        return self.outs[k]

    def classify_chunk(self, chunk):
        """Classify and rewrite one chunk's records (trimmed, new RG, XB); the records are laid
        out grouped by output file where that pays."""
        clf, nomatch = self.clf, self.nomatch
        if np.any((chunk.flag & 4) == 0):
            raise PipelineError(f"{self.bam.name}: barcode classification expects unmapped reads")
        codes = chunk.seq_codes(np.arange(chunk.n), 0, clf.prefix_bases)
        bc, err, trim = clf.classify(codes)
        grp = np.where(bc >= 0, bc, nomatch)
        extra = np.empty((chunk.n, 4), dtype=np.uint8)
        extra[:, :3] = np.frombuffer(b"XBC", np.uint8)
        extra[:, 3] = np.minimum(err, 255)
        order = np.argsort(grp, kind="stable")  # each output file's records together
        data, starts, rec_len, newL, t = rewrite_records(
            chunk, trim, self.rg_pool, self.rg_start[grp], self.rg_len[grp], extra,
            np.where(grp < nomatch, 4, 0), order)
        return grp, err, data, starts, rec_len, newL, q20_counts(chunk, chunk.qual_off + t, newL), order

    def write_chunk(self, grp, err, data, starts, rec_len, newL, q20, order):
        """Per-file totals in one pass each; then one write per file present in the chunk."""
        n_out = self.nomatch + 1
        counts = np.bincount(grp, minlength=n_out)
        bases = np.bincount(grp, weights=newL, minlength=n_out)
        q20s = np.bincount(grp, weights=q20, minlength=n_out)
        ehist = np.bincount(grp * 3 + np.minimum(err, 2), minlength=3 * n_out).reshape(n_out, 3)
        ends = starts + rec_len
        laid = starts[order]
        grouped = np.array_equal(laid[1:], ends[order][:-1])  # else input order
        first = np.cumsum(counts) - counts  # each file's first record, in ``order``
        mv = memoryview(data)
        present = np.flatnonzero(counts)
        for g, c, f0 in zip(present.tolist(), counts[present].tolist(), first[present].tolist()):
            o = self.out_for(g)
            sel = order[f0:f0 + c]
            if grouped:
                o.writer.write_raw(mv[int(laid[f0]):int(ends[sel[-1]])], c)
            else:  # small records: runs of consecutive records, one slice each
                brk = np.flatnonzero(np.diff(sel) != 1)
                r0 = sel[np.r_[0, brk + 1]]
                r1 = sel[np.r_[brk, len(sel) - 1]]
                o.writer.write_raw(b"".join([mv[a:b] for a, b in zip(starts[r0].tolist(), ends[r1].tolist())]), c)
            o.read_count += c
            o.total_bases += int(round(bases[g]))
            o.q20_bases += int(round(q20s[g]))
            if g < self.nomatch:
                o.errors_hist = [x + int(y) for x, y in zip(o.errors_hist, ehist[g])]
        return len(grp)

    def close(self):
        """Close every output; {name: dataset dict}."""
        result = {}
        for k, o in self.outs.items():
            o.writer.close()
            result[self.names[k]] = {
                "path": o.path, "read_group": o.rg_id, "read_count": o.read_count,
                "total_bases": o.total_bases, "Q20_bases": o.q20_bases,
                "barcode_errors_hist": o.errors_hist if self.names[k] != NOMATCH else None,
            }
        return result
