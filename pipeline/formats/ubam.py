"""BAM writers: :class:`BamWriter` (header + raw record bytes, used by the stages) and
:class:`UnmappedBamWriter`, the fast writer of unmapped BAM (the basecaller output format).

pysam builds one ``AlignedSegment`` per read in Python (~25k reads/s with a flowgram tag);
this writer encodes a whole batch of records with numpy into one byte buffer and
compresses it as BGZF, which is an order of magnitude faster. Output is plain BAM
(readable by pysam/samtools): refID/pos -1, no CIGAR, flag 4 unless given.

Batch representation (ragged arrays, no per-read Python objects):
    names       list of str, or a numpy ``S`` array (fixed width)
    seq         flat uint8 base codes (0=A 1=C 2=G 3=T 4=N), reads concatenated
    lengths     int array, bases per read
    qual        flat uint8 phred values aligned with ``seq`` (or None: 0xFF, "*")
    tags        list of tag objects built with :func:`tag_string`, :func:`tag_int`,
                :func:`tag_int16_array`
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from .bgzf import BgzfWriter, Closable

# Base code (A C G T N) -> BAM 4-bit code.
_NIBBLE = np.array([1, 2, 4, 8, 15], dtype=np.uint8)
_FIXED = np.dtype([
    ("block_size", "<i4"), ("ref_id", "<i4"), ("pos", "<i4"), ("l_read_name", "u1"),
    ("mapq", "u1"), ("bin", "<u2"), ("n_cigar", "<u2"), ("flag", "<u2"), ("l_seq", "<i4"),
    ("next_ref_id", "<i4"), ("next_pos", "<i4"), ("tlen", "<i4"),
])
_INT_TAG = np.dtype([("tag", "S2"), ("type", "S1"), ("value", "<i4")])
_ARRAY_HEAD = np.dtype([("tag", "S2"), ("type", "S1"), ("sub", "S1"), ("count", "<i4")])
_HEADER_ORDER = ("HD", "SQ", "RG", "PG", "CO")
_I32 = struct.Struct("<i")


@dataclass
class _Component:
    data: np.ndarray      # flat uint8
    lengths: np.ndarray   # bytes per record (int64)


def tag_string(tag: str, value: str, n: int) -> _Component:
    """The same ``Z`` string tag on all ``n`` records (e.g. RG)."""
    raw = np.frombuffer(tag.encode() + b"Z" + value.encode() + b"\0", dtype=np.uint8)
    return _Component(np.tile(raw, n), np.full(n, raw.size, dtype=np.int64))


def tag_int(tag: str, values, present=None) -> _Component:
    """An ``i`` (int32) tag per record; records where ``present`` is False omit it."""
    values = np.asarray(values, dtype=np.int64)
    if present is None:
        present = np.ones(values.size, dtype=bool)
    present = np.asarray(present, dtype=bool)
    rec = np.zeros(int(present.sum()), dtype=_INT_TAG)
    rec["tag"] = tag.encode()
    rec["type"] = b"i"
    rec["value"] = values[present]
    return _Component(rec.view(np.uint8), np.where(present, _INT_TAG.itemsize, 0).astype(np.int64))


def tag_int16_array(tag: str, flat_values, counts) -> _Component:
    """A ``B:s`` (int16 array) tag per record from a flat array and per-record counts;
    records with count 0 omit the tag."""
    counts = np.asarray(counts, dtype=np.int64)
    flat = np.ascontiguousarray(flat_values, dtype="<i2")
    present = counts > 0
    head = np.zeros(int(present.sum()), dtype=_ARRAY_HEAD)
    head["tag"] = tag.encode()
    head["type"] = b"B"
    head["sub"] = b"s"
    head["count"] = counts[present]
    head_c = _Component(head.view(np.uint8), np.where(present, _ARRAY_HEAD.itemsize, 0))
    return [head_c, _Component(flat.view(np.uint8), counts * 2)]


def _interleave(parts, n: int) -> np.ndarray:
    """Concatenate components record by record: record i = parts[0][i] + parts[1][i] + ...

    Every output byte is labelled with its component (one byte per byte) and each
    component is filled by one boolean-mask assignment; much cheaper than index arrays.
    """
    widths = np.empty((n, len(parts)), dtype=np.int64)
    for i, c in enumerate(parts):
        widths[:, i] = c.lengths
    labels = np.repeat(np.tile(np.arange(len(parts), dtype=np.uint8), n), widths.ravel())
    buf = np.zeros(labels.size, dtype=np.uint8)
    for i, c in enumerate(parts):
        if c.data.size:
            buf[labels == i] = c.data
    return buf


def header_text_from_dict(header: dict) -> str:
    """SAM header text from a pysam-style header dict (HD, SQ, RG, PG, CO in that order)."""
    lines = []
    for key in _HEADER_ORDER:
        if key not in header:
            continue
        if key == "CO":
            lines.extend(f"@CO\t{c}" for c in header["CO"])
            continue
        entries = header[key] if isinstance(header[key], list) else [header[key]]
        for entry in entries:
            fields = sorted(entry.items(), key=lambda kv: kv[0] not in ("ID", "VN", "SN"))
            lines.append("@" + key + "".join(f"\t{k}:{v}" for k, v in fields))
    return "\n".join(lines) + "\n"


def encode_names(names) -> _Component:
    if isinstance(names, np.ndarray) and names.dtype.kind == "S":
        width = names.dtype.itemsize
        raw = np.zeros((names.size, width + 1), dtype=np.uint8)
        raw[:, :width] = names.view(np.uint8).reshape(names.size, width)
        lengths = np.char.str_len(names).astype(np.int64) + 1
        if np.all(lengths == width + 1):
            return _Component(raw.ravel(), lengths)
        keep = np.arange(width + 1)[None, :] < lengths[:, None]
        return _Component(raw[keep], lengths)
    joined = "\0".join(names) + "\0"
    lengths = np.fromiter((len(n) + 1 for n in names), dtype=np.int64, count=len(names))
    return _Component(np.frombuffer(joined.encode("ascii"), dtype=np.uint8), lengths)


def encode_records(names, seq, lengths, qual=None, tags=(), flag=4) -> bytes:
    """Encode a batch of unmapped records into BAM record bytes (uncompressed)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    n = lengths.size
    name_c = encode_names(names)
    if name_c.lengths.size != n:
        raise ValueError("names and lengths disagree in number of reads")
    if np.any(name_c.lengths > 255):
        raise ValueError("read name longer than 254 characters")
    seq = np.asarray(seq, dtype=np.uint8)
    if seq.size != int(lengths.sum()):
        raise ValueError("seq size does not match the sum of lengths")

    # 4-bit packed sequence: every odd-length read gets one zero pad nibble.
    nib = _interleave([_Component(_NIBBLE[np.minimum(seq, 4)], lengths),
                       _Component(np.zeros(0, np.uint8), lengths & 1)], n)
    packed = (nib[0::2] << 4) | nib[1::2]
    seq_c = _Component(packed, (lengths + 1) // 2)
    if qual is None:
        qual_c = _Component(np.full(seq.size, 0xFF, dtype=np.uint8), lengths)
    else:
        qual = np.asarray(qual, dtype=np.uint8)
        if qual.size != seq.size:
            raise ValueError("qual and seq sizes differ")
        qual_c = _Component(qual, lengths)

    comps = [name_c, seq_c, qual_c]
    for t in tags:
        comps.extend(t if isinstance(t, list) else [t])
    for c in comps:
        if c.lengths.size != n:
            raise ValueError("a tag has a different number of records")
    var_len = sum(c.lengths for c in comps)
    fixed = np.zeros(n, dtype=_FIXED)
    fixed["block_size"] = var_len + _FIXED.itemsize - 4
    fixed["ref_id"] = -1
    fixed["pos"] = -1
    fixed["l_read_name"] = name_c.lengths
    fixed["bin"] = 4680
    fixed["flag"] = flag
    fixed["l_seq"] = lengths
    fixed["next_ref_id"] = -1
    fixed["next_pos"] = -1
    buf = _interleave([_Component(fixed.view(np.uint8), np.full(n, _FIXED.itemsize)), *comps], n)
    return buf.tobytes()


class BamWriter(Closable):
    """Writes a BAM header (SAM text + reference list) then raw record bytes (each
    record already starting with its block_size)."""

    def __init__(self, path, header_text, references=(), *, level=1):
        self.path = str(path)
        self.count = 0
        self._bgzf = BgzfWriter(self.path, level=level)
        text = header_text if header_text.endswith("\n") or not header_text else header_text + "\n"
        tb = text.encode()
        parts = [b"BAM\x01", _I32.pack(len(tb)), tb, _I32.pack(len(references))]
        for name, length in references:
            nb = name.encode() + b"\0"
            parts += [_I32.pack(len(nb)), nb, _I32.pack(length)]
        self._bgzf.write(b"".join(parts))

    def write_raw(self, data, n_records=0):
        self._bgzf.write(data)
        self.count += n_records

    def close(self):
        self._bgzf.close()


class UnmappedBamWriter(BamWriter):
    """Streams batches of unmapped reads into one BAM file.

    ``header`` is a pysam-style dict, e.g. ``{"HD": {"VN": "1.4", "SO": "unsorted"},
    "RG": [{"ID": "ABCDE", "SM": "x", "PL": "IONTORRENT"}], "PG": [...]}``.
    """

    def __init__(self, path, header: dict, level: int = 1):
        super().__init__(path, header_text_from_dict(header), level=level)

    def write_batch(self, names, seq, lengths, qual=None, tags=(), flag=4) -> None:
        if len(lengths) == 0:
            return
        self.write_raw(encode_records(names, seq, lengths, qual, tags, flag), len(lengths))
