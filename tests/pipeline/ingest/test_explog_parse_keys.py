"""explog parsing: key normalisation, typed values, repeated keys, blocks, sections."""
from pipeline.ingest.explog import parse_explog_text

TEXT = """\
Experiment Name: R_2012_04_30_15_22_02_user_T1
Planned Run GUID: 1234-abcd
ChipType: 314
Input//Output Path: /x
Flows: 500
Gain: 0.75
PreBeadfind: Yes
AnalyzeEarly: maybe
Oversample: 2x
Script Version: 3.4.1
Sample: first
Sample: second
ExperimentInfoLog:
\tKernel Build: 2.6
BlockStatus: X0, Y0, W1288, H1332, AutoAnalyze:1, AnalyzeEarly:1
block_001: X1288, Y0, W1288, H1332, AutoAnalyze:0, AnalyzeEarly:1
thumbnail_000: thumbnail, 0, W1200, H800, AutoAnalyze:1, AnalyzeEarly:1
ExperimentErrorLog:
Critical: something broke
WARNINGS: Critical: Lost Chip Connection
"""


def test_keys_are_normalised_and_typed():
    log = parse_explog_text(TEXT)
    v = log.values
    assert v["experiment_name"] == "R_2012_04_30_15_22_02_user_T1"
    assert v["planned_run_guid"] == "1234-abcd"
    assert v["chiptype"] == "314"
    assert v["input_output_path"] == "/x"
    assert v["flows"] == 500 and isinstance(v["flows"], int)
    assert v["gain"] == 0.75
    assert v["prebeadfind"] is True
    assert v["analyzeearly"] is None  # not yes/no
    assert v["oversample"] == 2
    assert v["script_version"] == [3, 4, 1]
    assert v["kernel_build"] == "2.6"  # indented lines inside a section are entries too


def test_repeated_keys_later_value_wins_and_is_recorded():
    log = parse_explog_text(TEXT)
    assert log.values["sample"] == "second"
    assert log.repeated_keys == ["sample"]


def test_block_and_thumbnail_entries_are_collected():
    log = parse_explog_text(TEXT)
    assert log.blocks == [
        "X0, Y0, W1288, H1332, AutoAnalyze:1, AnalyzeEarly:1",
        "X1288, Y0, W1288, H1332, AutoAnalyze:0, AnalyzeEarly:1",
    ]
    assert log.thumbnails == ["thumbnail, 0, W1200, H800, AutoAnalyze:1, AnalyzeEarly:1"]
    assert "block_001" not in log.values


def test_error_log_section_is_kept_apart_and_warnings_detected():
    log = parse_explog_text(TEXT)
    assert log.error_log == ["Critical: something broke", "WARNINGS: Critical: Lost Chip Connection"]
    assert "critical" not in log.values and "warnings" not in log.values
    assert log.lost_chip_connection and not log.aborted
    assert log.as_log()["experiment_error_log"] == log.error_log
    assert log.warnings == []
