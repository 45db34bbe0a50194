"""Every benchmark script starts (imports resolve; `bench/pipeline.py` must not shadow the
`pipeline` package) and answers --help without running anything."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p.name for p in (ROOT / "bench").glob("*.py"))


@pytest.mark.parametrize("name", SCRIPTS)
def test_bench_script_answers_help(name):
    res = subprocess.run([sys.executable, f"bench/{name}", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip()
