"""Broken inputs to the basecaller give a clear exception (and CLI status 2)."""
import shutil

import numpy as np
import pytest

from pipeline.basecaller import BasecallerInputError, basecall_run
from pipeline.basecaller.cli import main
from pipeline.formats.bfmask import MaskFormatError, write_bfmask
from pipeline.formats.wells import WellsFormatError, WellsWriter


@pytest.fixture
def sigproc(tmp_path):
    d = tmp_path / "sigproc_results"
    d.mkdir()
    with WellsWriter(d / "1.wells", 6, 8, "TACG" * 10) as w:
        w.write_rows(0, np.random.default_rng(0).normal(0, 1, (6, 8, 40)))
    write_bfmask(d / "analysis.bfmask.bin", np.full((6, 8), 2, dtype=np.uint16))
    return d


def test_truncated_wells(sigproc, tmp_path):
    data = (sigproc / "1.wells").read_bytes()
    (sigproc / "1.wells").write_bytes(data[: len(data) // 2])
    with pytest.raises(WellsFormatError, match=r"1\.wells.*(truncated or corrupt)"):
        basecall_run(sigproc, tmp_path / "out")


def test_garbage_and_missing_wells(sigproc, tmp_path):
    (sigproc / "1.wells").write_bytes(b"not an hdf5 file at all" * 10)
    with pytest.raises(WellsFormatError, match="not a readable HDF5 file"):
        basecall_run(sigproc, tmp_path / "out")
    (sigproc / "1.wells").unlink()
    with pytest.raises(WellsFormatError, match="does not exist"):
        basecall_run(sigproc, tmp_path / "out")


def test_mask_problems(sigproc, tmp_path):
    write_bfmask(sigproc / "analysis.bfmask.bin", np.zeros((5, 8), dtype=np.uint16))
    with pytest.raises(BasecallerInputError, match="bead mask .* is 5x8 but 1.wells is 6x8"):
        basecall_run(sigproc, tmp_path / "out")
    raw = (sigproc / "analysis.bfmask.bin").read_bytes()
    (sigproc / "analysis.bfmask.bin").write_bytes(raw[:-3])
    with pytest.raises(MaskFormatError, match="has 85 bytes but 5x8 wells need 88"):
        basecall_run(sigproc, tmp_path / "out")


def test_wells_without_flow_order(tmp_path):
    import h5py

    d = tmp_path / "s"
    d.mkdir()
    with h5py.File(d / "1.wells", "w") as fh:
        fh.create_dataset("wells", data=np.zeros((2, 2, 8), np.float32))
    with pytest.raises(BasecallerInputError, match="no flow order"):
        basecall_run(d, tmp_path / "out")
    with h5py.File(d / "1.wells", "w") as fh:
        fh.create_dataset("wells", data=np.zeros((2, 8), np.float32))
    with pytest.raises(WellsFormatError, match="must be 3-D"):
        basecall_run(d, tmp_path / "out")


def test_cli_status_2(sigproc, tmp_path, capsys):
    shutil.copy(sigproc / "1.wells", tmp_path / "copy.wells")
    (sigproc / "1.wells").write_bytes(b"x" * 100)
    assert main([str(sigproc), str(tmp_path / "out"), "--run-id", "ABCDE"]) == 2
    assert "not a readable HDF5 file" in capsys.readouterr().err
    assert main([str(sigproc), str(tmp_path / "out"), "--run-id", "ABCDE",
                 "--wells", str(tmp_path / "copy.wells"), "--phasing", "0.1,0.2"]) == 2
    assert "three non-negative numbers" in capsys.readouterr().err
