"""``datasets_basecaller.json``, the barcode ``filtered`` rule, and plugin barcodes.json.

Layout: ``datasets[]`` (dataset_name, file_prefix, read_groups,
basecaller_bam, read_count) and ``read_groups{}`` keyed ``<runID>`` (non
barcoded) or ``<runID>.<barcode>`` / ``<runID>.nomatch`` with index, sample,
reference, description, platform_unit, read_count, total_bases, Q20_bases,
barcode info and — for barcode groups only — ``filtered``.

Filtered rule (the composite-merge rule, also the one documented for plugins):
T = max(filter_minreads, floor(max barcode read_count
× filter_frequency)); for each barcoded, non-control read group: filtered if
5 × barcode_adapter_filtered > read_count; else never filtered when it has a
sample name; else filtered iff read_count <= T (so empty barcodes are
filtered). The nomatch group carries no ``filtered`` key.
"""
import math
import os
import re

import numpy as np

from rundb.files import atomic_write_json

from .bamio import CHUNK_BYTES, BamReader, q20_counts

DEFAULT_FILTER_FREQUENCY = 0.01
DEFAULT_FILTER_MINREADS = 10


def count_bam(path, *, chunk_bytes=CHUNK_BYTES):
    """Streaming per-read-group counts of one BAM (primary records).

    Returns {"read_count", "total_bases", "Q20_bases", "read_groups": {RG: {...}}};
    records without an RG tag are counted under "".
    """
    per = {}
    with BamReader(path, chunk_bytes=chunk_bytes) as bam:
        for chunk in bam.chunks():
            prim = np.flatnonzero((chunk.flag & 0x900) == 0)
            if prim.size == 0:
                continue
            L = chunk.l_seq[prim]
            q20 = q20_counts(chunk, chunk.qual_off[prim], L)
            labels, inv = _rg_values(chunk, prim)
            for k, lab in enumerate(labels):
                m = inv == k
                d = per.setdefault(lab, {"read_count": 0, "total_bases": 0, "Q20_bases": 0})
                d["read_count"] += int(m.sum())
                d["total_bases"] += int(L[m].sum())
                d["Q20_bases"] += int(q20[m].sum())
    tot = {k: sum(d[k] for d in per.values()) for k in ("read_count", "total_bases", "Q20_bases")}
    tot["read_groups"] = per
    return tot


def _rg_values(chunk, idx):
    found = chunk.find_tags(["RG"], stop_when_found=True)["RG"]
    off, size = found[0][idx], found[2][idx]
    has = off >= 0
    inv = np.zeros(len(idx), dtype=np.int64)
    labels = []
    if (~has).any():
        labels.append("")
    if has.any():
        o = off[has]
        ln = size[has] - 1
        w = int(ln.max()) if ln.size else 0
        mat = chunk.buf[np.minimum(o[:, None] + np.arange(max(w, 1)), len(chunk.buf) - 1)].copy()
        mat[np.arange(max(w, 1))[None, :] >= ln[:, None]] = 0
        if (mat == mat[0]).all():  # usual case: one read group per file
            u, k = mat[:1], np.zeros(len(mat), dtype=np.int64)
        else:
            u, k = np.unique(mat, axis=0, return_inverse=True)
        base = len(labels)
        labels += [bytes(r).rstrip(b"\0").decode("ascii", "replace") for r in u]
        inv[has] = base + k.ravel()
    return labels, inv


def _alnum_space(s):
    return re.sub(r"[^A-Za-z0-9 ]", "", s or "")


def build_datasets(run_id, *, barcode_kit=None, counts=None, samples=None, reference="",
                   platform_unit="", description="", barcode_id="", site_name="", instrument="",
                   barcode_errors=None):
    """datasets_basecaller.json content.

    ``counts``: {dataset name ("rawlib" | id_str | "nomatch"): {read_count, total_bases, Q20_bases}}.
    ``barcode_kit``: normalized kit (see barcodes.load_barcode_kit) or None.
    ``samples``: {id_str | "nomatch" | "rawlib": sample name}. Unassigned -> "none".
    """
    counts = counts or {}
    samples = samples or {}
    barcode_errors = barcode_errors or {}
    center = re.sub(r"[^A-Za-z0-9]", "", site_name or "") + "/" + (instrument or "")
    out = {
        "meta": {"format_name": "Dataset Map", "format_version": "1.0"},
        "sequencing_center": center,
        "datasets": [],
        "read_groups": {},
        "barcode_config": {"barcode_id": barcode_id or ""},
    }

    def add(name, prefix, rg, group):
        c = counts.get(name, {})
        group.update({"read_count": int(c.get("read_count", 0)), "total_bases": int(c.get("total_bases", 0)),
                      "Q20_bases": int(c.get("Q20_bases", 0))})
        out["read_groups"][rg] = group
        out["datasets"].append({"dataset_name": name, "file_prefix": prefix, "read_groups": [rg],
                                "basecaller_bam": f"{prefix}.basecaller.bam",
                                "read_count": group["read_count"]})

    if not barcode_kit:
        add("rawlib", "rawlib", run_id, {
            "index": 0, "sample": samples.get("rawlib", "none") or "none", "reference": reference or "",
            "description": _alnum_space(description), "platform_unit": platform_unit})
        return out
    add("nomatch", "nomatch_rawlib", f"{run_id}.nomatch", {
        "index": 0, "sample": samples.get("nomatch", "none") or "none", "reference": "",
        "description": _alnum_space(description),
        "platform_unit": f"{platform_unit}/nomatch" if platform_unit else "nomatch"})
    for b in barcode_kit:
        nm = b["id_str"]
        grp = {
            "index": b.get("index", 0), "sample": samples.get(nm, "none") or "none", "reference": reference or "",
            "description": _alnum_space(description),
            "platform_unit": f"{platform_unit}/{nm}" if platform_unit else nm,
            "barcode_name": nm, "barcode_sequence": b["sequence"], "barcode_adapter": b.get("adapter", ""),
            "barcode": {"barcode_name": nm, "barcode_sequence": b["sequence"],
                        "barcode_adapter": b.get("adapter", ""),
                        "barcode_errors_hist": barcode_errors.get(nm) or [0, 0, 0],
                        "barcode_adapter_filtered": 0, "barcode_match_filtered": 0},
            "barcode_adapter_filtered": 0,
            "controlType": b.get("controlType", "") or "",
            "nucleotide_type": b.get("nucleotide_type", "") or "",
        }
        add(nm, f"{nm}_rawlib", f"{run_id}.{nm}", grp)
    return out


def apply_barcode_filter(datasets, *, filter_frequency=DEFAULT_FILTER_FREQUENCY,
                         filter_minreads=DEFAULT_FILTER_MINREADS):
    """Set ``filtered`` on barcoded read groups (in place) and return the dict."""
    groups = datasets.get("read_groups", {})
    barcoded = {k: g for k, g in groups.items() if g.get("barcode_name") or g.get("barcode_sequence")}
    if not barcoded:
        return datasets
    max_count = max((g.get("read_count", 0) for g in barcoded.values()), default=0)
    T = max(filter_minreads, int(math.floor(max_count * filter_frequency)))
    datasets["barcode_filters"] = {"filter_frequency": filter_frequency, "filter_minreads": filter_minreads,
                                   "filter_postpone": 1, "threshold": T}
    for g in barcoded.values():
        if g.get("controlType"):
            g["filtered"] = False
            continue
        n = int(g.get("read_count", 0))
        sample = (g.get("sample") or "").strip()
        if 5 * int(g.get("barcode_adapter_filtered", 0)) > n:
            g["filtered"] = True
        elif sample and sample.lower() != "none":
            g["filtered"] = False
        else:
            g["filtered"] = n <= T
    return datasets


def dataset_filtered(datasets, dataset):
    """A dataset is filtered when all its read groups are."""
    rgs = [datasets["read_groups"].get(r, {}) for r in dataset.get("read_groups", [])]
    return bool(rgs) and all(g.get("filtered", False) for g in rgs)


def write_json(path, data):
    """Write ``data`` as indented JSON in one step (readers never see half a file); returns ``path``."""
    atomic_write_json(path, data, indent=2)
    return path


def barcodes_json(datasets, report_dir, *, bam_paths=None, aligned=False, reference="", reference_fullpath="",
                  genome_urlpath="", include_filtered=False, barcode_kit=None, sample_ids=None):
    """The plugin ``barcodes.json`` mapping (the format plugins read) from datasets_basecaller.json.

    Keys: barcode id_str for barcoded runs (nomatch excluded), ``"nonbarcoded"``
    otherwise. Filtered barcodes are left out unless ``include_filtered``.
    ``bam_paths``: {dataset name: path of its final BAM}.
    """
    bam_paths = bam_paths or {}
    sample_ids = sample_ids or {}
    kit = {b["id_str"]: b for b in (barcode_kit or [])}
    out = {}
    for ds in datasets.get("datasets", []):
        name = ds["dataset_name"]
        if name == "nomatch":
            continue
        g = datasets["read_groups"][ds["read_groups"][0]]
        if g.get("filtered") and not include_filtered:
            continue
        path = bam_paths.get(name) or os.path.join(report_dir, f"{ds['file_prefix']}.bam")
        sample = g.get("sample", "")
        entry = {
            "aligned": bool(aligned),
            "bam_file": os.path.basename(path),
            "bam_filepath": path,
            "control_sequence_type": "",
            "filtered": bool(g.get("filtered", False)),
            "genome_urlpath": genome_urlpath if aligned else "",
            "hotspot_filepath": "",
            "nucleotide_type": g.get("nucleotide_type", ""),
            "read_count": int(g.get("read_count", 0)),
            "reference": reference if aligned else "",
            "reference_fullpath": reference_fullpath if aligned else "",
            "sample": "" if sample in ("none", None) else sample,
            "sample_id": sample_ids.get(name, ""),
            "target_region_filepath": "",
        }
        if name == "rawlib":
            out["nonbarcoded"] = entry
            continue
        b = kit.get(name, {})
        entry.update({
            "barcode_adapter": g.get("barcode_adapter", b.get("adapter", "")),
            "barcode_annotation": b.get("annotation", ""),
            "barcode_description": "",
            "barcode_index": int(g.get("index", b.get("index", 0)) or 0),
            "barcode_name": name,
            "barcode_sequence": g.get("barcode_sequence", b.get("sequence", "")),
            "barcode_type": b.get("type", ""),
        })
        out[name] = dict(sorted(entry.items()))
    return dict(sorted(out.items(), key=lambda kv: kv[1].get("barcode_index", 0)))
