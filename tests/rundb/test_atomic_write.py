"""rundb/files.py: readers never see a half-written file, and nothing is left behind."""
import json
import os
import threading

import pytest

from rundb.files import atomic_write, atomic_write_json


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "out").mkdir()
    return tmp_path / "out"


def test_replaces_content_and_sets_mode(folder):
    tmp_path = folder
    target = tmp_path / "startplugin.json"
    target.write_text("old")
    atomic_write(target, "new", mode=0o600)
    assert target.read_text() == "new"
    assert (os.stat(target).st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["startplugin.json"]


def test_json_ends_with_newline(tmp_path):
    target = atomic_write_json(tmp_path / "a.json", {"b": 1}, indent=2)
    assert target.read_text().endswith("}\n")
    assert json.loads(target.read_text()) == {"b": 1}


def test_failure_leaves_old_file_and_no_temporary(folder):
    tmp_path = folder
    target = tmp_path / "a.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic_write_json(target, {"x": object()})
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_concurrent_writers_never_mix(tmp_path):
    """Two writers of one file (two analyses of one report) each leave a whole file."""
    target = tmp_path / "BaseCaller.json"
    payloads = [("a" * 200_000), ("b" * 300_000)]
    errors = []

    def write(text):
        try:
            for _ in range(50):
                atomic_write(target, text)
        except Exception as exc:  # pragma: no cover - the assertion below reports it
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    seen = set()
    while any(t.is_alive() for t in threads):
        if target.exists():
            text = target.read_text()
            seen.add(text[:1] + str(len(text)))
    for t in threads:
        t.join()
    assert not errors
    assert target.read_text() in payloads
    assert seen <= {"a200000", "b300000"}
