"""Run report (/report/<pk>/) and its log fallback (/report/<pk>/log)."""
import json
from pathlib import Path

from django.shortcuts import get_object_or_404, redirect

from rundb.api.resources.results import report_web_root
from rundb.models import Results

from ..access import page
from .common import human_bases, render_page

LOG_FILES = ["sigproc_results/sigproc.log", "basecaller_results/basecaller.log", "alignment.log",
             "ReportLog.html", "drmaa_stdout.txt", "drmaa_stdout_block.txt"]
DONE = ("Completed", "No Live Beads")


def _first(related):
    rows = list(related.all())
    return rows[0] if rows else None


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0


def _exists(folder, rel):
    return bool(rel) and (folder / rel).is_file()


def _barcodes(folder, web):
    """Rows of the barcode table from basecaller_results/datasets_basecaller.json."""
    path = folder / "basecaller_results" / "datasets_basecaller.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    rows = []
    groups = data.get("read_groups") or {}
    for _rg, info in sorted(groups.items(), key=lambda kv: (kv[1].get("barcode_name") is None, kv[1].get("index", 0))):
        name = info.get("barcode_name") or ""
        prefix = None
        for ds in data.get("datasets", []):
            if _rg in ds.get("read_groups", []):
                prefix = ds.get("file_prefix")
        files = {}
        if prefix:
            for label, rel in (("UBAM", f"basecaller_results/{prefix}.basecaller.bam"), ("BAM", f"{prefix}.bam"),
                               ("BAI", f"{prefix}.bam.bai")):
                files[label] = web + rel if _exists(folder, rel) else ""
        spark = f"basecaller_results/{prefix}.sparkline.png" if prefix else ""
        histo = f"basecaller_results/{prefix}.read_len_histogram.png" if prefix else ""
        reads = int(info.get("read_count") or 0)
        bases = int(info.get("total_bases") or 0)
        rows.append({
            "name": name or "No barcode", "sample": info.get("sample", ""), "reads": reads, "bases": bases,
            "q20_bases": int(info.get("Q20_bases") or 0), "mean_len": int(bases / reads) if reads else 0,
            "files": files, "sparkline": web + spark if _exists(folder, spark) else "",
            "histogram": web + histo if _exists(folder, histo) else "",
            "filtered": bool(info.get("filtered")),
        })
    return rows


def _output_files(folder, web):
    """UBAM / BAM / BAI of the whole run (download_links/ when present)."""
    base = folder / "download_links" if (folder / "download_links").is_dir() else folder
    rel_base = "download_links/" if base != folder else ""
    out = {"UBAM": "", "BAM": "", "BAI": ""}
    bams = sorted(p.name for p in base.glob("*.bam") if not p.name.startswith("nomatch"))
    # rawlib.basecaller.bam holds every library read (barcoded runs also have one per barcode).
    if _exists(folder, "basecaller_results/rawlib.basecaller.bam"):
        out["UBAM"] = web + "basecaller_results/rawlib.basecaller.bam"
    if len(bams) == 1:
        out["BAM"] = web + rel_base + bams[0]
        if (base / (bams[0] + ".bai")).is_file():
            out["BAI"] = web + rel_base + bams[0] + ".bai"
    return out


@page()
def report_page(request, pk):
    result = get_object_or_404(
        Results.objects.select_related("experiment", "experiment__plan", "eas", "reportstorage")
        .prefetch_related("libmetrics", "qualitymetrics", "analysismetrics", "projects"), pk=pk)
    status = result.status or ""
    if "Error" in status or status == "User Aborted":
        return redirect(f"/report/{pk}/log?error={status[:200]}")
    exp = result.experiment
    others = list(Results.objects.filter(experiment=exp).order_by("-timeStamp", "-pk").values("pk", "resultsName", "status"))
    lib, qm, am = _first(result.libmetrics), _first(result.qualitymetrics), _first(result.analysismetrics)
    folder = Path(result.report_dir)
    web = report_web_root(result, result.reportstorage)
    addressable = (am.total - am.excluded) if am else 0
    images = {}
    for key, rel in (("density", "Bead_density_1000.png"), ("contour", "Bead_density_contour.png"),
                     ("readlen", "basecaller_results/readLenHisto2.png"),
                     ("readlen_full", "basecaller_results/readLenHisto.png"),
                     ("beadogram", "basecaller_results/wells_beadogram.png"),
                     ("alignment_rate", "alignment_rate_plot.png"), ("base_error", "base_error_plot.png"),
                     ("iontrace", "iontrace_Library.png")):
        images[key] = web + rel if _exists(folder, rel) else ""
    if not images["readlen"]:
        images["readlen"] = images["readlen_full"]
    ctx = {
        "result": result, "exp": exp, "others": others, "lib": lib, "qm": qm, "am": am,
        "done": status.startswith(DONE), "web": web,
        "total_bases": human_bases(qm.q0_bases) if qm else "",
        "isp_loading": _pct(am.bead, addressable) if am else None,
        "usable": _pct(lib.totalNumReads if lib else 0, am.lib) if am else None,
        "addressable": addressable, "images": images,
        "isp_rows": [("Addressable Wells", addressable, 100.0),
                     ("With ISPs", am.bead, _pct(am.bead, addressable)),
                     ("Live", am.live, _pct(am.live, am.bead)),
                     ("Test Fragment", am.tf, _pct(am.tf, am.live)),
                     ("Library", am.lib, _pct(am.lib, am.live))] if am else [],
        "lib_rows": [("Library ISPs", am.lib, 100.0),
                     ("Filtered: Polyclonal", am.libMix, _pct(am.libMix, am.lib)),
                     ("Filtered: Low Quality", max(am.lib - am.libMix - (lib.totalNumReads if lib else 0), 0),
                      _pct(max(am.lib - am.libMix - (lib.totalNumReads if lib else 0), 0), am.lib)),
                     ("Final Library ISPs", lib.totalNumReads if lib else am.libFinal,
                      _pct(lib.totalNumReads if lib else am.libFinal, am.lib))] if am else [],
        "aligned": bool(lib and lib.total_mapped_reads),
        "aligned_pct": _pct(lib.total_mapped_reads, lib.totalNumReads) if lib else 0,
        "barcodes": _barcodes(folder, web), "files": _output_files(folder, web),
        "reference": (result.eas.reference if result.eas else "") or result.reference or "",
    }
    return render_page(request, "browser/report.html", ctx, tab="data", title=result.resultsName)


@page()
def report_log(request, pk):
    result = get_object_or_404(Results.objects.select_related("reportstorage"), pk=pk)
    folder = Path(result.report_dir)
    web = report_web_root(result, result.reportstorage)
    logs = []
    for rel in LOG_FILES:
        path = folder / rel
        if path.is_file():
            text = path.read_text(errors="replace")
            logs.append({"name": rel, "url": web + rel, "text": text[-200_000:]})
    return render_page(request, "browser/report_log.html", {
        "result": result, "error": request.GET.get("error", ""), "logs": logs,
    }, tab="data", title=result.resultsName)
