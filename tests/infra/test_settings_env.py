"""Settings come from the environment: DATABASE_URL parsing, defaults, the REDIS_URL eager switch, and
only settings.py parses it (the README table lists every variable; other reads are justified exceptions)."""
import re

import pytest

from infra_env import ROOT, WHOLE_ENVIRONMENT, environment_reads, settings_env_names
from iondb.settings import database_from_url, env_bool


def test_sqlite_absolute_and_relative_paths(tmp_path):
    db = database_from_url(f"sqlite:///{tmp_path}/sub/db.sqlite3")
    assert (db["ENGINE"], db["NAME"]) == ("django.db.backends.sqlite3", f"{tmp_path}/sub/db.sqlite3")
    # Concurrent writers wait for each other instead of failing (WAL, immediate transactions).
    assert db["OPTIONS"] == {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
                             "transaction_mode": "IMMEDIATE", "timeout": 30}
    assert (tmp_path / "sub").is_dir()  # created so the first connection can open the file
    assert database_from_url("sqlite:///relative/db.sqlite3")["NAME"] == "relative/db.sqlite3"


def test_postgres_url_with_credentials_port_and_options(monkeypatch):
    monkeypatch.delenv("DATABASE_TEST_NAME", raising=False)
    db = database_from_url("postgres://ion%40lab:p%2Fw@db.example.org:6543/torrent?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "torrent", "ion@lab", "p/w", "db.example.org", "6543"
    )
    assert db["OPTIONS"] == {"sslmode": "require"}
    assert "TEST" not in db


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_postgres_minimal_url_and_test_name(scheme, monkeypatch):
    monkeypatch.setenv("DATABASE_TEST_NAME", "test_someone")
    db = database_from_url(f"{scheme}://postgres@127.0.0.1/test")
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["PORT"]) == ("test", "postgres", "", "")
    assert db["TEST"] == {"NAME": "test_someone"}


def test_unsupported_scheme_is_a_clear_error():
    with pytest.raises(ValueError, match="Unsupported DATABASE_URL scheme: 'mysql'"):
        database_from_url("mysql://root@localhost/x")


def test_defaults_are_the_embedded_mode(settings_in_subprocess, tmp_path):
    s = settings_in_subprocess()
    var = tmp_path / "var"
    assert s["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert s["DATABASES"]["default"]["NAME"] == str(var / "db.sqlite3")
    assert s["ION_RESULTS_ROOT"] == str(var / "results")
    assert s["ION_PLUGIN_ROOT"] == str(var / "results" / "plugins")
    assert s["ION_REPORT_ROOT"] == str(var / "results" / "analysis" / "output")
    assert s["DEBUG"] is False
    assert s["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "testserver"]
    assert s["ION_JOB_BACKEND"] == "local"
    # No Redis: tasks run eagerly in the caller's process, with an in-memory broker.
    assert s["CELERY_TASK_ALWAYS_EAGER"] is True
    assert s["CELERY_BROKER_URL"] == "memory://" and s["CELERY_RESULT_BACKEND"] is None


def test_environment_overrides(settings_in_subprocess, tmp_path):
    s = settings_in_subprocess(
        DATABASE_URL="postgres://ion:pw@dbhost:5432/torrent", REDIS_URL="redis://cache:6379/2",
        ION_RESULTS_ROOT=tmp_path / "res", DEBUG="yes", ALLOWED_HOSTS=" ts.lab , localhost ,", SECRET_KEY="s3",
        ION_JOB_BACKEND="sge",
    )
    assert s["DATABASES"]["default"]["HOST"] == "dbhost"
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["CELERY_BROKER_URL"] == s["CELERY_RESULT_BACKEND"] == "redis://cache:6379/2"
    assert s["ION_RESULTS_ROOT"] == str(tmp_path / "res")
    assert s["ION_PLUGIN_ROOT"] == str(tmp_path / "res" / "plugins")
    assert s["DEBUG"] is True and s["SECRET_KEY"] == "s3" and s["ION_JOB_BACKEND"] == "sge"
    assert s["ALLOWED_HOSTS"] == ["ts.lab", "localhost"]


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), (" On ", True), ("yes", True),
                                             ("0", False), ("no", False), ("", False), ("maybe", False)])
def test_boolean_flag_values(monkeypatch, value, expected):
    monkeypatch.setenv("ION_TEST_FLAG", value)
    assert env_bool("ION_TEST_FLAG") is expected
    monkeypatch.delenv("ION_TEST_FLAG")
    assert env_bool("ION_TEST_FLAG", default=True) is True


# --- one place for configuration: settings.py parses the environment, the README lists it ---

SOURCE_DIRS = ("rundb", "plugin", "pipeline", "sge", "browser", "iondb", "config")
# Code outside iondb/settings.py that may read os.environ, and why. A path ending in "/" covers
# a folder; the value is the set of variables allowed there (WHOLE_ENVIRONMENT: copies and
# reads by a computed name).
ALLOWED_READS = {
    # Bootstrapping, not configuration: Django finds its settings through this variable.
    "manage.py": {"DJANGO_SETTINGS_MODULE"},
    "iondb/celery.py": {"DJANGO_SETTINGS_MODULE"},
    "iondb/wsgi.py": {"DJANGO_SETTINGS_MODULE"},
    # gunicorn reads its own configuration before Django starts (GUNICORN_* are checked against
    # the README below) and hands ION_NET_LOCATION on to the workers' settings.
    "config/gunicorn.conf.py": None,
    # The plugin SDK runs inside plugin processes, without Django.
    "plugin/sdk/": None,
    # Run by the launch script inside a plugin job (standard library only): the job's own values.
    "plugin/services/job_callback.py": {"ION_API_URL", "ION_PLUGINRESULT", "ION_PLUGIN_API_KEY", "ION_JOB"},
    # Building a child's environment: proxy variables and PATH passed on to the plugin child.
    "plugin/services/child.py": {"PATH", WHOLE_ENVIRONMENT},
    "plugin/introspect.py": {"PATH"},
    # Pass-through variables exported into a plugin job's launch script.
    "plugin/services/launch_script.py": {WHOLE_ENVIRONMENT},
    # libdrmaa and the Grid Engine commands take their variables from the process environment;
    # `python -m sge.env` prints shell exports without Django.
    "sge/env.py": {WHOLE_ENVIRONMENT},
    # The environment a grid job gets (SGE does not pass the submitter's on).
    "sge/jobkinds.py": {WHOLE_ENVIRONMENT},
    # A local job inherits the job service's environment, as under a shell.
    "sge/backends/local.py": {WHOLE_ENVIRONMENT},
}


def _allowed(rel, name):
    for prefix, names in ALLOWED_READS.items():
        if rel == prefix or (prefix.endswith("/") and rel.startswith(prefix)):
            return names is None or name in names
    return False


def _source_files():
    yield ROOT / "manage.py"
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" not in path.parts and path != ROOT / "iondb" / "settings.py":
                yield path


def readme_table_names():
    """Variable -> number of rows naming it, from the README's Configuration table."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    counts = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split(" | ")[0]):
                counts[name] = counts.get(name, 0) + 1
    return counts


def test_every_variable_settings_parses_is_in_the_readme_once():
    table = readme_table_names()
    parsed = settings_env_names()
    assert {"DATABASE_URL", "ION_JOB_STATE_DIR", "ION_ADMIN_PASSWORD", "ION_TS_FIXTURES_DIR"} <= parsed
    assert sorted(parsed - set(table)) == [], "settings.py parses variables the README table does not list"
    assert sorted(n for n, count in table.items() if count > 1) == [], "listed more than once"
    gunicorn = {n for _, n in environment_reads(ROOT / "config" / "gunicorn.conf.py") if n.startswith("GUNICORN_")}
    assert sorted(gunicorn - set(table)) == []
    assert sorted(set(table) - parsed - gunicorn) == [], "the README lists variables nothing reads"


def test_code_reads_configuration_only_through_settings():
    found = [(str(path.relative_to(ROOT)), line, name)
             for path in _source_files() for line, name in environment_reads(path)]
    assert any(rel == "sge/env.py" for rel, _, _ in found)  # the scan sees reads at all
    unexplained = [f"{rel}:{line} {name}" for rel, line, name in found if not _allowed(rel, name)]
    assert unexplained == [], ("read these through django.conf.settings (parse them in iondb/settings.py), "
                               "or justify the exception in ALLOWED_READS")


@pytest.mark.parametrize("source, expected", [
    ('import os\nx = os.environ.get("A", "1")\ny = os.environ["B"]\nz = "C" in os.environ\n',
     [(2, "A"), (3, "B"), (4, "C")]),
    ('import os\nenv = dict(os.environ)\nv = os.getenv("D")\nn = "E"\nw = os.environ.get(n)\n',
     [(2, WHOLE_ENVIRONMENT), (3, "D"), (5, WHOLE_ENVIRONMENT)]),
    ("from os import environ\nDEBUG = env_bool('F')\n", [(1, WHOLE_ENVIRONMENT), (2, "F")]),
])
def test_the_scan_finds_every_kind_of_read(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert environment_reads(path) == expected


def test_an_unlisted_read_is_reported():
    assert _allowed("sge/jobkinds.py", WHOLE_ENVIRONMENT) and _allowed("plugin/sdk/ion/plugin/base.py", "X")
    assert not _allowed("sge/service.py", "ION_JOB_NAME_PREFIX")
    assert not _allowed("plugin/services/job_callback.py", "SECRET_KEY")


def test_job_service_and_bootstrap_variables_are_settings(settings_in_subprocess, tmp_path):
    s = settings_in_subprocess(ION_JOB_STATE_DIR=tmp_path / "js", ION_LOCAL_SLOTS="3", ION_JOB_NAME_PREFIX="lab1",
                               ION_JOB_DB_POLL="0.5", ION_ADMIN_USER="boss", ION_TS_FIXTURES_DIR="/srv/fx",
                               ION_SGE_QUEUE="")
    assert (s["ION_JOB_STATE_DIR"], s["ION_LOCAL_SLOTS"], s["ION_JOB_NAME_PREFIX"]) == (str(tmp_path / "js"), 3, "lab1")
    assert (s["ION_JOB_DB_POLL"], s["ION_JOB_TIMEOUT"]) == ("0.5", None)  # checked by sge/service_config.py
    assert (s["ION_ADMIN_USER"], s["ION_ADMIN_PASSWORD"], s["ION_TS_FIXTURES_DIR"]) == ("boss", "", "/srv/fx")
    assert s["ION_SGE_QUEUE"] == "all.q"
    d = settings_in_subprocess()
    assert d["ION_JOB_STATE_DIR"] == str(tmp_path / "var" / "jobstate") and d["ION_LOCAL_SLOTS"] >= 2
