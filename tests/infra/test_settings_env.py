"""Settings come from the environment: DATABASE_URL parsing, defaults, and the REDIS_URL eager switch."""
import pytest

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
