"""Simulated chip: geometry and streaming placement of beads into wells.

Kinds of wells: empty, library bead, TF bead, dud bead (no template signal), bad-key
library bead (fails keypass), pinned well. Exact totals are drawn band by band with a
multivariate hypergeometric draw, so memory does not grow with the number of reads.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..formats.bfmask import MaskBit

EMPTY, LIB, TF, DUD, BADKEY, PINNED = 0, 1, 2, 3, 4, 5
KIND_NAMES = {EMPTY: "empty", LIB: "lib", TF: "tf", DUD: "dud", BADKEY: "badkey",
              PINNED: "pinned"}
KIND_MASK = np.array([
    MaskBit.EMPTY,
    MaskBit.BEAD | MaskBit.LIVE | MaskBit.LIB,
    MaskBit.BEAD | MaskBit.LIVE | MaskBit.TF,
    MaskBit.BEAD | MaskBit.DUD,
    MaskBit.BEAD | MaskBit.LIVE | MaskBit.LIB,
    MaskBit.PINNED,
], dtype=np.uint16)


@dataclass
class ChipLayout:
    rows: int
    cols: int
    counts: dict          # kind -> number of wells

    @classmethod
    def for_beads(cls, *, lib: int, tf: int, dud: int, badkey: int, loading: float,
                  pinned_fraction: float = 0.0005) -> "ChipLayout":
        if not 0.05 <= loading <= 1.0:
            raise ValueError("loading must be between 0.05 and 1")
        beads = lib + tf + dud + badkey
        wells = max(16, math.ceil(beads / loading))
        pinned = int(round(wells * pinned_fraction))
        wells += pinned
        cols = max(4, math.ceil(math.sqrt(wells * 1.25)))
        rows = math.ceil(wells / cols)
        empty = rows * cols - beads - pinned
        return cls(rows, cols, {EMPTY: empty, LIB: lib, TF: tf, DUD: dud, BADKEY: badkey,
                                PINNED: pinned})

    def bands(self, rng, band_rows: int):
        """Yield (row0, row1, kind grid [n_rows, cols]) covering the chip top to bottom."""
        remaining = np.array([self.counts[k] for k in range(6)], dtype=np.int64)
        for r0 in range(0, self.rows, band_rows):
            r1 = min(self.rows, r0 + band_rows)
            n = (r1 - r0) * self.cols
            if r1 == self.rows:
                draw = remaining.copy()
            else:
                draw = rng.multivariate_hypergeometric(remaining, n)
            remaining -= draw
            grid = np.repeat(np.arange(6, dtype=np.int8), draw)
            rng.shuffle(grid)
            yield r0, r1, grid.reshape(r1 - r0, self.cols)
