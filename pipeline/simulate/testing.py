"""Session caches for tests: simulate (and basecall) a small run once, reuse it.

``cached_run(base_dir, "name", **simulate_kwargs)`` returns the same SimulatedRun for the
same arguments under the same ``base_dir`` (e.g. pytest's ``tmp_path_factory.getbasetemp()``).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .run import SimulatedRun, simulate_run

_DONE = ".simulated.json"


def _key(name: str, kwargs: dict) -> str:
    blob = json.dumps(kwargs, sort_keys=True, default=str)
    return f"{name}_{hashlib.sha1(blob.encode()).hexdigest()[:10]}"


def cached_run(base_dir, name: str, **kwargs) -> SimulatedRun:
    folder = Path(base_dir) / _key(name, kwargs)
    run_dir = folder / f"R_2024_01_02_03_04_05_user_{name}"
    marker = folder / _DONE
    if marker.exists():
        d = json.loads(marker.read_text())
        return SimulatedRun(Path(d["run_dir"]), Path(d["reference_fasta"]), Path(d["truth_path"]),
                            Path(d["params_path"]), Path(d["tf_fasta"]), d["run_id"], d["fmt"],
                            {k: Path(v) for k, v in d["outputs"].items()})
    run = simulate_run(run_dir, **kwargs)
    marker.write_text(json.dumps({
        "run_dir": str(run.run_dir), "reference_fasta": str(run.reference_fasta),
        "truth_path": str(run.truth_path), "params_path": str(run.params_path),
        "tf_fasta": str(run.tf_fasta), "run_id": run.run_id, "fmt": run.fmt,
        "outputs": {k: str(v) for k, v in run.outputs.items()}}))
    return run


def cached_basecall(run: SimulatedRun, **kwargs):
    """Basecall a cached wells run into ``<run_dir>/../basecaller_<hash>`` once."""
    from ..basecaller.run import BasecallResult, basecall_run

    out = run.run_dir.parent / _key("basecaller", kwargs)
    marker = out / _DONE
    if marker.exists():
        d = json.loads(marker.read_text())
        return BasecallResult(out, out / "rawlib.basecaller.bam", out / "rawtf.basecaller.bam",
                              out / "BaseCaller.json", out / "analysis.bfmask.stats",
                              tuple(d["phasing"]), d["counts"])
    kwargs.setdefault("run_id", run.run_id)
    kwargs.setdefault("training_reads", 200)
    res = basecall_run(run.run_dir / "sigproc_results", out, **kwargs)
    marker.write_text(json.dumps({"phasing": list(res.phasing), "counts": res.counts}))
    return res


# A small, low-noise flowgram run shared by the basecaller tests.
SMALL_WELLS_RUN = dict(
    fmt="wells", reads=800, tf_reads=30, flows=140, seed=5, genome_size=20_000,
    insert_mean=70.0, insert_sd=20.0, insert_min=30, cf=0.008, ie=0.005, dr=0.0015,
    noise=0.05, bad_key_fraction=0.02, dud_fraction=0.02,
    barcode_kit=[("IonXpress_001", "CTAAGGTAAC", "GAT"), ("IonXpress_002", "TAAGGAGAAC", "GAT")],
    barcode_kit_name="IonXpress")


def small_wells_run(base_dir) -> SimulatedRun:
    return cached_run(base_dir, "smallwells", **SMALL_WELLS_RUN)
