"""Flow order from the Image Map, and flows/cycles derivation."""
from pipeline.ingest.explog import flow_order_from_image_map, parse_explog_text
from pipeline.ingest.mapping import derive_run_info


def _info(tmp_path, text):
    return derive_run_info(parse_explog_text("Experiment Name: x\n" + text), tmp_path / "PGM01" / "R_x")


def test_pgm_image_map_tokens(tmp_path):
    info = _info(tmp_path, "Image Map: 4 0 r4 1 r3 2 r2 3 r1\nFlows: 500\n")
    assert info.experiment["flowsInOrder"] == "TACG"
    assert (info.experiment["flows"], info.experiment["cycles"]) == (500, 125)


def test_flow_order_string_and_cycles(tmp_path):
    info = _info(tmp_path, "Image Map: TACGTACGTCTGAGCATCGATCGATGTACAGC\nCycles: 10\n")
    assert info.experiment["flowsInOrder"] == "TACGTACGTCTGAGCATCGATCGATGTACAGC"
    assert (info.experiment["flows"], info.experiment["cycles"]) == (320, 10)


def test_short_or_missing_maps():
    assert flow_order_from_image_map("1 r1 2 xx") == "TACG"
    assert flow_order_from_image_map("") == ""
    assert flow_order_from_image_map("tacgtacg") == "TACGTACG"
