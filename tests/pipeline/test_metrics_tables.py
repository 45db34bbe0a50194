"""Metric-row dicts keyed by the API spec's Django field names; optional inputs (checks 19-21)."""
import json

import pytest

from pipeline.metrics import inputs
from pipeline.metrics.ionstats import IonStats
from pipeline.metrics.tables import analysis_metrics, lib_metrics, quality_metrics, tf_metrics

SKIP = {"id", "report", "resource_uri"}


def spec_fields(api_spec, name):
    f = api_spec[name]["fields"]
    names = f.keys() if isinstance(f, dict) else [x["name"] for x in f]
    return set(names) - SKIP


def test_row_keys_match_spec(api_spec):
    s = IonStats(400)
    assert set(quality_metrics(s)) == spec_fields(api_spec, "qualitymetrics")
    assert set(lib_metrics(s, None)) == spec_fields(api_spec, "libmetrics")
    assert set(lib_metrics(s, s)) == spec_fields(api_spec, "libmetrics")
    assert set(analysis_metrics({"Total Wells": 1}, None)) == spec_fields(api_spec, "analysismetrics")
    t = IonStats(400)
    t.aligned.num_reads = 600
    rows = tf_metrics({"TF_A": {"sequence": "ACGT", "stats": t}})
    assert set(rows[0]) == spec_fields(api_spec, "tfmetrics")


def test_tfs_with_few_reads_are_left_out():
    assert tf_metrics({"TF_A": {"sequence": "ACGT", "stats": IonStats(400)}}) == []


def test_bfmask_stats_to_analysis_metrics(tmp_path):
    p = tmp_path / "analysis.bfmask.stats"
    p.write_text("[global]\nTotal Wells = 1000\nExcluded Wells = 100\nBead Wells = 450\n"
                 "Percent Template-Positive Library Beads = NA\nLibrary Beads = 400\n")
    st = inputs.read_bfmask_stats(str(p))
    assert st["Percent Template-Positive Library Beads"] == -1
    am = analysis_metrics(st, None)
    assert am["adjusted_addressable"] == 900 and am["loading"] == pytest.approx(50.0)
    assert am["amb"] == 0 and am["keypass_all_beads"] == 0 and am["lib"] == 400
    assert am["sysCF"] is None and am["libFinal"] is None  # no BaseCaller.json


def test_basecaller_json_phasing(tmp_path):
    p = tmp_path / "BaseCaller.json"
    p.write_text(json.dumps({"Phasing": {"CF": 0.006, "IE": 0.004, "DR": 0.001},
                             "Filtering": {"ReadDetails": {"lib": {"valid": 777}, "tf": {"valid": 12}}}}))
    bc = inputs.read_basecaller_json(str(p))
    am = analysis_metrics(None, bc)
    assert am["sysCF"] == pytest.approx(0.6) and am["sysIE"] == pytest.approx(0.4)
    assert am["sysDR"] == pytest.approx(0.1) and am["libFinal"] == 777 and am["tfFinal"] == 12
    assert am["total"] is None  # no bfmask stats
    lm = lib_metrics(IonStats(400), None, basecaller_json=bc)
    assert lm["cf"] == pytest.approx(0.6) and lm["ie"] == pytest.approx(0.4) and lm["dr"] == pytest.approx(0.1)


def test_nuke_trace_key_signal(tmp_path):
    p = tmp_path / "avgNukeTrace_TCAG.txt"
    p.write_text("0 1 2 3\n2 1 5 2\nT 10 80 20\nC 5 100 30\nA 1 90 4\n")
    tr = inputs.read_nuke_trace(str(p))
    peak = inputs.key_peak(tr)
    assert peak == 90
    out = inputs.write_raw_peak_signal(str(tmp_path / "raw_peak_signal"), library=peak)
    assert "Library = 90" in open(out).read()
    assert lib_metrics(IonStats(400), None, key_signal=peak)["aveKeyCounts"] == 90.0


def test_missing_optional_files_give_none(tmp_path):
    assert inputs.read_bfmask_stats(str(tmp_path / "nope")) is None
    assert inputs.read_basecaller_json(str(tmp_path / "nope")) is None
    assert inputs.read_nuke_trace(str(tmp_path / "nope")) is None
    assert inputs.read_bfmask_bin(str(tmp_path / "nope")) is None
    assert analysis_metrics(None, None) is None
    lm = lib_metrics(IonStats(400), None)
    assert lm["cf"] is None and lm["aveKeyCounts"] is None and lm["sysSNR"] is None
    assert lm["align_sample"] == -1 and lm["raw_accuracy"] == 0.0


def test_corrupt_optional_file_is_an_error(tmp_path):
    from pipeline.stages.errors import PipelineError
    p = tmp_path / "BaseCaller.json"
    p.write_text("{not json")
    with pytest.raises(PipelineError, match="BaseCaller.json"):
        inputs.read_basecaller_json(str(p))
    m = tmp_path / "analysis.bfmask.bin"
    m.write_bytes(b"\x0a\x00\x00\x00\x0a\x00\x00\x00" + b"\x00" * 10)
    with pytest.raises(PipelineError, match="truncated"):
        inputs.read_bfmask_bin(str(m))


def test_quality_metrics_column_types():
    q = quality_metrics(IonStats(400))
    assert isinstance(q["q20_max_read_length"], float) and isinstance(q["q20_mean_read_length"], int)
    assert q["q0_reads"] == 0 and q["q0_median_read_length"] == 0
