"""Format (b): 1.wells, bead mask and truth agree."""
import json

import numpy as np

from pipeline.basecaller.flowspace import key_flow_vector
from pipeline.formats.bfmask import MaskBit, read_bfmask
from pipeline.formats.wells import WellsReader
from pipeline.simulate.testing import SMALL_WELLS_RUN, small_wells_run
from pipeline.simulate.truth import read_truth


def test_wells_mask_and_truth_agree(tmp_path_factory):
    run = small_wells_run(tmp_path_factory.getbasetemp())
    sig = run.run_dir / "sigproc_results"
    params = json.loads(run.params_path.read_text())
    mask = read_bfmask(sig / "analysis.bfmask.bin")
    assert mask.shape == (params["chip"]["rows"], params["chip"]["cols"])
    truth = read_truth(run.truth_path)
    kinds = {k: [t for t in truth if t["kind"] == k] for k in ("lib", "tf", "badkey", "dud")}
    n_lib, n_tf = SMALL_WELLS_RUN["reads"], SMALL_WELLS_RUN["tf_reads"]
    n_bad = round(n_lib * SMALL_WELLS_RUN["bad_key_fraction"])
    assert (len(kinds["lib"]), len(kinds["tf"]), len(kinds["badkey"])) == (n_lib, n_tf, n_bad)
    for t in kinds["lib"] + kinds["badkey"]:
        assert mask[int(t["row"]), int(t["col"])] & MaskBit.LIB
    for t in kinds["tf"]:
        assert mask[int(t["row"]), int(t["col"])] & MaskBit.TF
    for t in kinds["dud"]:
        assert mask[int(t["row"]), int(t["col"])] & MaskBit.DUD
    assert int(np.count_nonzero(mask & MaskBit.BEAD)) == sum(len(v) for v in kinds.values())
    stats = (sig / "analysis.bfmask.stats").read_text()
    assert f"Library Beads = {n_lib + n_bad}" in stats
    assert f"Test Fragment Beads = {n_tf}" in stats

    with WellsReader(sig / "1.wells") as w:
        assert (w.rows, w.cols, w.flows) == mask.shape + (140,)
        assert w.flow_order == params["flow_order"]
        assert w.info["LibraryKey"] == "TCAG"
        data = w.read_rows(0, w.rows)
    # Library beads show the key: 1-mer flows high, 0-mer flows low (raw units).
    key = key_flow_vector("TCAG", params["flow_order"])[:-1]
    lib = np.array([data[int(t["row"]), int(t["col"]), :key.size] for t in kinds["lib"]])
    assert np.all(np.rint(lib / lib[:, key == 1].mean(axis=1, keepdims=True)) == key)
    empty = data[(mask & MaskBit.EMPTY) > 0]
    assert abs(float(empty.mean())) < 1.0 and float(empty.std()) < 10.0
    for t in kinds["lib"]:
        assert len(t["template"]) == int(t["prefix_len"]) + int(t["insert_len"])
