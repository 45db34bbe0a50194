"""Missing required explog keys give an ExplogError naming them."""
import pytest

from pipeline.ingest.explog import ExplogError, parse_explog_text


def test_missing_keys_are_named():
    log = parse_explog_text("ChipType: 314\nExperiment Name:   \n", source="explog.txt")
    with pytest.raises(ExplogError) as err:
        log.require()
    assert err.value.missing == ("Experiment Name", "Flows (or Cycles)")
    assert "explog.txt" in str(err.value)
    assert "Experiment Name" in str(err.value) and "Flows (or Cycles)" in str(err.value)


def test_cycles_satisfy_the_flows_requirement():
    assert parse_explog_text("Experiment Name: a\nCycles: 10\n").missing_required() == []
    assert parse_explog_text("Experiment Name: a\nFlows: x\n").missing_required() == ["Flows (or Cycles)"]
