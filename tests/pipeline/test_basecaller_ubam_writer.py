"""The vectorised unmapped-BAM writer produces records pysam reads back exactly."""
import numpy as np
import pysam

from pipeline.formats.ubam import UnmappedBamWriter, tag_int, tag_int16_array, tag_string


def test_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    lengths = rng.integers(0, 120, n)
    lengths[0] = 1
    seq = rng.integers(0, 5, int(lengths.sum())).astype(np.uint8)
    qual = rng.integers(0, 42, int(lengths.sum())).astype(np.uint8)
    names = [f"ABCDE:{i // 10:05d}:{i % 10:05d}" for i in range(n)]
    za = rng.integers(0, 200, n)
    has_za = rng.random(n) < 0.5
    zm_n = rng.integers(0, 30, n)
    zm = rng.integers(-16383, 16383, int(zm_n.sum())).astype(np.int16)
    header = {"HD": {"VN": "1.4", "SO": "unsorted"},
              "RG": [{"ID": "ABCDE", "SM": "s1", "PL": "IONTORRENT", "KS": "TCAG"}],
              "PG": [{"ID": "bc", "PN": "BaseCaller"}]}
    path = tmp_path / "x.bam"
    with UnmappedBamWriter(path, header) as w:
        for part in (slice(0, 100), slice(100, n)):
            idx = np.arange(n)[part]
            sel = np.repeat(np.isin(np.arange(n), idx), lengths)
            zsel = np.repeat(np.isin(np.arange(n), idx), zm_n)
            w.write_batch(np.array(names, dtype="S")[part] if part.start else names[part],
                          seq[sel], lengths[part], qual[sel],
                          [tag_string("RG", "ABCDE", idx.size), tag_int("ZF", idx),
                           tag_int("ZA", za[part], has_za[part]),
                           tag_int16_array("ZM", zm[zsel], zm_n[part])])
    offs = np.concatenate([[0], np.cumsum(lengths)])
    zoffs = np.concatenate([[0], np.cumsum(zm_n)])
    with pysam.AlignmentFile(str(path), check_sq=False) as fh:
        assert fh.header.to_dict()["RG"][0]["KS"] == "TCAG"
        records = list(fh)
    assert len(records) == n
    for i, a in enumerate(records):
        assert a.query_name == names[i] and a.is_unmapped
        assert a.query_sequence == "".join("ACGTN"[c] for c in seq[offs[i]:offs[i + 1]]) or \
            (lengths[i] == 0 and a.query_sequence is None)
        if lengths[i]:
            assert list(a.query_qualities) == qual[offs[i]:offs[i + 1]].tolist()
        assert a.get_tag("RG") == "ABCDE" and a.get_tag("ZF") == i
        assert a.has_tag("ZA") == bool(has_za[i])
        if has_za[i]:
            assert a.get_tag("ZA") == za[i]
        if zm_n[i]:
            assert list(a.get_tag("ZM")) == zm[zoffs[i]:zoffs[i + 1]].tolist()
        else:
            assert not a.has_tag("ZM")
