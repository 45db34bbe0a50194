"""Paths built from database values stay inside their root (rundb.paths.safe_join), even when
a row holds a name that the save-time checks would refuse (rows from before the checks, or
written by hand); server-made folders are never group- or world-writable."""
import os
import re
import stat
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from pipeline.analysis_launch import AnalysisLaunchError, start_analysis
from rundb.models import Experiment, Plugin, ReportStorage, Results
from rundb.paths import UnsafeName, UnsafePath, check_name, safe_join

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("parts", [("../x",), ("a", "..", "..", "x"), ("/etc/passwd",), ("a\x00b",), ("..",)])
def test_safe_join_refuses_escapes(tmp_path, parts):
    with pytest.raises(UnsafePath):
        safe_join(tmp_path / "root", *parts)


def test_safe_join_keeps_ordinary_paths(tmp_path):
    assert safe_join(tmp_path, "a", "b/c.txt") == tmp_path / "a" / "b" / "c.txt"
    assert safe_join(tmp_path, "x/../y") == tmp_path / "y"
    assert issubclass(UnsafePath, ValueError) and issubclass(UnsafeName, ValueError)
    for bad in ("a/b", "..", "a..b", "x\ny", "", "a\\b"):
        with pytest.raises(UnsafeName):
            check_name(bad)
    assert check_name("Auto_run 1 (v2).x") == "Auto_run 1 (v2).x"


@pytest.fixture
def hostile_report(db, tmp_path, settings):
    root = Path(settings.ION_REPORT_ROOT)
    root.mkdir(parents=True)
    storage = ReportStorage.objects.create(name="Home", dirPath=str(root), webServerPath="/output", default=True)
    raw = tmp_path / "raw"
    raw.mkdir()
    exp = Experiment.objects.create(expName="R_run", unique=str(raw), expDir=str(raw), chipType="314")
    result = Results.objects.create(experiment=exp, reportstorage=storage, resultsName="fine")
    Results.objects.filter(pk=result.pk).update(resultsName="../../../escaped")  # bypasses the save checks
    result.refresh_from_db()
    return result


def _outside(tmp_path):
    return sorted(p.name for p in tmp_path.rglob("escaped*"))


def test_report_folder_of_a_hostile_name_is_refused(hostile_report, tmp_path):
    with pytest.raises((UnsafeName, UnsafePath)):
        hostile_report.report_dir
    with pytest.raises(AnalysisLaunchError, match="no usable folder"):
        start_analysis(hostile_report)
    assert _outside(tmp_path) == []


def test_plugin_launch_on_a_hostile_report_is_400(hostile_report, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    plugin_dir = Path(settings.ION_PLUGIN_ROOT) / "Foo"
    plugin_dir.mkdir(parents=True)
    (plugin_dir / "launch.sh").write_text("#!/bin/bash\ntrue\n")
    Plugin.objects.create(name="Foo", version="1.0", path=str(plugin_dir), script="launch.sh", selected=True,
                          pluginsettings={"runlevels": ["default"], "features": [], "depends": []})
    get_user_model().objects.create_superuser("ionadmin", "a@example.org", "pw")
    client = Client(HTTP_AUTHORIZATION="Basic aW9uYWRtaW46cHc=")
    resp = client.post(f"/rundb/api/v1/results/{hostile_report.pk}/plugin/", {"plugin": ["Foo"]},
                       content_type="application/json")
    assert resp.status_code == 400, resp.content
    assert "resultsName" in resp.json()["error"]
    assert _outside(tmp_path) == []


def test_a_normal_report_folder_is_0755(db, tmp_path, settings):
    root = Path(settings.ION_REPORT_ROOT)
    storage = ReportStorage.objects.create(name="Home", dirPath=str(root), webServerPath="/output", default=True)
    raw = tmp_path / "raw"
    raw.mkdir()
    exp = Experiment.objects.create(expName="R_run", unique=str(raw), expDir=str(raw), chipType="314")
    result = Results.objects.create(experiment=exp, reportstorage=storage, resultsName="Auto_run")
    old = os.umask(0)  # even with a permissive umask
    try:
        start_analysis(result)
    finally:
        os.umask(old)
    mode = stat.S_IMODE(os.stat(result.report_dir).st_mode)
    assert mode & (stat.S_IWGRP | stat.S_IWOTH) == 0, oct(mode)


def test_no_world_writable_modes_in_the_code():
    """Folders/files are created 0755/0750/0700/0600; masks (`& 0o777`) are fine."""
    found = []
    for folder in ("rundb", "plugin", "pipeline", "sge", "iondb"):
        for path in (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(path.read_text().splitlines(), 1):
                for m in re.finditer(r"0o[0-7]{3,4}", line):
                    mode = int(m.group(0), 8)
                    if mode & 0o022 and not re.search(r"&\s*" + m.group(0), line):
                        found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not found, "\n".join(found)


def test_reading_a_hostile_report_is_a_clear_400(hostile_report, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_user_model().objects.create_superuser("ionadmin", "a@example.org", "pw")
    client = Client(HTTP_AUTHORIZATION="Basic aW9uYWRtaW46cHc=")
    resp = client.get(f"/rundb/api/v1/results/{hostile_report.pk}/pluginresults/")
    assert resp.status_code == 400 and "resultsName" in resp.json()["error"]
    assert client.get(f"/rundb/api/v1/results/{hostile_report.pk}/").status_code == 200
