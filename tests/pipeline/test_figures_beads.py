"""Bead density heatmaps."""
import numpy as np
from PIL import Image

from pipeline.figures import bead_density, box_sum


def test_box_sum_is_percent_loaded(tmp_path):
    m = np.zeros((200, 300), np.uint8)
    m[:, :150] = 1
    b = box_sum(m)
    assert b[100, 50] == 100 and b[100, 250] == 0
    assert b[0, 0] == 100  # reflected borders keep a full window


def test_bead_density_pngs_and_title(tmp_path):
    flags = np.zeros((200, 300), np.uint16)
    flags[:, :150] |= 1 << 1  # Bead bit
    flags[0, 299] |= 1 << 10  # excluded, not a bead
    out = bead_density(flags, str(tmp_path), run_name="R1", stats={"Total Wells": 60000, "Excluded Wells": 0,
                                                                   "Bead Wells": 30000})
    assert out.endswith("Bead_density_contour.png")
    for name, side in {"raw": 100, "20": 20, "70": 70, "200": 200, "1000": 1000}.items():
        w, h = Image.open(tmp_path / f"Bead_density_{name}.png").size
        assert max(w, h) >= side and side in (w, h)


def test_bead_density_from_mask_file_and_absent(tmp_path):
    flags = np.zeros((20, 30), np.uint16)
    flags[5:10, 5:10] = 2
    p = tmp_path / "analysis.bfmask.bin"
    with open(p, "wb") as fh:
        fh.write(np.array([20, 30], "<u4").tobytes())
        fh.write(flags.astype("<u2").tobytes())
    assert bead_density(str(p), str(tmp_path / "o")) is not None
    assert bead_density(None, str(tmp_path)) is None
    assert bead_density(str(tmp_path / "missing.bin"), str(tmp_path)) is None
