"""Alignment with minimap2 (mappy), MD/NM, coordinate sort and index (notes §2.2 stage 7).

Preset: ``sr`` (k=21/w=11 minimizers, built for 50–600 bp single reads: it maps
more of the short Ion reads than ``map-ont``, whose chaining needs longer
anchors) with TMAP-like scoring (match 1, mismatch 3, gap open 5, extend 2)
instead of sr's gap open 12: Ion's dominant error is a homopolymer
insertion/deletion, which should be aligned as a 1-base gap rather than soft
clipped or smeared into mismatches.

Every input record is written, mapped or not (flag 4, all tags kept), so
``full`` counts stay right downstream. Mapped records get SEQ/QUAL in
reference orientation, soft clips for unaligned ends, ``MD`` (computed by
minimap2 from the reference sequence held in the index) and ``NM``. Only the
primary hit is kept. Sorting is pysam.sort with a per-thread memory cap
(``-m``), so memory stays bounded whatever the read count.
"""
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import mappy
import numpy as np
import pysam

from .bamio import BamReader, BamWriter, ranges, encode_seq_bytes, _SEQ_LETTERS
from .errors import PipelineError

PRESET = "sr"
SCORING = [1, 3, 5, 2]  # match, mismatch, gap open, gap extend (TMAP-like)


def normalize_reference(reference):
    """Accept None | fasta path | (fasta, mmi) | {"fasta", "mmi", "name"} -> dict or None."""
    if reference is None:
        return None
    if isinstance(reference, (str, os.PathLike)):
        ref = {"fasta": str(reference), "mmi": None}
    elif isinstance(reference, (tuple, list)):
        ref = {"fasta": str(reference[0]), "mmi": str(reference[1]) if len(reference) > 1 and reference[1] else None}
    elif isinstance(reference, dict):
        ref = {"fasta": str(reference["fasta"]), "mmi": str(reference["mmi"]) if reference.get("mmi") else None}
        ref.update({k: v for k, v in reference.items() if k not in ("fasta", "mmi")})
    else:
        raise PipelineError(f"bad reference specification {reference!r}")
    if not os.path.exists(ref["fasta"]):
        raise PipelineError(f"reference FASTA not found: {ref['fasta']}")
    ref.setdefault("name", os.path.splitext(os.path.basename(ref["fasta"]))[0])
    return ref


def build_index(fasta, mmi, preset=PRESET):
    """Build the minimap2 index file ``mmi`` for ``fasta`` (same preset as alignment)."""
    aligner = mappy.Aligner(str(fasta), preset=preset, fn_idx_out=str(mmi))
    if not aligner:
        raise PipelineError(f"cannot build minimap2 index for {fasta}")
    return str(mmi)


def fasta_lengths(fasta):
    """[(name, length)] from ``<fasta>.fai`` if present, else by streaming the FASTA once
    (cached per file path/size/mtime: a whole genome takes a while)."""
    st = os.stat(fasta)
    return list(_fasta_lengths(str(fasta), st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _fasta_lengths(fasta, _size, _mtime):
    fai = str(fasta) + ".fai"
    if os.path.exists(fai):
        out = []
        with open(fai) as fh:
            for line in fh:
                f = line.split("\t")
                if len(f) >= 2:
                    out.append((f[0], int(f[1])))
        return tuple(out)
    out, name, n = [], None, 0
    with open(fasta, "rb") as fh:
        for line in fh:
            if line.startswith(b">"):
                if name is not None:
                    out.append((name, n))
                name, n = line[1:].split()[0].decode(), 0
            else:
                n += len(line.strip())
    if name is not None:
        out.append((name, n))
    return tuple(out)


def load_aligner(reference):
    ref = normalize_reference(reference)
    src = ref["mmi"] if ref.get("mmi") and os.path.exists(ref["mmi"]) else ref["fasta"]
    aligner = mappy.Aligner(src, preset=PRESET, scoring=SCORING)
    if not aligner:
        raise PipelineError(f"cannot load minimap2 index/reference {src}")
    return aligner


def _align_one(aligner, seq, buf):
    if not seq:
        return None
    for hit in aligner.map(seq, buf=buf, MD=True):
        if hit.is_primary:
            return hit
    return None


def _reg2bin(beg, end):
    """SAM spec reg2bin, vectorised (end exclusive)."""
    end = end - 1
    out = np.zeros(len(beg), dtype=np.int64)
    done = np.zeros(len(beg), dtype=bool)
    for shift, off in ((14, 4681), (17, 585), (20, 73), (23, 9), (26, 1)):
        m = ~done & ((beg >> shift) == (end >> shift))
        out[m] = off + (beg[m] >> shift)
        done |= m
    return out


_COMP4 = np.array([0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15], dtype=np.uint8)


def sort_memory_for(path):
    """samtools sort ``-m`` per thread: 16 MB, raised for big inputs so that at most
    ~100 temporary files are merged (uncompressed BAM ~ 3x the input size)."""
    try:
        est = 3 * os.path.getsize(path)
    except OSError:
        est = 0
    mb = min(512, max(16, est // (100 << 20)))
    return f"{mb}M"


def align_bam(in_bam, out_bam, reference, *, aligner=None, threads=2, sort_memory=None,
              chunk_bytes=4 << 20, progress=None):
    """Align an unmapped BAM; write ``out_bam`` coordinate-sorted + ``.bai``.

    Records are rebuilt at the byte level (bamio), so all original tags are
    kept verbatim; mappy is the only per-read work. ``sort_memory``: samtools
    sort ``-m`` (default :func:`sort_memory_for`). Returns {"path", "reads", "mapped"}.
    """
    sort_memory = sort_memory or sort_memory_for(in_bam)
    ref = normalize_reference(reference)
    aligner = aligner or load_aligner(ref)
    names = list(aligner.seq_names)
    lengths = dict(fasta_lengths(ref["fasta"]))
    missing = [n for n in names if n not in lengths]
    if missing:
        raise PipelineError(f"reference index and FASTA disagree (e.g. {missing[0]})")
    tid = {n: i for i, n in enumerate(names)}
    tmp = out_bam + ".unsorted.bam"
    local = threading.local()

    def work(items):
        if not hasattr(local, "buf"):
            local.buf = mappy.ThreadBuffer()
        return [_align_one(aligner, s, local.buf) for s in items]

    reads = mapped = 0
    try:
        with BamReader(in_bam, chunk_bytes=chunk_bytes) as bam, \
                ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            header = _aligned_header(bam.header_text, [(n, lengths[n]) for n in names])
            with BamWriter(tmp, header, [(n, lengths[n]) for n in names], level=0) as out:
                for chunk in bam.chunks():
                    seqs = chunk_sequences(chunk)
                    k = max(1, -(-len(seqs) // max(1, threads)))
                    parts = [seqs[i:i + k] for i in range(0, len(seqs), k)]
                    hits = [h for part in pool.map(work, parts) for h in part]
                    data, n_mapped = _rebuild(chunk, hits, tid)
                    out.write_raw(data, chunk.n)
                    reads += chunk.n
                    mapped += n_mapped
                    if progress:
                        progress(f"Alignment: {reads} reads")
    except PipelineError:
        _unlink(tmp)
        raise
    try:
        # -l 1: fast deflate for the final BAM (about 2x faster than the default level, ~10% larger)
        pysam.sort("-m", sort_memory, "-l", "1", "-@", str(max(0, threads - 1)), "-o", out_bam, tmp)
        pysam.index(out_bam)
    except pysam.utils.SamtoolsError as exc:
        raise PipelineError(f"sorting/indexing {out_bam} failed: {exc}") from None
    finally:
        _unlink(tmp)
    return {"path": out_bam, "reads": reads, "mapped": mapped}


def _aligned_header(text, refs):
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("@SQ")]
    hd = [ln for ln in lines if ln.startswith("@HD")]
    rest = [ln for ln in lines if not ln.startswith("@HD")]
    head = ["@HD\tVN:1.4\tSO:unsorted"] if not hd else [hd[0]]
    sq = [f"@SQ\tSN:{n}\tLN:{ln}" for n, ln in refs]
    pg = [f"@PG\tID:mm2\tPN:minimap2\tCL:mappy preset={PRESET} scoring={','.join(map(str, SCORING))}"]
    return "\n".join(head + sq + rest + pg) + "\n"


def chunk_sequences(chunk):
    """Read sequences of a chunk as Python str (for mappy)."""
    L = chunk.l_seq
    nb = (L + 1) // 2
    raw = chunk.buf[ranges(chunk.seq_off, nb)]
    codes = np.empty(raw.size * 2, dtype=np.uint8)
    codes[0::2] = raw >> 4
    codes[1::2] = raw & 15
    letters = _SEQ_LETTERS[codes].tobytes()
    starts = (np.cumsum(nb) - nb) * 2
    return [letters[s:s + n].decode("ascii") for s, n in zip(starts.tolist(), L.tolist())]


def _rebuild(chunk, hits, tid):
    """New record bytes for a chunk given one mappy hit (or None) per record."""
    n = chunk.n
    buf = chunk.buf
    L = chunk.l_seq
    is_m = np.array([h is not None for h in hits], dtype=bool)
    mi = np.flatnonzero(is_m)
    refid = np.full(n, -1, np.int64)
    pos = np.full(n, -1, np.int64)
    mapq = np.zeros(n, np.int64)
    rev = np.zeros(n, dtype=bool)
    cig_ops, cig_n, md_parts, nm = [], np.zeros(n, np.int64), [], np.zeros(n, np.int64)
    for i in mi.tolist():
        h = hits[i]
        li = int(L[i])
        r = h.strand < 0
        left, right = (li - h.q_en, h.q_st) if r else (h.q_st, li - h.q_en)
        ops = [(left << 4) | 4] if left else []
        ops += [(ln << 4) | op for ln, op in h.cigar]
        if right:
            ops.append((right << 4) | 4)
        cig_ops += ops
        cig_n[i] = len(ops)
        refid[i] = tid[h.ctg]
        pos[i] = h.r_st
        mapq[i] = h.mapq
        rev[i] = r
        md_parts.append(b"MDZ" + h.MD.encode() + b"\0")
        nm[i] = h.NM
    cigar = np.array(cig_ops, dtype="<u4").view(np.uint8)
    md_len = np.zeros(n, np.int64)
    md_len[mi] = [len(x) for x in md_parts]
    md_pool = np.frombuffer(b"".join(md_parts), np.uint8)
    nm_mat = np.zeros((n, 7), np.uint8)
    nm_mat[:, :3] = np.frombuffer(b"NMi", np.uint8)
    nm_mat[:, 3:] = np.ascontiguousarray(nm.astype("<i4")).view(np.uint8).reshape(n, 4)
    nm_len = np.where(is_m, 7, 0)
    # reference span -> bin
    if mi.size:
        ops_arr = np.array(cig_ops, dtype=np.int64)
        rc = (ops_arr >> 4) * np.isin(ops_arr & 15, (0, 2, 3, 7, 8))
        owner = np.repeat(mi, cig_n[mi])
        span = np.bincount(owner, weights=rc, minlength=n).astype(np.int64)
    else:
        span = np.zeros(n, np.int64)
    bins = np.where(is_m, _reg2bin(np.maximum(pos, 0), np.maximum(pos, 0) + np.maximum(span, 1)), 4680)
    # sequence / quality in reference orientation
    nb = (L + 1) // 2
    raw = buf[ranges(chunk.seq_off, nb)]
    codes = np.empty(raw.size * 2, dtype=np.uint8)
    codes[0::2] = raw >> 4
    codes[1::2] = raw & 15
    pstart = (np.cumsum(nb) - nb) * 2
    rec = np.repeat(np.arange(n), L)
    within = ranges(np.zeros(n, np.int64), L)
    flip = rev[rec]
    src_pos = np.where(flip, L[rec] - 1 - within, within)
    c2 = codes[pstart[rec] + src_pos]
    c2 = np.where(flip, _COMP4[c2], c2)
    seq_new = encode_seq_bytes(c2, L)
    qual_new = buf[chunk.qual_off[rec] + src_pos]
    # fixed fields
    fixed = chunk.fixed.copy()
    v32 = fixed.view("<i4")
    v16 = fixed.view("<u2")
    flag = chunk.flag.astype(np.int64) & ~(4 | 16 | 0x100 | 0x800)
    flag = np.where(is_m, flag | np.where(rev, 16, 0), flag | 4)
    aux_len = chunk.end - chunk.aux_off
    namelen = chunk.l_read_name
    rec_len = 36 + namelen + 4 * cig_n + nb + L + aux_len + md_len + nm_len
    v32[:, 0] = rec_len - 4
    v32[:, 1] = refid
    v32[:, 2] = pos
    fixed[:, 13] = np.minimum(mapq, 255)
    v16[:, 7] = bins
    v16[:, 8] = cig_n
    v16[:, 9] = flag
    # head (fixed, name, cigar, seq, qual) and tail (MD, NM) by numpy gathers; the
    # original aux (often the bulk: ZM) as memoryview slices joined once
    parts = [buf, fixed.ravel(), cigar, seq_new, qual_new, md_pool, nm_mat.ravel()]
    offs = np.cumsum([0] + [len(p) for p in parts])
    src = np.concatenate(parts)
    cstart = np.cumsum(4 * cig_n) - 4 * cig_n
    sstart = np.cumsum(nb) - nb
    qstart = np.cumsum(L) - L
    mstart = np.cumsum(md_len) - md_len
    hstarts = np.stack([offs[1] + 36 * np.arange(n), chunk.name_off, offs[2] + cstart, offs[3] + sstart,
                        offs[4] + qstart], axis=1)
    hlens = np.stack([np.full(n, 36), namelen, 4 * cig_n, nb, L], axis=1)
    head = src[ranges(hstarts.ravel(), hlens.ravel())].tobytes()
    tstarts = np.stack([offs[5] + mstart, offs[6] + 7 * np.arange(n)], axis=1)
    tlens = np.stack([md_len, nm_len], axis=1)
    tail = src[ranges(tstarts.ravel(), tlens.ravel())].tobytes()
    hl = hlens.sum(axis=1)
    hs = np.cumsum(hl) - hl
    tl = tlens.sum(axis=1)
    ts = np.cumsum(tl) - tl
    mv = memoryview(chunk.data)
    pieces = []
    add = pieces.extend
    for h0, h1, a0, a1, t0, t1 in zip(hs.tolist(), (hs + hl).tolist(), chunk.aux_off.tolist(), chunk.end.tolist(),
                                      ts.tolist(), (ts + tl).tolist()):
        add((head[h0:h1], mv[a0:a1], tail[t0:t1]))
    return b"".join(pieces), int(mi.size)


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
