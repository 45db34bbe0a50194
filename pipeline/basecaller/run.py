"""Basecall a run from flowgrams: ``1.wells`` + bead mask -> unmapped BAMs + BaseCaller.json.

Steps per chunk of bead wells (row bands of the chip, bounded memory):
key normalisation and keypass -> phase-corrected homopolymer calls -> per-base QVs ->
key trim, 3' adapter trim (ZA), quality trim (library reads only), minimum length ->
``rawlib.basecaller.bam`` (library beads) / ``rawtf.basecaller.bam`` (test fragments).
CF/IE/DR are estimated first from up to ``training_reads`` keypass library reads unless
given. Barcodes are not classified here: barcoded reads keep barcode + barcode adapter at
their 5' end (classification is a separate pipeline stage).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rundb.files import atomic_write_json

from ..formats.bfmask import (MaskBit, add_counts, bfmask_stats_from_counts, mask_counts, read_bfmask,
                              write_bfmask, write_bfmask_stats)
from ..formats.ubam import UnmappedBamWriter, tag_int, tag_int16_array, tag_string
from ..formats.wells import WellsReader
from .estimate import estimate_phasing
from .flowspace import (DEFAULT_3PRIME_ADAPTER, DEFAULT_LIBRARY_KEY, DEFAULT_TF_KEY,
                        decode_bytes, encode, key_flow_vector)
from .quality import find_adapter, flow_qualities, quality_trim_lengths, well_noise
from .solver import solve_flowgrams

VERSION = "1.0"
READ_DETAIL_KEYS = ("valid", "polyclonal", "high_ppf", "short", "failed_keypass",
                    "high_residual", "adapter_trim", "barcode_trim", "quality_trim",
                    "quality_filter", "tag_trim", "extra_trim", "bkgmodel_high_ppf",
                    "bkgmodel_polyclonal", "bkgmodel_keypass")


class BasecallerInputError(ValueError):
    """The basecaller inputs are missing or inconsistent."""


@dataclass
class BasecallerConfig:
    run_id: str = "ABCDE"
    library_key: str = DEFAULT_LIBRARY_KEY
    tf_key: str = DEFAULT_TF_KEY
    adapter: str = DEFAULT_3PRIME_ADAPTER
    phasing: tuple | None = None          # (CF, IE, DR); None = estimate
    training_reads: int = 300
    fit_flows: int = 160
    chunk_wells: int = 4000
    min_length: int = 25
    trim_qual_window: int = 30
    trim_qual_cutoff: float = 15.0
    min_key_amplitude: float = 0.3        # fraction of the median key 1-mer amplitude
    max_hp: int = 12
    max_iter: int = 8
    zm_extra_flows: int = 16
    sample: str = "none"
    library: str = ""
    platform: str = "PGM"
    chip_type: str = ""
    sequencing_center: str = ""
    date: str = ""
    bam_level: int = 1


@dataclass
class BasecallResult:
    out_dir: Path
    library_bam: Path
    tf_bam: Path
    basecaller_json: Path
    bfmask_stats: Path
    phasing: tuple
    counts: dict = field(default_factory=dict)


def _empty_details():
    return {k: 0 for k in READ_DETAIL_KEYS}


class _KeyModel:
    def __init__(self, key: str, flow_order: str):
        vec = key_flow_vector(key, flow_order)
        self.key = key
        self.hp = vec[:-1].astype(np.int16)          # the last key flow may hold template
        self.one = np.nonzero(self.hp == 1)[0]
        if self.one.size == 0:
            raise BasecallerInputError(f"key {key!r} has no 1-mer flows in this flow order")


def _normalise(raw: np.ndarray, km: _KeyModel, ref_amplitude: float | None):
    """Key normalisation and keypass; returns (normalised, passed mask, amplitude)."""
    amp = raw[:, km.one].mean(axis=1)
    safe = np.where(np.abs(amp) > 1e-6, amp, 1e-6)
    M = raw / safe[:, None]
    rounded = np.rint(M[:, :km.hp.size])
    passed = np.all(rounded == km.hp[None, :], axis=1) & (amp > 0)
    if ref_amplitude is not None:
        passed &= amp >= ref_amplitude
    return M.astype(np.float32), passed, amp


def _read_names(run_id: str, rows: np.ndarray, cols: np.ndarray):
    return np.array([f"{run_id}:{r:05d}:{c:05d}" for r, c in zip(rows.tolist(), cols.tolist())],
                    dtype="S")


@dataclass
class _Bases:
    """The called bases of a batch of reads, flat, read after read."""
    codes: np.ndarray   # base codes
    qv: np.ndarray      # QV of each base
    flow: np.ndarray    # flow each base was called in
    total: np.ndarray   # bases per read (key included)
    starts: np.ndarray  # offset of each read's first base
    n: int
    F: int


class _GroupWriter:
    """Calls one bead class (library or TF) and writes its BAM."""

    def __init__(self, path, header, km: _KeyModel, fo_codes, cfg: BasecallerConfig,
                 quality_trim: bool):
        self.km = km
        self.fo = fo_codes
        self.cfg = cfg
        self.quality_trim = quality_trim
        self.details = _empty_details()
        self.bases = {"initial": 0, "adapter_trim": 0, "quality_trim": 0, "final": 0}
        self.writer = UnmappedBamWriter(path, header, level=cfg.bam_level)
        self.rg = header["RG"][0]["ID"]

    def process(self, raw, rows, cols, phasing, ref_amp):
        cfg, km = self.cfg, self.km
        if raw.shape[0] == 0:
            return
        M, passed, _ = _normalise(raw, km, ref_amp)
        self.details["failed_keypass"] += int((~passed).sum())
        M, rows, cols = M[passed], rows[passed], cols[passed]
        if M.shape[0] == 0:
            return
        sol = solve_flowgrams(M, self.fo, km.hp, *phasing, max_iter=cfg.max_iter, max_hp=cfg.max_hp)
        b = self._bases(sol)
        tmpl_len = np.maximum(b.total - len(km.key), 0)
        self.bases["initial"] += int(tmpl_len.sum())
        adapter_pos = self._adapter_positions(b, tmpl_len)
        found = adapter_pos >= 0
        after_adapter = np.where(found, adapter_pos, tmpl_len)
        self.bases["adapter_trim"] += int((tmpl_len - after_adapter).sum())
        final = self._quality_trimmed(b, after_adapter)
        self.bases["quality_trim"] += int((after_adapter - final).sum())
        ok = self._count_filtered(final, found, adapter_pos, after_adapter)
        keep = np.nonzero(ok)[0]
        if keep.size == 0:
            return
        self.bases["final"] += int(final[keep].sum())
        self._write(sol, b, ok, keep, final, adapter_pos, found, rows, cols)

    def _bases(self, sol):
        """Flat per-base arrays of the calls: codes, QVs, flow of each base; per-read base
        count and start offset."""
        calls = sol.calls
        n, F = calls.shape
        sigma = well_noise(sol.measured, sol.predicted, self.km.hp.size, min(F, 100))
        qv_flow = flow_qualities(sol.corrected, calls, sol.inphase, sigma)
        counts = calls.astype(np.int64).ravel()
        total = calls.sum(axis=1).astype(np.int64)
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(total[:-1], out=starts[1:])
        return _Bases(codes=np.repeat(np.tile(self.fo, n), counts).astype(np.uint8),
                      qv=np.repeat(qv_flow.ravel(), counts),
                      flow=np.repeat(np.tile(np.arange(F, dtype=np.int32), n), counts),
                      total=total, starts=starts, n=n, F=F)

    def _adapter_positions(self, b, tmpl_len):
        """3' adapter start per read, searched in the template bases (after the key); -1 if absent."""
        nkb = len(self.km.key)
        ascii_all = decode_bytes(b.codes).tobytes()
        adapter = self.cfg.adapter.encode("ascii")
        adapter_pos = np.full(b.n, -1, dtype=np.int64)
        if adapter:
            s0 = (b.starts + nkb).tolist()
            tl = tmpl_len.tolist()
            for i in range(b.n):
                adapter_pos[i] = find_adapter(ascii_all[s0[i]:s0[i] + tl[i]], adapter)
        return adapter_pos

    def _quality_trimmed(self, b, after_adapter):
        """Template lengths after the quality trim (library reads only)."""
        if not (self.quality_trim and b.n):
            return after_adapter.copy()
        width = int(after_adapter.max()) if b.n else 0
        pos_in = np.arange(width)[None, :]
        src = b.starts[:, None] + len(self.km.key) + pos_in
        valid = pos_in < after_adapter[:, None]
        qpad = np.zeros((b.n, width), dtype=np.uint8)
        qpad[valid] = b.qv[src[valid]]
        return quality_trim_lengths(qpad, after_adapter, window=self.cfg.trim_qual_window,
                                    cutoff=self.cfg.trim_qual_cutoff)

    def _count_filtered(self, final, found, adapter_pos, after_adapter):
        """Reads long enough to keep; the others counted by reason (primer dimer, quality, short)."""
        min_length = self.cfg.min_length
        ok = final >= min_length
        primer_dimer = ~ok & found & (adapter_pos < min_length)
        qual_short = ~ok & ~primer_dimer & (after_adapter >= min_length)
        self.details["adapter_trim"] += int(primer_dimer.sum())
        self.details["quality_trim"] += int(qual_short.sum())
        self.details["short"] += int((~ok & ~primer_dimer & ~qual_short).sum())
        self.details["valid"] += int(ok.sum())
        return ok

    def _write(self, sol, b, ok, keep, final, adapter_pos, found, rows, cols):
        """The kept reads' template bases, QVs and tags (RG, ZF, ZA, ZM) into the BAM."""
        nkb, F, cfg = len(self.km.key), b.F, self.cfg
        read_of_base = np.repeat(np.arange(b.n), b.total)
        pos_in_read = np.arange(b.codes.size) - b.starts[read_of_base]
        sel = ok[read_of_base] & (pos_in_read >= nkb) & (pos_in_read < nkb + final[read_of_base])
        lengths = final[keep]
        first_flow = b.flow[np.minimum(b.starts[keep] + nkb, b.flow.size - 1)]
        last_idx = b.starts[keep] + nkb + lengths - 1
        last_flow = b.flow[np.minimum(last_idx, b.flow.size - 1)]
        # ZM: 128 x normalised signal from flow 0 to the last base flow + a few.
        zm_n = np.minimum(last_flow + 1 + cfg.zm_extra_flows, F).astype(np.int64)
        zm_mask = np.arange(F)[None, :] < zm_n[:, None]
        zm = np.clip(np.rint(sol.measured[keep] * 128.0), -16383, 16383).astype(np.int16)
        tags = [tag_string("RG", self.rg, keep.size),
                tag_int("ZF", first_flow),
                tag_int("ZA", adapter_pos[keep], found[keep]),
                tag_int16_array("ZM", zm[zm_mask], zm_n)]
        self.writer.write_batch(_read_names(cfg.run_id, rows[keep], cols[keep]), b.codes[sel], lengths,
                                b.qv[sel], tags)

    def close(self):
        self.writer.close()


def _header(rg_id, key, flow_order, cfg: BasecallerConfig, description: str):
    date = cfg.date or _dt.datetime.now().replace(microsecond=0).isoformat()
    rg = {"ID": rg_id, "SM": cfg.sample or "none", "PL": "IONTORRENT", "KS": key,
          "FO": flow_order, "DT": date, "DS": description,
          "PU": f"{cfg.platform}/{cfg.chip_type}".rstrip("/")}
    if cfg.library:
        rg["LB"] = cfg.library
    if cfg.sequencing_center:
        rg["CN"] = cfg.sequencing_center
    return {"HD": {"VN": "1.4", "SO": "unsorted"}, "RG": [rg],
            "PG": [{"ID": "bc", "PN": "BaseCaller", "VN": VERSION,
                    "CL": "pipeline.basecaller"}]}


def _bead_classes(mask, rows: int, cols: int):
    if mask is None:
        lib = np.ones((rows, cols), dtype=bool)
        return lib, np.zeros_like(lib)
    lib = (mask & MaskBit.LIB) != 0
    tf = (mask & MaskBit.TF) != 0
    return lib & ~tf, tf


@dataclass(frozen=True)
class WellsBlock:
    """One block of a composite chip (or the whole chip): its ``1.wells``, bead mask
    (None: every well a library bead) and where its wells sit on the chip."""
    wells: Path
    mask: Path | None = None
    row_offset: int = 0
    col_offset: int = 0


class _OpenBlock:
    """A block's wells reader and bead classes, checked against the run's flow order."""

    def __init__(self, block: WellsBlock, flow_order: str):
        self.block = block
        self.wells = WellsReader(block.wells)
        try:
            if self.wells.flow_order != flow_order:
                raise BasecallerInputError(f"{block.wells}: flow order differs from the other blocks'")
            self.mask = read_bfmask(block.mask) if block.mask else None
            if self.mask is not None and self.mask.shape != (self.wells.rows, self.wells.cols):
                raise BasecallerInputError(
                    f"bead mask {block.mask} is {self.mask.shape[0]}x{self.mask.shape[1]} but 1.wells is "
                    f"{self.wells.rows}x{self.wells.cols}")
        except BaseException:
            self.wells.close()
            raise
        self.lib, self.tf = _bead_classes(self.mask, self.wells.rows, self.wells.cols)

    def bands(self, chunk_wells):
        beads_per_row = max(1.0, float((self.lib | self.tf).sum()) / max(1, self.wells.rows))
        band = max(1, int(chunk_wells / beads_per_row))
        for r0 in range(0, self.wells.rows, band):
            r1 = min(self.wells.rows, r0 + band)
            yield r0, r1, self.wells.read_rows(r0, r1)

    def close(self):
        self.wells.close()


def basecall_run(input_dir, out_dir, *, wells_path=None, mask_path=None, blocks=None,
                 config: BasecallerConfig | None = None, on_block_done=None, **overrides) -> BasecallResult:
    """Basecall ``<input_dir>/1.wells`` with ``<input_dir>/analysis.bfmask.bin`` into
    ``out_dir``; or, for a composite chip, every :class:`WellsBlock` of ``blocks`` in turn
    into the same outputs (read names carry chip coordinates: block offset + well).
    ``on_block_done(block)`` is called as each block's reads are all called (the pipeline
    launches that block's BLOCK plugins then). Keyword overrides set fields of
    :class:`BasecallerConfig`."""
    cfg = _configure(config, overrides)
    blocks = _input_blocks(input_dir, wells_path, mask_path, blocks)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with WellsReader(blocks[0].wells) as first:
        flow_order = first.flow_order
    if not flow_order:
        raise BasecallerInputError(f"{blocks[0].wells}: no flow order recorded in the file")
    fo = encode(flow_order)
    lib_km = _KeyModel(cfg.library_key, flow_order)
    tf_km = _KeyModel(cfg.tf_key, flow_order)
    ref_amp, phasing, training = _training_pass(blocks, cfg, flow_order, fo, lib_km)

    # Pass 2: call every bead of every block into the two BAMs.
    lib_w = _GroupWriter(out / "rawlib.basecaller.bam",
                         _header(cfg.run_id, cfg.library_key, flow_order, cfg, "library"),
                         lib_km, fo, cfg, quality_trim=True)
    tf_w = _GroupWriter(out / "rawtf.basecaller.bam",
                        _header(f"{cfg.run_id}.TF", cfg.tf_key, flow_order, cfg,
                                "test fragments"),
                        tf_km, fo, cfg, quality_trim=False)
    try:
        chip = _call_blocks(blocks, flow_order, cfg, (lib_w, tf_w), phasing, ref_amp, on_block_done)
    finally:
        lib_w.close()
        tf_w.close()
    stats_path = _write_bead_stats(out, chip, lib_w, tf_w)
    json_path = out / "BaseCaller.json"
    atomic_write_json(json_path, _basecaller_report(cfg, flow_order, chip, phasing, training, lib_w, tf_w),
                      indent=2)
    return BasecallResult(out, out / "rawlib.basecaller.bam", out / "rawtf.basecaller.bam",
                          json_path, stats_path, phasing,
                          {"lib": lib_w.details, "tf": tf_w.details})


def _configure(config, overrides):
    cfg = config or BasecallerConfig()
    for k, v in overrides.items():
        if not hasattr(cfg, k):
            raise TypeError(f"unknown basecaller option {k!r}")
        setattr(cfg, k, v)
    if len(cfg.run_id) == 0 or ":" in cfg.run_id:
        raise BasecallerInputError("run_id must be a non-empty string without ':'")
    return cfg


def _input_blocks(input_dir, wells_path, mask_path, blocks):
    """The blocks to call: those given, or the one chip of ``input_dir``."""
    if blocks is None:
        input_dir = Path(input_dir)
        if mask_path is None:
            cand = input_dir / "analysis.bfmask.bin"
            mask_path = cand if cand.exists() else None
        blocks = [WellsBlock(Path(wells_path) if wells_path else input_dir / "1.wells", mask_path)]
    if not blocks:
        raise BasecallerInputError("no 1.wells to basecall")
    return blocks


def _training_pass(blocks, cfg, flow_order, fo, lib_km):
    """Pass 1: (reference key amplitude, (CF, IE, DR), training reads). The amplitude is
    the median over library beads of the first bands; the phasing, unless configured, is
    estimated from the first keypass library reads."""
    train, amps = [], []
    need = cfg.training_reads if cfg.phasing is None else 0
    enough = False
    for block in blocks:
        ob = _OpenBlock(block, flow_order)
        try:
            for r0, r1, data in ob.bands(cfg.chunk_wells):
                raw = data[ob.lib[r0:r1]]
                if raw.size == 0:
                    continue
                M, passed, amp = _normalise(raw, lib_km, None)
                amps.append(amp[passed])
                if need:
                    train.append(M[passed][: need - sum(t.shape[0] for t in train)])
                if sum(a.size for a in amps) >= 1000 and sum(t.shape[0] for t in train) >= need:
                    enough = True
                    break
        finally:
            ob.close()
        if enough:
            break
    all_amp = np.concatenate(amps) if amps else np.zeros(0)
    ref_amp = cfg.min_key_amplitude * float(np.median(all_amp)) if all_amp.size else None
    if cfg.phasing is not None:
        return ref_amp, tuple(float(x) for x in cfg.phasing), 0
    tr = np.concatenate(train) if train else np.zeros((0, len(flow_order)), np.float32)
    if tr.shape[0] < 20:
        return ref_amp, (0.0, 0.0, 0.0), 0
    est = estimate_phasing(tr, fo, lib_km.hp, fit_flows=cfg.fit_flows)
    return ref_amp, est.as_tuple(), est.training_reads


@dataclass
class _Chip:
    """What pass 2 learns of the chip: bead-class counts, size, and each block's place and mask."""
    mask_total: dict = field(default_factory=dict)
    rows: int = 0
    cols: int = 0
    placed: list = field(default_factory=list)  # (row, col, mask) of every block


def _call_blocks(blocks, flow_order, cfg, writers, phasing, ref_amp, on_block_done):
    """Pass 2: every bead of every block through its group writer (library, TF)."""
    lib_w, tf_w = writers
    chip = _Chip()
    for block in blocks:
        ob = _OpenBlock(block, flow_order)
        try:
            ro, co = block.row_offset, block.col_offset
            chip.placed.append((ro, co, ob.mask))
            for r0, r1, data in ob.bands(cfg.chunk_wells):
                for group, sel in ((lib_w, ob.lib[r0:r1]), (tf_w, ob.tf[r0:r1])):
                    rr, cc = np.nonzero(sel)
                    raw = data[rr, cc]
                    for i in range(0, rr.size, cfg.chunk_wells):
                        j = slice(i, i + cfg.chunk_wells)
                        group.process(raw[j], rr[j] + r0 + ro, cc[j] + co, phasing, ref_amp)
            m = ob.mask if ob.mask is not None else np.full(
                (ob.wells.rows, ob.wells.cols), MaskBit.BEAD | MaskBit.LIVE | MaskBit.LIB, dtype=np.uint16)
            add_counts(chip.mask_total, mask_counts(m))
            chip.rows, chip.cols = max(chip.rows, ro + ob.wells.rows), max(chip.cols, co + ob.wells.cols)
        finally:
            ob.close()
        if on_block_done is not None:
            on_block_done(block)
    return chip


def _write_bead_stats(out, chip, lib_w, tf_w):
    """analysis.bfmask.stats of the chip; for a composite chip also the blocks' masks as one
    analysis.bfmask.bin (for the bead figure). Returns the stats path."""
    filtered = {}
    for kind, g in (("lib", lib_w), ("tf", tf_w)):
        d = g.details
        filtered[kind] = {"short": d["short"] + d["adapter_trim"] + d["quality_trim"],
                          "keypass": d["failed_keypass"], "ppf": d["high_ppf"],
                          "residual": d["high_residual"], "valid": d["valid"]}
    stats_path = out / "analysis.bfmask.stats"
    write_bfmask_stats(stats_path, bfmask_stats_from_counts(chip.mask_total, chip.rows, chip.cols,
                                                            filtered=filtered))
    if len(chip.placed) > 1 and all(m is not None for _, _, m in chip.placed):
        chip_mask = np.zeros((chip.rows, chip.cols), dtype=np.uint16)
        for ro, co, m in chip.placed:
            chip_mask[ro:ro + m.shape[0], co:co + m.shape[1]] = m
        write_bfmask(out / "analysis.bfmask.bin", chip_mask)
    return stats_path


def _basecaller_report(cfg, flow_order, chip, phasing, training, lib_w, tf_w):
    """The BaseCaller.json document."""
    lib_d = lib_w.details
    return {
        "BaseCaller": {"version": VERSION, "run_id": cfg.run_id, "flow_order": flow_order,
                       "num_flows": len(flow_order), "library_key": cfg.library_key,
                       "tf_key": cfg.tf_key, "block_row_offset": 0, "block_col_offset": 0,
                       "block_row_size": chip.rows, "block_col_size": chip.cols,
                       "start_time": cfg.date or None},
        "Phasing": {"CF": phasing[0], "IE": phasing[1], "DR": phasing[2],
                    "training_reads": training,
                    "estimated": cfg.phasing is None},
        "Filtering": {
            "ReadDetails": {"lib": lib_d, "tf": tf_w.details},
            "BaseDetails": lib_w.bases,
            "LibraryReport": {
                "filtered_polyclonal": lib_d["polyclonal"] + lib_d["bkgmodel_polyclonal"],
                "filtered_primer_dimer": lib_d["adapter_trim"] + lib_d["barcode_trim"]
                + lib_d["tag_trim"],
                "filtered_low_quality": sum(lib_d[k] for k in (
                    "high_ppf", "short", "failed_keypass", "high_residual", "quality_trim",
                    "quality_filter", "extra_trim", "bkgmodel_high_ppf", "bkgmodel_keypass")),
                "final_library_reads": lib_d["valid"],
            },
        },
    }
