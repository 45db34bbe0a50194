"""simulate_run: write a synthetic instrument run folder plus its truth (see package doc).

The two formats' generators are in format_bam (a: basecalled BAMs) and format_wells (b: 1.wells
+ bead mask); this module checks the arguments, writes what both share (reference, TFs, explogs,
key traces, truth_params.json) and calls one of them."""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..basecaller.flowspace import (DEFAULT_3PRIME_ADAPTER, DEFAULT_FLOW_ORDER,
                                    DEFAULT_LIBRARY_KEY, DEFAULT_TF_KEY, encode,
                                    expand_flow_order, key_flow_vector)
from ..formats.nuketrace import write_avg_nuke_trace
from ..runid import dek_run_id
from . import chip as C
from .barcodes import nomatch_prefixes, normalise_kit, select_barcodes
from .context import SimContext, rng
from .explog import PLATFORM_DEFAULTS, explog_fields, normalise_platform, write_explog
from .format_bam import BAM_TRUTH_COLUMNS, simulate_bam, write_basecaller_json
from .format_wells import WELLS_TRUTH_COLUMNS, simulate_wells, split_into_blocks
from .reads import ErrorModel, QualityModel
from .reference import generate_reference, load_reference
from .tfs import TEST_FRAGMENTS, write_tf_files

FILLER_LEN = 80


@dataclass
class SimulatedRun:
    run_dir: Path
    reference_fasta: Path
    truth_path: Path
    params_path: Path
    tf_fasta: Path
    run_id: str
    fmt: str
    outputs: dict = field(default_factory=dict)   # role -> Path


def run_id_for(name: str) -> str:
    """5-character id of a name: the analysis's own run-id hash (pipeline/runid.py)."""
    return dek_run_id(name)


def simulate_run(out_dir, *, reads: int = 1000, barcodes=None, barcode_kit=None,
                 barcode_kit_name: str | None = None, instrument: str = "PGM",
                 run_name: str | None = None, fmt: str = "bam", preclassified: bool = False,
                 seed: int = 1, reference_fasta=None, reference_name: str | None = None,
                 genome_size: int = 100_000, n_contigs: int = 3, flows: int = 400,
                 flow_order: str = DEFAULT_FLOW_ORDER, chip_type: str | None = None,
                 library_key: str = DEFAULT_LIBRARY_KEY, tf_key: str = DEFAULT_TF_KEY,
                 adapter: str = DEFAULT_3PRIME_ADAPTER, insert_mean: float = 180.0,
                 insert_sd: float = 50.0, insert_min: int = 30, insert_max: int | None = None,
                 nomatch_fraction: float = 0.03, tf_reads: int | None = None,
                 bad_key_fraction: float = 0.01, dud_fraction: float = 0.02,
                 loading: float = 0.75, errors: ErrorModel | dict | None = None,
                 quality: QualityModel | dict | None = None, barcode_error_rate: float = 0.0,
                 cf: float = 0.006, ie: float = 0.004, dr: float = 0.001,
                 phasing_jitter: float = 0.0, noise: float = 0.07, key_signal: float = 100.0,
                 flowgram_tags: bool = True, zm_noise: float = 0.08, samples: dict | None = None,
                 project: str = "", sample: str = "", notes: str = "", user: str = "user",
                 plan_short_id: str = "", plan_guid: str = "",
                 start_time: _dt.datetime | None = None, run_id: str | None = None,
                 truth_dir=None, batch_size: int = 20000,
                 wells_compression: str | None = None, blocks: tuple | None = None) -> SimulatedRun:
    """Simulate an instrument run folder at ``out_dir`` (the folder itself is the run
    folder, e.g. ``<results>/<rig>/R_2024_01_02_03_04_05_user_demo``).

    ``fmt='bam'`` writes basecalled unmapped BAMs (format a); ``fmt='wells'`` writes a
    1.wells + bead mask (format b). ``reads`` = library beads (= library reads in format
    a, incl. no-match). See the package docstring for the files and the truth columns.
    ``blocks=(R, C)`` (format b only) delivers the chip as a composite run: R x C blocks, each
    ``onboard_results/sigproc_results/block_X<col>_Y<row>/`` with its own 1.wells and bead
    mask, and one ``BlockStatus`` line per block in explog_final.txt.
    """
    _check_arguments(fmt=fmt, reads=reads, nomatch_fraction=nomatch_fraction, bad_key_fraction=bad_key_fraction,
                     dud_fraction=dud_fraction, flows=flows, preclassified=preclassified, blocks=blocks)
    platform = normalise_platform(instrument)
    run_dir, run_name, run_id = _run_identity(out_dir, run_name, run_id)
    flow_cycle = flow_order.strip().upper()
    full_order = expand_flow_order(flow_cycle, flows)
    library_key, tf_key, adapter = _sequences(library_key, tf_key, adapter)
    em = errors if isinstance(errors, ErrorModel) else ErrorModel(**(errors or {}))
    qm = quality if isinstance(quality, QualityModel) else QualityModel(**(quality or {}))
    insert_max = int(insert_max or max(insert_min + 1, insert_mean + 4 * insert_sd))
    chosen, weights, kit_name = _choose_barcodes(barcode_kit, barcodes, barcode_kit_name, preclassified)
    tf_reads = int(round(reads * 0.01)) if tf_reads is None else int(tf_reads)
    if tf_reads < 0:
        raise ValueError("tf_reads must be >= 0")
    start_time = start_time or _dt.datetime(2024, 1, 2, 3, 4, 5)
    samples = dict(samples or {})

    truth_dir = Path(truth_dir) if truth_dir else run_dir / "simulation"
    truth_dir.mkdir(parents=True, exist_ok=True)
    ref, ref_path, reference_name = _reference(truth_dir, reference_fasta, reference_name, genome_size=genome_size,
                                               n_contigs=n_contigs, seed=seed)
    tf_fasta = write_tf_files(truth_dir, tf_key)

    chip_type = chip_type or PLATFORM_DEFAULTS[platform][1]
    fields = _start_explog(run_dir, platform, seed, chip_type, run_name=run_name, flows=flows, flow_cycle=flow_cycle,
                           library_key=library_key, tf_key=tf_key, reference=reference_name, barcode_kit=kit_name,
                           start_time=start_time, project=project, sample=sample, notes=notes,
                           plan_short_id=plan_short_id, plan_guid=plan_guid, user=user)

    n_badkey, n_dud = int(round(reads * bad_key_fraction)), int(round(reads * dud_fraction))
    layout = C.ChipLayout.for_beads(lib=reads, tf=tf_reads, dud=n_dud, badkey=n_badkey, loading=loading)
    ctx = _context(seed, chosen, weights, ref=ref, flows=flows, flow_cycle=flow_cycle, full_order=full_order,
                   em=em, qm=qm, library_key=library_key, tf_key=tf_key, adapter=adapter,
                   nomatch_fraction=nomatch_fraction, insert=(insert_mean, insert_sd, insert_min, insert_max),
                   preclassified=preclassified, barcode_error_rate=barcode_error_rate, run_id=run_id,
                   zm_noise=zm_noise, flowgram_tags=flowgram_tags)
    common = dict(seed=seed, layout=layout, band_rows=max(1, batch_size // layout.cols), ctx=ctx,
                  run_dir=run_dir, truth_dir=truth_dir, full_order=full_order, library_key=library_key,
                  tf_key=tf_key, start_time=start_time, platform=platform, chip_type=chip_type,
                  reference_name=reference_name, sample=sample, samples=samples, kit_name=kit_name)
    if fmt == "bam":
        summary = simulate_bam(**common)
    else:
        summary = simulate_wells(**common, cf=cf, ie=ie, dr=dr, jitter=phasing_jitter,
                                 noise=noise, key_signal=key_signal, compression=wells_compression)
    data_dir = _side_files(run_dir, fmt, summary, layout, full_order=full_order, flows=flows, library_key=library_key,
                           tf_key=tf_key, key_signal=key_signal, phasing=(cf, ie, dr), run_id=run_id)

    params = dict(
        _truth_params(run_dir, ctx, layout, summary, ref, ref_path, reference_name, chosen),
        seed=seed, format=fmt, preclassified=preclassified, platform=platform, run_name=run_name,
        experiment_name=run_name, run_id=run_id, start_time=start_time.isoformat(), chip_type=chip_type,
        flows=flows, flow_order=full_order, flow_cycle=flow_cycle, library_key=library_key, tf_key=tf_key,
        adapter=adapter, barcode_kit=kit_name, reads=reads, tf_reads_total=tf_reads, bad_key_beads=n_badkey,
        dud_beads=n_dud, phasing={"CF": cf, "IE": ie, "DR": dr, "jitter": phasing_jitter}, noise=noise,
        key_signal=key_signal, zm_noise=zm_noise, barcode_error_rate=barcode_error_rate,
        truth_columns=list(BAM_TRUTH_COLUMNS if fmt == "bam" else WELLS_TRUTH_COLUMNS))
    (truth_dir / "truth_params.json").write_text(json.dumps(params, indent=2))
    _final_explog(run_dir, data_dir, fields, summary, layout, blocks=blocks, start_time=start_time,
                  platform=platform, flows=flows)
    return SimulatedRun(run_dir, ref_path, summary["truth_path"], truth_dir / "truth_params.json", tf_fasta,
                        run_id, fmt, dict(summary["outputs"]))


def _truth_params(run_dir, ctx, layout, summary, ref, ref_path, reference_name, chosen):
    """truth_params.json entries derived from the simulation's context, chip and outputs."""
    mean, sd, lo, hi = ctx.insert
    return {
        "filler": ctx.tail_text,
        "reference": {"name": reference_name, "path": str(ref_path),
                      "contigs": dict(zip(ref.names, ref.lengths.tolist()))},
        "barcodes": [{"id_str": b["id_str"], "sequence": b["sequence"],
                      "adapter": b["adapter"], "index": b["index"]} for b in chosen],
        "nomatch_prefixes": ctx.prefixes[ctx.n_bc:],
        "chip": {"rows": layout.rows, "cols": layout.cols,
                 "wells": {C.KIND_NAMES[k]: int(v) for k, v in layout.counts.items()}},
        "insert": {"mean": mean, "sd": sd, "min": lo, "max": hi},
        "error_model": asdict(ctx.em), "quality_model": asdict(ctx.qm),
        "nomatch_fraction": ctx.nomatch_fraction,
        **summary["public"],
        "outputs": {k: str(Path(v).relative_to(run_dir)) if str(v).startswith(str(run_dir))
                    else str(v) for k, v in summary["outputs"].items()},
    }


def _run_identity(out_dir, run_name, run_id):
    """(run folder, created; run name; run id)."""
    run_dir = Path(out_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    run_name = run_name or run_dir.name
    run_id = run_id or run_id_for(run_name)
    if len(run_id) == 0 or ":" in run_id or "." in run_id:
        raise ValueError("run_id must be non-empty without ':' or '.'")
    return run_dir, run_name, run_id


def _sequences(library_key, tf_key, adapter):
    """The keys (checked) and the 3' adapter, upper case."""
    for k, label in ((library_key, "library_key"), (tf_key, "tf_key")):
        if not k or set(k.upper()) - set("ACGT"):
            raise ValueError(f"{label} must be a non-empty ACGT string")
    return library_key.upper(), tf_key.upper(), adapter.upper()


def _check_arguments(*, fmt, reads, nomatch_fraction, bad_key_fraction, dud_fraction, flows, preclassified,
                     blocks):
    if fmt not in ("bam", "wells"):
        raise ValueError("fmt must be 'bam' or 'wells'")
    if not isinstance(reads, (int, np.integer)) or reads < 1:
        raise ValueError("reads must be a positive integer")
    if not 0.0 <= nomatch_fraction < 1.0:
        raise ValueError("nomatch_fraction must be in [0, 1)")
    for name, v in (("bad_key_fraction", bad_key_fraction), ("dud_fraction", dud_fraction)):
        if not 0.0 <= v < 1.0:
            raise ValueError(f"{name} must be in [0, 1)")
    if flows < 32:
        raise ValueError("flows must be at least 32")
    if fmt == "wells" and preclassified:
        raise ValueError("preclassified applies to fmt='bam' only")
    if blocks is not None:
        if fmt != "wells":
            raise ValueError("blocks applies to fmt='wells' only")
        if len(blocks) != 2 or min(int(b) for b in blocks) < 1:
            raise ValueError("blocks must be (rows, cols) of at least 1 each")


def _choose_barcodes(barcode_kit, barcodes, barcode_kit_name, preclassified):
    """(chosen barcodes, their read weights, kit name) from the kit and the number asked for."""
    kit = normalise_kit(barcode_kit) if barcode_kit else []
    if barcodes is not None and not kit:
        raise ValueError("barcodes given without a barcode_kit")
    if kit and barcodes is None:
        barcodes = len(kit)
    chosen, weights = select_barcodes(kit, barcodes) if kit else ([], np.zeros(0))
    if preclassified and not chosen:
        raise ValueError("preclassified needs barcodes")
    kit_name = barcode_kit_name or (kit[0]["name"] if kit and kit[0]["name"] else
                                    ("custom" if kit else ""))
    return chosen, weights, kit_name


def _reference(truth_dir, reference_fasta, reference_name, *, genome_size, n_contigs, seed):
    """(Reference, FASTA path, name): the given FASTA, or one generated into the truth folder."""
    if reference_fasta is None:
        reference_name = reference_name or "simref"
        ref_path = truth_dir / f"{reference_name}.fasta"
        ref = generate_reference(ref_path, genome_size=genome_size, n_contigs=n_contigs, seed=seed)
    else:
        ref_path = Path(reference_fasta)
        ref = load_reference(ref_path)
        reference_name = reference_name or ref_path.stem
    return ref, ref_path, reference_name


def _context(seed, chosen, weights, *, ref, flows, flow_cycle, full_order, em, qm, library_key, tf_key, adapter,
             nomatch_fraction, insert, preclassified, barcode_error_rate, run_id, zm_noise, flowgram_tags):
    """The generators' SimContext. Library 5' prefixes: the barcodes (+ their adapter), then
    junk no-match prefixes; the 3' adapter is followed by random filler."""
    prefix_rng = rng(seed, 3)
    prefixes = [b["sequence"] + b["adapter"] for b in chosen]
    n_bc = len(prefixes)
    if chosen:
        prefixes += nomatch_prefixes(chosen, library_key, full_order, prefix_rng)
    tail = adapter + "".join(prefix_rng.choice(list("ACGT"), FILLER_LEN))
    return SimContext(ref=ref, fo=encode(full_order), F=flows, flow_cycle=flow_cycle, full_order=full_order,
                      em=em, qm=qm, lib_key=encode(library_key), tf_key=encode(tf_key), tail=encode(tail),
                      tail_text=tail, prefixes=prefixes, n_bc=n_bc, chosen=chosen, weights=weights,
                      nomatch_fraction=nomatch_fraction if chosen else 0.0, insert=insert,
                      preclassified=preclassified, barcode_error_rate=barcode_error_rate, run_id=run_id,
                      zm_noise=zm_noise, flowgram_tags=flowgram_tags, tf_names=list(TEST_FRAGMENTS),
                      tf_seqs=[TEST_FRAGMENTS[k] for k in TEST_FRAGMENTS])


def _side_files(run_dir, fmt, summary, layout, *, full_order, flows, library_key, tf_key, key_signal, phasing,
                run_id):
    """Key traces, and BaseCaller.json (format a) or processParameters.txt (format b); returns
    the folder they are in."""
    data_dir = run_dir / ("basecaller_results" if fmt == "bam" else "sigproc_results")
    for key in (library_key, tf_key):
        _write_nuke_trace(data_dir / f"avgNukeTrace_{key}.txt", key, full_order, key_signal)
    if fmt == "bam":
        write_basecaller_json(data_dir / "BaseCaller.json", summary, *phasing, run_id,
                              full_order, library_key, tf_key, layout)
    else:
        (data_dir / "processParameters.txt").write_text(
            f"numFlows = {flows}\ncyclesProcessed = {flows // 4}\nframesProcessed = 100\n"
            f"flowOrder = {full_order}\nlibraryKey = {library_key}\ntfKey = {tf_key}\n")
        (data_dir / "analysis_return_code.txt").write_text("0\n")
    return data_dir


def _start_explog(run_dir, platform, seed, chip_type, *, run_name, **values):
    """Write explog.txt (the run starts); returns its fields."""
    fields = explog_fields(experiment_name=run_name, run_name=run_name, platform=platform,
                           device_name=PLATFORM_DEFAULTS[platform][0], serial=f"SN-{platform}-{seed:04d}",
                           chip_type=chip_type, chip_barcode=f"SIM{seed:06d}", **values)
    write_explog(run_dir / "explog.txt", fields)
    return fields


def _final_explog(run_dir, data_dir, fields, summary, layout, *, blocks, start_time, platform, flows):
    """explog_final.txt (run end); a composite run's chip is split into its blocks first."""
    final = dict(fields)
    if blocks is not None:
        summary["outputs"] = {k: v for k, v in summary["outputs"].items()
                              if k not in ("wells", "bfmask", "bfmask_stats")}
        block_files, final["BlockStatus"] = split_into_blocks(run_dir, data_dir, layout, blocks)
        summary["outputs"].update(block_files)
    final["End Time"] = (start_time + _dt.timedelta(hours=3)).strftime(PLATFORM_DEFAULTS[platform][2])
    final["Flows Completed"] = str(flows)
    write_explog(run_dir / "explog_final.txt", final)


def _write_nuke_trace(path, key, full_order, amplitude, frames: int = 100):
    """Synthetic mean key traces: a gamma-like incorporation bump per key flow."""
    hp = key_flow_vector(key, full_order)[:-1]
    t = np.arange(frames, dtype=np.float64)
    tau = 12.0
    shape = (t / tau) * np.exp(1.0 - t / tau)
    gain = {"A": 1.04, "C": 1.0, "G": 0.97, "T": 0.93}
    flow_tr = [(f, amplitude * gain[full_order[f]] * h * shape + 2.0 * (1 - h) * shape)
               for f, h in enumerate(hp.tolist())]
    nuc_tr = [(full_order[f], tr) for (f, tr), h in zip(flow_tr, hp.tolist()) if h == 1]
    write_avg_nuke_trace(path, flow_tr, nuc_tr)
