"""Write small BAMs from plain dicts with pysam (tests, examples, tiny fixtures).

Not for volume: one pysam object per read. Each read dict may hold
``name, seq, qual`` (list of ints or a string of Phred+33), ``flag``,
``ref`` (reference name), ``pos`` (0-based), ``cigar`` (string), ``mapq``
and ``tags`` ({"MD": "49A50", "ZM": array('h', ...) or list, ...}).
"""
import array

import pysam


def header_dict(read_groups=(), references=(), sort_order="unsorted"):
    h = {"HD": {"VN": "1.4", "SO": sort_order}}
    if references:
        h["SQ"] = [{"SN": n, "LN": int(ln)} for n, ln in references]
    if read_groups:
        h["RG"] = [dict(rg) for rg in read_groups]
    return h


def write_bam(path, reads, *, read_groups=({"ID": "TEST1", "SM": "none", "PL": "IONTORRENT"},),
              references=(), sort_order="unsorted"):
    header = header_dict(read_groups, references, sort_order)
    with pysam.AlignmentFile(str(path), "wb", header=header) as out:
        for i, r in enumerate(reads):
            a = pysam.AlignedSegment(out.header)
            a.query_name = r.get("name", f"TEST1:{i // 1000:05d}:{i % 1000:05d}")
            a.flag = int(r.get("flag", 4))
            seq = r.get("seq", "")
            a.query_sequence = seq
            qual = r.get("qual")
            if qual is not None:
                if isinstance(qual, str):
                    qual = [ord(c) - 33 for c in qual]
                a.query_qualities = array.array("B", qual)
            if r.get("ref") is not None:
                a.reference_name = r["ref"]
                a.reference_start = int(r.get("pos", 0))
                a.cigarstring = r.get("cigar", f"{len(seq)}M")
                a.mapping_quality = int(r.get("mapq", 60))
            else:
                a.reference_id = -1
                a.reference_start = -1
            tags = dict(r.get("tags", {}))
            if read_groups and "RG" not in tags:
                tags["RG"] = read_groups[0]["ID"]
            for k, v in tags.items():
                if isinstance(v, (list, tuple)):
                    v = array.array("h", v)
                a.set_tag(k, v)
            out.write(a)
    return str(path)
