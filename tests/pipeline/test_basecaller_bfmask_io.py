"""analysis.bfmask.bin round trip and the stats popcounts."""
import numpy as np
import pytest

from pipeline.formats.bfmask import (MaskBit, MaskFormatError, bfmask_stats, read_bfmask,
                                     write_bfmask, write_bfmask_stats)


def test_roundtrip_and_stats(tmp_path):
    mask = np.zeros((4, 5), dtype=np.uint16)
    mask[0, :] = MaskBit.BEAD | MaskBit.LIVE | MaskBit.LIB
    mask[1, :2] = MaskBit.BEAD | MaskBit.LIVE | MaskBit.TF
    mask[1, 2] = MaskBit.BEAD | MaskBit.DUD
    mask[2, :] = MaskBit.EMPTY
    mask[3, 0] = MaskBit.PINNED
    mask[3, 1] = MaskBit.EXCLUDE
    write_bfmask(tmp_path / "m.bin", mask)
    raw = (tmp_path / "m.bin").read_bytes()
    assert raw[:8] == np.array([4, 5], dtype="<u4").tobytes() and len(raw) == 8 + 40
    assert np.array_equal(read_bfmask(tmp_path / "m.bin"), mask)
    s = bfmask_stats(mask, filtered={"lib": {"keypass": 1, "valid": 4}})
    assert (s["Total Wells"], s["Bead Wells"], s["Live Beads"], s["Library Beads"],
            s["Test Fragment Beads"], s["Dud Beads"], s["Empty Wells"], s["Pinned Wells"],
            s["Excluded Wells"]) == (20, 8, 7, 5, 2, 1, 5, 1, 1)
    assert s["Percent Template-Positive Library Beads"] == round(100 * 5 / 6, 2)
    assert s["Lib Filtered Beads (fail keypass)"] == 1 and s["Lib Validated Beads"] == 4
    write_bfmask_stats(tmp_path / "s.stats", s)
    lines = (tmp_path / "s.stats").read_text().splitlines()
    assert lines[0] == "[global]" and "Bead Wells = 8" in lines
    assert bfmask_stats(np.zeros((2, 2), np.uint16))[
        "Percent Template-Positive Library Beads"] == "NA"


def test_truncated_mask(tmp_path):
    (tmp_path / "m.bin").write_bytes(b"\x01\x00")
    with pytest.raises(MaskFormatError, match="truncated"):
        read_bfmask(tmp_path / "m.bin")
