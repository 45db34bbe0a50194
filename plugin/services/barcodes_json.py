"""barcodes.json: one entry per barcode of a report (or a single `nonbarcoded` entry).

Sources: `basecaller_results/datasets_basecaller.json` of the report (datasets in file order,
read groups with counts and the `filtered` flag), the analysis settings (barcode kit,
reference, BED files, barcodedSamples), the dnaBarcode and ReferenceGenome tables.

Rules (SDK manual, "barcodes.json"): `nomatch` is never listed; filtered barcodes are left out
unless settings.PLUGINS_INCLUDE_FILTERED_BARCODES is true; a barcode that the plan assigns to a
sample is never filtered; entries are ordered by increasing `barcode_index`. When the datasets
file is missing (report still running, older layout) the barcodes are taken from the BAM files
present and from the plan's samples, with read_count 0.
"""
import logging
import re

from django.conf import settings

from .reportinfo import ReportContext, tmap_version

log = logging.getLogger(__name__)

BC_BAM_RE = re.compile(r"^(?P<bc>.+)_rawlib\.(?:basecaller\.)?bam$")

BARCODE_DEFAULTS = {
    "barcode_annotation": "", "barcode_type": "", "barcode_sequence": "", "barcode_adapter": "",
    "barcode_name": "", "barcode_index": 0, "barcode_description": "",
    "sample": "", "sample_id": "", "nucleotide_type": "", "control_sequence_type": "", "control_type": "",
    "end_barcode_name": "", "end_barcode_index": "", "end_barcode_adapter": "", "end_barcode_annotation": "",
    "end_barcode_sequence": "", "end_barcode_type": "", "dual_barcode_name": "", "end_barcode_kit_name": "",
}


def reference_fields(report, reference):
    """The reference keys of an entry for the short name `reference` ("" for none)."""
    row = report.reference_row(reference)
    fullpath = ""
    if row is not None and row.reference_path:
        fullpath = f"{row.reference_path.rstrip('/')}/{reference}.fasta"
    return {
        "reference": reference or "",
        "reference_fullpath": fullpath,
        "reference_full_name": row.name if row is not None else "",
        "genome_urlpath": f"/auth/output/{tmap_version()}/{reference}/{reference}.fasta" if reference else "",
    }


def _bam_fields(report, prefix, *, aligned):
    """bam_file and bam_filepath: the aligned BAM at the report root, else the basecaller BAM;
    an unaligned `<prefix>.bam` at the root is used when no basecaller BAM exists."""
    root = report.report_dir
    at_root = root / f"{prefix}.bam"
    basecaller = root / "basecaller_results" / f"{prefix}.basecaller.bam"
    if aligned or (not basecaller.exists() and at_root.exists()):
        return {"bam_file": at_root.name, "bam_filepath": str(at_root)}
    return {"bam_file": basecaller.name, "bam_filepath": str(basecaller)}


def _experiment_sample_id(report, sample_name):
    if report.experiment is None or not sample_name:
        return ""
    matches = [s for s in report.samples if sample_name in (s.name, s.displayedName)]
    return (matches[0].externalId or "") if len(matches) == 1 else ""


def _barcode_name_of(read_group_id):
    return read_group_id.split(".", 1)[1] if "." in read_group_id else read_group_id


def _sample_for_barcode(barcoded_samples, barcode):
    for sample_name, info in (barcoded_samples or {}).items():
        if isinstance(info, dict) and barcode in (info.get("barcodes") or []):
            return sample_name, info
    return None, None


def build_barcodes_json(result, *, include_filtered=None):
    """The barcodes.json dict of a report."""
    return barcodes_json(ReportContext.of(result), include_filtered=include_filtered)


def barcodes_json(report, *, include_filtered=None):
    """The barcodes.json dict of the report of a ReportContext."""
    if include_filtered is None:
        include_filtered = bool(getattr(settings, "PLUGINS_INCLUDE_FILTERED_BARCODES", False))
    if not (report.eas is not None and report.eas.barcodeKitName):
        return {"nonbarcoded": _nonbarcoded_entry(report)}
    entries = _barcoded_entries(report, include_filtered)
    entries.sort(key=lambda e: (e["barcode_index"] if isinstance(e["barcode_index"], int) else 0))
    return {e["barcode_name"]: e for e in entries}


def _eas_files(eas):
    return {
        "target_region_filepath": (eas.targetRegionBedFile if eas else "") or "",
        "hotspot_filepath": (eas.hotSpotRegionBedFile if eas else "") or "",
        "sse_filepath": (eas.sseBedFile if eas else "") or "",
    }


def _nonbarcoded_entry(report):
    eas, datasets = report.eas, report.datasets
    dataset, group = {}, {}
    if datasets:
        dataset = (datasets.get("datasets") or [{}])[0] or {}
        rg_ids = dataset.get("read_groups") or []
        groups = datasets.get("read_groups") or {}
        group = groups.get(rg_ids[0], {}) if rg_ids else {}
    reference = report.reference
    prefix = dataset.get("file_prefix") or "rawlib"
    files = _eas_files(eas)
    if dataset.get("hotSpotRegionBedFile"):
        files["hotspot_filepath"] = dataset["hotSpotRegionBedFile"]
    samples = report.samples
    entry = {
        **reference_fields(report, reference),
        "aligned": bool(reference),
        **_bam_fields(report, prefix, aligned=bool(reference)),
        "filtered": bool(group.get("filtered", False)),
        **files,
        "read_count": int(group.get("read_count", dataset.get("read_count", 0)) or 0),
        "sample": group.get("sample", "") if group.get("sample", "") != "none" else "",
        "sample_id": (samples[0].externalId or "") if len(samples) == 1 else "",
        "nucleotide_type": "",
        "control_sequence_type": "",
        "control_type": "",
    }
    return entry


def _datasets_by_barcode(datasets):
    """[(barcode name, dataset, [read groups])] in file order, skipping nomatch and mixed sets."""
    found = []
    groups = datasets.get("read_groups") or {}
    for dataset in datasets.get("datasets") or []:
        rg_ids = dataset.get("read_groups") or []
        if not rg_ids:
            log.warning("dataset %s has no read groups; skipped", dataset.get("dataset_name"))
            continue
        name = _barcode_name_of(rg_ids[0])
        if "nomatch" in name:
            continue
        if any(_barcode_name_of(rg) != name for rg in rg_ids):
            log.warning("dataset %s mixes barcodes; skipped", dataset.get("dataset_name"))
            continue
        found.append((name, dataset, [groups.get(rg, {}) for rg in rg_ids]))
    return found


def _datasets_from_files(report):
    """Fallback without datasets_basecaller.json: BAMs on disk plus the plan's barcodes."""
    root = report.report_dir
    names = []
    for folder in (root, root / "basecaller_results"):
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                m = BC_BAM_RE.match(path.name)
                if m and "nomatch" not in m.group("bc") and m.group("bc") not in names:
                    names.append(m.group("bc"))
    for info in report.barcoded_samples.values():
        for bc in (info.get("barcodes") or []) if isinstance(info, dict) else []:
            if bc not in names:
                names.append(bc)
    return [(bc, {"file_prefix": f"{bc}_rawlib", "read_count": 0}, []) for bc in names]


def _barcoded_entries(report, include_filtered):
    from rundb.models import dnaBarcode

    kit = report.eas.barcodeKitName
    datasets = report.datasets
    rows = list(_datasets_by_barcode(datasets) if datasets else _datasets_from_files(report))
    bc_rows = {b.id_str: b for b in dnaBarcode.objects.filter(name=kit, id_str__in=[r[0] for r in rows])}
    entries = []
    for name, dataset, groups in rows:
        entry = _barcode_entry(report, name, dataset, groups, bc_rows.get(name), include_filtered)
        if entry is not None:
            entries.append(entry)
    return entries


def _barcode_entry(report, name, dataset, groups, bc_row, include_filtered):
    """The entry of one barcode, or None when it is left out (filtered, or unknown)."""
    eas = report.eas
    sample_name, sample_info = _sample_for_barcode(report.barcoded_samples, name)
    filtered = bool(groups) and all(bool(g.get("filtered", False)) for g in groups)
    if sample_name:
        filtered = False  # a barcode the plan assigns to a sample is always reported
    if filtered and not include_filtered:
        return None
    entry = dict(BARCODE_DEFAULTS)
    entry.update(_eas_files(eas))
    entry["end_barcode_kit_name"] = ""
    if not _fill_barcode(entry, name, bc_row, groups):
        log.warning("barcode %s of kit %s is unknown; skipped", name, eas.barcodeKitName)
        return None
    entry["filtered"] = filtered
    entry["read_count"] = int(dataset.get("read_count", sum(int(g.get("read_count", 0) or 0) for g in groups)) or 0)
    entry["reference"] = report.reference
    if sample_name:
        _apply_sample(entry, name, sample_name, sample_info, eas)
        entry["sample_id"] = _experiment_sample_id(report, sample_name)
    reference = entry["reference"]
    entry.update(reference_fields(report, reference))
    entry["aligned"] = bool(reference) and not filtered
    prefix = dataset.get("file_prefix") or f"{name}_rawlib"
    entry.update(_bam_fields(report, prefix, aligned=entry["aligned"]))
    return entry


def _fill_barcode(entry, name, row, groups):
    """Barcode definition from the dnaBarcode table, else from the read group; False if neither."""
    entry["barcode_name"] = name
    if row is not None:
        entry.update(
            barcode_sequence=row.sequence, barcode_adapter=row.adapter, barcode_index=row.index,
            barcode_annotation=row.annotation, barcode_type=row.type,
        )
        return True
    group = groups[0] if groups else {}
    barcode = group.get("barcode") if isinstance(group.get("barcode"), dict) else {}
    sequence = barcode.get("barcode_sequence") or group.get("barcode_sequence")
    if not sequence:
        return False
    entry.update(
        barcode_sequence=sequence,
        barcode_adapter=barcode.get("barcode_adapter") or group.get("barcode_adapter") or "",
        barcode_index=int(group.get("index", 0) or 0),
    )
    end = group.get("end_barcode") if isinstance(group.get("end_barcode"), dict) else None
    if end:
        entry.update(
            end_barcode_name=end.get("barcode_name", ""), end_barcode_sequence=end.get("barcode_sequence", ""),
            end_barcode_adapter=end.get("barcode_adapter", ""),
        )
    return True


def _apply_sample(entry, barcode, sample_name, sample_info, eas):
    entry["sample"] = sample_name
    info = (sample_info.get("barcodeSampleInfo") or {}).get(barcode) or {}
    if not isinstance(info, dict):
        return
    for key, src in (
        ("nucleotide_type", "nucleotideType"), ("control_sequence_type", "controlSequenceType"),
        ("barcode_description", "description"), ("target_region_filepath", "targetRegionBedFile"),
        ("hotspot_filepath", "hotSpotRegionBedFile"), ("reference", "reference"), ("control_type", "controlType"),
    ):
        if src in info and info[src] is not None:
            entry[key] = info[src]
    if info.get("sseBedFile"):
        entry["sse_filepath"] = info["sseBedFile"]
    elif "targetRegionBedFile" in info and (info["targetRegionBedFile"] or "") != ((eas.targetRegionBedFile if eas else "") or ""):
        entry["sse_filepath"] = ""  # the plan's SSE file belongs to another target
    dual = [d for d in (sample_info.get("dualBarcodes") or []) if isinstance(d, str) and d.startswith(barcode)]
    if dual:
        entry["dual_barcode_name"] = dual[0]
