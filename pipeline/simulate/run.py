"""simulate_run: write a synthetic instrument run folder plus its truth (see package doc)."""
from __future__ import annotations

import datetime as _dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..basecaller.flowspace import (DEFAULT_3PRIME_ADAPTER, DEFAULT_FLOW_ORDER,
                                    DEFAULT_LIBRARY_KEY, DEFAULT_TF_KEY, decode, encode,
                                    expand_flow_order, flow_vector_from_flows, key_flow_vector)
from ..basecaller.phasing import simulate_flowgrams
from ..formats.bfmask import (add_counts, bfmask_stats_from_counts, mask_counts, read_bfmask,
                              write_bfmask, write_bfmask_stats)
from ..formats.nuketrace import write_avg_nuke_trace
from ..formats.ubam import UnmappedBamWriter, tag_int, tag_int16_array, tag_string
from ..formats.wells import WellsReader, WellsWriter
from ..ingest.explog import block_dir
from . import chip as C
from .barcodes import nomatch_prefixes, normalise_kit, select_barcodes
from .explog import PLATFORM_DEFAULTS, explog_fields, normalise_platform, write_explog
from .reads import (ErrorModel, QualityModel, apply_errors, molecule_flows, place_ragged,
                    q_lengths, sample_templates, take_ragged, truncate_and_describe,
                    flowgram_tag)
from .reference import generate_reference, load_reference
from .tfs import TEST_FRAGMENTS, write_tf_files
from .truth import TruthWriter

MIN_ADAPTER_SEEN = 6        # adapter bases that must be sequenced for the adapter to be found
EXTRA_FLOWS = 40            # flowgrams are simulated this far past the last flow
FILLER_LEN = 80
BAM_TRUTH_COLUMNS = ("name", "kind", "read_group", "barcode", "contig", "pos", "strand",
                     "insert_len", "read_len", "prefix_len", "adapter_found", "bc_errors",
                     "n_sub", "n_ins", "n_del", "n_hp", "cigar", "q17_len", "q20_len")
WELLS_TRUTH_COLUMNS = ("name", "row", "col", "kind", "barcode", "contig", "pos", "strand",
                       "insert_len", "prefix_len", "template")


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
    """5-character id of a name: DEK hash, base 36 with digits A-Z then 0-9."""
    h = len(name)
    for ch in name:
        h = ((h << 5) ^ (h >> 27)) ^ ord(ch)
        h &= 0x7FFFFFFF
    digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    out = []
    for _ in range(5):
        out.append(digits[h % 36])
        h //= 36
    return "".join(reversed(out))


def _rng(seed: int, stream: int):
    return np.random.default_rng(np.random.SeedSequence([int(seed), stream]))


def _broken_key(key: str, flow_order: str) -> str:
    """A 4-base key whose key flows differ from ``key`` in at least two flows."""
    ref = key_flow_vector(key, flow_order)[:-1]
    for cand in ("TGCA", "GTCA", "CTGA", "AGTC", "GACT", "CATG"):
        v = key_flow_vector(cand, flow_order)
        m = min(v.size, ref.size)
        if cand != key and int(np.abs(v[:m] - ref[:m]).sum()) + abs(v.size - ref.size) >= 2:
            return cand
    raise ValueError("cannot derive a broken key")


def _names(run_id, rows, cols):
    return np.array([f"{run_id}:{r:05d}:{c:05d}" for r, c in zip(rows.tolist(), cols.tolist())],
                    dtype="S")


class _Ctx:
    """Everything the batch generators need."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


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
    # ---- validate and normalise arguments -------------------------------------------
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
    platform = normalise_platform(instrument)
    run_dir = Path(out_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    run_name = run_name or run_dir.name
    run_id = run_id or run_id_for(run_name)
    if len(run_id) == 0 or ":" in run_id or "." in run_id:
        raise ValueError("run_id must be non-empty without ':' or '.'")
    flow_cycle = flow_order.strip().upper()
    full_order = expand_flow_order(flow_cycle, flows)
    fo = encode(full_order)
    for k, label in ((library_key, "library_key"), (tf_key, "tf_key")):
        if not k or set(k.upper()) - set("ACGT"):
            raise ValueError(f"{label} must be a non-empty ACGT string")
    library_key, tf_key, adapter = library_key.upper(), tf_key.upper(), adapter.upper()
    em = errors if isinstance(errors, ErrorModel) else ErrorModel(**(errors or {}))
    qm = quality if isinstance(quality, QualityModel) else QualityModel(**(quality or {}))
    insert_max = int(insert_max or max(insert_min + 1, insert_mean + 4 * insert_sd))
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
    tf_reads = int(round(reads * 0.01)) if tf_reads is None else int(tf_reads)
    if tf_reads < 0:
        raise ValueError("tf_reads must be >= 0")
    start_time = start_time or _dt.datetime(2024, 1, 2, 3, 4, 5)
    samples = dict(samples or {})

    truth_dir = Path(truth_dir) if truth_dir else run_dir / "simulation"
    truth_dir.mkdir(parents=True, exist_ok=True)
    # ---- reference & TFs ------------------------------------------------------------
    if reference_fasta is None:
        reference_name = reference_name or "simref"
        ref_path = truth_dir / f"{reference_name}.fasta"
        ref = generate_reference(ref_path, genome_size=genome_size, n_contigs=n_contigs,
                                 seed=seed)
    else:
        ref_path = Path(reference_fasta)
        ref = load_reference(ref_path)
        reference_name = reference_name or ref_path.stem
    tf_fasta = write_tf_files(truth_dir, tf_key)

    # ---- explog.txt (run start) -----------------------------------------------------
    device, default_chip, _ = PLATFORM_DEFAULTS[platform]
    chip_type = chip_type or default_chip
    fields = explog_fields(
        experiment_name=run_name, run_name=run_name, platform=platform, device_name=device,
        serial=f"SN-{platform}-{seed:04d}", chip_type=chip_type, chip_barcode=f"SIM{seed:06d}",
        flows=flows, flow_cycle=flow_cycle, library_key=library_key, tf_key=tf_key,
        reference=reference_name, barcode_kit=kit_name, start_time=start_time, project=project,
        sample=sample, notes=notes, plan_short_id=plan_short_id, plan_guid=plan_guid, user=user)
    write_explog(run_dir / "explog.txt", fields)

    # ---- chip layout ----------------------------------------------------------------
    n_badkey = int(round(reads * bad_key_fraction))
    n_dud = int(round(reads * dud_fraction))
    layout = C.ChipLayout.for_beads(lib=reads, tf=tf_reads, dud=n_dud, badkey=n_badkey,
                                    loading=loading)
    band_rows = max(1, batch_size // layout.cols)

    # Library 5' prefixes: the barcodes (+ their adapter), then junk no-match prefixes.
    prefix_rng = _rng(seed, 3)
    prefixes = [b["sequence"] + b["adapter"] for b in chosen]
    n_bc = len(prefixes)
    if chosen:
        prefixes += nomatch_prefixes(chosen, library_key, full_order, prefix_rng)
    tail = adapter + "".join(prefix_rng.choice(list("ACGT"), FILLER_LEN))
    ctx = _Ctx(ref=ref, fo=fo, F=flows, flow_cycle=flow_cycle, full_order=full_order, em=em, qm=qm,
               lib_key=encode(library_key), tf_key=encode(tf_key), tail=encode(tail),
               prefixes=prefixes, n_bc=n_bc, chosen=chosen, weights=weights,
               nomatch_fraction=nomatch_fraction if chosen else 0.0,
               insert=(insert_mean, insert_sd, insert_min, insert_max), preclassified=preclassified,
               barcode_error_rate=barcode_error_rate, run_id=run_id, zm_noise=zm_noise,
               flowgram_tags=flowgram_tags, tf_names=list(TEST_FRAGMENTS),
               tf_seqs=[TEST_FRAGMENTS[k] for k in TEST_FRAGMENTS])
    common = dict(seed=seed, layout=layout, band_rows=band_rows, ctx=ctx, run_dir=run_dir,
                  truth_dir=truth_dir, full_order=full_order, library_key=library_key,
                  tf_key=tf_key, start_time=start_time, platform=platform, chip_type=chip_type,
                  reference_name=reference_name, sample=sample, samples=samples,
                  kit_name=kit_name)
    if fmt == "bam":
        summary = _simulate_bam(**common)
    else:
        summary = _simulate_wells(**common, cf=cf, ie=ie, dr=dr, jitter=phasing_jitter,
                                  noise=noise, key_signal=key_signal,
                                  compression=wells_compression)

    # ---- nuke traces, BaseCaller.json (format a only), params, explog_final --------------
    data_dir = run_dir / ("basecaller_results" if fmt == "bam" else "sigproc_results")
    amp = key_signal
    for key, label in ((library_key, "lib"), (tf_key, "tf")):
        _write_nuke_trace(data_dir / f"avgNukeTrace_{key}.txt", key, full_order, amp)
    if fmt == "bam":
        _write_basecaller_json(data_dir / "BaseCaller.json", summary, cf, ie, dr, run_id,
                               full_order, library_key, tf_key, layout)
    else:
        (data_dir / "processParameters.txt").write_text(
            f"numFlows = {flows}\ncyclesProcessed = {flows // 4}\nframesProcessed = 100\n"
            f"flowOrder = {full_order}\nlibraryKey = {library_key}\ntfKey = {tf_key}\n")
        (data_dir / "analysis_return_code.txt").write_text("0\n")

    params = {
        "seed": seed, "format": fmt, "preclassified": preclassified, "platform": platform,
        "run_name": run_name, "experiment_name": run_name, "run_id": run_id,
        "start_time": start_time.isoformat(), "chip_type": chip_type,
        "flows": flows, "flow_order": full_order, "flow_cycle": flow_cycle,
        "library_key": library_key, "tf_key": tf_key, "adapter": adapter, "filler": tail,
        "reference": {"name": reference_name, "path": str(ref_path),
                      "contigs": dict(zip(ref.names, ref.lengths.tolist()))},
        "barcode_kit": kit_name,
        "barcodes": [{"id_str": b["id_str"], "sequence": b["sequence"],
                      "adapter": b["adapter"], "index": b["index"]} for b in chosen],
        "nomatch_prefixes": prefixes[n_bc:],
        "reads": reads, "tf_reads_total": tf_reads, "bad_key_beads": n_badkey,
        "dud_beads": n_dud,
        "chip": {"rows": layout.rows, "cols": layout.cols,
                 "wells": {C.KIND_NAMES[k]: int(v) for k, v in layout.counts.items()}},
        "phasing": {"CF": cf, "IE": ie, "DR": dr, "jitter": phasing_jitter},
        "noise": noise, "key_signal": key_signal, "zm_noise": zm_noise,
        "insert": {"mean": insert_mean, "sd": insert_sd, "min": insert_min, "max": insert_max},
        "error_model": asdict(em), "quality_model": asdict(qm),
        "barcode_error_rate": barcode_error_rate, "nomatch_fraction": ctx.nomatch_fraction,
        "truth_columns": list(BAM_TRUTH_COLUMNS if fmt == "bam" else WELLS_TRUTH_COLUMNS),
        **summary["public"],
        "outputs": {k: str(Path(v).relative_to(run_dir)) if str(v).startswith(str(run_dir))
                    else str(v) for k, v in summary["outputs"].items()},
    }
    params_path = truth_dir / "truth_params.json"
    params_path.write_text(json.dumps(params, indent=2))

    final = dict(fields)
    if blocks is not None:
        summary["outputs"] = {k: v for k, v in summary["outputs"].items()
                              if k not in ("wells", "bfmask", "bfmask_stats")}
        block_files, final["BlockStatus"] = _split_into_blocks(run_dir, data_dir, layout, blocks)
        summary["outputs"].update(block_files)
    final["End Time"] = (start_time + _dt.timedelta(hours=3)).strftime(
        PLATFORM_DEFAULTS[platform][2])
    final["Flows Completed"] = str(flows)
    write_explog(run_dir / "explog_final.txt", final)
    return SimulatedRun(run_dir, ref_path, summary["truth_path"], params_path, tf_fasta,
                        run_id, fmt, dict(summary["outputs"]))


def _block_bounds(layout, blocks):
    """(row0, row1, col0, col1) of every block of an R x C tiling of the chip."""
    nr, nc = (int(b) for b in blocks)
    re_ = np.linspace(0, layout.rows, nr + 1).astype(int)
    ce = np.linspace(0, layout.cols, nc + 1).astype(int)
    return [(int(re_[i]), int(re_[i + 1]), int(ce[j]), int(ce[j + 1]))
            for i in range(nr) for j in range(nc) if re_[i + 1] > re_[i] and ce[j + 1] > ce[j]]


def _split_into_blocks(run_dir, data_dir, layout, blocks):
    """Re-deliver the chip's 1.wells + bead mask as per-block files (composite runs); the
    whole-chip files are removed so that only the blocks are input. Returns ({name: 1.wells
    path}, the explog ``BlockStatus`` entries)."""
    mask = read_bfmask(data_dir / "analysis.bfmask.bin")
    files, status = {}, []
    with WellsReader(data_dir / "1.wells") as whole:
        info = {k: whole.info[k] for k in ("LibraryKey", "TFKey", "ChipType") if k in whole.info}
        band = None
        for r0, r1, c0, c1 in _block_bounds(layout, blocks):
            entry = f"X{c0}, Y{r0}, W{c1 - c0}, H{r1 - r0}, AutoAnalyze:1, AnalyzeEarly:1"
            name = f"block_{block_dir(entry)}"  # the folder name analysis derives from the entry
            bdir = run_dir / "onboard_results" / "sigproc_results" / name
            bdir.mkdir(parents=True, exist_ok=True)
            if band is None or band[0] != r0:
                band = (r0, whole.read_rows(r0, r1))  # blocks of one row band share one read
            with WellsWriter(bdir / "1.wells", r1 - r0, c1 - c0, whole.flow_order, info=info) as w:
                w.write_rows(0, band[1][:, c0:c1])
            bm = mask[r0:r1, c0:c1]
            write_bfmask(bdir / "analysis.bfmask.bin", bm)
            write_bfmask_stats(bdir / "analysis.bfmask.stats", bfmask_stats_from_counts(
                mask_counts(bm), r1 - r0, c1 - c0, start_row=r0, start_col=c0))
            files[name] = bdir / "1.wells"
            status.append(entry)
    for fname in ("1.wells", "analysis.bfmask.bin", "analysis.bfmask.stats"):
        (data_dir / fname).unlink()
    return files, status


# ------------------------------------------------------------------------------------
# format (a): basecalled unmapped BAMs
# ------------------------------------------------------------------------------------
def _bam_header(rg_id, sample, key, full_order, start_time, platform, chip_type, library,
                comment=None):
    rg = {"ID": rg_id, "SM": sample or "none", "PL": "IONTORRENT", "KS": key, "FO": full_order,
          "DT": start_time.isoformat(), "PU": f"{platform}/{chip_type}", "LB": library or "none",
          "DS": "simulated"}
    header = {"HD": {"VN": "1.4", "SO": "unsorted"}, "RG": [rg],
              "PG": [{"ID": "bc", "PN": "BaseCaller", "VN": "simulated",
                      "CL": "pipeline.simulate"}]}
    if comment:
        header["CO"] = [comment]
    return header


def _prefix_batch(rng, ctx, n):
    """Per-read prefix id: -1 none, [0, n_bc) barcode, >= n_bc no-match junk."""
    if not ctx.n_bc:
        return np.full(n, -1, dtype=np.int64)
    nomatch = rng.random(n) < ctx.nomatch_fraction
    bc = rng.choice(ctx.n_bc, size=n, p=ctx.weights)
    junk = ctx.n_bc + rng.integers(0, len(ctx.prefixes) - ctx.n_bc, n)
    return np.where(nomatch, junk, bc)


def _prefix_arrays(rng, ctx, pid, error_rate):
    """Flat prefix bases/lengths/flow errors; optional single HP errors in barcodes."""
    strs = ["" if p < 0 else ctx.prefixes[p] for p in pid.tolist()]
    bc_err = np.zeros(pid.size, dtype=np.int64)
    if error_rate > 0:
        hit = np.nonzero((pid >= 0) & (pid < ctx.n_bc) & (rng.random(pid.size) < error_rate))[0]
        for i in hit.tolist():
            bc = ctx.chosen[pid[i]]["sequence"]
            runs = [(j, k) for j, k in _hp_runs(bc)]
            j, length = runs[int(rng.integers(len(runs)))]
            if length >= 2 and rng.random() < 0.5:
                new = bc[:j] + bc[j + 1:]                  # under-call
            else:
                new = bc[:j] + bc[j] + bc[j:]              # over-call
            strs[i] = new + ctx.chosen[pid[i]]["adapter"]
            bc_err[i] = 1
    lens = np.fromiter((len(s) for s in strs), dtype=np.int64, count=len(strs))
    return encode("".join(strs)), lens, bc_err


def _hp_runs(seq):
    j = 0
    while j < len(seq):
        k = j
        while k < len(seq) and seq[k] == seq[j]:
            k += 1
        yield j, k - j
        j = k


def _read_batch(rng, ctx, n, *, tf: bool):
    """Generate n reads (library or TF); returns dict of per-read arrays + flat data."""
    if tf:
        which = rng.integers(0, len(ctx.tf_seqs), n)
        tmpl_strs = [ctx.tf_seqs[w] for w in which.tolist()]
        L = np.fromiter((len(s) for s in tmpl_strs), dtype=np.int64, count=n)
        tmpl = encode("".join(tmpl_strs))
        contig_names = np.array(ctx.tf_names, dtype=object)[which]
        start = np.zeros(n, dtype=np.int64)
        reverse = np.zeros(n, dtype=bool)
        em = ctx.em.scaled(0.5)
        pid = np.full(n, -1, dtype=np.int64)
        key = ctx.tf_key
    else:
        mean, sd, lo, hi = ctx.insert
        L, contig, start, reverse, tmpl = sample_templates(rng, ctx.ref, n, mean, sd, lo, hi)
        contig_names = np.array(ctx.ref.names, dtype=object)[contig]
        em = ctx.em
        pid = _prefix_batch(rng, ctx, n)
        key = ctx.lib_key
    pflat, plen, bc_err = _prefix_arrays(rng, ctx, pid, 0.0 if tf else ctx.barcode_error_rate)
    er = apply_errors(rng, tmpl, L, em, ctx.qm)
    mol, flows = molecule_flows(key, pflat, plen, er.called, er.called_len, ctx.tail, ctx.fo)
    nk = key.size
    seq_count = (flows < ctx.F).sum(axis=1)
    avail_ins = np.clip(seq_count - nk - plen, 0, None)
    found = seq_count >= nk + plen + er.called_len + MIN_ADAPTER_SEEN
    kept = np.minimum(er.called_len, avail_ins)
    is_bc = (pid >= 0) & (pid < ctx.n_bc)
    keep_prefix = ~(ctx.preclassified & is_bc)
    in_prefix = np.where(keep_prefix, plen, 0)
    read_len = kept + in_prefix
    start_col = nk + plen - in_prefix
    seq = take_ragged(mol, start_col, read_len)
    # Qualities: prefix bases high, insert bases from the error model.
    qmat = np.zeros(mol.shape, dtype=np.uint8)
    pq = np.clip(np.rint(rng.normal(ctx.qm.prefix, 2.0, pflat.size)), 2, 41).astype(np.uint8)
    place_ragged(qmat, pq, plen, np.full(n, nk, dtype=np.int64))
    place_ragged(qmat, er.qual, er.called_len, nk + plen)
    qual = take_ragged(qmat, start_col, read_len)
    rows_idx = np.arange(n)
    first_flow = flows[rows_idx, np.minimum(start_col, mol.shape[1] - 1)]
    last_flow = flows[rows_idx, np.clip(start_col + read_len - 1, 0, mol.shape[1] - 1)]
    counts, span, cigars = truncate_and_describe(er, kept, reverse)
    pos = np.where(reverse, start + L - span, start)
    q17, q20 = q_lengths(qual, read_len, 0.02, 0.01)
    out = {"n": n, "pid": pid, "is_bc": is_bc, "seq": seq, "qual": qual, "read_len": read_len,
           "first_flow": first_flow, "za": read_len, "found": found, "contig": contig_names,
           "pos": pos, "strand": np.where(reverse, "-", "+"), "insert_len": L,
           "prefix_len": in_prefix, "bc_err": bc_err, "cigar": cigars,
           "q17": q17, "q20": q20,
           "q20_bases": np.bincount(np.repeat(rows_idx, read_len)[qual >= 20], minlength=n),
           **counts}
    if ctx.flowgram_tags:
        out["zm"], out["zm_n"] = flowgram_tag(flows, last_flow, ctx.F, rng, ctx.zm_noise)
    return out


def _subset(batch, sel):
    """Restrict a batch to the reads in boolean ``sel`` (flat arrays included)."""
    n = batch["n"]
    out = {"n": int(sel.sum())}
    base_sel = np.repeat(sel, batch["read_len"])
    for k, v in batch.items():
        if k == "n":
            continue
        if k in ("seq", "qual"):
            out[k] = v[base_sel]
        elif k == "zm":
            out[k] = v[np.repeat(sel, batch["zm_n"])]
        elif k == "cigar":
            out[k] = [c for c, s in zip(v, sel.tolist()) if s]
        elif isinstance(v, np.ndarray) and v.shape[:1] == (n,):
            out[k] = v[sel]
        else:
            out[k] = v
    return out


def _write_reads(writer, batch, names, rg):
    n = batch["n"]
    if n == 0:
        return
    tags = [tag_string("RG", rg, n), tag_int("ZF", batch["first_flow"]),
            tag_int("ZA", batch["za"], batch["found"])]
    if "zm" in batch:
        tags.append(tag_int16_array("ZM", batch["zm"], batch["zm_n"]))
    writer.write_batch(names, batch["seq"], batch["read_len"], batch["qual"], tags)


def _simulate_bam(*, seed, layout, band_rows, ctx, run_dir, truth_dir, full_order, library_key,
                  tf_key, start_time, platform, chip_type, reference_name, sample, samples,
                  kit_name):
    out_dir = run_dir / "basecaller_results"
    out_dir.mkdir(parents=True, exist_ok=True)
    hdr = dict(full_order=full_order, start_time=start_time, platform=platform,
               chip_type=chip_type, library=reference_name)
    writers, groups = {}, {}
    if ctx.preclassified:
        for i, b in enumerate(ctx.chosen):
            rg = f"{ctx.run_id}.{b['id_str']}"
            ks = library_key + b["sequence"] + b["adapter"]
            path = out_dir / f"{b['id_str']}_rawlib.basecaller.bam"
            writers[i] = UnmappedBamWriter(path, _bam_header(
                rg, samples.get(b["id_str"], "none"), ks, **hdr))
            groups[i] = (rg, b["id_str"], path)
        rg = f"{ctx.run_id}.nomatch"
        path = out_dir / "nomatch_rawlib.basecaller.bam"
        writers["nomatch"] = UnmappedBamWriter(path, _bam_header(rg, "none", library_key, **hdr))
        groups["nomatch"] = (rg, "nomatch", path)
    else:
        path = out_dir / "rawlib.basecaller.bam"
        comment = f"barcode_kit:{kit_name}" if ctx.n_bc else None
        writers["lib"] = UnmappedBamWriter(path, _bam_header(
            ctx.run_id, sample or "none", library_key, **hdr, comment=comment))
        groups["lib"] = (ctx.run_id, "", path)
    tf_path = out_dir / "rawtf.basecaller.bam"
    tf_rg = f"{ctx.run_id}.TF"
    tf_writer = UnmappedBamWriter(tf_path, _bam_header(tf_rg, "none", tf_key, **hdr))
    truth_path = truth_dir / "truth.tsv.gz"
    truth = TruthWriter(truth_path, BAM_TRUTH_COLUMNS)
    rg_stats = {}
    per_barcode = {b["id_str"]: 0 for b in ctx.chosen}
    nomatch_count = 0
    tf_counts = {name: 0 for name in ctx.tf_names}
    mask_totals = {}
    layout_rng = _rng(seed, 1)
    read_rng = _rng(seed, 2)

    def account(rg, batch):
        s = rg_stats.setdefault(rg, {"read_count": 0, "total_bases": 0, "Q20_bases": 0})
        s["read_count"] += batch["n"]
        s["total_bases"] += int(batch["read_len"].sum())
        s["Q20_bases"] += int(batch["q20_bases"].sum())

    try:
        for r0, r1, grid in layout.bands(layout_rng, band_rows):
            add_counts(mask_totals, mask_counts(C.KIND_MASK[grid]))
            for kind_code, is_tf in ((C.LIB, False), (C.TF, True)):
                rr, cc = np.nonzero(grid == kind_code)
                if rr.size == 0:
                    continue
                rr = rr + r0
                batch = _read_batch(read_rng, ctx, rr.size, tf=is_tf)
                names = _names(ctx.run_id, rr, cc)
                if is_tf:
                    _write_reads(tf_writer, batch, names, tf_rg)
                    account(tf_rg, batch)
                    rgs = np.full(batch["n"], tf_rg, dtype=object)
                    bcs = np.full(batch["n"], "", dtype=object)
                    for c in batch["contig"].tolist():
                        tf_counts[c] += 1
                else:
                    pid = batch["pid"]
                    bc_names = np.array([b["id_str"] for b in ctx.chosen] + ["nomatch"],
                                        dtype=object)
                    bcs = (bc_names[np.minimum(np.where(pid < 0, ctx.n_bc, pid), ctx.n_bc)]
                           if ctx.n_bc else np.full(batch["n"], "", dtype=object))
                    if ctx.preclassified:
                        rgs = np.empty(batch["n"], dtype=object)
                        keys = list(range(ctx.n_bc)) + ["nomatch"]
                        for key in keys:
                            sel = (pid == key) if key != "nomatch" else (pid >= ctx.n_bc)
                            if not sel.any():
                                continue
                            rg = groups[key][0]
                            sub = _subset(batch, sel)
                            _write_reads(writers[key], sub, names[sel], rg)
                            account(rg, sub)
                            rgs[sel] = rg
                    else:
                        _write_reads(writers["lib"], batch, names, ctx.run_id)
                        account(ctx.run_id, batch)
                        rgs = np.full(batch["n"], ctx.run_id, dtype=object)
                    for i, b in enumerate(ctx.chosen):
                        per_barcode[b["id_str"]] += int((pid == i).sum())
                    nomatch_count += int((pid >= ctx.n_bc).sum()) if ctx.n_bc else 0
                truth.write({
                    "name": [x.decode() for x in names.tolist()],
                    "kind": ["tf" if is_tf else "lib"] * batch["n"], "read_group": rgs,
                    "barcode": bcs, "contig": batch["contig"], "pos": batch["pos"],
                    "strand": batch["strand"], "insert_len": batch["insert_len"],
                    "read_len": batch["read_len"], "prefix_len": batch["prefix_len"],
                    "adapter_found": batch["found"].astype(int), "bc_errors": batch["bc_err"],
                    "n_sub": batch["n_sub"], "n_ins": batch["n_ins"], "n_del": batch["n_del"],
                    "n_hp": batch["n_hp"], "cigar": batch["cigar"], "q17_len": batch["q17"],
                    "q20_len": batch["q20"]})
    finally:
        for w in writers.values():
            w.close()
        tf_writer.close()
        truth.close()
    outputs = {("bam:" + str(g[1] or "rawlib")): g[2] for g in groups.values()}
    outputs["bam:tf"] = tf_path
    outputs["basecaller_json"] = out_dir / "BaseCaller.json"
    outputs["bfmask_stats"] = out_dir / "analysis.bfmask.stats"
    lib_valid = sum(v["read_count"] for k, v in rg_stats.items() if k != tf_rg)
    filtered = {"lib": {"keypass": layout.counts[C.BADKEY], "valid": lib_valid},
                "tf": {"valid": rg_stats.get(tf_rg, {}).get("read_count", 0)}}
    write_bfmask_stats(out_dir / "analysis.bfmask.stats",
                       bfmask_stats_from_counts(mask_totals, layout.rows, layout.cols,
                                                filtered=filtered))
    public = {"reads_per_barcode": {**per_barcode, **({"nomatch": nomatch_count}
                                                        if ctx.n_bc else {})},
              "tf_reads": tf_counts, "read_groups": rg_stats}
    return {"truth_path": truth_path, "outputs": outputs, "public": public,
            "lib_valid": lib_valid, "tf_valid": filtered["tf"]["valid"],
            "badkey": layout.counts[C.BADKEY]}


def _write_basecaller_json(path, summary, cf, ie, dr, run_id, full_order, library_key, tf_key,
                           layout):
    details = {k: 0 for k in ("valid", "polyclonal", "high_ppf", "short", "failed_keypass",
                              "high_residual", "adapter_trim", "barcode_trim", "quality_trim",
                              "quality_filter", "tag_trim", "extra_trim", "bkgmodel_high_ppf",
                              "bkgmodel_polyclonal", "bkgmodel_keypass")}
    lib = dict(details, valid=summary["lib_valid"], failed_keypass=summary["badkey"])
    tf = dict(details, valid=summary["tf_valid"])
    report = {
        "BaseCaller": {"version": "simulated", "run_id": run_id, "flow_order": full_order,
                       "num_flows": len(full_order), "library_key": library_key,
                       "tf_key": tf_key, "block_row_offset": 0, "block_col_offset": 0,
                       "block_row_size": layout.rows, "block_col_size": layout.cols},
        "Phasing": {"CF": cf, "IE": ie, "DR": dr},
        "Filtering": {"ReadDetails": {"lib": lib, "tf": tf},
                      "LibraryReport": {"filtered_polyclonal": 0, "filtered_primer_dimer": 0,
                                        "filtered_low_quality": summary["badkey"],
                                        "final_library_reads": summary["lib_valid"]}},
    }
    Path(path).write_text(json.dumps(report, indent=2))


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


# ------------------------------------------------------------------------------------
# format (b): 1.wells + bead mask
# ------------------------------------------------------------------------------------
def _simulate_wells(*, seed, layout, band_rows, ctx, run_dir, truth_dir, full_order,
                    library_key, tf_key, start_time, platform, chip_type, reference_name, sample,
                    samples, kit_name, cf, ie, dr, jitter, noise, key_signal, compression):
    out_dir = run_dir / "sigproc_results"
    out_dir.mkdir(parents=True, exist_ok=True)
    F = ctx.F
    wells_path = out_dir / "1.wells"
    mask = np.zeros((layout.rows, layout.cols), dtype=np.uint16)
    truth_path = truth_dir / "truth.tsv.gz"
    truth = TruthWriter(truth_path, WELLS_TRUTH_COLUMNS)
    bad_key = encode(_broken_key(library_key, full_order))
    fo_ext = encode(expand_flow_order(ctx.flow_cycle, F + EXTRA_FLOWS))
    layout_rng, read_rng, noise_rng = _rng(seed, 1), _rng(seed, 2), _rng(seed, 4)
    per_barcode = {b["id_str"]: 0 for b in ctx.chosen}
    nomatch_count = 0
    tf_counts = {name: 0 for name in ctx.tf_names}
    bc_names = np.array([b["id_str"] for b in ctx.chosen] + ["nomatch"], dtype=object)
    info = {"LibraryKey": library_key, "TFKey": tf_key, "ChipType": chip_type}
    try:
        with WellsWriter(wells_path, layout.rows, layout.cols, full_order, info=info,
                         compression=compression, band_rows=band_rows) as writer:
            for r0, r1, grid in layout.bands(layout_rng, band_rows):
                mask[r0:r1] = C.KIND_MASK[grid]
                band = np.zeros((r1 - r0, layout.cols, F), dtype=np.float32)
                sd = noise * key_signal
                band += noise_rng.normal(0.0, sd, band.shape).astype(np.float32)
                for kind in (C.LIB, C.TF, C.BADKEY, C.DUD):
                    rr, cc = np.nonzero(grid == kind)
                    n = rr.size
                    if n == 0:
                        continue
                    if kind == C.TF:
                        which = read_rng.integers(0, len(ctx.tf_seqs), n)
                        strs = [ctx.tf_seqs[w] for w in which.tolist()]
                        L = np.fromiter((len(s) for s in strs), dtype=np.int64, count=n)
                        tmpl = encode("".join(strs))
                        contig = np.array(ctx.tf_names, dtype=object)[which]
                        pos = np.zeros(n, dtype=np.int64)
                        strand = np.full(n, "+", dtype=object)
                        pid = np.full(n, -1, dtype=np.int64)
                        key = ctx.tf_key
                    else:
                        mean, sdv, lo, hi = ctx.insert
                        L, ci, pos, rev, tmpl = sample_templates(read_rng, ctx.ref, n, mean, sdv,
                                                                 lo, hi)
                        contig = np.array(ctx.ref.names, dtype=object)[ci]
                        strand = np.where(rev, "-", "+").astype(object)
                        pid = _prefix_batch(read_rng, ctx, n)
                        key = bad_key if kind == C.BADKEY else ctx.lib_key
                    pflat, plen, _ = _prefix_arrays(read_rng, ctx, pid, 0.0)
                    # Simulate past the last flow: copies running ahead (carry forward)
                    # need the template beyond it.
                    mol, flows = molecule_flows(key, pflat, plen, tmpl, L, ctx.tail, fo_ext)
                    hp = flow_vector_from_flows(flows, fo_ext.size)
                    if jitter > 0:
                        j = np.exp(read_rng.normal(0.0, jitter, (3, n)))
                        par = (cf * j[0], ie * j[1], dr * j[2])
                    else:
                        par = (cf, ie, dr)
                    P = simulate_flowgrams(hp, fo_ext, *par)[:, :F]
                    if kind == C.DUD:
                        P *= 0.05
                    sig = np.sqrt(noise ** 2 + (0.03 * P) ** 2)
                    M = P + noise_rng.normal(0.0, 1.0, P.shape).astype(np.float32) * sig
                    amp = key_signal * np.exp(noise_rng.normal(0.0, 0.15, n)).astype(np.float32)
                    band[rr, cc] = M * amp[:, None]
                    rows = rr + r0
                    template = [""] * n
                    if kind != C.DUD:
                        start = np.full(n, key.size, dtype=np.int64)
                        seqs = take_ragged(mol, start, plen + L)
                        text = decode(seqs)
                        bounds = np.append(0, np.cumsum(plen + L)).tolist()
                        template = [text[bounds[i]:bounds[i + 1]] for i in range(n)]
                    if kind == C.LIB:
                        for i in range(len(ctx.chosen)):
                            per_barcode[ctx.chosen[i]["id_str"]] += int((pid == i).sum())
                        nomatch_count += int((pid >= ctx.n_bc).sum()) if ctx.n_bc else 0
                    if kind == C.TF:
                        for c in contig.tolist():
                            tf_counts[c] += 1
                    bcs = (bc_names[np.minimum(np.where(pid < 0, ctx.n_bc, pid), ctx.n_bc)]
                           if ctx.n_bc and kind != C.TF else np.full(n, "", dtype=object))
                    truth.write({
                        "name": [x.decode() for x in _names(ctx.run_id, rows, cc).tolist()],
                        "row": rows, "col": cc, "kind": [C.KIND_NAMES[kind]] * n,
                        "barcode": bcs, "contig": contig, "pos": pos, "strand": strand,
                        "insert_len": L, "prefix_len": plen, "template": template})
                writer.write_rows(r0, band)
    finally:
        truth.close()
    write_bfmask(out_dir / "analysis.bfmask.bin", mask)
    write_bfmask_stats(out_dir / "analysis.bfmask.stats",
                       bfmask_stats_from_counts(mask_counts(mask), layout.rows, layout.cols))
    public = {"reads_per_barcode": {**per_barcode, **({"nomatch": nomatch_count}
                                                        if ctx.n_bc else {})},
              "tf_reads": tf_counts}
    outputs = {"wells": wells_path, "bfmask": out_dir / "analysis.bfmask.bin",
               "bfmask_stats": out_dir / "analysis.bfmask.stats"}
    return {"truth_path": truth_path, "outputs": outputs, "public": public}
