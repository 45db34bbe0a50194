"""Bead loading density heatmaps: ``Bead_density_*.png``.

0/1 bead array -> 10x10 box *sum* (symmetric-reflected borders) = percent of
loaded wells around each well (0-100); contour image with colour bar and the
average loading in the title; plus full-bleed thumbnails whose bounding side
is 100 (raw), 20, 70, 200 and 1000 px.
"""
import os

import numpy as np
from matplotlib import colormaps
from PIL import Image

from .canvas import new_figure, save

BEAD_BIT = 1 << 1
EXCLUDE_BIT = 1 << 10
SIZES = {"raw": 100, "20": 20, "70": 70, "200": 200, "1000": 1000}


def box_sum(a, size=10):
    """Sum over a size x size window (origin like scipy.ndimage.correlate, mode 'reflect')."""
    a = np.asarray(a, dtype=np.float64)
    before, after = size // 2, size - 1 - size // 2
    p = np.pad(a, ((before, after), (before, after)), mode="symmetric")
    c = np.zeros((p.shape[0] + 1, p.shape[1] + 1))
    c[1:, 1:] = p.cumsum(0).cumsum(1)
    h, w = a.shape
    return c[size:size + h, size:size + w] - c[:h, size:size + w] - c[size:size + h, :w] + c[:h, :w]


def _resize(img, width, height, resample=Image.BICUBIC):
    im = Image.fromarray(np.ascontiguousarray(img))
    return np.asarray(im.resize((max(1, int(width)), max(1, int(height))), resample))


def bounding_size(h, w, side):
    """(width, height) for a bounding side, with the original's width/height rule."""
    if w / h > 1.6 or (h > w and h / w < 1.6):
        return side, max(1, round(side * h / w))
    return max(1, round(side * w / h)), side


def bead_density(mask, out_dir, *, run_name="", stats=None):
    """Write the Bead_density PNGs; returns the contour path or None without a mask.

    ``mask``: a 2-D 0/1 bead array, a bfmask flags array (uint16, Bead bit used),
    or the path of an ``analysis.bfmask.bin``. ``stats``: parsed bfmask stats for
    the title average (100 x Bead / (Total - Excluded)); else computed from the mask.
    """
    if mask is None:
        return None
    if isinstance(mask, (str, os.PathLike)):
        from pipeline.metrics.inputs import read_bfmask_bin
        mask = read_bfmask_bin(str(mask))
        if mask is None:
            return None
    m = np.asarray(mask)
    if m.ndim != 2 or m.size == 0:
        return None
    if m.dtype == np.uint16 and m.max() > 1:
        excluded = (m & EXCLUDE_BIT) != 0
        beads = ((m & BEAD_BIT) != 0).astype(np.float64)
    else:
        excluded = np.zeros(m.shape, dtype=bool)
        beads = (m != 0).astype(np.float64)
    if stats and stats.get("Total Wells"):
        denom = stats.get("Total Wells", 0) - stats.get("Excluded Wells", 0)
        avg = 100.0 * stats.get("Bead Wells", 0) / denom if denom > 0 else 0.0
    else:
        denom = (~excluded).sum()
        avg = 100.0 * beads[~excluded].sum() / denom if denom else 0.0
    h, w = beads.shape
    if max(h, w) > 20000 and h % 2 == 0 and w % 2 == 0:
        beads = beads.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))
        h, w = beads.shape
    dens = box_sum(beads)
    if max(h, w) > 2000:
        scale = 1000.0 / max(h, w)
        dens = _resize(dens.astype(np.float32), w * scale, h * scale)
    os.makedirs(out_dir, exist_ok=True)
    fig = new_figure(8, 6)
    ax = fig.add_subplot(111)
    im = ax.imshow(dens, cmap="jet", vmin=0, vmax=100, origin="lower", aspect="auto")
    cb = fig.colorbar(im, ax=ax)
    cb.set_label("%")
    ax.set_xlabel(f"{w} wells")
    ax.set_ylabel(f"{h} wells")
    ax.set_title(f"{run_name}\n Loading Density (Avg ~ {int(round(avg))}%)")
    contour = save(fig, os.path.join(out_dir, "Bead_density_contour.png"))
    rgba = (colormaps["jet"](np.clip(np.flipud(dens) / 100.0, 0, 1)) * 255).astype(np.uint8)
    dh, dw = dens.shape
    for name, side in SIZES.items():
        tw, th = bounding_size(dh, dw, side)
        Image.fromarray(_resize(rgba, tw, th, Image.BILINEAR)).save(os.path.join(out_dir, f"Bead_density_{name}.png"))
    return contour
