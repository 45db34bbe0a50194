"""Format (b): flowgrams in ``sigproc_results/1.wells`` + bead mask (``analysis.bfmask.bin``,
``analysis.bfmask.stats``); optionally re-delivered as the blocks of a composite run."""
from __future__ import annotations

import numpy as np

from ..basecaller.flowspace import decode, encode, expand_flow_order, flow_vector_from_flows, key_flow_vector
from ..basecaller.phasing import simulate_flowgrams
from ..formats.bfmask import bfmask_stats_from_counts, mask_counts, read_bfmask, write_bfmask, write_bfmask_stats
from ..formats.wells import WellsReader, WellsWriter
from ..ingest.explog import block_dir
from . import chip as C
from .context import prefix_arrays, prefix_ids, read_names, rng
from .reads import molecule_flows, sample_templates, take_ragged
from .truth import TruthWriter

EXTRA_FLOWS = 40            # flowgrams are simulated this far past the last flow
WELLS_TRUTH_COLUMNS = ("name", "row", "col", "kind", "barcode", "contig", "pos", "strand",
                       "insert_len", "prefix_len", "template")


def simulate_wells(*, seed, layout, band_rows, ctx, run_dir, truth_dir, full_order,
                   library_key, tf_key, start_time, platform, chip_type, reference_name, sample,
                   samples, kit_name, cf, ie, dr, jitter, noise, key_signal, compression):
    out_dir = run_dir / "sigproc_results"
    out_dir.mkdir(parents=True, exist_ok=True)
    wells_path = out_dir / "1.wells"
    mask = np.zeros((layout.rows, layout.cols), dtype=np.uint16)
    sim = _WellsSim(ctx, seed, truth_dir, bad_key=broken_key(library_key, full_order), phasing=(cf, ie, dr),
                    jitter=jitter, noise=noise, key_signal=key_signal)
    info = {"LibraryKey": library_key, "TFKey": tf_key, "ChipType": chip_type}
    try:
        with WellsWriter(wells_path, layout.rows, layout.cols, full_order, info=info,
                         compression=compression, band_rows=band_rows) as writer:
            for r0, r1, grid in layout.bands(sim.layout_rng, band_rows):
                mask[r0:r1] = C.KIND_MASK[grid]
                writer.write_rows(r0, sim.band(r0, r1, grid, layout.cols))
    finally:
        sim.truth.close()
    write_bfmask(out_dir / "analysis.bfmask.bin", mask)
    write_bfmask_stats(out_dir / "analysis.bfmask.stats",
                       bfmask_stats_from_counts(mask_counts(mask), layout.rows, layout.cols))
    public = {"reads_per_barcode": {**sim.per_barcode, **({"nomatch": sim.nomatch_count}
                                                           if ctx.n_bc else {})},
              "tf_reads": sim.tf_counts}
    outputs = {"wells": wells_path, "bfmask": out_dir / "analysis.bfmask.bin",
               "bfmask_stats": out_dir / "analysis.bfmask.stats"}
    return {"truth_path": sim.truth_path, "outputs": outputs, "public": public}


class _WellsSim:
    """Flowgrams of the chip's bead wells, one row band at a time, with their truth and counts."""

    def __init__(self, ctx, seed, truth_dir, *, bad_key, phasing, jitter, noise, key_signal):
        self.ctx = ctx
        self.truth_path = truth_dir / "truth.tsv.gz"
        self.truth = TruthWriter(self.truth_path, WELLS_TRUTH_COLUMNS)
        self.bad_key = encode(bad_key)
        self.fo_ext = encode(expand_flow_order(ctx.flow_cycle, ctx.F + EXTRA_FLOWS))
        self.layout_rng, self.read_rng, self.noise_rng = rng(seed, 1), rng(seed, 2), rng(seed, 4)
        self.phasing, self.jitter, self.noise, self.key_signal = phasing, jitter, noise, key_signal
        self.per_barcode = {b["id_str"]: 0 for b in ctx.chosen}
        self.nomatch_count = 0
        self.tf_counts = {name: 0 for name in ctx.tf_names}
        self.bc_names = np.array([b["id_str"] for b in ctx.chosen] + ["nomatch"], dtype=object)

    def band(self, r0, r1, grid, cols):
        """(rows, cols, flows) signals of one row band: noise everywhere, beads' flowgrams on top."""
        band = np.zeros((r1 - r0, cols, self.ctx.F), dtype=np.float32)
        sd = self.noise * self.key_signal
        band += self.noise_rng.normal(0.0, sd, band.shape).astype(np.float32)
        for kind in (C.LIB, C.TF, C.BADKEY, C.DUD):
            rr, cc = np.nonzero(grid == kind)
            if rr.size:
                band[rr, cc] = self._beads(kind, rr + r0, cc)
        return band

    def _templates(self, kind, n):
        """(insert lengths, flat template codes, contig, pos, strand, prefix ids, key) of n beads."""
        ctx, rng_ = self.ctx, self.read_rng
        if kind == C.TF:
            which = rng_.integers(0, len(ctx.tf_seqs), n)
            strs = [ctx.tf_seqs[w] for w in which.tolist()]
            L = np.fromiter((len(s) for s in strs), dtype=np.int64, count=n)
            contig = np.array(ctx.tf_names, dtype=object)[which]
            return (L, encode("".join(strs)), contig, np.zeros(n, dtype=np.int64), np.full(n, "+", dtype=object),
                    np.full(n, -1, dtype=np.int64), ctx.tf_key)
        mean, sdv, lo, hi = ctx.insert
        L, ci, pos, rev, tmpl = sample_templates(rng_, ctx.ref, n, mean, sdv, lo, hi)
        contig = np.array(ctx.ref.names, dtype=object)[ci]
        strand = np.where(rev, "-", "+").astype(object)
        pid = prefix_ids(rng_, ctx, n)
        return L, tmpl, contig, pos, strand, pid, (self.bad_key if kind == C.BADKEY else ctx.lib_key)

    def _signal(self, kind, flows, n):
        """Measured, scaled flowgrams (n, F) of molecules whose bases are incorporated at `flows`."""
        hp = flow_vector_from_flows(flows, self.fo_ext.size)
        if self.jitter > 0:
            j = np.exp(self.read_rng.normal(0.0, self.jitter, (3, n)))
            par = tuple(p * f for p, f in zip(self.phasing, j))
        else:
            par = self.phasing
        P = simulate_flowgrams(hp, self.fo_ext, *par)[:, :self.ctx.F]
        if kind == C.DUD:
            P *= 0.05
        sig = np.sqrt(self.noise ** 2 + (0.03 * P) ** 2)
        M = P + self.noise_rng.normal(0.0, 1.0, P.shape).astype(np.float32) * sig
        amp = self.key_signal * np.exp(self.noise_rng.normal(0.0, 0.15, n)).astype(np.float32)
        return M * amp[:, None]

    def _beads(self, kind, rows, cc):
        """Flowgrams of the beads of one kind at (rows, cc); their truth rows are written."""
        ctx, n = self.ctx, rows.size
        L, tmpl, contig, pos, strand, pid, key = self._templates(kind, n)
        pflat, plen, _ = prefix_arrays(self.read_rng, ctx, pid, 0.0)
        # Simulate past the last flow: copies running ahead (carry forward) need the template beyond it.
        mol, flows = molecule_flows(key, pflat, plen, tmpl, L, ctx.tail, self.fo_ext)
        signal = self._signal(kind, flows, n)
        template = [""] * n
        if kind != C.DUD:
            seqs = take_ragged(mol, np.full(n, key.size, dtype=np.int64), plen + L)
            text = decode(seqs)
            bounds = np.append(0, np.cumsum(plen + L)).tolist()
            template = [text[bounds[i]:bounds[i + 1]] for i in range(n)]
        if kind == C.LIB:
            for i in range(len(ctx.chosen)):
                self.per_barcode[ctx.chosen[i]["id_str"]] += int((pid == i).sum())
            self.nomatch_count += int((pid >= ctx.n_bc).sum()) if ctx.n_bc else 0
        if kind == C.TF:
            for c in contig.tolist():
                self.tf_counts[c] += 1
        bcs = (self.bc_names[np.minimum(np.where(pid < 0, ctx.n_bc, pid), ctx.n_bc)]
               if ctx.n_bc and kind != C.TF else np.full(n, "", dtype=object))
        self.truth.write({
            "name": [x.decode() for x in read_names(ctx.run_id, rows, cc).tolist()],
            "row": rows, "col": cc, "kind": [C.KIND_NAMES[kind]] * n,
            "barcode": bcs, "contig": contig, "pos": pos, "strand": strand,
            "insert_len": L, "prefix_len": plen, "template": template})
        return signal


def broken_key(key: str, flow_order: str) -> str:
    """A 4-base key whose key flows differ from ``key`` in at least two flows."""
    ref = key_flow_vector(key, flow_order)[:-1]
    for cand in ("TGCA", "GTCA", "CTGA", "AGTC", "GACT", "CATG"):
        v = key_flow_vector(cand, flow_order)
        m = min(v.size, ref.size)
        if cand != key and int(np.abs(v[:m] - ref[:m]).sum()) + abs(v.size - ref.size) >= 2:
            return cand
    raise ValueError("cannot derive a broken key")


def _block_bounds(layout, blocks):
    """(row0, row1, col0, col1) of every block of an R x C tiling of the chip."""
    nr, nc = (int(b) for b in blocks)
    re_ = np.linspace(0, layout.rows, nr + 1).astype(int)
    ce = np.linspace(0, layout.cols, nc + 1).astype(int)
    return [(int(re_[i]), int(re_[i + 1]), int(ce[j]), int(ce[j + 1]))
            for i in range(nr) for j in range(nc) if re_[i + 1] > re_[i] and ce[j + 1] > ce[j]]


def split_into_blocks(run_dir, data_dir, layout, blocks):
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
