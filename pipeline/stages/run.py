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
    run = _StageRun(run_dir, report_dir, barcode_kit=barcode_kit, reference=reference, flow_order=flow_order,
                    library_key=library_key, progress=progress, run_id=run_id, samples=samples, flows=flows,
                    test_fragments=test_fragments, tf_key=tf_key, threads=threads,
                    compress_level=compress_level, run_name=run_name, site_name=site_name,
                    instrument=instrument, thumbnail=thumbnail)
    run.make_datasets(filter_frequency=filter_frequency, filter_minreads=filter_minreads)
    run.align()
    run.compute_metrics()
    run.draw_figures()
    run.move_filtered()
    return run.summary()


class _StageRun:
    """The state of one run_stages call, filled in by its steps in order:
    make_datasets -> align -> compute_metrics -> draw_figures -> move_filtered -> summary."""

    def __init__(self, run_dir, report_dir, *, barcode_kit, reference, flow_order, library_key, progress, run_id,
                 samples, flows, test_fragments, tf_key, threads, compress_level, run_name, site_name,
                 instrument, thumbnail):
        self.say = progress or (lambda s: None)
        self.run_dir = run_dir
        self.report_dir = os.path.abspath(report_dir)
        self.bc_dir = os.path.join(self.report_dir, BASECALLER_DIR)
        os.makedirs(self.bc_dir, exist_ok=True)
        self.inp = find_inputs(run_dir)
        first_bam = self.inp["rawlib"] or next(iter(self.inp["classified"].values()))
        self.info = _header_info(first_bam)
        # read groups: ours when we write the BAMs (classification), else those in the instrument's files
        self.run_id = (run_id or self.info["run_id"] or "RUN00") \
            if (self.inp["rawlib"] and barcode_kit is not None) else (self.info["run_id"] or run_id or "RUN00")
        self.flow_order = flow_order or self.info["flow_order"]
        self.key = (library_key or "TCAG").upper()
        n_flows = flows or (len(self.flow_order) if self.flow_order else None)
        self.H = histogram_length_for_flows(n_flows)
        self.samples = dict(samples or {})
        self.ref = normalize_reference(reference)
        self.kit = load_barcode_kit(barcode_kit) if barcode_kit is not None else None
        if self.kit is not None and not self.kit:
            raise PipelineError("barcode kit has no (active) barcodes")
        self.test_fragments, self.tf_key = test_fragments, tf_key
        self.threads, self.compress_level = threads, compress_level
        self.run_name, self.site_name, self.instrument, self.thumbnail = run_name, site_name, instrument, thumbnail
        # run folders where the optional instrument files may be
        self.dirs = [run_dir, os.path.join(run_dir, "sigproc_results"), os.path.join(run_dir, BASECALLER_DIR),
                     os.path.join(run_dir, "onboard_results", "sigproc_results")]

    # ---- 1. datasets: classify, or adopt the instrument's files -------------------
    def make_datasets(self, *, filter_frequency, filter_minreads):
        counts, errors, self.bc_bams = {}, {}, {}
        if self.inp["rawlib"] and self.kit:
            self._classify(counts, errors)
        elif self.inp["rawlib"]:
            self.say("Read Counting")
            link = os.path.join(self.bc_dir, "rawlib.basecaller.bam")
            if os.path.realpath(self.inp["rawlib"]) != os.path.realpath(link):
                _link(self.inp["rawlib"], link)
            counts["rawlib"] = count_bam(link)
            self.bc_bams["rawlib"] = link
        else:
            self._adopt_classified(counts)
        ref, kit = self.ref, self.kit
        self.datasets = build_datasets(
            self.run_id, barcode_kit=kit, counts=counts, samples=self.samples,
            reference=ref["name"] if ref else "", platform_unit=self.info["platform_unit"] or "",
            barcode_id=(kit[0].get("name", "") if kit else ""), site_name=self.site_name,
            instrument=self.instrument, barcode_errors=errors)
        apply_barcode_filter(self.datasets, filter_frequency=filter_frequency, filter_minreads=filter_minreads)
        self.ds_path = write_json(os.path.join(self.bc_dir, "datasets_basecaller.json"), self.datasets)

    def _classify(self, counts, errors):
        self.say("Barcode Classification")
        if not self.flow_order:
            raise PipelineError("flow order unknown (no FO in the BAM read group): cannot classify barcodes")
        res = classify_and_split(self.inp["rawlib"], self.bc_dir, self.kit, flow_order=self.flow_order,
                                 library_key=self.key, run_id=self.run_id, samples=self.samples,
                                 level=self.compress_level)
        for name, d in res["datasets"].items():
            counts[name] = d
            errors[name] = d.get("barcode_errors_hist")
            self.bc_bams[name] = d["path"]

    def _adopt_classified(self, counts):
        """Per-barcode BAMs from the instrument: linked in, their barcodes added to the kit."""
        self.say("Read Counting")
        classified = self.inp["classified"]
        if self.kit is None:
            self.kit = [{"id_str": n, "sequence": "", "adapter": "", "index": i + 1}
                        for i, n in enumerate(k for k in classified if k != NOMATCH)]
        known = {b["id_str"] for b in self.kit}
        for name, path in classified.items():
            if name != NOMATCH and name not in known:
                self.kit.append({"id_str": name, "sequence": "", "adapter": "", "index": len(self.kit) + 1})
            link = str(safe_join(self.bc_dir, check_name(f"{name}_rawlib.basecaller.bam", "barcode name")))
            if os.path.realpath(path) != os.path.realpath(link):
                _link(path, link)
            counts[name] = count_bam(link)
            self.bc_bams[name] = link

    # ---- 2. alignment ---------------------------------------------------------------
    def align(self):
        datasets, ref = self.datasets, self.ref
        self.genome_length = sum(n for _, n in fasta_lengths(ref["fasta"])) if ref else 0
        self.entries = []
        for ds in datasets["datasets"]:
            name, prefix = ds["dataset_name"], ds["file_prefix"]
            rg = datasets["read_groups"][ds["read_groups"][0]]
            self.entries.append({
                "name": name, "file_prefix": prefix, "read_group": ds["read_groups"][0],
                "read_count": ds["read_count"], "total_bases": rg.get("total_bases", 0),
                "Q20_bases": rg.get("Q20_bases", 0), "sample": rg.get("sample", "none"),
                "filtered": dataset_filtered(datasets, ds), "basecaller_bam": self.bc_bams.get(name),
                "bam": None, "bai": None, "aligned": False, "ionstats": None})
        to_align = [e for e in self.entries if ref and e["read_count"] > 0 and e["name"] != NOMATCH]
        aligner = None
        for i, e in enumerate(to_align, 1):
            self.say(f"Alignment ({i}/{len(to_align)}: {e['name']})")
            aligner = aligner or load_aligner(ref)
            out = os.path.join(self.report_dir, f"{e['file_prefix']}.bam")
            align_bam(e["basecaller_bam"], out, ref, aligner=aligner, threads=self.threads)
            e.update(bam=out, bai=out + ".bai", aligned=True)
        for e in self.entries:
            if not e["aligned"] and e["basecaller_bam"] and os.path.exists(e["basecaller_bam"]):
                e["bam"] = _link(e["basecaller_bam"], os.path.join(self.report_dir, f"{e['file_prefix']}.bam"))

    # ---- 3. metrics -----------------------------------------------------------------
    def compute_metrics(self):
        self.say("Metrics")
        self._ionstats()
        dirs, key = self.dirs, self.key
        self.bf_stats = opt.read_bfmask_stats(opt.find_file(dirs, "analysis.bfmask.stats", "bfmask.stats"))
        bc_json = opt.read_basecaller_json(opt.find_file(dirs, "BaseCaller.json"))
        self.lib_traces = opt.read_nuke_trace(opt.find_file(dirs, f"avgNukeTrace_{key}.txt"))
        self.tf_traces = opt.read_nuke_trace(opt.find_file(dirs, f"avgNukeTrace_{self.tf_key.upper()}.txt"))
        lib_peak, tf_peak = opt.key_peak(self.lib_traces), opt.key_peak(self.tf_traces)
        self.raw_peak = None
        if lib_peak is not None or tf_peak is not None:
            self.raw_peak = opt.write_raw_peak_signal(os.path.join(self.report_dir, "raw_peak_signal"),
                                                      lib_peak, tf_peak)
        tf_rows = self._tf_rows(tf_peak)
        self.metrics = {
            "qualitymetrics": quality_metrics(self.bc_total),
            "libmetrics": lib_metrics(self.bc_total, self.aln_total, basecaller_json=bc_json, key_signal=lib_peak,
                                      reference=self._reference_info(), thumbnail=self.thumbnail),
            "analysismetrics": analysis_metrics(self.bf_stats, bc_json),
            "tfmetrics": tf_rows,
        }

    def _ionstats(self):
        """Per-dataset ionstats JSON files, and the totals over the datasets not filtered."""
        H, key, flow_order = self.H, self.key, self.flow_order
        self.bc_total = IonStats(H, key=key, flow_order=flow_order)
        self.aln_total = IonStats(H, key=key, flow_order=flow_order) if self.ref else None
        self.read_lengths = {}  # file prefix -> read-length histogram, for the per-barcode images
        for e in self.entries:
            if e["read_count"] == 0:
                continue
            s = IonStats(H, key=key, flow_order=flow_order)
            self.read_lengths[e["file_prefix"]] = s.full
            if e["aligned"]:
                s.add_bam(e["bam"])
                e["ionstats"] = write_json(
                    os.path.join(self.report_dir, f"{e['file_prefix']}.ionstats_alignment.json"), s.alignment_json())
            else:
                s.add_bam(e["basecaller_bam"])
                e["ionstats"] = write_json(
                    os.path.join(self.bc_dir, f"{e['file_prefix']}.ionstats_basecaller.json"), s.basecaller_json())
            if e["filtered"]:
                continue  # frequency-filtered barcodes stay out of the totals
            self.bc_total.merge(s)
            if e["aligned"] and self.aln_total is not None:
                self.aln_total.merge(s)
        self.ionstats_paths = {
            "basecaller": write_json(os.path.join(self.bc_dir, "ionstats_basecaller.json"),
                                     self.bc_total.basecaller_json()),
            "alignment": write_json(os.path.join(self.report_dir, "ionstats_alignment.json"),
                                    self.aln_total.alignment_json()) if self.aln_total is not None else None}

    def _tf_rows(self, tf_peak):
        rawtf = opt.find_file(self.dirs, "rawtf.basecaller.bam")
        if not (rawtf and self.test_fragments):
            return []
        self.say("TF Processing")
        tf_stats = process_test_fragments(rawtf, self.test_fragments, self.bc_dir, tf_key=self.tf_key,
                                          flow_order=self.flow_order, histogram_length=self.H,
                                          threads=self.threads)
        return tf_metrics(tf_stats, key_signal=tf_peak)

    def _reference_info(self):
        ref = self.ref
        if not ref:
            return None
        return {"name": ref["name"], "genome_length": self.genome_length,
                "genome_version": ref.get("genome_version"),
                "index_version": ref.get("index_version") or "minimap2-mappy"}

    # ---- 4. figures -----------------------------------------------------------------
    def draw_figures(self):
        self.say("Figures")
        report_dir, key, flow_order, bc_total = self.report_dir, self.key, self.flow_order, self.bc_total
        mask_path = opt.find_file(self.dirs, "analysis.bfmask.bin", "bfmask.bin")
        counts_fig = {e["name"]: e["read_count"] for e in self.entries if e["name"] not in ("rawlib",)
                      and (e["read_count"] > 0 or e["name"] == NOMATCH)}
        ionogram = (bc_total.ionogram if bc_total.ionogram is not None
                    else opt.wells_ionogram(opt.find_file(self.dirs, "1.wells"), key, flow_order))
        self.figures = {
            "read_length_histogram": read_length_histogram(bc_total.full, os.path.join(self.bc_dir, "readLenHisto.png")),
            "bead_density": bead_density(mask_path, report_dir, run_name=self.run_name, stats=self.bf_stats)
            if mask_path else None,
            "barcode_read_counts": barcode_read_counts(counts_fig, os.path.join(report_dir, "barcode_read_counts.png"))
            if self.kit else None,
            "barcode_read_lengths": barcode_read_length_images(self.read_lengths, self.bc_dir) if self.kit else None,
            "ionogram": key_ionogram(ionogram, flow_order, os.path.join(report_dir, "key_ionogram.png"), key=key),
            "iontrace_library": key_trace(self.lib_traces, os.path.join(report_dir, "iontrace_Library.png"),
                                          kind="Library"),
            "iontrace_tf": key_trace(self.tf_traces, os.path.join(report_dir, "iontrace_Test_Fragment.png"),
                                     kind="Test Fragment"),
        }

    # ---- 5. housekeeping: filtered barcodes' root files ----------------------------------
    def move_filtered(self):
        for e in self.entries:
            if not (e["filtered"] and e["read_count"] > 0):
                continue
            dest = os.path.join(self.report_dir, FILTERED_DIR)
            os.makedirs(dest, exist_ok=True)
            for p in glob.glob(os.path.join(self.report_dir, f"{e['file_prefix']}.*")):
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

    def summary(self):
        entries, ref = self.entries, self.ref
        total_reads = sum(e["read_count"] for e in entries)
        self.say("Completed")
        return {
            "status": "Completed",
            "empty": total_reads == 0,
            "run_id": self.run_id,
            "flow_order": self.flow_order,
            "library_key": self.key,
            "histogram_length": self.H,
            "barcoded": bool(self.kit),
            "reference": ref["name"] if ref else None,
            "datasets": entries,
            "datasets_basecaller": self.ds_path,
            "read_counts": {e["name"]: e["read_count"] for e in entries},
            "total_reads": total_reads,
            "metrics": self.metrics,
            "ionstats": self.ionstats_paths,
            "raw_peak_signal": self.raw_peak,
            "figures": self.figures,
            "barcodes_json": barcodes_json(
                self.datasets, self.report_dir, bam_paths={e["name"]: e["bam"] for e in entries if e["bam"]},
                aligned=bool(ref), reference=ref["name"] if ref else "",
                reference_fullpath=ref["fasta"] if ref else "", barcode_kit=self.kit),
        }
