"""Benchmark of the streaming analysis stages (pipeline/stages, pipeline/metrics).

    .venv/bin/python bench/pipeline.py            # 100k reads
    .venv/bin/python bench/pipeline.py 100000 1000000
    .venv/bin/python bench/pipeline.py --short-zm 100000   # 8-flow ZM: smaller records
    .venv/bin/python bench/pipeline.py --repeat=1 100000   # one run per stage (default: best of 3)

For each size: generates a barcoded run (own fast numpy generator: Ion-like
reads = barcode + adapter + template from a random 1 Mb genome with
homopolymer indels / substitutions, decreasing QVs, ZA/ZF/ZM tags), then runs
every stage in a *fresh subprocess* and prints reads/s and peak RSS
(``VmHWM`` of that subprocess; everything a stage does runs in it, the alignment's
coordinate sort included), and the metrics stage's time against ``samtools stats``
on the same (aligned) BAM as a speed ratio.

Targets: metrics >= 0.5x samtools stats; every stage but alignment
>= 100k reads/s; peak memory of a stage within 10% between sizes.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)  # first: this file's own folder would make `pipeline` mean this script

from pipeline.stages.bamio import BamWriter, ranges, encode_seq_bytes, nt16  # noqa: E402
from rundb.catalog.datafiles import barcode_kit  # noqa: E402  (plain Python, no Django)

FLOW_ORDER = ("TACGTACGTCTGAGCATCGATCGATGTACAGC" * 32)[:800]
KEY = "TCAG"
RUN_ID = "BENCH"
GENOME = 1_000_000
_COMP = np.frombuffer(b"TGCA", np.uint8)
_IDX = np.full(256, 0, np.uint8)
for _i, _c in enumerate(b"ACGT"):
    _IDX[_c] = _i


def _kit():
    """The IonXpress kit of the project's data folder (rundb/catalog/data)."""
    return barcode_kit("IonXpress")


def make_reference(path, seed=7):
    rng = np.random.default_rng(seed)
    g = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, GENOME)]
    with open(path, "wb") as fh:
        fh.write(b">chr1\n")
        for i in range(0, GENOME, 80):
            fh.write(g[i:i + 80].tobytes() + b"\n")
    return g


def _reads_batch(rng, genome, n, kit, first_index):
    """Flat read bases (ASCII) + lengths for n reads: barcode+adapter+template."""
    L = np.clip(rng.normal(180, 60, n), 30, 400).astype(np.int64)
    pos = rng.integers(0, GENOME - 450, n)
    tmpl = genome[ranges(pos, L + 20)]
    # homopolymer-style errors: duplicate (over-call) or drop (under-call) ~0.6% of bases
    r = rng.random(tmpl.size)
    counts = np.where(r < 0.003, 2, np.where(r < 0.006, 0, 1))
    owner = np.repeat(np.arange(n), L + 20)
    tmpl = np.repeat(tmpl, counts)
    owner = np.repeat(owner, counts)
    sub = rng.random(tmpl.size) < 0.002
    tmpl[sub] = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, int(sub.sum()))]
    have = np.bincount(owner, minlength=n)
    starts = np.cumsum(have) - have
    tmpl = tmpl[ranges(starts, np.minimum(L, have))]
    L = np.minimum(L, have)
    # reverse complement half of the templates
    rev = rng.random(n) < 0.5
    tl = L
    ts = np.cumsum(tl) - tl
    idx = ranges(ts, tl)
    rec = np.repeat(np.arange(n), tl)
    within = idx - ts[rec]
    flip = rev[rec]
    src = np.where(flip, ts[rec] + tl[rec] - 1 - within, idx)
    t2 = tmpl[src]
    t2 = np.where(flip, _COMP[_IDX[t2]], t2)
    # barcode prefix: 95% one of the first 8 kit barcodes, else no barcode
    pre = [np.frombuffer((b["sequence"] + b["adapter"]).encode(), np.uint8) for b in kit[:8]]
    which = rng.integers(0, len(pre), n)
    nobc = rng.random(n) < 0.05
    plen = np.where(nobc, 0, np.array([len(p) for p in pre])[which])
    ppool = np.concatenate(pre)
    pstart = (np.cumsum([len(p) for p in pre]) - [len(p) for p in pre])[which]
    total = plen + tl
    out = np.empty(int(total.sum()), np.uint8)
    ostart = np.cumsum(total) - total
    out[ranges(ostart, plen)] = ppool[ranges(pstart, plen)]
    out[ranges(ostart + plen, tl)] = t2
    return out, total


def write_unmapped(path, n, genome, *, seed=1, batch=50_000, flows=500, full_zm=True):
    rng = np.random.default_rng(seed)
    kit = _kit()
    header = (f"@HD\tVN:1.4\tSO:unsorted\n@RG\tID:{RUN_ID}\tSM:bench\tKS:{KEY}\tFO:{FLOW_ORDER[:flows]}\t"
              f"PL:IONTORRENT\tPU:PGM/318/BENCH\n@PG\tID:bench\tPN:bench\n")
    rg = np.frombuffer(b"RGZ" + RUN_ID.encode() + b"\0", np.uint8)
    key_zm = np.array([128, 0, 128, 0, 0, 128, 0, 128], np.int16)
    with BamWriter(path, header, level=1) as w:
        done = 0
        while done < n:
            m = min(batch, n - done)
            bases, L = _reads_batch(rng, genome, m, kit, done)
            names = np.array([f"{RUN_ID}:{(done + i) // 10000:05d}:{(done + i) % 10000:05d}" for i in range(m)],
                             dtype="S17").view(np.uint8).reshape(m, 17)
            names = np.concatenate([names, np.zeros((m, 1), np.uint8)], axis=1)
            codes = nt16(bases)
            seqb = encode_seq_bytes(codes, L)
            pos_in = ranges(np.zeros(m, np.int64), L)
            qual = np.clip(36 - pos_in * 0.07 + rng.normal(0, 3, pos_in.size), 5, 40).astype(np.uint8)
            nflow = np.minimum((L * 2.1).astype(np.int64) + 16, flows) if full_zm else np.full(m, 8, np.int64)
            zm = (rng.integers(0, 3, int(nflow.sum())) * 128 + rng.normal(0, 14, int(nflow.sum()))).astype(np.int16)
            zstart = np.cumsum(nflow) - nflow
            zm[(zstart[:, None] + np.arange(8)).ravel()] = np.tile(key_zm, m) + \
                rng.normal(0, 14, 8 * m).astype(np.int16)
            zm_bytes = zm.view(np.uint8)
            fixed = np.zeros((m, 36), np.uint8)
            v32 = fixed.view("<i4")
            fb = 32 + 18 + (L + 1) // 2 + L
            aux = len(rg) + 7 + 4 + 8 + 2 * nflow
            v32[:, 0] = fb + aux
            v32[:, 1] = -1
            v32[:, 2] = -1
            fixed[:, 12] = 18
            v16 = fixed.view("<u2")
            v16[:, 7] = 4680
            v16[:, 9] = 4
            v32[:, 5] = L
            v32[:, 6] = -1
            v32[:, 7] = -1
            za = np.zeros((m, 7), np.uint8)
            za[:, :3] = np.frombuffer(b"ZAi", np.uint8)
            za[:, 3:] = np.ascontiguousarray((L - 5).astype("<i4")).view(np.uint8).reshape(m, 4)
            zf = np.zeros((m, 4), np.uint8)
            zf[:, :3] = np.frombuffer(b"ZFC", np.uint8)
            zf[:, 3] = 20
            zh = np.zeros((m, 8), np.uint8)
            zh[:, :4] = np.frombuffer(b"ZMBs", np.uint8)
            zh[:, 4:] = np.ascontiguousarray(nflow.astype("<u4")).view(np.uint8).reshape(m, 4)
            parts = [fixed.ravel(), names.ravel(), seqb, qual, rg, za.ravel(), zf.ravel(), zh.ravel(), zm_bytes]
            offs = np.cumsum([0] + [len(p) for p in parts])
            src = np.concatenate(parts)
            sb = (L + 1) // 2
            segs_start = np.stack([offs[0] + 36 * np.arange(m), offs[1] + 18 * np.arange(m),
                                   offs[2] + np.cumsum(sb) - sb, offs[3] + np.cumsum(L) - L,
                                   np.full(m, offs[4]), offs[5] + 7 * np.arange(m), offs[6] + 4 * np.arange(m),
                                   offs[7] + 8 * np.arange(m), offs[8] + 2 * zstart], axis=1)
            segs_len = np.stack([np.full(m, 36), np.full(m, 18), sb, L, np.full(m, len(rg)), np.full(m, 7),
                                 np.full(m, 4), np.full(m, 8), 2 * nflow], axis=1)
            w.write_raw(src[ranges(segs_start.ravel(), segs_len.ravel())].tobytes(), m)
            done += m
    return path


# --------------------------------------------------------------------------- stages in subprocesses

STAGE_CODE = r"""
import json, os, sys, time
sys.path.insert(0, {root!r})
args = json.loads({args!r})
from pipeline.stages.barcodes import classify_and_split
from pipeline.stages.align import align_bam
from pipeline.stages.datasets import count_bam
from pipeline.metrics.ionstats import ionstats_for_bam
stage = args["stage"]
t = time.perf_counter()
if stage == "barcodes":
    with open(args["kit"]) as fh:
        kit = json.load(fh)
    r = classify_and_split(args["in"], args["out"], kit, flow_order=args["fo"], library_key="TCAG",
                           level=args.get("level", 1))
    n = r["total_reads"]
elif stage == "align":
    r = align_bam(args["in"], args["out"], (args["fasta"], args["mmi"]), threads=2)
    n = r["reads"]
elif stage == "metrics":
    n = ionstats_for_bam(args["in"], histogram_length=350).full.num_reads
elif stage == "datasets":
    n = count_bam(args["in"])["read_count"]
dt = time.perf_counter() - t
# VmHWM: peak RSS of this process image (ru_maxrss would include the forking parent's)
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({{"reads": n, "seconds": dt, "maxrss_mb": int(hwm) / 1024}}))
"""


# Runs per stage: the fastest time (as timeit: the others were slowed by the machine, not by
# the code; CPU steal on a shared VM moves single runs by ~10%) and the largest peak RSS.
REPEAT = 3


def run_stage(**args):
    code = STAGE_CODE.format(root=ROOT, args=json.dumps(args))
    best = None
    for _ in range(REPEAT):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(out.stderr)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None:
            best = r
        else:
            best["seconds"] = min(best["seconds"], r["seconds"])
            best["maxrss_mb"] = max(best["maxrss_mb"], r["maxrss_mb"])
    return best


def samtools_stats_seconds(path):
    exe = shutil.which("samtools")
    if not exe:
        return None
    best = None
    for _ in range(REPEAT):
        t = time.perf_counter()
        subprocess.run([exe, "stats", path], stdout=subprocess.DEVNULL, check=True)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best


def replicate_records(src, dst, n):
    """A BAM of exactly n records made by repeating the records of ``src``."""
    from pipeline.stages.bamio import BamReader
    with BamReader(src) as r:
        parts = [(ch.data[ch.off[0]:ch.end[-1]], ch.off - ch.off[0], ch.n) for ch in r.chunks()]
        header, refs = r.header_text, r.references
    with BamWriter(dst, header, refs, level=1) as w:
        left = n
        while left > 0:
            for data, offs, m in parts:
                if left <= 0:
                    break
                if m > left:
                    data, m = data[:offs[left]], left
                w.write_raw(data, m)
                left -= m
    return dst


def bench(n, work, zm=True):
    d = os.path.join(work, f"n{n}")
    os.makedirs(d, exist_ok=True)
    kit_file = os.path.join(work, "ion_xpress.json")  # the stage subprocess reads the kit from a file
    with open(kit_file, "w") as fh:
        json.dump(_kit(), fh)
    fasta = os.path.join(work, "ref.fa")
    mmi = os.path.join(work, "ref.mmi")
    if not os.path.exists(mmi):
        genome = make_reference(fasta)
        from pipeline.stages.align import build_index
        build_index(fasta, mmi)
    else:
        genome = np.frombuffer(b"".join(l.strip() for l in open(fasta, "rb") if not l.startswith(b">")), np.uint8)
    raw = os.path.join(d, "rawlib.basecaller.bam")
    t = time.perf_counter()
    write_unmapped(raw, n, genome, full_zm=zm)
    print(f"  generated {n} reads in {time.perf_counter() - t:.1f}s ({os.path.getsize(raw) / 1e6:.0f} MB)")
    rows = {}
    rows["barcodes"] = run_stage(stage="barcodes", **{"in": raw, "out": os.path.join(d, "bc"), "kit": kit_file,
                                                       "fo": FLOW_ORDER[:500]})
    rows["barcodes_level0"] = run_stage(stage="barcodes", **{"in": raw, "out": os.path.join(d, "bc0"), "kit": kit_file,
                                                             "fo": FLOW_ORDER[:500], "level": 0})
    shutil.rmtree(os.path.join(d, "bc0"), ignore_errors=True)
    bc_bam = os.path.join(d, "bc", "IonXpress_001_rawlib.basecaller.bam")
    rows["datasets"] = run_stage(stage="datasets", **{"in": raw})
    rows["metrics_unmapped"] = run_stage(stage="metrics", **{"in": raw})
    aligned = os.path.join(d, "IonXpress_001_rawlib.bam")
    rows["align"] = run_stage(stage="align", **{"in": bc_bam, "out": aligned, "fasta": fasta, "mmi": mmi})
    # metrics on an aligned BAM of n reads: the aligned records repeated (alignment of all
    # n reads would take far longer than the metrics it feeds)
    aligned = replicate_records(aligned, os.path.join(d, "aligned_n.bam"), n)
    rows["metrics_aligned"] = run_stage(stage="metrics", **{"in": aligned})
    st_raw = samtools_stats_seconds(raw)
    st_aln = samtools_stats_seconds(aligned)
    shutil.rmtree(d, ignore_errors=True)
    return rows, st_raw, st_aln


def main(argv):
    global REPEAT
    if "--help" in argv or "-h" in argv:
        print(__doc__)
        return
    zm = "--short-zm" not in argv
    for a in argv:
        if a.startswith("--repeat="):
            REPEAT = max(1, int(a.split("=", 1)[1]))
    sizes = [int(a) for a in argv[1:] if not a.startswith("--")] or [100_000]
    print(f"reads carry a {'full (~2.1 flows/base + 16)' if zm else 'short (8 key flows)'} ZM flowgram tag; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; each stage run {REPEAT}x "
          f"(fastest time, largest peak RSS kept)")
    work = tempfile.mkdtemp(prefix="bench-pipeline-")
    results = {}
    try:
        for n in sizes:
            print(f"== {n} reads")
            rows, st_raw, st_aln = bench(n, work, zm=zm)
            results[n] = rows
            for name, r in rows.items():
                print(f"  {name:18s} {r['reads']:>9d} reads {r['seconds']:7.2f}s "
                      f"{r['reads'] / max(r['seconds'], 1e-9):>10.0f} reads/s  peak RSS {r['maxrss_mb']:7.1f} MB")
            if st_raw:
                mu = rows["metrics_unmapped"]["seconds"]
                ma = rows["metrics_aligned"]["seconds"]
                print(f"  samtools stats unmapped {st_raw:.2f}s -> metrics speed ratio {st_raw / mu:.2f}x (target >= 0.5)")
                print(f"  samtools stats aligned  {st_aln:.2f}s -> metrics speed ratio {st_aln / ma:.2f}x (target >= 0.5)")
            else:
                print("  samtools not installed: no baseline ratio (apt-get install -y samtools)")
        if len(sizes) > 1:
            a, b = sizes[0], sizes[-1]
            print(f"== peak memory {b} vs {a} reads")
            for name in results[a]:
                ra, rb = results[a][name]["maxrss_mb"], results[b][name]["maxrss_mb"]
                print(f"  {name:18s} {ra:7.1f} MB -> {rb:7.1f} MB ({100 * (rb - ra) / ra:+.1f}%)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
