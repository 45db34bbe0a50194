"""CF/IE/DR estimated by the basecaller match the simulated values."""
import json

from pipeline.simulate.testing import SMALL_WELLS_RUN, cached_basecall, small_wells_run


def test_phasing_recovered(tmp_path_factory):
    run = small_wells_run(tmp_path_factory.getbasetemp())
    res = cached_basecall(run)
    report = json.loads(res.basecaller_json.read_text())
    ph = report["Phasing"]
    assert ph["estimated"] is True and ph["training_reads"] >= 100
    assert abs(ph["CF"] - SMALL_WELLS_RUN["cf"]) < 0.0015
    assert abs(ph["IE"] - SMALL_WELLS_RUN["ie"]) < 0.0015
    assert abs(ph["DR"] - SMALL_WELLS_RUN["dr"]) < 0.0006
