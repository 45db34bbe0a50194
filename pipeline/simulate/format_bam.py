"""Format (a): basecalled unmapped BAMs (``rawlib.basecaller.bam``, or one per barcode when
preclassified, and ``rawtf.basecaller.bam``), BaseCaller.json and the bead-find stats."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..basecaller.flowspace import encode
from ..formats.bfmask import add_counts, bfmask_stats_from_counts, mask_counts, write_bfmask_stats
from ..formats.ubam import UnmappedBamWriter, tag_int, tag_int16_array, tag_string
from . import chip as C
from .context import prefix_arrays, prefix_ids, read_names, rng
from .reads import (apply_errors, flowgram_tag, molecule_flows, place_ragged, q_lengths, sample_templates,
                    take_ragged, truncate_and_describe)
from .truth import TruthWriter

MIN_ADAPTER_SEEN = 6        # adapter bases that must be sequenced for the adapter to be found
BAM_TRUTH_COLUMNS = ("name", "kind", "read_group", "barcode", "contig", "pos", "strand",
                     "insert_len", "read_len", "prefix_len", "adapter_found", "bc_errors",
                     "n_sub", "n_ins", "n_del", "n_hp", "cigar", "q17_len", "q20_len")


def simulate_bam(*, seed, layout, band_rows, ctx, run_dir, truth_dir, full_order, library_key,
                 tf_key, start_time, platform, chip_type, reference_name, sample, samples,
                 kit_name):
    out_dir = run_dir / "basecaller_results"
    out_dir.mkdir(parents=True, exist_ok=True)
    hdr = dict(full_order=full_order, start_time=start_time, platform=platform,
               chip_type=chip_type, library=reference_name)
    out = _BamOutputs(ctx, out_dir, truth_dir, hdr, library_key=library_key, tf_key=tf_key, sample=sample,
                      samples=samples, kit_name=kit_name)
    mask_totals = {}
    layout_rng = rng(seed, 1)
    read_rng = rng(seed, 2)
    try:
        for r0, r1, grid in layout.bands(layout_rng, band_rows):
            add_counts(mask_totals, mask_counts(C.KIND_MASK[grid]))
            for kind_code, is_tf in ((C.LIB, False), (C.TF, True)):
                rr, cc = np.nonzero(grid == kind_code)
                if rr.size == 0:
                    continue
                rr = rr + r0
                batch = read_batch(read_rng, ctx, rr.size, tf=is_tf)
                names = read_names(ctx.run_id, rr, cc)
                rgs, bcs = out.write_tf(batch, names) if is_tf else out.write_library(batch, names)
                out.write_truth(names, is_tf, batch, rgs, bcs)
    finally:
        out.close()
    return out.finish(out_dir, layout, mask_totals)


class _BamOutputs:
    """The BAM writers of one run (library or per barcode, TF), its truth table and the counts."""

    def __init__(self, ctx, out_dir, truth_dir, hdr, *, library_key, tf_key, sample, samples, kit_name):
        self.ctx = ctx
        self.writers, self.groups = {}, {}
        if ctx.preclassified:
            for i, b in enumerate(ctx.chosen):
                rg = f"{ctx.run_id}.{b['id_str']}"
                ks = library_key + b["sequence"] + b["adapter"]
                path = out_dir / f"{b['id_str']}_rawlib.basecaller.bam"
                self.writers[i] = UnmappedBamWriter(path, bam_header(
                    rg, samples.get(b["id_str"], "none"), ks, **hdr))
                self.groups[i] = (rg, b["id_str"], path)
            rg = f"{ctx.run_id}.nomatch"
            path = out_dir / "nomatch_rawlib.basecaller.bam"
            self.writers["nomatch"] = UnmappedBamWriter(path, bam_header(rg, "none", library_key, **hdr))
            self.groups["nomatch"] = (rg, "nomatch", path)
        else:
            path = out_dir / "rawlib.basecaller.bam"
            comment = f"barcode_kit:{kit_name}" if ctx.n_bc else None
            self.writers["lib"] = UnmappedBamWriter(path, bam_header(
                ctx.run_id, sample or "none", library_key, **hdr, comment=comment))
            self.groups["lib"] = (ctx.run_id, "", path)
        self.tf_path = out_dir / "rawtf.basecaller.bam"
        self.tf_rg = f"{ctx.run_id}.TF"
        self.tf_writer = UnmappedBamWriter(self.tf_path, bam_header(self.tf_rg, "none", tf_key, **hdr))
        self.truth_path = truth_dir / "truth.tsv.gz"
        self.truth = TruthWriter(self.truth_path, BAM_TRUTH_COLUMNS)
        self.rg_stats = {}
        self.per_barcode = {b["id_str"]: 0 for b in ctx.chosen}
        self.nomatch_count = 0
        self.tf_counts = {name: 0 for name in ctx.tf_names}

    def account(self, rg, batch):
        s = self.rg_stats.setdefault(rg, {"read_count": 0, "total_bases": 0, "Q20_bases": 0})
        s["read_count"] += batch["n"]
        s["total_bases"] += int(batch["read_len"].sum())
        s["Q20_bases"] += int(batch["q20_bases"].sum())

    def write_tf(self, batch, names):
        write_reads(self.tf_writer, batch, names, self.tf_rg)
        self.account(self.tf_rg, batch)
        for c in batch["contig"].tolist():
            self.tf_counts[c] += 1
        return np.full(batch["n"], self.tf_rg, dtype=object), np.full(batch["n"], "", dtype=object)

    def write_library(self, batch, names):
        """Library reads into their BAM(s); returns (read group, barcode) per read for the truth."""
        ctx, pid = self.ctx, batch["pid"]
        bc_names = np.array([b["id_str"] for b in ctx.chosen] + ["nomatch"], dtype=object)
        bcs = (bc_names[np.minimum(np.where(pid < 0, ctx.n_bc, pid), ctx.n_bc)]
               if ctx.n_bc else np.full(batch["n"], "", dtype=object))
        if ctx.preclassified:
            rgs = np.empty(batch["n"], dtype=object)
            for key in list(range(ctx.n_bc)) + ["nomatch"]:
                sel = (pid == key) if key != "nomatch" else (pid >= ctx.n_bc)
                if not sel.any():
                    continue
                rg = self.groups[key][0]
                sub = subset(batch, sel)
                write_reads(self.writers[key], sub, names[sel], rg)
                self.account(rg, sub)
                rgs[sel] = rg
        else:
            write_reads(self.writers["lib"], batch, names, ctx.run_id)
            self.account(ctx.run_id, batch)
            rgs = np.full(batch["n"], ctx.run_id, dtype=object)
        for i, b in enumerate(ctx.chosen):
            self.per_barcode[b["id_str"]] += int((pid == i).sum())
        self.nomatch_count += int((pid >= ctx.n_bc).sum()) if ctx.n_bc else 0
        return rgs, bcs

    def write_truth(self, names, is_tf, batch, rgs, bcs):
        self.truth.write({
            "name": [x.decode() for x in names.tolist()],
            "kind": ["tf" if is_tf else "lib"] * batch["n"], "read_group": rgs,
            "barcode": bcs, "contig": batch["contig"], "pos": batch["pos"],
            "strand": batch["strand"], "insert_len": batch["insert_len"],
            "read_len": batch["read_len"], "prefix_len": batch["prefix_len"],
            "adapter_found": batch["found"].astype(int), "bc_errors": batch["bc_err"],
            "n_sub": batch["n_sub"], "n_ins": batch["n_ins"], "n_del": batch["n_del"],
            "n_hp": batch["n_hp"], "cigar": batch["cigar"], "q17_len": batch["q17"],
            "q20_len": batch["q20"]})

    def close(self):
        for w in self.writers.values():
            w.close()
        self.tf_writer.close()
        self.truth.close()

    def finish(self, out_dir, layout, mask_totals):
        """Write the bead-find stats; the summary simulate_run records."""
        outputs = {("bam:" + str(g[1] or "rawlib")): g[2] for g in self.groups.values()}
        outputs["bam:tf"] = self.tf_path
        outputs["basecaller_json"] = out_dir / "BaseCaller.json"
        outputs["bfmask_stats"] = out_dir / "analysis.bfmask.stats"
        lib_valid = sum(v["read_count"] for k, v in self.rg_stats.items() if k != self.tf_rg)
        filtered = {"lib": {"keypass": layout.counts[C.BADKEY], "valid": lib_valid},
                    "tf": {"valid": self.rg_stats.get(self.tf_rg, {}).get("read_count", 0)}}
        write_bfmask_stats(out_dir / "analysis.bfmask.stats",
                           bfmask_stats_from_counts(mask_totals, layout.rows, layout.cols,
                                                    filtered=filtered))
        public = {"reads_per_barcode": {**self.per_barcode, **({"nomatch": self.nomatch_count}
                                                                if self.ctx.n_bc else {})},
                  "tf_reads": self.tf_counts, "read_groups": self.rg_stats}
        return {"truth_path": self.truth_path, "outputs": outputs, "public": public,
                "lib_valid": lib_valid, "tf_valid": filtered["tf"]["valid"],
                "badkey": layout.counts[C.BADKEY]}


def bam_header(rg_id, sample, key, full_order, start_time, platform, chip_type, library,
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


def _templates(rng, ctx, n, tf):
    """(insert lengths, flat template codes, contig names, start, reverse, error model,
    prefix ids, key codes) of n library reads or test fragments."""
    if tf:
        which = rng.integers(0, len(ctx.tf_seqs), n)
        tmpl_strs = [ctx.tf_seqs[w] for w in which.tolist()]
        L = np.fromiter((len(s) for s in tmpl_strs), dtype=np.int64, count=n)
        tmpl = encode("".join(tmpl_strs))
        contig_names = np.array(ctx.tf_names, dtype=object)[which]
        start = np.zeros(n, dtype=np.int64)
        reverse = np.zeros(n, dtype=bool)
        return L, tmpl, contig_names, start, reverse, ctx.em.scaled(0.5), np.full(n, -1, dtype=np.int64), ctx.tf_key
    mean, sd, lo, hi = ctx.insert
    L, contig, start, reverse, tmpl = sample_templates(rng, ctx.ref, n, mean, sd, lo, hi)
    contig_names = np.array(ctx.ref.names, dtype=object)[contig]
    return L, tmpl, contig_names, start, reverse, ctx.em, prefix_ids(rng, ctx, n), ctx.lib_key


def read_batch(rng, ctx, n, *, tf: bool):
    """Generate n reads (library or TF); returns dict of per-read arrays + flat data."""
    L, tmpl, contig_names, start, reverse, em, pid, key = _templates(rng, ctx, n, tf)
    pflat, plen, bc_err = prefix_arrays(rng, ctx, pid, 0.0 if tf else ctx.barcode_error_rate)
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
    qual = _qualities(rng, ctx, mol, pflat, plen, er, nk, start_col, read_len)
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


def _qualities(rng, ctx, mol, pflat, plen, er, nk, start_col, read_len):
    """Per-base QVs of the reads: prefix bases high, insert bases from the error model."""
    n = plen.size
    qmat = np.zeros(mol.shape, dtype=np.uint8)
    pq = np.clip(np.rint(rng.normal(ctx.qm.prefix, 2.0, pflat.size)), 2, 41).astype(np.uint8)
    place_ragged(qmat, pq, plen, np.full(n, nk, dtype=np.int64))
    place_ragged(qmat, er.qual, er.called_len, nk + plen)
    return take_ragged(qmat, start_col, read_len)


def subset(batch, sel):
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


def write_reads(writer, batch, names, rg):
    n = batch["n"]
    if n == 0:
        return
    tags = [tag_string("RG", rg, n), tag_int("ZF", batch["first_flow"]),
            tag_int("ZA", batch["za"], batch["found"])]
    if "zm" in batch:
        tags.append(tag_int16_array("ZM", batch["zm"], batch["zm_n"]))
    writer.write_batch(names, batch["seq"], batch["read_len"], batch["qual"], tags)


def write_basecaller_json(path, summary, cf, ie, dr, run_id, full_order, library_key, tf_key, layout):
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
