"""The README stays true to the settings, and the Makefile does what the README promises."""
import re
import runpy
import subprocess

import pytest
from infra_env import ROOT

README = (ROOT / "README.md").read_text()


def test_readme_starts_with_the_two_commands():
    head = README[: README.index("## Configuration")]
    assert "make run" in head and "make test" in head
    assert README.index("## Set-up in two commands") < README.index("## Configuration") < README.index("## Architecture")


def test_every_environment_variable_of_the_settings_is_documented():
    names = set(re.findall(r"""os\.environ(?:\.get)?[(\[]\s*["']([A-Z0-9_]+)["']""",
                           (ROOT / "iondb" / "settings.py").read_text()))
    assert names, "no environment variables found in settings.py"
    table = README[README.index("## Configuration"): README.index("## Architecture")]
    missing = sorted(n for n in names if f"`{n}`" not in table)
    assert not missing, f"README configuration table lacks {missing}"


def test_architecture_map_names_existing_folders():
    block = README[README.index("## Architecture"): README.index("## Running each service")]
    for folder in re.findall(r"^(\w[\w/]*)/ ", block, flags=re.M):
        assert (ROOT / folder).is_dir(), folder


def make_dry_run(*targets):
    proc = subprocess.run(["make", "-n", *targets], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("target", ["run", "test", "web", "jobservice", "migrate"])
def test_make_targets_exist(target):
    make_dry_run(target)


def test_make_run_sequence():
    out = make_dry_run("run")
    steps = ["manage.py migrate --noinput", "manage.py bootstrap", "manage.py demo_data --if-empty",
             "runserver --insecure 127.0.0.1:8000"]
    positions = [out.index(step) for step in steps]
    assert positions == sorted(positions)


def test_install_is_keyed_on_pyproject():
    out = subprocess.run(["make", "-p", "-n", "help"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout
    stamp = re.search(r"^STAMP := (.*)$", out, flags=re.M).group(1)
    assert re.fullmatch(r"\.venv/\.installed-\d+", stamp)


def test_gunicorn_config(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    conf = runpy.run_path(str(ROOT / "config" / "gunicorn.conf.py"))
    assert conf["wsgi_app"] == "iondb.wsgi:application"
    assert (conf["bind"], conf["workers"]) == ("0.0.0.0:9000", 3)
    assert conf["control_socket_disable"] is True
