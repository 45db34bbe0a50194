"""Fixtures for run-ingest tests: small hand-written instrument run folders."""
from pathlib import Path

import pytest

DEFAULT_RUN = "R_2012_04_30_15_22_02_user_T1"

BASE_EXPLOG = {
    "Experiment Name": DEFAULT_RUN,
    "Start Time": "Mon Apr 30 15:22:02 2012",
    "Flows": "40",
    "Image Map": "TACGTACGTCTGAGCATCGATCGATGTACAGC",
    "ChipType": "314",
    "Platform": "PGM",
    "AutoAnalyze": "yes",
    "PreBeadfind": "yes",
    "Library": "hg19",
    "barcodeId": "none",
    "Project": "",
    "Sample": "",
}


def explog_text(entries=None, *, extra_lines=(), drop=()):
    """`Key: Value` text from BASE_EXPLOG updated with `entries` (None values drop keys)."""
    data = dict(BASE_EXPLOG)
    data.update(entries or {})
    lines = [f"{k}: {v}" for k, v in data.items() if v is not None and k not in drop]
    lines.extend(extra_lines)
    return "\n".join(lines) + "\n"


class RunFolder:
    """Writes the files an instrument would write into `<root>/<rig>/<name>/`."""

    def __init__(self, root, rig, name):
        self.path = Path(root) / rig / name
        self.path.mkdir(parents=True, exist_ok=True)

    def explog(self, entries=None, **kwargs):
        (self.path / "explog.txt").write_text(explog_text(entries, **kwargs))
        return self

    def final(self, entries=None, *, warnings=None, **kwargs):
        extra = list(kwargs.pop("extra_lines", ()))
        if warnings:
            extra += ["ExperimentErrorLog:", f"WARNINGS: {warnings}"]
        (self.path / "explog_final.txt").write_text(explog_text(entries, extra_lines=extra, **kwargs))
        return self

    def bam(self):
        """Basecalled data (content is irrelevant to ingest; the pipeline reads it)."""
        out = self.path / "basecaller_results"
        out.mkdir(exist_ok=True)
        (out / "rawlib.basecaller.bam").write_bytes(b"BAM\x01")
        return self

    def raw(self, flows, *, prebeadfind=True, skip_last=False):
        """Legacy raw images: acq_0000.dat .. acq_<flows-1>.dat (+ beadfind_pre)."""
        last = flows - 1 if not skip_last else flows - 2
        for i in range(last + 1):
            (self.path / f"acq_{i:04d}.dat").write_bytes(b"")
        if prebeadfind:
            (self.path / "beadfind_pre_0003.dat").write_bytes(b"")
        return self

    def write(self, name, data):
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data if isinstance(data, bytes) else data.encode())
        return self

    def __str__(self):
        return str(self.path)


@pytest.fixture
def results_root(settings):
    return Path(settings.ION_RESULTS_ROOT)


@pytest.fixture
def make_run(results_root):
    def make(name=DEFAULT_RUN, rig="PGM01"):
        return RunFolder(results_root, rig, name)

    return make


@pytest.fixture
def complete_run(make_run):
    """A finished basecalled run with AutoAnalyze on."""
    def make(name=DEFAULT_RUN, rig="PGM01", entries=None):
        entries = {"Experiment Name": name, **(entries or {})}
        return make_run(name, rig).explog(entries).bam().final(entries)

    return make
