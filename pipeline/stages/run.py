"""``run_stages()``: the analysis chain for one report, from base-called BAM(s) to
metric dictionaries and figures (no Django: the caller writes the rows).

Inputs looked up in ``<run_dir>/basecaller_results/`` (then ``<run_dir>/``):
``rawlib.basecaller.bam`` (all library reads; barcode + adapter still at the 5'
end when a kit is given), or ``<barcode>_rawlib.basecaller.bam`` +
``nomatch_rawlib.basecaller.bam`` (already classified). Optional, searched in
run_dir, sigproc_results/, basecaller_results/, onboard_results/sigproc_results/:
``BaseCaller.json``, ``analysis.bfmask.stats``, ``analysis.bfmask.bin``,
``avgNukeTrace_<key>.txt``, ``rawtf.basecaller.bam``.

Report layout written (names as the original): ``basecaller_results/
<prefix>.basecaller.bam``, ``datasets_basecaller.json``,
``ionstats_basecaller.json``, ``<prefix>.ionstats_basecaller.json`` (datasets
without alignment), ``readLenHisto.png``; at the root ``<prefix>.bam`` +
``.bai`` (aligned, or a link to the unmapped BAM when there is no reference),
``<prefix>.ionstats_alignment.json``, ``ionstats_alignment.json``,
``raw_peak_signal``, figures; ``frequency_filtered_barcodes/`` for filtered
barcodes' root files.

Empty run (valid BAM, zero reads): **Completed with zero metrics** — rows are
produced with 0 counts, ``summary["empty"]`` is True and the read-length figure
is absent. Truncated/corrupt/missing input BAM -> PipelineError.
"""
import glob
import os
import shutil

from pipeline.figures import (barcode_read_counts, barcode_read_length_images, bead_density, key_ionogram,
                              key_trace, read_length_histogram)
from pipeline.metrics import inputs as opt
from pipeline.metrics.histograms import histogram_length_for_flows
from pipeline.metrics.ionstats import IonStats
from pipeline.metrics.tables import analysis_metrics, lib_metrics, quality_metrics, tf_metrics
from rundb.paths import check_name, safe_join

from .align import align_bam, fasta_lengths, load_aligner, normalize_reference
from .bamio import BamReader
from .barcodes import NOMATCH, classify_and_split, load_barcode_kit
from .datasets import apply_barcode_filter, barcodes_json, build_datasets, count_bam, dataset_filtered, write_json
from .errors import PipelineError
from .tf import process_test_fragments

BASECALLER_DIR = "basecaller_results"
FILTERED_DIR = "frequency_filtered_barcodes"


def find_inputs(run_dir):
    """{"rawlib": path | None, "classified": {name: path}} from the run folder."""
    if not os.path.isdir(run_dir):
        raise PipelineError(f"run folder not found: {run_dir}")
    for d in (os.path.join(run_dir, BASECALLER_DIR), run_dir):
        if not os.path.isdir(d):
            continue
        classified = {}
        for p in sorted(glob.glob(os.path.join(d, "*_rawlib.basecaller.bam"))):
            name = os.path.basename(p)[:-len("_rawlib.basecaller.bam")]
            classified[name] = p
        raw = os.path.join(d, "rawlib.basecaller.bam")
        if classified:
            return {"rawlib": None, "classified": classified, "dir": d}
        if os.path.exists(raw):
            return {"rawlib": raw, "classified": {}, "dir": d}
    raise PipelineError(f"no basecaller BAM in {run_dir}/{BASECALLER_DIR} "
                        "(expected rawlib.basecaller.bam or <barcode>_rawlib.basecaller.bam)")


def _header_info(path):
    with BamReader(path, chunk_bytes=1 << 16) as bam:
        rgs = bam.read_groups()
    first = next(iter(rgs.values()), {})
    return {"run_id": (first.get("ID") or "").split(".")[0] or None, "flow_order": first.get("FO"),
            "platform_unit": (first.get("PU") or "").rsplit("/", 1)[0] if "." in (first.get("ID") or "")
            else first.get("PU", ""), "sample": first.get("SM")}


def _link(target, link):
    if os.path.lexists(link):
        if os.path.realpath(link) == os.path.realpath(target):
            return link
        os.unlink(link)
    os.symlink(os.path.relpath(target, os.path.dirname(link)), link)
    return link


def run_stages(run_dir, report_dir, *, barcode_kit=None, reference=None, flow_order=None, library_key="TCAG",
               progress=None, run_id=None, samples=None, flows=None, test_fragments=None, tf_key="ATCG",
               filter_frequency=0.01, filter_minreads=10, threads=2, compress_level=1, run_name="",
               site_name="", instrument="", thumbnail=False):
    """Run classification -> alignment -> metrics -> figures for one report.

    ``barcode_kit``: list of barcode dicts (id_str, sequence, adapter, score_mode,
    score_cutoff, index; Django fixture rows accepted) or None for a
    non-barcoded run. ``reference``: None | fasta path | (fasta, mmi) | {"fasta",
    "mmi", "name", "genome_version", "index_version"}. ``samples``: {barcode id |
    "rawlib" | "nomatch": sample name}. ``progress(status)`` is called at each stage.

    Returns the summary dict documented in the module / report.
    """
    say = progress or (lambda s: None)
    report_dir = os.path.abspath(report_dir)
    bc_dir = os.path.join(report_dir, BASECALLER_DIR)
    os.makedirs(bc_dir, exist_ok=True)
    inp = find_inputs(run_dir)
    first_bam = inp["rawlib"] or next(iter(inp["classified"].values()))
    info = _header_info(first_bam)
    # read groups: ours when we write the BAMs (classification), else those in the instrument's files
    run_id = (run_id or info["run_id"] or "RUN00") if (inp["rawlib"] and barcode_kit is not None) \
        else (info["run_id"] or run_id or "RUN00")
    flow_order = flow_order or info["flow_order"]
    key = (library_key or "TCAG").upper()
    n_flows = flows or (len(flow_order) if flow_order else None)
    H = histogram_length_for_flows(n_flows)
    samples = dict(samples or {})
    ref = normalize_reference(reference)
    kit = load_barcode_kit(barcode_kit) if barcode_kit is not None else None
    if kit is not None and not kit:
        raise PipelineError("barcode kit has no (active) barcodes")

    # ---- 1. datasets: classify, or adopt the instrument's files -------------------
    counts, errors, bc_bams = {}, {}, {}
    if inp["rawlib"] and kit:
        say("Barcode Classification")
        if not flow_order:
            raise PipelineError("flow order unknown (no FO in the BAM read group): cannot classify barcodes")
        res = classify_and_split(inp["rawlib"], bc_dir, kit, flow_order=flow_order, library_key=key,
                                 run_id=run_id, samples=samples, level=compress_level)
        for name, d in res["datasets"].items():
            counts[name] = d
            errors[name] = d.get("barcode_errors_hist")
            bc_bams[name] = d["path"]
    elif inp["rawlib"]:
        say("Read Counting")
        link = os.path.join(bc_dir, "rawlib.basecaller.bam")
        if os.path.realpath(inp["rawlib"]) != os.path.realpath(link):
            _link(inp["rawlib"], link)
        counts["rawlib"] = count_bam(link)
        bc_bams["rawlib"] = link
    else:
        say("Read Counting")
        if kit is None:
            kit = [{"id_str": n, "sequence": "", "adapter": "", "index": i + 1}
                   for i, n in enumerate(k for k in inp["classified"] if k != NOMATCH)]
        known = {b["id_str"] for b in kit}
        for name, path in inp["classified"].items():
            if name != NOMATCH and name not in known:
                kit.append({"id_str": name, "sequence": "", "adapter": "", "index": len(kit) + 1})
            link = str(safe_join(bc_dir, check_name(f"{name}_rawlib.basecaller.bam", "barcode name")))
            if os.path.realpath(path) != os.path.realpath(link):
                _link(path, link)
            counts[name] = count_bam(link)
            bc_bams[name] = link
    datasets = build_datasets(run_id, barcode_kit=kit, counts=counts, samples=samples,
                              reference=ref["name"] if ref else "", platform_unit=info["platform_unit"] or "",
                              barcode_id=(kit[0].get("name", "") if kit else ""), site_name=site_name,
                              instrument=instrument, barcode_errors=errors)
    apply_barcode_filter(datasets, filter_frequency=filter_frequency, filter_minreads=filter_minreads)
    ds_path = write_json(os.path.join(bc_dir, "datasets_basecaller.json"), datasets)

    # ---- 2. alignment ---------------------------------------------------------------
    aligner = None
    genome_length = sum(n for _, n in fasta_lengths(ref["fasta"])) if ref else 0
    entries = []
    for ds in datasets["datasets"]:
        name, prefix = ds["dataset_name"], ds["file_prefix"]
        rg = datasets["read_groups"][ds["read_groups"][0]]
        e = {"name": name, "file_prefix": prefix, "read_group": ds["read_groups"][0],
             "read_count": ds["read_count"], "total_bases": rg.get("total_bases", 0),
             "Q20_bases": rg.get("Q20_bases", 0), "sample": rg.get("sample", "none"),
             "filtered": dataset_filtered(datasets, ds), "basecaller_bam": bc_bams.get(name),
             "bam": None, "bai": None, "aligned": False, "ionstats": None}
        entries.append(e)
    to_align = [e for e in entries if ref and e["read_count"] > 0 and e["name"] != NOMATCH]
    for i, e in enumerate(to_align, 1):
        say(f"Alignment ({i}/{len(to_align)}: {e['name']})")
        aligner = aligner or load_aligner(ref)
        out = os.path.join(report_dir, f"{e['file_prefix']}.bam")
        align_bam(e["basecaller_bam"], out, ref, aligner=aligner, threads=threads)
        e.update(bam=out, bai=out + ".bai", aligned=True)
    for e in entries:
        if not e["aligned"] and e["basecaller_bam"] and os.path.exists(e["basecaller_bam"]):
            e["bam"] = _link(e["basecaller_bam"], os.path.join(report_dir, f"{e['file_prefix']}.bam"))

    # ---- 3. metrics -----------------------------------------------------------------
    say("Metrics")
    bc_total = IonStats(H, key=key, flow_order=flow_order)
    aln_total = IonStats(H, key=key, flow_order=flow_order) if ref else None
    for e in entries:
        if e["read_count"] == 0:
            continue
        s = IonStats(H, key=key, flow_order=flow_order)
        if e["aligned"]:
            s.add_bam(e["bam"])
            e["ionstats"] = write_json(os.path.join(report_dir, f"{e['file_prefix']}.ionstats_alignment.json"),
                                       s.alignment_json())
        else:
            s.add_bam(e["basecaller_bam"])
            e["ionstats"] = write_json(os.path.join(bc_dir, f"{e['file_prefix']}.ionstats_basecaller.json"),
                                       s.basecaller_json())
        e["_stats"] = s
        if e["filtered"]:
            continue  # frequency-filtered barcodes stay out of the totals
        bc_total.merge(s)
        if e["aligned"] and aln_total is not None:
            aln_total.merge(s)
    ionstats_paths = {"basecaller": write_json(os.path.join(bc_dir, "ionstats_basecaller.json"),
                                               bc_total.basecaller_json()),
                      "alignment": write_json(os.path.join(report_dir, "ionstats_alignment.json"),
                                              aln_total.alignment_json()) if aln_total is not None else None}

    dirs = [run_dir, os.path.join(run_dir, "sigproc_results"), os.path.join(run_dir, BASECALLER_DIR),
            os.path.join(run_dir, "onboard_results", "sigproc_results")]
    bf_stats = opt.read_bfmask_stats(opt.find_file(dirs, "analysis.bfmask.stats", "bfmask.stats"))
    bc_json = opt.read_basecaller_json(opt.find_file(dirs, "BaseCaller.json"))
    lib_traces = opt.read_nuke_trace(opt.find_file(dirs, f"avgNukeTrace_{key}.txt"))
    tf_traces = opt.read_nuke_trace(opt.find_file(dirs, f"avgNukeTrace_{tf_key.upper()}.txt"))
    lib_peak, tf_peak = opt.key_peak(lib_traces), opt.key_peak(tf_traces)
    raw_peak = None
    if lib_peak is not None or tf_peak is not None:
        raw_peak = opt.write_raw_peak_signal(os.path.join(report_dir, "raw_peak_signal"), lib_peak, tf_peak)

    tf_rows = []
    rawtf = opt.find_file(dirs, "rawtf.basecaller.bam")
    if rawtf and test_fragments:
        say("TF Processing")
        tf_stats = process_test_fragments(rawtf, test_fragments, bc_dir, tf_key=tf_key, flow_order=flow_order,
                                          histogram_length=H, threads=threads)
        tf_rows = tf_metrics(tf_stats, key_signal=tf_peak)

    reference_info = None
    if ref:
        reference_info = {"name": ref["name"], "genome_length": genome_length,
                          "genome_version": ref.get("genome_version"),
                          "index_version": ref.get("index_version") or "minimap2-mappy"}
    metrics = {
        "qualitymetrics": quality_metrics(bc_total),
        "libmetrics": lib_metrics(bc_total, aln_total, basecaller_json=bc_json, key_signal=lib_peak,
                                  reference=reference_info, thumbnail=thumbnail),
        "analysismetrics": analysis_metrics(bf_stats, bc_json),
        "tfmetrics": tf_rows,
    }

    # ---- 4. figures -----------------------------------------------------------------
    say("Figures")
    mask_path = opt.find_file(dirs, "analysis.bfmask.bin", "bfmask.bin")
    counts_fig = {e["name"]: e["read_count"] for e in entries if e["name"] not in ("rawlib",)
                  and (e["read_count"] > 0 or e["name"] == NOMATCH)}
    figures = {
        "read_length_histogram": read_length_histogram(bc_total.full, os.path.join(bc_dir, "readLenHisto.png")),
        "bead_density": bead_density(mask_path, report_dir, run_name=run_name, stats=bf_stats) if mask_path else None,
        "barcode_read_counts": barcode_read_counts(counts_fig, os.path.join(report_dir, "barcode_read_counts.png"))
        if kit else None,
        "barcode_read_lengths": barcode_read_length_images(
            {e["file_prefix"]: e["_stats"].full for e in entries if "_stats" in e}, bc_dir) if kit else None,
        "ionogram": key_ionogram(
            bc_total.ionogram if bc_total.ionogram is not None
            else opt.wells_ionogram(opt.find_file(dirs, "1.wells"), key, flow_order),
            flow_order, os.path.join(report_dir, "key_ionogram.png"), key=key),
        "iontrace_library": key_trace(lib_traces, os.path.join(report_dir, "iontrace_Library.png"), kind="Library"),
        "iontrace_tf": key_trace(tf_traces, os.path.join(report_dir, "iontrace_Test_Fragment.png"),
                                 kind="Test Fragment"),
    }

    # ---- 5. housekeeping: filtered barcodes' root files ----------------------------------
    for e in entries:
        if not (e["filtered"] and e["read_count"] > 0):
            continue
        dest = os.path.join(report_dir, FILTERED_DIR)
        os.makedirs(dest, exist_ok=True)
        for p in glob.glob(os.path.join(report_dir, f"{e['file_prefix']}.*")):
            moved = os.path.join(dest, os.path.basename(p))
            if os.path.islink(p):
                target = os.path.realpath(p)
                os.unlink(p)
                _link(target, moved)
            else:
                shutil.move(p, moved)
            for k in ("bam", "bai", "ionstats"):
                if e[k] == p:
                    e[k] = moved

    total_reads = sum(e["read_count"] for e in entries)
    for e in entries:
        e.pop("_stats", None)
    say("Completed")
    return {
        "status": "Completed",
        "empty": total_reads == 0,
        "run_id": run_id,
        "flow_order": flow_order,
        "library_key": key,
        "histogram_length": H,
        "barcoded": bool(kit),
        "reference": ref["name"] if ref else None,
        "datasets": entries,
        "datasets_basecaller": ds_path,
        "read_counts": {e["name"]: e["read_count"] for e in entries},
        "total_reads": total_reads,
        "metrics": metrics,
        "ionstats": ionstats_paths,
        "raw_peak_signal": raw_peak,
        "figures": figures,
        "barcodes_json": barcodes_json(
            datasets, report_dir, bam_paths={e["name"]: e["bam"] for e in entries if e["bam"]},
            aligned=bool(ref), reference=ref["name"] if ref else "",
            reference_fullpath=ref["fasta"] if ref else "", barcode_kit=kit),
    }
