"""simulate_run(blocks=(R, C)): a composite chip delivered as per-block 1.wells + bead masks,
with one BlockStatus line per block; bad block options are refused."""
import argparse
import json

import numpy as np
import pytest

from pipeline.formats.bfmask import read_bfmask
from pipeline.formats.wells import WellsReader
from pipeline.ingest.explog import read_explog
from pipeline.simulate import simulate_run
from pipeline.simulate.cli import parse_blocks


def test_blocks_tile_the_chip(tmp_path):
    run = simulate_run(tmp_path / "R_2024_01_02_03_04_05_user_b", reads=300, fmt="wells", blocks=(1, 3), seed=2)
    folders = sorted((run.run_dir / "onboard_results" / "sigproc_results").glob("block_*"))
    assert len(folders) == 3
    assert not (run.run_dir / "sigproc_results" / "1.wells").exists()  # only the blocks are input
    total_beads, widths = 0, []
    for folder in folders:
        with WellsReader(folder / "1.wells") as w:
            mask = read_bfmask(folder / "analysis.bfmask.bin")
            assert mask.shape == (w.rows, w.cols)
            widths.append(w.cols)
        total_beads += int(np.count_nonzero(mask))
    explog = read_explog(run.run_dir / "explog_final.txt")
    assert len(explog.blocks) == 3
    params = json.loads(run.params_path.read_text())
    assert sum(widths) == params["chip"]["cols"]
    assert total_beads > 300


def test_bad_block_options(tmp_path):
    with pytest.raises(ValueError, match="fmt='wells' only"):
        simulate_run(tmp_path / "a", reads=10, fmt="bam", blocks=(2, 2))
    with pytest.raises(ValueError, match="at least 1"):
        simulate_run(tmp_path / "b", reads=10, fmt="wells", blocks=(0, 2))
    assert parse_blocks("2x3") == (2, 3)
    with pytest.raises(argparse.ArgumentTypeError):
        parse_blocks("2by3")
