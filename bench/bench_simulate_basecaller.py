"""Throughput of the run simulator, the vectorised BAM writer and the flowgram basecaller.

    .venv/bin/python bench/bench_simulate_basecaller.py [--reads 200000] [--wells 3000]

Prints reads (wells) per second and ratios against baselines run in the same process:
the BAM writer against pysam writing the same records one AlignedSegment at a time.
Rates are also given per CPU second (process time, all threads): on a shared machine
the wall-clock rates swing with the load, the CPU rates much less.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pysam

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)        # bench/pipeline.py must not shadow the package

from pipeline.basecaller import basecall_run  # noqa: E402
from pipeline.formats.ubam import UnmappedBamWriter, tag_int, tag_int16_array, tag_string  # noqa: E402,E501
from pipeline.simulate import simulate_run  # noqa: E402

KIT = [(f"BC{i:02d}", s, "GAT") for i, s in enumerate(
    ["CTAAGGTAAC", "TAAGGAGAAC", "AAGAGGATTC", "TACCAAGATC", "CAGAAGGAAC", "CTGCAAGTTC",
     "TTCGTGATTC", "TTCCGATAAC"], start=1)]


def bench_writer(tmp: Path, n: int) -> None:
    rng = np.random.default_rng(0)
    lengths = rng.integers(50, 250, n)
    seq = rng.integers(0, 4, int(lengths.sum())).astype(np.uint8)
    qual = rng.integers(5, 40, int(lengths.sum())).astype(np.uint8)
    zm_n = np.minimum(lengths + 40, 400)
    zm = rng.integers(-50, 600, int(zm_n.sum())).astype(np.int16)
    names = np.array([f"ABCDE:{i // 1000:05d}:{i % 1000:05d}" for i in range(n)], dtype="S")
    header = {"HD": {"VN": "1.4", "SO": "unsorted"},
              "RG": [{"ID": "ABCDE", "SM": "x", "PL": "IONTORRENT"}]}
    t = time.perf_counter()
    with UnmappedBamWriter(tmp / "fast.bam", header) as w:
        w.write_batch(names, seq, lengths, qual,
                      [tag_string("RG", "ABCDE", n), tag_int("ZF", np.full(n, 7)),
                       tag_int16_array("ZM", zm, zm_n)])
    fast = time.perf_counter() - t
    hdr = pysam.AlignmentHeader.from_dict(header)
    offs = np.concatenate([[0], np.cumsum(lengths)])
    zoffs = np.concatenate([[0], np.cumsum(zm_n)])
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    t = time.perf_counter()
    with pysam.AlignmentFile(str(tmp / "pysam.bam"), "wb", header=hdr) as out:
        for i in range(n):
            a = pysam.AlignedSegment(hdr)
            a.query_name = names[i].decode()
            a.flag = 4
            a.query_sequence = letters[seq[offs[i]:offs[i + 1]]].tobytes().decode()
            a.query_qualities = qual[offs[i]:offs[i + 1]]
            a.set_tags([("RG", "ABCDE"), ("ZF", 7),
                        ("ZM", zm[zoffs[i]:zoffs[i + 1]].tolist(), "s")])
            out.write(a)
    slow = time.perf_counter() - t
    print(f"bam writer: {n / fast:,.0f} reads/s; pysam per-record baseline {n / slow:,.0f} "
          f"reads/s; ratio {slow / fast:.1f}x")


def bench_simulate(tmp: Path, n: int) -> None:
    for zm in (False, True):
        t, c = time.perf_counter(), time.process_time()
        simulate_run(tmp / f"R_2024_01_02_03_04_05_user_b{int(zm)}", reads=n, barcode_kit=KIT,
                     barcodes=8, seed=1, flows=400, flowgram_tags=zm, genome_size=1_000_000)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        print(f"simulate_run fmt=bam, ZM={'on' if zm else 'off'}: {n:,} reads in {dt:.1f}s = "
              f"{n / dt:,.0f} reads/s ({n / dc:,.0f} reads per CPU second)")


def bench_basecaller(tmp: Path, n: int, flows: int) -> None:
    t = time.perf_counter()
    run = simulate_run(tmp / "R_2024_01_02_03_04_05_user_w", fmt="wells", reads=n, flows=flows,
                       seed=2, genome_size=200_000)
    sim = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    basecall_run(run.run_dir / "sigproc_results", tmp / "bc_fixed", run_id=run.run_id,
                 phasing=(0.006, 0.004, 0.001))
    fixed, fixed_cpu = time.perf_counter() - t, time.process_time() - c
    t = time.perf_counter()
    basecall_run(run.run_dir / "sigproc_results", tmp / "bc_est", run_id=run.run_id)
    est = time.perf_counter() - t
    print(f"simulate_run fmt=wells ({flows} flows): {n / sim:,.0f} wells/s")
    print(f"basecaller ({flows} flows): {n / fixed:,.0f} wells/s "
          f"({n / fixed_cpu:,.0f} per CPU second) with given CF/IE/DR; "
          f"{n / est:,.0f} wells/s incl. estimation (ratio {est / fixed:.2f}x)")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--reads", type=int, default=200_000)
    p.add_argument("--writer-reads", type=int, default=50_000)
    p.add_argument("--wells", type=int, default=3000)
    p.add_argument("--flows", type=int, default=260)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_writer(tmp, args.writer_reads)
        bench_simulate(tmp, args.reads)
        bench_basecaller(tmp, args.wells, args.flows)


if __name__ == "__main__":
    main()
