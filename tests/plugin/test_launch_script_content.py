"""What the generated ion_plugin_<Name>_launch.sh contains (without running the plugin)."""
import json
import subprocess
from pathlib import Path

import pytest

from launch_support import admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin import SDK_PATH
from plugin.services.launch import launch_plugin
from plugin.services.launch_script import flatten_startplugin

pytestmark = pytest.mark.django_db
EVIL = "$(touch pwned) `touch pwned2` 'single' \"double\" \\ ; & |\nnewline"


@pytest.fixture
def script(admin_user, zips):
    plugin = install(zips("Foo"))
    pr = launch_plugin(create_report(), plugin, user=admin_user, pluginconfig={"evil": EVIL, "n": 3})
    return Path(pr.launched_jobs[0].script_path), pr


def test_script_structure(script):
    path, pr = script
    text = path.read_text()
    assert text.startswith("#!/bin/bash\n")
    assert subprocess.run(["bash", "-n", str(path)]).returncode == 0
    for needle in ("umask 0000", "ulimit -c 0", "ion_status Started", 'ion_finish 0 Completed ""',
                   "drmaa_stdout.txt", f"export ION_JOB={pr.launched_jobs[0].pk}", "export ION_PLUGINRESULT="):
        assert needle in text
    assert text.index("umask 0000") < text.index("ion_status Started") < text.index("starting execution")
    assert f"{SDK_PATH}" in text
    assert '"$DIRNAME"/Foo.py -vv' in text


def test_environment_values_are_quoted_safely(script, tmp_path):
    path, _pr = script
    text = path.read_text()
    exports = text[text.index("# ---- environment for the plugin ----"):text.index("export PYTHONPATH")]
    probe = subprocess.run(
        ["bash", "-c", exports + '\nprintf "%s" "$PLUGINCONFIG__EVIL"'], cwd=tmp_path, capture_output=True, text=True,
    )
    assert probe.stdout == EVIL
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_embedded_startplugin_matches_file(script, tmp_path):
    path, _pr = script
    text = path.read_text()
    start = json.loads((path.parent / "startplugin.json").read_text())
    assert json.dumps(start, indent=2) in text


def test_legacy_script_lifts_grid_directives(admin_user, zips):
    launch_sh = '#!/bin/bash\nVERSION="2.0.0.0"\n#$ -l mem_free=2G\necho hi\n'
    plugin = install(zips("Legacy", py=False, files={"launch.sh": launch_sh}))
    pr = launch_plugin(create_report(), plugin, user=admin_user)
    text = Path(pr.launched_jobs[0].script_path).read_text()
    assert "\n#$ -l mem_free=2G\n" in text
    assert 'bash -o errexit "$DIRNAME"/launch.sh' in text
    assert "VERSION=2.0.0.0" in text


def test_flatten_rules():
    env = dict(flatten_startplugin({
        "runinfo": {"plugin": {"runlevels": ["pre", "post"], "name": "X"}, "pk": 3, "flag": True, "none": None},
        "datamanagement": {"Signal Processing Input": False},
        "sampleinfo": {"s": {"name": "secret"}},
        "plan": {"barcodedSamples": {"s": {"barcodes": ["b"]}}, "planName": "p.1-x"},
        "pluginconfig": {"sub.key-x": "v"},
    }))
    assert env["RUNINFO__PLUGIN__RUNLEVELS__0"] == "pre" and env["RUNINFO__PLUGIN__RUNLEVELS__1"] == "post"
    assert env["RUNINFO__PK"] == "3" and env["RUNINFO__FLAG"] == "true" and env["RUNINFO__NONE"] == ""
    assert env["DATAMANAGEMENT__SIGNAL_PROCESSING_INPUT"] == "false"
    assert env["DATAMANAGEMENT__SIGNAL"] == "false"  # the original's truncated name
    assert env["PLUGINCONFIG__SUB_KEY_X"] == "v" and env["PLAN__PLANNAME"] == "p.1-x"
    assert not any(k.startswith(("SAMPLEINFO", "PLAN__BARCODEDSAMPLES")) for k in env)
