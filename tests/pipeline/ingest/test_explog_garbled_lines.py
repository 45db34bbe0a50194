"""Garbled explog lines are skipped with warnings; unusable files raise ExplogError."""
import pytest

from pipeline.ingest.explog import ExplogError, parse_explog_text, read_explog


def test_garbled_lines_are_skipped_with_line_numbers():
    raw = (
        b"Experiment Name: run1\n"
        b"\x00\x13\xfe\xff\x80binary junk without colon\n"
        b"@@##!!: weird key\n"
        b"Flows: 4\x0700\n"  # control character inside a value is dropped
        b"just some words\n"
        b"Chip\xffType: 318\n"  # non-ASCII byte dropped, the key survives
        b"Cycles: lots\n"
    )
    log = parse_explog_text(raw)
    assert log.values["experiment_name"] == "run1"
    assert log.values["flows"] == 400
    assert log.values["chiptype"] == "318"
    assert log.values["cycles"] is None
    joined = "\n".join(log.warnings)
    assert "line 2" in joined and "line 3" in joined and "line 5" in joined
    assert "cycles: cannot read value 'lots'" in joined
    assert log.require() is log


def test_empty_or_all_garbage_file_is_a_clear_error(tmp_path):
    empty = tmp_path / "explog.txt"
    empty.write_bytes(b"  \n\n")
    with pytest.raises(ExplogError, match="empty"):
        read_explog(empty)
    junk = tmp_path / "explog_final.txt"
    junk.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ExplogError, match="no 'Key: Value' lines"):
        read_explog(junk)
    with pytest.raises(ExplogError, match="not found"):
        read_explog(tmp_path / "nope" / "explog.txt")
