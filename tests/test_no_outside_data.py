"""Nothing in the project points at the reading material beside the checkout: a fresh clone
must run, test and pass CI on its own (the data lives in rundb/catalog/data)."""
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".git", ".venv", "venv", "var", "__pycache__", "node_modules", ".pytest_cache"}
# Written in pieces so that this file does not match itself.
FORBIDDEN = ["../" + "shared", "shared/" + "reference-data", "shared/" + "spec", "shared/" + "seeds",
             "ION_" + "SHARED_DIR"]
# ... and the folder name joined as a path part (a "/" operator or os.path.join argument).
JOINED = re.compile(r"""(/\s*|join\(.*,\s*)["']""" + "shared" + r"""["']""")


def project_files():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in files:
            yield Path(folder) / name


def test_no_file_refers_to_the_shared_folder():
    hits = []
    for path in project_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary files
        for n, line in enumerate(text.splitlines(), start=1):
            for needle in FORBIDDEN:
                if needle in line:
                    hits.append(f"{path.relative_to(ROOT)}:{n}: {needle}")
            if JOINED.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not hits, "\n".join(hits)


def test_joined_paths_are_caught():
    assert JOINED.search('Path(settings.BASE_DIR).parent / "' + 'shared" / "x"')
    assert JOINED.search("os.path.join(os.path.dirname(ROOT), '" + "shared', 'x')")
    assert not JOINED.search("from celery import shared_task")


def test_the_walk_sees_the_project():
    names = {p.relative_to(ROOT).as_posix() for p in project_files()}
    assert {"Makefile", "rundb/catalog/loader.py", "tests/conftest.py", ".ci/run"} <= names
    assert "rundb/catalog/data/tables/barcodes_IonXpress.jsonl" in names
