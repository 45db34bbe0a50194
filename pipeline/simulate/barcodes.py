"""Barcode kits as plain data, and junk 5' prefixes for simulated no-match reads.

A kit is a list of dicts ``{"id_str", "sequence", "adapter", "index", "name"}``. Loading
from the Django fixture JSON (model ``rundb.dnabarcode``) needs no Django.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..basecaller.flowspace import decode, seq_flow_vector


def load_barcode_kit(path, name: str | None = None) -> list:
    """Barcodes from a fixture file (list of ``{"model","fields"}``) or a plain JSON list
    of dicts; optionally only the kit ``name``; sorted by index."""
    data = json.loads(Path(path).read_text())
    out = []
    for row in data:
        f = row.get("fields", row)
        if "model" in row and row["model"] != "rundb.dnabarcode":
            continue
        if name is not None and f.get("name") != name:
            continue
        out.append({"id_str": f["id_str"], "sequence": f["sequence"].upper(),
                    "adapter": (f.get("adapter") or "").upper(), "index": int(f.get("index", 0)),
                    "name": f.get("name", "")})
    if not out:
        raise ValueError(f"{path}: no barcodes" + (f" of kit {name!r}" if name else ""))
    out.sort(key=lambda b: (b["index"], b["id_str"]))
    return out


def normalise_kit(barcode_kit) -> list:
    """Accept dicts or (id_str, sequence, adapter) tuples; validate."""
    out = []
    for i, b in enumerate(barcode_kit or []):
        if isinstance(b, dict):
            d = {"id_str": b["id_str"], "sequence": b["sequence"].upper(),
                 "adapter": (b.get("adapter") or "").upper(), "index": int(b.get("index", i + 1)),
                 "name": b.get("name", "")}
        else:
            id_str, seq, adapter = b
            d = {"id_str": id_str, "sequence": seq.upper(), "adapter": (adapter or "").upper(),
                 "index": i + 1, "name": ""}
        if not d["sequence"] or set(d["sequence"]) - set("ACGT"):
            raise ValueError(f"barcode {d['id_str']}: sequence must be non-empty ACGT")
        if set(d["adapter"]) - set("ACGT"):
            raise ValueError(f"barcode {d['id_str']}: adapter must be ACGT")
        out.append(d)
    ids = [b["id_str"] for b in out]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate barcode id_str in kit")
    return out


def select_barcodes(kit: list, barcodes) -> tuple[list, np.ndarray]:
    """Barcodes used by the run and their relative weights.

    ``barcodes``: int N (first N of the kit), list of id_str, or {id_str: weight}.
    """
    by_id = {b["id_str"]: b for b in kit}
    if isinstance(barcodes, int):
        if barcodes < 1 or barcodes > len(kit):
            raise ValueError(f"barcodes={barcodes}: the kit has {len(kit)} barcodes")
        chosen, weights = kit[:barcodes], [1.0] * barcodes
    elif isinstance(barcodes, dict):
        chosen, weights = [], []
        for k, w in barcodes.items():
            if k not in by_id:
                raise ValueError(f"barcode {k!r} is not in the kit")
            if w < 0:
                raise ValueError(f"barcode {k!r}: negative weight")
            chosen.append(by_id[k])
            weights.append(float(w))
    else:
        chosen = []
        for k in barcodes:
            if k not in by_id:
                raise ValueError(f"barcode {k!r} is not in the kit")
            chosen.append(by_id[k])
        weights = [1.0] * len(chosen)
    w = np.asarray(weights, dtype=np.float64)
    if w.sum() <= 0:
        raise ValueError("barcode weights sum to zero")
    return chosen, w / w.sum()


def nomatch_prefixes(barcodes: list, key: str, flow_order: str, rng, count: int = 64,
                     min_distance: int = 4) -> list:
    """Random 5' prefixes (junk barcode + the kit adapter) whose flow-space distance to
    every barcode (key+barcode+adapter, over the barcode flows) is >= ``min_distance``."""
    full = [key + b["sequence"] + b["adapter"] for b in barcodes]
    vecs = [seq_flow_vector(s, flow_order) for s in full]
    lengths = [len(b["sequence"]) for b in barcodes]
    adapter = barcodes[0]["adapter"] if barcodes else ""
    out = []
    tries = 0
    while len(out) < count and tries < count * 200:
        tries += 1
        n = int(rng.choice(lengths))
        junk = decode(rng.integers(0, 4, n).astype(np.uint8))
        v = seq_flow_vector(key + junk + adapter, flow_order)
        if all(int(np.abs(v[:u.size] - u).sum()) >= min_distance
               for u in vecs):
            out.append(junk + adapter)
    if len(out) < count:
        raise RuntimeError("could not generate no-match prefixes far from the barcodes")
    return out
