"""One streaming, vectorised pass over a BAM computing ionstats-equivalent data.

Definitions (those of the original ionstats):

* ``full`` (every primary record), ``insert`` (ZA tag), ``Q17``/``Q20``
  (longest prefix, walked 5'->3' — reversed for reverse-strand records — whose
  cumulative expected errors e_k = Σ10^(-QV/10) satisfy e_k/k <= 0.02 / 0.01;
  summed sequentially per read in float64 exactly as the C++ order, so
  boundary cases round the same way), ``qv_histogram`` (64 bins, clamped),
  ``system_snr`` (ZM, else FZ, key flows).
* alignment: mapped primary records with an MD tag. Errors from CIGAR (I: one
  per inserted base, D: n at the next read base) and MD mismatches (IUPAC
  compatible pairs are not errors), positions counted from the read's 5' end
  including 5' soft clips; AQ lengths per error-rate threshold; ``aligned``
  histogram; ``error_by_position``. Secondary/supplementary records are
  skipped everywhere (the original counted them; we never emit them).

Per chunk all work is column-wise numpy; there are no per-read Python objects.
"""
import collections
import numpy as np

from pipeline.stages.bamio import CHUNK_BYTES, BamReader, ranges, _NT16

from .histograms import LengthHistogram

AQ_RATES = (0.2, 0.1, 0.02, 0.01, 0.001, 0.0)
AQ_NAMES = (7, 10, 17, 20, 30, 47)
MIN_AQ_LENGTH = 21
# Same values as C pow(10, -0.1*qv): Python's float ** is C pow().
ERR_TABLE = np.array([10.0 ** (-0.1 * q) for q in range(256)], dtype=np.float64)
_MAX_MATRIX = 1 << 18  # cells per padded quality matrix: 2 MB of float64, heap-sized
_PAD_QV = 255  # sentinel quality of padding cells (also BAM's "missing quality")
_ERR_PADDED = ERR_TABLE.copy()
_ERR_PADDED[_PAD_QV] = 1e300
_KS = np.arange(1, 4097, dtype=np.int32)[:, None]
_QCONS = np.array([1, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=np.int64)  # M I D N S H P = X
_RCONS = np.array([1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=np.int64)
_ALNMATCH = np.array([1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
_ACGT_CODES = {1, 2, 4, 8}
IONOGRAM_FLOWS = 32
IONOGRAM_READS = 5000


def _buckets(Ls):
    """Split sorted lengths into [a, b) groups with <= ~20% padding and bounded size."""
    n = len(Ls)
    a = 0
    while a < n:
        lo = int(Ls[a])
        limit = max(lo + 16, int(lo * 1.2))
        b = int(np.searchsorted(Ls, limit, side="right"))
        b = max(b, a + 1)
        w = int(Ls[b - 1])
        max_rows = max(1, _MAX_MATRIX // max(w, 1))
        if b - a > max_rows:
            b = a + max_rows
        elif b - a < 512 and b < n:
            # too few reads for the row loop to pay off: take more (more padding)
            b = min(n, a + 512)
            w = int(Ls[b - 1])
            b = min(b, a + max(1, _MAX_MATRIX // max(w, 1)))
        yield a, b
        a = b


def snr_walk(key, flow_order):
    """[(flow, nucleotide, is_one_mer)] for the key flows used by system_snr.

    Walk flows from 0: a flow whose nucleotide is the next key base is a 1-mer
    sample (key pointer advances), others are 0-mers; reaching the last key
    base stops the walk (its flow may hold template bases too).
    """
    out = []
    if not key or not flow_order:
        return out
    k = 0
    for f in range(len(flow_order) * (len(key) + 1)):
        nuc = flow_order[f % len(flow_order)]
        if nuc == key[k]:
            if k == len(key) - 1:
                break
            out.append((f, nuc, True))
            k += 1
        else:
            out.append((f, nuc, False))
    return out


class IonStats:
    """Accumulator for one or more BAMs; ``add_bam`` streams, ``merge`` reduces."""

    def __init__(self, histogram_length=400, *, key="TCAG", flow_order=None):
        H = int(histogram_length)
        self.H = H
        self.key = key or "TCAG"
        self.flow_order = flow_order
        self.full = LengthHistogram(H)
        self.insert = LengthHistogram(H)
        self.q17 = LengthHistogram(H)
        self.q20 = LengthHistogram(H)
        self.qv = np.zeros(64, dtype=np.int64)
        self.aligned = LengthHistogram(H)
        self.aq = {name: LengthHistogram(H) for name in AQ_NAMES}
        self.error_by_position = np.zeros(H, dtype=np.int64)
        self.has_alignment = False
        # SNR moments: rows = (0-mer, 1-mer), columns = A C G T
        self.snr_n = np.zeros((2, 4), dtype=np.int64)
        self.snr_s1 = np.zeros((2, 4), dtype=np.float64)
        self.snr_s2 = np.zeros((2, 4), dtype=np.float64)
        self.ionogram_sum = np.zeros(IONOGRAM_FLOWS, dtype=np.float64)
        self.ionogram_reads = 0
        self.invalid_alignments = 0
        self.read_groups = {}

    # ------------------------------------------------------------------ driving
    def add_bam(self, path, *, chunk_bytes=CHUNK_BYTES):
        with BamReader(path, chunk_bytes=chunk_bytes) as bam:
            rgs = bam.read_groups()
            self.read_groups.update(rgs)
            if self.flow_order is None:
                fo = next((v.get("FO") for v in rgs.values() if v.get("FO")), None)
                self.flow_order = fo
            if bam.references:
                self.has_alignment = True
            for chunk in bam.chunks():
                self.add_chunk(chunk)
        return self

    def add_chunk(self, chunk, select=None):
        """Accumulate one RecordChunk (``select``: optional boolean mask of records)."""
        if chunk.n == 0:
            return
        keep = (chunk.flag & 0x900) == 0
        if select is not None:
            keep &= select
        prim = np.flatnonzero(keep)
        if prim.size == 0:
            return
        L = chunk.l_seq[prim]
        self.full.add(L)
        tags = chunk.find_tags(["ZA", "ZM", "FZ", "MD"])
        za_off, za_typ = tags["ZA"][0][prim], tags["ZA"][1][prim]
        has_za = za_off >= 0
        if has_za.any():
            self.insert.add(np.maximum(chunk.tag_ints(za_off[has_za], za_typ[has_za]), 0))
        rev = (chunk.flag[prim] & 16) != 0
        self._quality(chunk, prim, L, rev)
        self._snr(chunk, prim, tags)
        mapped = ((chunk.flag[prim] & 4) == 0) & (chunk.refid[prim] >= 0) & (chunk.n_cigar[prim] > 0)
        md_off, md_typ, md_size = tags["MD"][0][prim], tags["MD"][1][prim], tags["MD"][2][prim]
        sel = mapped & (md_off >= 0) & (md_typ == ord("Z"))
        if mapped.any():
            self.has_alignment = True
        if sel.any():
            self._alignment(chunk, prim[sel], md_off[sel], md_size[sel] - 1)

    # ------------------------------------------------------------------ quality
    def _quality(self, chunk, idx, L, rev):
        """Q17/Q20 lengths + qv histogram.

        Reads are sorted by length and cut into buckets; each bucket is a
        (position, read) matrix padded with a sentinel quality whose error is
        1e300, so padded cells never satisfy a threshold. The cumulative sum
        runs position by position (row += previous row): the same sequential
        float64 additions as the C++ loop, hence identical rounding.
        """
        n = len(L)
        # sort by (strand, length): each bucket has one orientation and similar lengths
        order = np.lexsort((L, rev))
        Ls = L[order]
        rs = rev[order]
        buf = chunk.buf
        q17 = np.zeros(n, dtype=np.int64)
        q20 = np.zeros(n, dtype=np.int64)
        qcount = np.zeros(256, dtype=np.int64)
        n_fwd = int((~rs).sum())
        spans = [(a, b) for a, b in _buckets(Ls[:n_fwd])] + \
                [(n_fwd + a, n_fwd + b) for a, b in _buckets(Ls[n_fwd:])]
        for a, b in spans:
            w = int(Ls[b - 1])
            if w == 0:
                continue
            sub = order[a:b]
            Lsub = Ls[a:b]
            lmin = int(Lsub[0])
            qo = chunk.qual_off[idx[sub]]
            j = np.arange(w)[:, None]
            if rs[a]:  # reverse strand: walk the stored qualities backwards
                src = (qo + Lsub - 1)[None, :] - j
                if int((qo + Lsub - w).min()) < 0:
                    np.maximum(src, 0, out=src)
            else:
                src = qo[None, :] + j
                if int(qo.max()) + w > len(buf):  # padding cells past the buffer end
                    np.minimum(src, len(buf) - 1, out=src)
            q = buf[src]
            if lmin < w:
                tail = q[lmin:]
                tail[np.arange(lmin, w)[:, None] >= Lsub[None, :]] = _PAD_QV
            qcount += np.bincount(q.ravel(), minlength=256)
            e = _ERR_PADDED[q]
            if b - a >= 256:
                for k in range(1, w):
                    np.add(e[k], e[k - 1], out=e[k])
            else:
                np.cumsum(e, axis=0, out=e)
            e /= np.arange(1, w + 1, dtype=np.float64)[:, None]
            # longest k with e_k/k <= t  ==  max over k of k * [e_k/k <= t]
            ks = _KS[:w] if w <= len(_KS) else np.arange(1, w + 1, dtype=np.int32)[:, None]
            ok = e <= 0.02
            q17[a:b] = (ok * ks).max(axis=0)
            np.less_equal(e, 0.01, out=ok)
            q20[a:b] = (ok * ks).max(axis=0)
        qcount[_PAD_QV] = 0  # padding (and missing 0xFF qualities) are not bases with a QV
        self.qv[:63] += qcount[:63]
        self.qv[63] += qcount[63:].sum()
        self.q17.add(q17)
        self.q20.add(q20)

    # ------------------------------------------------------------------ snr
    def _snr(self, chunk, idx, tags):
        walk = snr_walk(self.key, self.flow_order)
        zm_off = tags["ZM"][0][idx]
        fz_off = tags["FZ"][0][idx]
        use_zm = (zm_off >= 0) & (tags["ZM"][1][idx] == ord("B"))
        use_fz = ~use_zm & (fz_off >= 0) & (tags["FZ"][1][idx] == ord("B"))
        for off_all, mask, dt in ((zm_off, use_zm, "<i2"), (fz_off, use_fz, "<u2")):
            if not mask.any():
                continue
            v = off_all[mask]
            sub = chunk.buf[v]
            v = v[(sub == (ord("s") if dt == "<i2" else ord("S")))]
            if v.size == 0:
                continue
            cnt = np.ascontiguousarray(chunk.buf[v[:, None] + 1 + np.arange(4)]).view("<u4").ravel()
            need = max([f for f, _, _ in walk], default=-1) + 1
            ok = cnt >= max(need, 1)
            v, cnt = v[ok], cnt[ok]
            if v.size == 0:
                continue
            data0 = v + 5
            if walk:
                flows = np.array([f for f, _, _ in walk])
                at = data0[:, None] + 2 * flows[None, :]
                vals = np.ascontiguousarray(chunk.buf[at[..., None] + np.arange(2)])
                x = vals.view(dt)[..., 0].astype(np.float64)  # (reads, len(walk))
                for col, (_f, nuc, one) in enumerate(walk):
                    ni = "ACGT".find(nuc)
                    if ni < 0:
                        continue
                    r = 1 if one else 0
                    xc = x[:, col]
                    self.snr_n[r, ni] += xc.size
                    self.snr_s1[r, ni] += xc.sum()
                    self.snr_s2[r, ni] += (xc * xc).sum()
            if self.ionogram_reads < IONOGRAM_READS:
                take = min(IONOGRAM_READS - self.ionogram_reads, v.size)
                m = cnt[:take] >= IONOGRAM_FLOWS
                if m.any():
                    d = data0[:take][m]
                    vals = np.ascontiguousarray(chunk.buf[d[:, None, None] + 2 * np.arange(IONOGRAM_FLOWS)[None, :, None] + np.arange(2)])
                    x = vals.view(dt)[..., 0].astype(np.float64)
                    scale = 128.0 if dt == "<i2" else 100.0
                    self.ionogram_sum += x.sum(axis=0) / scale
                    self.ionogram_reads += int(m.sum())

    @property
    def system_snr(self):
        """Mean over nucleotides having both classes of (μ1-μ0)/((σ0+σ1)/2); None without flowgrams."""
        if self.snr_n.sum() == 0:
            return None
        vals = []
        for ni in range(4):
            n0, n1 = self.snr_n[0, ni], self.snr_n[1, ni]
            if n0 == 0 or n1 == 0:
                continue
            m0, m1 = self.snr_s1[0, ni] / n0, self.snr_s1[1, ni] / n1
            v0 = max(self.snr_s2[0, ni] / n0 - m0 * m0, 0.0)
            v1 = max(self.snr_s2[1, ni] / n1 - m1 * m1, 0.0)
            sd = (np.sqrt(v0) + np.sqrt(v1)) / 2.0
            if sd > 0:
                vals.append((m1 - m0) / sd)
        return float(np.mean(vals)) if vals else 0.0

    @property
    def ionogram(self):
        """Mean normalized signal of the first 32 flows over up to 5000 reads, or None."""
        if not self.ionogram_reads:
            return None
        return self.ionogram_sum / self.ionogram_reads

    # ------------------------------------------------------------------ alignment
    def _alignment(self, chunk, idx, md_off, md_len):
        """Aligned lengths and AQ lengths of the records ``idx`` of ``chunk``: errors are the
        MD tag's mismatches plus the CIGAR's insertions and deletions, in read orientation."""
        cig = _cigar_layout(chunk, idx)
        mrec, mq, mletter, bad_md = _md_mismatches(chunk.buf, cig, len(idx), md_off, md_len)
        mrec, mq = _drop_iupac_matches(chunk, idx, mrec, mq, mletter)
        valid = cig.valid & ~bad_md
        self.invalid_alignments += int((~valid).sum())
        L, rev = cig.L, cig.rev
        first = np.where(rev, L - 1 - cig.last_f, cig.first_f)
        last = np.where(rev, L - 1 - cig.first_f, cig.last_f)
        erec, epos, ecnt = _errors_in_read_orientation(cig, mrec, mq)
        keep = valid[erec]
        erec, epos, ecnt = erec[keep], epos[keep], ecnt[keep]
        vidx = np.flatnonzero(valid)
        aligned_len = (last - first + 1)[vidx]
        self.aligned.add(aligned_len)
        aq = {name: aligned_len.copy() for name in AQ_NAMES}
        if erec.size:
            self._aq_lengths(aq, erec, epos, ecnt, L, last, vidx)
        for name in AQ_NAMES:
            a = aq[name]
            self.aq[name].add(a[a >= MIN_AQ_LENGTH])

    def _aq_lengths(self, aq, erec, epos, ecnt, L, last, vidx):
        """For each record with errors, the longest prefix (from its first aligned base) whose
        error rate stays within each AQ threshold; counts errors by read position too."""
        span = int(max(L.max(), epos.max()) + 2)
        key = erec * span + epos
        order = np.argsort(key, kind="stable")
        key, ecnt = key[order], ecnt[order]
        newg = np.r_[True, key[1:] != key[:-1]]
        gstart = np.flatnonzero(newg)
        gkey = key[gstart]
        gcnt = np.add.reduceat(ecnt, gstart)
        grec = gkey // span
        gpos = gkey % span
        self.error_by_position += np.bincount(np.minimum(gpos, self.H - 1), weights=gcnt,
                                              minlength=self.H).astype(np.int64)
        rfirst = np.r_[True, grec[1:] != grec[:-1]]
        rstart_i = np.flatnonzero(rfirst)
        rlast = np.r_[grec[1:] != grec[:-1], True]
        cum = np.cumsum(gcnt)
        cum = cum - (cum - gcnt)[rstart_i][np.cumsum(rfirst) - 1]
        nxt = np.r_[gpos[1:], 0]
        cand = np.where(rlast, last[grec] + 1, nxt)
        rate = cum / cand
        recs_with_err = grec[rstart_i]
        first_err = gpos[rstart_i]
        pos_in_v = np.searchsorted(vidx, recs_with_err)
        for name, t in zip(AQ_NAMES, AQ_RATES):
            val = np.where(rate <= t + 1e-10, cand, -1)
            best = np.maximum.reduceat(val, rstart_i)
            aq[name][pos_in_v] = np.where(best >= 0, best, first_err)

    # ------------------------------------------------------------------ reduce / json
    def merge(self, other):
        for a in ("full", "insert", "q17", "q20", "aligned"):
            getattr(self, a).merge(getattr(other, a))
        for name in AQ_NAMES:
            self.aq[name].merge(other.aq[name])
        self.qv += other.qv
        if len(other.error_by_position) > len(self.error_by_position):
            self.error_by_position = np.concatenate(
                [self.error_by_position, np.zeros(len(other.error_by_position) - len(self.error_by_position), np.int64)])
        self.error_by_position[:len(other.error_by_position)] += other.error_by_position
        self.has_alignment |= other.has_alignment
        self.snr_n += other.snr_n
        self.snr_s1 += other.snr_s1
        self.snr_s2 += other.snr_s2
        self.ionogram_sum += other.ionogram_sum
        self.ionogram_reads += other.ionogram_reads
        self.invalid_alignments += other.invalid_alignments
        self.read_groups.update(other.read_groups)
        return self

    def basecaller_json(self):
        snr = self.system_snr
        return {
            "meta": {"format_name": "ionstats_basecaller", "format_version": "1.0"},
            "system_snr": 0.0 if snr is None else snr,
            "snr_moments": self._snr_json(),
            "qv_histogram": self.qv.tolist(),
            "full": self.full.to_json(),
            "insert": self.insert.to_json(),
            "Q17": self.q17.to_json(),
            "Q20": self.q20.to_json(),
        }

    def alignment_json(self):
        d = self.basecaller_json()
        d["meta"]["format_name"] = "ionstats_alignment"
        d["aligned"] = self.aligned.to_json()
        for name in AQ_NAMES:
            d[f"AQ{name}"] = self.aq[name].to_json()
        d["error_by_position"] = self.error_by_position.tolist()
        return d

    def _snr_json(self):
        return {"count": self.snr_n.tolist(), "sum": self.snr_s1.tolist(), "sum_sq": self.snr_s2.tolist()}

    @classmethod
    def from_json(cls, d):
        H = len(d.get("full", {}).get("read_length_histogram", [])) or 400
        s = cls(H)
        s.full = LengthHistogram.from_json(d.get("full", {}))
        s.insert = LengthHistogram.from_json(d.get("insert", {}))
        s.q17 = LengthHistogram.from_json(d.get("Q17", {}))
        s.q20 = LengthHistogram.from_json(d.get("Q20", {}))
        s.qv = np.asarray(d.get("qv_histogram", [0] * 64), dtype=np.int64)
        if "aligned" in d:
            s.has_alignment = True
            s.aligned = LengthHistogram.from_json(d["aligned"])
            for name in AQ_NAMES:
                if f"AQ{name}" in d:
                    s.aq[name] = LengthHistogram.from_json(d[f"AQ{name}"])
            s.error_by_position = np.asarray(d.get("error_by_position", [0] * H), dtype=np.int64)
        m = d.get("snr_moments")
        if m:
            s.snr_n = np.asarray(m["count"], dtype=np.int64)
            s.snr_s1 = np.asarray(m["sum"], dtype=np.float64)
            s.snr_s2 = np.asarray(m["sum_sq"], dtype=np.float64)
        return s


def ionstats_for_bam(path, *, histogram_length=400, key="TCAG", flow_order=None, chunk_bytes=CHUNK_BYTES):
    """Convenience: stream one BAM into a fresh :class:`IonStats`."""
    return IonStats(histogram_length, key=key, flow_order=flow_order).add_bam(path, chunk_bytes=chunk_bytes)


# ---------------------------------------------------------------------- alignment steps
# Vectorised over every CIGAR operation of a chunk: ``rec`` maps an operation to its record.
_BIG = np.int64(1) << 40
_Cigar = collections.namedtuple("_Cigar", "L rev ops lens rec qstart rstart is_m valid first_f last_f")


def _cigar_layout(chunk, idx):
    """Query and reference start of every CIGAR operation, and each record's first and last
    aligned query base; records whose CIGAR does not cover the read are not valid."""
    L = chunk.l_seq[idx]
    rev = (chunk.flag[idx] & 16) != 0
    ops, lens, rec = chunk.cigars(idx)
    nc = chunk.n_cigar[idx]
    first_op = np.cumsum(nc) - nc
    qc = lens * _QCONS[ops]
    rc = lens * _RCONS[ops]
    qstart = np.cumsum(qc) - qc
    rstart = np.cumsum(rc) - rc
    qstart = qstart - qstart[first_op][rec]
    rstart = rstart - rstart[first_op][rec]
    valid = np.add.reduceat(qc, first_op) == L
    is_m = _ALNMATCH[ops]
    first_f = np.minimum.reduceat(np.where(is_m, qstart, _BIG), first_op)
    last_f = np.maximum.reduceat(np.where(is_m, qstart + lens - 1, -1), first_op)
    valid &= last_f >= 0
    return _Cigar(L, rev, ops, lens, rec, qstart, rstart, is_m, valid, first_f, last_f)


def _md_number_runs(c, is_digit, run_start):
    """The value of each run of digits in the MD strings, at the run's last digit."""
    adv = np.zeros(len(c), dtype=np.int64)
    if is_digit.any():
        dpos = np.flatnonzero(is_digit)
        rs_in_d = np.flatnonzero(run_start[dpos])
        run_id = np.cumsum(run_start[dpos]) - 1
        run_last = np.r_[rs_in_d[1:], len(dpos)] - 1  # index in dpos of each run's last digit
        dist = run_last[run_id] - np.arange(len(dpos))
        contrib = (c[dpos].astype(np.int64) - 48) * (10 ** np.minimum(dist, 18))
        adv[dpos[run_last]] = np.add.reduceat(contrib, rs_in_d)
    return adv


def _md_mismatches(buf, cig, n, md_off, md_len):
    """(record, query position, reference letter) of every MD mismatch, and the records whose
    MD string disagrees with their CIGAR."""
    flat = ranges(md_off, md_len)
    c = buf[flat]
    crec = np.repeat(np.arange(n), md_len)
    sstart = np.cumsum(md_len) - md_len
    at_start = np.zeros(len(flat), dtype=bool)
    at_start[sstart[md_len > 0]] = True
    is_digit = (c >= 48) & (c <= 57)
    is_caret = c == 94
    is_letter = ~is_digit & ~is_caret
    nl = np.where(~is_letter, np.arange(len(flat)), -1)
    np.maximum.accumulate(nl, out=nl)
    in_del = is_letter & (nl >= sstart[crec]) & (c[np.maximum(nl, 0)] == 94)
    prev_digit = np.concatenate([[False], is_digit[:-1]])
    adv = _md_number_runs(c, is_digit, is_digit & (~prev_digit | at_start))
    adv[is_letter] = 1
    cs = np.cumsum(adv) - adv
    ref_off = cs - cs[sstart][crec] if len(flat) else cs
    mm = is_letter & ~in_del
    mrec, mref, mletter = crec[mm], ref_off[mm], c[mm]
    # map mismatch reference offsets to query positions through M/=/X ops
    mi = np.flatnonzero(cig.is_m)
    keys = cig.rec[mi] * _BIG + cig.rstart[mi]
    k = np.searchsorted(keys, mrec * _BIG + mref, side="right") - 1
    ok = k >= 0
    kk = mi[np.maximum(k, 0)]
    ok &= (cig.rec[kk] == mrec) & (mref < cig.rstart[kk] + cig.lens[kk])
    mq = cig.qstart[kk] + (mref - cig.rstart[kk])
    bad_md = np.bincount(mrec[~ok], minlength=n) > 0
    return mrec[ok], mq[ok], mletter[ok], bad_md


def _drop_iupac_matches(chunk, idx, mrec, mq, mletter):
    """An IUPAC reference letter compatible with the read base is not an error."""
    lcode = _NT16[mletter]
    amb = ~np.isin(lcode, list(_ACGT_CODES))
    if not amb.any():
        return mrec, mq
    rb = mq[amb]
    sb = chunk.seq_off[idx[mrec[amb]]] + rb // 2
    byte = chunk.buf[sb]
    rcode = np.where(rb % 2 == 0, byte >> 4, byte & 15)
    keep = np.ones(len(mrec), dtype=bool)
    keep[np.flatnonzero(amb)[(rcode & lcode[amb]) != 0]] = False
    return mrec[keep], mq[keep]


def _errors_in_read_orientation(cig, mrec, mq):
    """(record, read position 5'->3', count) of mismatches, insertions and deletions."""
    ins = np.flatnonzero(cig.ops == 1)
    irec = np.repeat(cig.rec[ins], cig.lens[ins])
    iq = ranges(cig.qstart[ins], cig.lens[ins])
    dels = np.flatnonzero(cig.ops == 2)
    drec, dq, dcnt = cig.rec[dels], cig.qstart[dels], cig.lens[dels]
    L, rev = cig.L, cig.rev
    mpos = np.where(rev[mrec], L[mrec] - 1 - mq, mq)
    ipos = np.where(rev[irec], L[irec] - 1 - iq, iq)
    dpos = np.where(rev[drec], L[drec] - dq, dq)
    erec = np.concatenate([mrec, irec, drec])
    epos = np.concatenate([mpos, ipos, dpos])
    ecnt = np.concatenate([np.ones(len(mrec), np.int64), np.ones(len(irec), np.int64), dcnt])
    return erec, epos, ecnt
