"""The simulator and the analysis name runs with one run-id hash (pipeline/runid.py)."""
import re

from pipeline.analysis_launch import run_id
from pipeline.simulate import run_id_for


def test_simulator_and_analysis_agree_on_long_names():
    # Long names are where an unbounded and a per-step-masked hash part ways.
    for name, pk in [("Auto_user_SN2-1234-A_Example_Run_With_A_Long_Name", 17), ("R", 1), ("", 0)]:
        assert run_id_for(f"{name}_{pk}") == run_id(name, pk)


def test_run_id_is_five_base36_characters_and_spreads():
    ids = {run_id("Auto_x", pk) for pk in range(1, 200)}
    assert all(re.fullmatch(r"[A-Z0-9]{5}", i) for i in ids)
    assert len(ids) > 190
