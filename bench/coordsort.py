"""Coordinate sort of one aligned BAM: the pipeline's CoordinateSorter against pysam.sort and
samtools sort, in one process run.

    .venv/bin/python bench/coordsort.py [--reads 200000 1000000] [--threads 2] [--keep DIR]

The input is realistic aligner output: a run simulated with pipeline.simulate (reads from a
generated genome, Ion errors, barcodes), aligned with the alignment stage's own mappy record
rebuild, and written unsorted (aligner order = read order), as the stage sees its records.
Every sorter reads that same file and writes a level-1 BAM; the output order is checked to
agree. Prints wall and CPU seconds per sorter and ratios against `samtools sort` (-m at its
default) as the baseline; lower is better.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)        # bench/pipeline.py must not shadow the package

import pysam  # noqa: E402

from pipeline.formats.ubam import BamWriter  # noqa: E402
from pipeline.simulate import simulate_run  # noqa: E402
from pipeline.stages import align as A  # noqa: E402
from pipeline.stages.bamio import BamReader  # noqa: E402

SORT_MEMORY = A.SORT_MEMORY


def aligned_unsorted(run_dir: Path, out: Path, reads: int, threads: int) -> Path:
    """Simulate `reads` reads and align them into an unsorted BAM `out` (the stage's rebuild)."""
    sim = simulate_run(run_dir, reads=reads, seed=7, genome_size=2_000_000, n_contigs=5)
    bam_in = sim.outputs["bam:rawlib"]
    aligner = A.load_aligner(sim.reference_fasta)
    lengths = dict(A.fasta_lengths(str(sim.reference_fasta)))
    names = list(aligner.seq_names)
    tid = {n: i for i, n in enumerate(names)}
    refs = [(n, lengths[n]) for n in names]
    buf = [None] * threads

    def work(job):
        k, seqs = job
        import mappy
        if buf[k] is None:
            buf[k] = mappy.ThreadBuffer()
        return [A._align_one(aligner, s, buf[k]) for s in seqs]

    with BamReader(str(bam_in), chunk_bytes=A.ALIGN_CHUNK_BYTES) as bam, \
            ThreadPoolExecutor(max_workers=threads) as pool:
        writer = BamWriter(out, A._aligned_header(bam.header_text, refs), refs, level=1)
        try:
            for chunk in bam.chunks():
                seqs = A.chunk_sequences(chunk)
                step = -(-len(seqs) // threads)
                parts = [(k, seqs[i:i + step]) for k, i in enumerate(range(0, len(seqs), step))]
                hits = [h for part in pool.map(work, parts) for h in part]
                data, _, _ = A._rebuild(chunk, hits, tid)
                writer.write_raw(data, chunk.n)
        finally:
            writer.close()
    return out


def sort_coordsort(src: Path, dst: Path, threads: int) -> None:
    from pipeline.stages.coordsort import CoordinateSorter

    with BamReader(str(src)) as bam:
        with CoordinateSorter(dst, bam.header_text, bam.references, memory_bytes=SORT_MEMORY,
                              level=1) as out:
            for chunk in bam.chunks():
                lo, hi = int(chunk.off[0]), int(chunk.end[-1])
                out.add(memoryview(chunk.data)[lo:hi], chunk.refid, chunk.pos, chunk.end - chunk.off,
                        chunk.flag)


def sort_pysam(src: Path, dst: Path, threads: int, memory: str | None = None) -> None:
    args = ["-l", "1", "-@", str(threads), "-T", str(dst) + ".tmp", "-o", str(dst)]
    if memory:
        args += ["-m", memory]
    pysam.sort(*args, str(src))


def sort_samtools(src: Path, dst: Path, threads: int, memory: str | None = None) -> None:
    args = ["samtools", "sort", "-l", "1", "-@", str(threads), "-T", str(dst) + ".tmp", "-o", str(dst)]
    if memory:
        args += ["-m", memory]
    subprocess.run(args + [str(src)], check=True, capture_output=True)


def timed(fn, *args, **kw):
    child0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0, t0 = time.process_time(), time.perf_counter()
    fn(*args, **kw)
    wall = time.perf_counter() - t0
    child1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (time.process_time() - cpu0 + (child1.ru_utime - child0.ru_utime)
           + (child1.ru_stime - child0.ru_stime))
    return wall, cpu


def order_signature(path: Path):
    """(refid, pos, reverse) of every record: the part of the order the sort key defines."""
    with pysam.AlignmentFile(str(path), "rb", check_sq=False) as fh:
        return [(r.reference_id if r.reference_id >= 0 else 1 << 31, r.reference_start, r.is_reverse)
                for r in fh.fetch(until_eof=True)]


def bench_one(work: Path, reads: int, threads: int) -> None:
    src = work / f"aligned_{reads}.unsorted.bam"
    t0 = time.perf_counter()
    aligned_unsorted(work / f"run_{reads}", src, reads, threads)
    size = src.stat().st_size
    print(f"\n{reads} reads: unsorted aligned BAM {size / 1e6:.1f} MB "
          f"(simulated + aligned in {time.perf_counter() - t0:.0f}s)")
    mem = f"{SORT_MEMORY >> 20}M"
    runs = [
        ("samtools sort (default -m)", sort_samtools, {}),
        (f"samtools sort -m {mem}", sort_samtools, {"memory": mem}),
        ("pysam.sort (default -m)", sort_pysam, {}),
        (f"pysam.sort -m {mem}", sort_pysam, {"memory": mem}),
        (f"coordsort ({mem} buffer)", sort_coordsort, {}),
    ]
    results, outputs = [], []
    for label, fn, kw in runs:
        dst = work / f"sorted_{reads}_{len(outputs)}.bam"
        wall, cpu = timed(fn, src, dst, threads, **kw)
        results.append((label, wall, cpu))
        outputs.append(dst)
    reference = order_signature(outputs[0])
    for (label, _, _), path in zip(results[1:], outputs[1:]):
        if order_signature(path) != reference:
            raise SystemExit(f"{label}: order differs from samtools sort")
    base_wall, base_cpu = results[0][1], results[0][2]
    print(f"  {'sorter':32s} {'wall s':>8s} {'cpu s':>8s} {'wall/samtools':>14s} {'cpu/samtools':>13s}")
    for label, wall, cpu in results:
        print(f"  {label:32s} {wall:8.2f} {cpu:8.2f} {wall / base_wall:14.2f} {cpu / base_cpu:13.2f}")
    for p in outputs + [src]:
        p.unlink()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reads", type=int, nargs="+", default=[200_000, 1_000_000])
    p.add_argument("--threads", type=int, default=2, help="sort threads (-@) and aligner threads")
    p.add_argument("--keep", help="work folder to keep (default: a temporary one, removed)")
    a = p.parse_args()
    if not shutil.which("samtools"):
        raise SystemExit("samtools not found on PATH (apt-get install samtools)")
    work = Path(a.keep or tempfile.mkdtemp(prefix="bench_coordsort."))
    work.mkdir(parents=True, exist_ok=True)
    print(f"samtools {subprocess.run(['samtools', '--version'], capture_output=True).stdout.split()[1].decode()}, "
          f"pysam {pysam.__version__}, threads {a.threads}")
    try:
        for n in a.reads:
            bench_one(work, n, a.threads)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
