"""Alignment ionstats from CIGAR + MD."""
import pytest

from pipeline.metrics.ionstats import ionstats_for_bam
from pipeline.metrics.tables import lib_metrics
from pipeline.stages.smallbam import write_bam

REFS = [("chr1", 10000)]


def one(tmp_path, cigar="100M", md="100", flag=0, seq="A" * 100, **kw):
    r = {"seq": seq, "qual": [30] * len(seq), "flag": flag, "ref": "chr1", "pos": 10, "cigar": cigar,
         "tags": {"MD": md}}
    path = write_bam(tmp_path / "a.bam", [r], references=REFS)
    return ionstats_for_bam(path, **kw)


def aq_len(s, q):
    h = s.aq[q]
    return h.max_read_length if h.num_reads else 0


def test_single_mismatch_at_49(tmp_path):
    s = one(tmp_path, md="49A50")
    assert [aq_len(s, q) for q in (7, 10, 17, 20, 30, 47)] == [100, 100, 100, 100, 49, 49]
    assert s.error_by_position[49] == 1 and s.error_by_position.sum() == 1
    assert s.aligned.num_bases == 100


def test_short_aq_lengths_are_not_counted(tmp_path):
    s = one(tmp_path, md="10A89")
    assert s.aq[20].num_reads == 1 and s.aq[20].max_read_length == 100
    assert s.aq[30].num_reads == 0 and s.aq[47].num_reads == 0


def test_deletion_counts_length_at_next_read_base(tmp_path):
    s = one(tmp_path, cigar="50M3D50M", md="50^ACG50")
    assert s.error_by_position[50] == 3 and s.error_by_position.sum() == 3
    assert [aq_len(s, q) for q in (7, 10, 17, 20, 30, 47)] == [100, 100, 50, 50, 50, 50]


def test_reverse_strand_positions_from_read_5prime_end(tmp_path):
    s = one(tmp_path, md="50C49", flag=16)
    assert s.error_by_position[49] == 1 and s.error_by_position.sum() == 1
    assert aq_len(s, 30) == 49


def test_insertion_one_error_per_inserted_base(tmp_path):
    s = one(tmp_path, cigar="40M2I58M", md="98")
    assert s.error_by_position[40] == 1 and s.error_by_position[41] == 1
    assert s.aligned.num_bases == 100


def test_soft_clips_shift_positions_but_not_aligned_length(tmp_path):
    s = one(tmp_path, cigar="5S90M5S", md="90")
    assert s.aligned.max_read_length == 90 and aq_len(s, 47) == 90
    s = one(tmp_path, cigar="5S90M5S", md="45T44")
    assert s.error_by_position[50] == 1  # 5 clipped + 45 matched
    assert aq_len(s, 47) == 50


def test_iupac_reference_compatible_base_is_not_an_error(tmp_path):
    s = one(tmp_path, seq="A" * 100, md="49R50")  # R = A/G, read has A
    assert s.error_by_position.sum() == 0
    s = one(tmp_path, seq="A" * 100, md="49Y50")  # Y = C/T
    assert s.error_by_position.sum() == 1


def test_raw_accuracy_and_unmapped_reads(tmp_path):
    reads = []
    for i in range(10):
        md = "100" if i >= 5 else f"{10 + i}A{89 - i}"
        reads.append({"seq": "C" * 100, "qual": [30] * 100, "flag": 0, "ref": "chr1", "pos": 100 * i,
                      "tags": {"MD": md}})
    reads += [{"seq": "G" * 80, "qual": [30] * 80}] * 2
    path = write_bam(tmp_path / "b.bam", reads, references=REFS)
    s = ionstats_for_bam(path)
    assert s.full.num_reads == 12 and s.aligned.num_reads == 10
    lm = lib_metrics(s, s, reference={"name": "chr1", "genome_length": 10000})
    assert lm["raw_accuracy"] == 99.5
    assert lm["total_mapped_target_bases"] == 1000 and lm["total_mapped_reads"] == 10
    assert lm["totalNumReads"] == 12 and lm["genomesize"] == 10000


def test_long_reads_clamped_in_i_counts(tmp_path):
    reads = [{"seq": "T" * 500, "qual": [30] * 500, "flag": 0, "ref": "chr1", "pos": 5 * i,
              "tags": {"MD": "500"}} for i in range(1000)]
    path = write_bam(tmp_path / "c.bam", reads, references=REFS)
    s = ionstats_for_bam(path, histogram_length=350)
    assert s.full.max_read_length == 500 and s.full.hist[349] == 1000
    lm = lib_metrics(s, s)
    assert lm["i300Q17_reads"] == 1000 and lm["i350Q17_reads"] == 0
    assert lm["q17_longest_alignment"] == 500 and lm["q17_mean_alignment_length"] == 500


def test_mapped_read_without_md_is_not_evaluated(tmp_path):
    r = {"seq": "A" * 50, "qual": [30] * 50, "flag": 0, "ref": "chr1", "pos": 1}
    path = write_bam(tmp_path / "d.bam", [r], references=REFS)
    s = ionstats_for_bam(path)
    assert s.full.num_reads == 1 and s.aligned.num_reads == 0


def test_aq_uses_cumulative_error_rate(tmp_path):
    # errors at 30 and 60 of a 100-base read: candidates (60, 1/60) and (100, 2/100)
    s = one(tmp_path, md="30A29A39")
    assert aq_len(s, 10) == 100  # 2/100 <= 0.1
    assert aq_len(s, 17) == 100  # 2/100 <= 0.02
    assert aq_len(s, 20) == 30   # neither candidate <= 0.01 -> error-free prefix
    assert s.error_by_position.sum() == 2


@pytest.mark.parametrize("cigar,md", [("100M", "100")])
def test_alignment_json_keys(tmp_path, cigar, md):
    d = one(tmp_path, cigar=cigar, md=md).alignment_json()
    for k in ("full", "aligned", "AQ7", "AQ10", "AQ17", "AQ20", "AQ30", "AQ47", "error_by_position",
              "Q17", "Q20", "insert", "qv_histogram", "system_snr"):
        assert k in d
