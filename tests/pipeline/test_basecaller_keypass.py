"""Beads whose key flows do not show the library key are rejected and counted."""
import json

import pysam

from pipeline.simulate.testing import SMALL_WELLS_RUN, cached_basecall, small_wells_run
from pipeline.simulate.truth import read_truth


def test_broken_keys_rejected(tmp_path_factory):
    run = small_wells_run(tmp_path_factory.getbasetemp())
    res = cached_basecall(run)
    truth = read_truth(run.truth_path)
    bad = {t["name"] for t in truth if t["kind"] == "badkey"}
    dud = {t["name"] for t in truth if t["kind"] == "dud"}
    n_bad = round(SMALL_WELLS_RUN["reads"] * SMALL_WELLS_RUN["bad_key_fraction"])
    assert len(bad) == n_bad
    with pysam.AlignmentFile(str(res.library_bam), check_sq=False) as fh:
        names = {a.query_name for a in fh}
    assert not names & bad and not names & dud
    report = json.loads(res.basecaller_json.read_text())
    lib = report["Filtering"]["ReadDetails"]["lib"]
    # Every bad-key bead fails keypass; good library beads essentially never do.
    assert n_bad <= lib["failed_keypass"] <= n_bad + 2
    assert lib["valid"] == len(names)
    assert report["Filtering"]["LibraryReport"]["final_library_reads"] == len(names)
    stats = res.bfmask_stats.read_text()
    assert f"Lib Filtered Beads (fail keypass) = {lib['failed_keypass']}" in stats
    assert f"Lib Validated Beads = {lib['valid']}" in stats
    with pysam.AlignmentFile(str(res.tf_bam), check_sq=False) as fh:
        tf = list(fh)
        assert fh.header.to_dict()["RG"][0]["KS"] == "ATCG"
    assert len(tf) >= SMALL_WELLS_RUN["tf_reads"] - 2
    assert report["Filtering"]["ReadDetails"]["tf"]["valid"] == len(tf)
