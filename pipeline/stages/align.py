"""Alignment with minimap2 (mappy), MD/NM, coordinate sort and index (the alignment stage).

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
primary hit is kept. Records go straight from the aligner into a
:class:`~.coordsort.CoordinateSorter` (external merge sort over raw record bytes
within a fixed memory budget, so memory does not grow with the read count);
``pysam.index`` then writes the ``.bai``.
"""
import functools
import os
import re
import struct
import threading
from concurrent.futures import ThreadPoolExecutor

import mappy
import numpy as np
import pysam

from .bamio import BamReader, ranges, _SEQ_LETTERS
from .coordsort import CoordinateSorter, gather_slices
from .errors import PipelineError

PRESET = "sr"
# Smaller chunks than the other stages: mappy dominates the time here, so the per-chunk
# overhead does not show, and the chunk's transient arrays stay small (flat peak memory).
ALIGN_CHUNK_BYTES = 1 << 20
SCORING = [1, 3, 5, 2]  # match, mismatch, gap open, gap extend (TMAP-like)
SORT_MEMORY = 8 << 20
_I32 = struct.Struct("<i")


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
    """Sort buffer budget (bytes) for aligning ``path``: a fixed 8 MB. The sorter merges
    any number of runs within that budget (in passes beyond 64 runs, i.e. ~512 MB of
    records), so nothing is gained by scaling it with the input; and a budget smaller than
    a typical barcode's records keeps the stage's peak memory the same for small and
    large runs (the buffer's pages are only resident once filled)."""
    return SORT_MEMORY


def parse_memory(value):
    """Bytes from an int or a samtools-style size string ("16M", "512K", "1G", "1000000")."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)[bB]?\s*", str(value))
    if not m:
        raise PipelineError(f"bad sort memory size {value!r}")
    return int(m.group(1)) << {"": 0, "k": 10, "m": 20, "g": 30}[m.group(2).lower()]


def align_bam(in_bam, out_bam, reference, *, aligner=None, threads=2, sort_memory=None,
              chunk_bytes=ALIGN_CHUNK_BYTES, progress=None):
    """Align an unmapped BAM; write ``out_bam`` coordinate-sorted + ``.bai``.

    Records are rebuilt at the byte level (bamio), so all original tags are
    kept verbatim; mappy is the only per-read work. ``sort_memory``: sort buffer
    budget, bytes or "16M"-style (default :func:`sort_memory_for`); temporary runs
    go to a directory next to ``out_bam``. Returns {"path", "reads", "mapped"}.
    """
    memory_bytes = parse_memory(sort_memory or sort_memory_for(in_bam))
    ref = normalize_reference(reference)
    aligner = aligner or load_aligner(ref)
    names = list(aligner.seq_names)
    lengths = dict(fasta_lengths(ref["fasta"]))
    missing = [n for n in names if n not in lengths]
    if missing:
        raise PipelineError(f"reference index and FASTA disagree (e.g. {missing[0]})")
    tid = {n: i for i, n in enumerate(names)}
    refs = [(n, lengths[n]) for n in names]
    local = threading.local()

    def work(items):
        if not hasattr(local, "buf"):
            local.buf = mappy.ThreadBuffer()
        return [_align_one(aligner, s, local.buf) for s in items]

    reads = mapped = 0
    try:
        with BamReader(in_bam, chunk_bytes=chunk_bytes) as bam, \
                ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
            header = _aligned_header(bam.header_text, refs)
            # level 1: fast deflate for the final BAM (about 2x faster than the default, ~10% larger)
            with CoordinateSorter(out_bam, header, refs, memory_bytes=memory_bytes, level=1) as out:
                for chunk in bam.chunks():
                    seqs = chunk_sequences(chunk)
                    k = max(1, -(-len(seqs) // max(1, threads)))
                    parts = [seqs[i:i + k] for i in range(0, len(seqs), k)]
                    hits = [h for part in pool.map(work, parts) for h in part]
                    data, n_mapped, cols = _rebuild(chunk, hits, tid)
                    out.add(data, *cols)
                    reads += chunk.n
                    mapped += n_mapped
                    if progress:
                        progress(f"Alignment: {reads} reads")
        pysam.index(out_bam)
    except OSError as exc:  # sort runs or output (disk full, permissions); the sorter left nothing
        raise PipelineError(f"writing sorted {out_bam} failed: {exc}") from None
    except pysam.utils.SamtoolsError as exc:
        _unlink(out_bam)
        _unlink(out_bam + ".bai")
        raise PipelineError(f"indexing {out_bam} failed: {exc}") from None
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
    """New record bytes for a chunk given one mappy hit (or None) per record.

    Returns (bytes, number mapped, (refid, pos, record length, flag) arrays for the sorter).
    Memory stays a small multiple of the chunk: per-base index arrays are built for
    reverse-strand hits only (forward and unmapped reads keep SEQ/QUAL bytes as they
    are), and records are joined from slices of the pieces rather than gathered byte
    by byte.
    """
    n = chunk.n
    L = chunk.l_seq
    h = _hit_fields(hits, tid, L)
    cigar = np.array(h.cig_ops, dtype="<u4").view(np.uint8)
    tail_len = np.zeros(n, np.int64)
    tail_len[h.mi] = [len(x) for x in h.tails]
    bins = np.where(h.is_m, _reg2bin(np.maximum(h.pos, 0), np.maximum(h.pos, 0) + np.maximum(_ref_span(h, n), 1)),
                    4680)
    nb = (L + 1) // 2
    ri = np.flatnonzero(h.rev)
    rseq, rqual = _reverse_complement(chunk, ri)
    # fixed fields
    fixed = chunk.fixed.copy()
    v32 = fixed.view("<i4")
    v16 = fixed.view("<u2")
    flag = chunk.flag.astype(np.int64) & ~(4 | 16 | 0x100 | 0x800)
    flag = np.where(h.is_m, flag | np.where(h.rev, 16, 0), flag | 4)
    aux_len = chunk.end - chunk.aux_off
    namelen = chunk.l_read_name
    rec_len = 36 + namelen + 4 * h.cig_n + nb + L + aux_len + tail_len
    v32[:, 0] = rec_len - 4
    v32[:, 1] = h.refid
    v32[:, 2] = h.pos
    fixed[:, 13] = np.minimum(h.mapq, 255)
    v16[:, 7] = bins
    v16[:, 8] = h.cig_n
    v16[:, 9] = flag
    # each record = fixed | name | cigar | seq | qual | aux | MD+NM, as (buffer, start, size)
    bufs = [chunk.data, fixed.ravel(), cigar, rseq, rqual, b"".join(h.tails)]
    which = np.zeros((n, 7), np.int64)
    start = np.empty((n, 7), np.int64)
    which[:, 0], start[:, 0] = 1, 36 * np.arange(n)
    start[:, 1] = chunk.name_off
    which[:, 2], start[:, 2] = 2, np.cumsum(4 * h.cig_n) - 4 * h.cig_n
    start[:, 3] = chunk.seq_off
    start[:, 4] = chunk.qual_off
    if ri.size:
        which[ri, 3], start[ri, 3] = 3, np.cumsum(nb[ri]) - nb[ri]
        which[ri, 4], start[ri, 4] = 4, np.cumsum(L[ri]) - L[ri]
    start[:, 5] = chunk.aux_off
    which[:, 6], start[:, 6] = 5, np.cumsum(tail_len) - tail_len
    size = np.stack([np.full(n, 36), namelen, 4 * h.cig_n, nb, L, aux_len, tail_len], axis=1)
    data = _join_slices(bufs, which.ravel(), start.ravel(), size.ravel())
    return data, int(h.mi.size), (h.refid, h.pos, rec_len, flag)


class _Hits:
    """Per-record alignment fields of a chunk (unmapped: refid/pos -1, no CIGAR)."""

    def __init__(self, n):
        self.refid = np.full(n, -1, np.int64)
        self.pos = np.full(n, -1, np.int64)
        self.mapq = np.zeros(n, np.int64)
        self.rev = np.zeros(n, dtype=bool)
        self.cig_ops, self.cig_n, self.tails = [], np.zeros(n, np.int64), []


def _hit_fields(hits, tid, L):
    """_Hits of a chunk from its mappy hits: CIGAR with soft clips for the unaligned ends
    (in reference orientation), position, MAPQ, strand, and the MD/NM tag bytes."""
    n = len(hits)
    h = _Hits(n)
    h.is_m = np.array([x is not None for x in hits], dtype=bool)
    h.mi = np.flatnonzero(h.is_m)
    nm_pack = _I32.pack
    for i in h.mi.tolist():
        hit = hits[i]
        li = int(L[i])
        r = hit.strand < 0
        left, right = (li - hit.q_en, hit.q_st) if r else (hit.q_st, li - hit.q_en)
        ops = [(left << 4) | 4] if left else []
        ops += [(ln << 4) | op for ln, op in hit.cigar]
        if right:
            ops.append((right << 4) | 4)
        h.cig_ops += ops
        h.cig_n[i] = len(ops)
        h.refid[i] = tid[hit.ctg]
        h.pos[i] = hit.r_st
        h.mapq[i] = hit.mapq
        h.rev[i] = r
        h.tails.append(b"MDZ" + hit.MD.encode() + b"\0NMi" + nm_pack(hit.NM))
    return h


def _ref_span(h, n):
    """Reference bases each record's CIGAR covers (0 when unmapped)."""
    if not h.mi.size:
        return np.zeros(n, np.int64)
    ops_arr = np.array(h.cig_ops, dtype=np.int64)
    rc = (ops_arr >> 4) * np.isin(ops_arr & 15, (0, 2, 3, 7, 8))
    owner = np.repeat(h.mi, h.cig_n[h.mi])
    return np.bincount(owner, weights=rc, minlength=n).astype(np.int64)


def _reverse_complement(chunk, ri):
    """Packed SEQ (reverse complement) and QUAL (reversed) of records ``ri``, concatenated."""
    L = chunk.l_seq[ri]
    total = int(L.sum())
    if not total:
        return np.zeros(0, np.uint8), np.zeros(0, np.uint8)
    buf = chunk.buf
    # int32 offsets when the chunk allows (halves the per-base arrays)
    dt = np.int32 if 2 * len(buf) + 2 < 2 ** 31 else np.int64
    first = (np.cumsum(L) - L).astype(dt)      # output offset of each read's first base
    k = np.arange(total, dtype=dt)
    src = np.repeat((chunk.qual_off[ri] + L - 1).astype(dt) + first, L)
    np.subtract(src, k, out=src)               # qual offset read backwards
    qual = buf[src]
    src = np.repeat((2 * chunk.seq_off[ri] + L - 1).astype(dt) + first, L)
    np.subtract(src, k, out=src)               # nibble address read backwards
    byte = buf[src >> 1]
    codes = np.where(src & 1, byte & 15, byte >> 4)
    codes = _COMP4[codes]
    del src, byte
    # pack: read i starts at nibble first[i] + (number of odd-length reads before i)
    odd = (L & 1).astype(dt)
    k += np.repeat(np.cumsum(odd) - odd, L)
    flat = np.zeros(total + int(odd.sum()), np.uint8)
    flat[k] = codes
    return (flat[0::2] << 4) | flat[1::2], qual


def _join_slices(bufs, which, start, size):
    """bytes of bufs[which[i]][start[i]:start[i]+size[i]] for all i (empty pieces skipped)."""
    keep = size > 0
    return b"".join([data for data, _, _ in gather_slices(bufs, which[keep], start[keep], size[keep],
                                                          limit=1 << 62)])


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
