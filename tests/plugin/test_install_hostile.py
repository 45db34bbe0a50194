"""Hostile or broken archives: 400 with the reason, nothing written outside scratch, scratch emptied."""
import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from launch_support import admin_auth, admin_user, fast_hasher, plugin_py  # noqa: F401
from rundb.models import Plugin

pytestmark = pytest.mark.django_db
URL = "/rundb/api/v1/plugin/install/"
GOOD = plugin_py("Foo")


def _zip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def _symlink_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Foo/Foo.py", GOOD)
        info = zipfile.ZipInfo("Foo/link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


HOSTILE = {
    "dotdot": (_zip([("Foo/Foo.py", GOOD), ("Foo/../../evil.txt", "x")]), "'..'"),
    "absolute": (_zip([("Foo/Foo.py", GOOD), ("/tmp/evil_abs.txt", "x")]), "absolute"),
    "symlink": (_symlink_zip(), "symbolic link"),
    "two_folders": (_zip([("Foo/Foo.py", GOOD), ("Bar/Bar.py", plugin_py("Bar"))]), "exactly one top-level folder"),
    "name_mismatch": (_zip([("Foo/Foo.py", plugin_py("Foo", class_name="Other"))]), "does not match"),
    "case_mismatch": (_zip([("Foo/foo.py", GOOD)]), "case-sensitive"),
    "bad_version": (_zip([("Foo/Foo.py", plugin_py("Foo", version="1.0/../x"))]), "no spaces, control characters or slashes"),
    "no_script": (_zip([("Foo/readme.txt", "hi")]), "Neither"),
    "zip_bomb": (_zip([("Foo/Foo.py", GOOD), ("Foo/zeros.bin", b"\0" * (3 * 1024 * 1024))]), "compression ratio"),
    "not_a_zip": (b"this is not a zip archive at all", "not a valid zip"),
    "empty": (b"", "empty"),
    "top_level_file": (_zip([("Foo/Foo.py", GOOD), ("evil.sh", "x")]), "top level"),
}


def _tree(root):
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, n), root))
    return out


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_archive_refused(client, admin_auth, tmp_path, case):
    data, reason = HOSTILE[case]
    results_root = Path(settings.ION_RESULTS_ROOT)
    (Path(settings.ION_PLUGIN_ROOT) / "scratch").mkdir(parents=True, exist_ok=True)
    before = _tree(tmp_path)
    f = io.BytesIO(data)
    f.name = f"{case}.zip"
    resp = client.post(URL, {"file": f}, **admin_auth)
    assert resp.status_code == 400, resp.content
    assert reason in resp.json()["error"]
    after = _tree(tmp_path)
    locks = {os.path.relpath(Path(settings.ION_PLUGIN_ROOT) / name, tmp_path) for name in (".install.lock", ".scratch.lock")}
    assert after - before <= locks
    assert list((Path(settings.ION_PLUGIN_ROOT) / "scratch").iterdir()) == []
    assert not (results_root.parent / "evil.txt").exists() and not Path("/tmp/evil_abs.txt").exists()
    assert not Plugin.objects.exists()
