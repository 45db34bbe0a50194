"""Schemathesis over every operation of the generated OpenAPI document, as the superuser (ApiKey):
no response >= 500 and none that breaks the document (status code and body schema).

Bounded for CI: a few generated cases per operation (SCHEMATHESIS_MAX_EXAMPLES, default 2),
derandomised so a run is reproducible, without shrinking. Everything runs in one test (one
database transaction, rolled back at the end) through the WSGI application in-process. The
operations are driven with Hypothesis directly (``operation.as_strategy()``): schemathesis's
pytest plugin does not work with the pytest this project installs.
"""
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "2"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def _keep_connection():
    # Django's WSGI handler closes the database connection after each request, which would end
    # the test's transaction; the test client does the same disconnecting as here.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_every_operation(db, admin, settings, capsys, _keep_connection):
    settings.DEBUG = False
    user, key = admin
    auth = {"key": key}
    # NUL characters are left out: PostgreSQL cannot store them, and the shared hostile-input guard
    # (400 for NUL in query, URL and body) has its own corpus test.
    config = SchemathesisConfig.from_dict({"generation": {"allow-x00": False}})
    schema = schemathesis.openapi.from_wsgi("/rundb/api/v1/openapi.json", get_wsgi_application(), config=config)
    failures, statuses, operations = [], {}, 0
    cases = 0

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis_settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal cases
            headers = {"Authorization": f"ApiKey {user.username}:{auth['key']}"}
            response = case.call(headers=headers)
            cases += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if case.path == "/rundb/api/v1/account/" and case.method == "POST" and response.status_code == 201:
                auth["key"] = response.json()["api_key"]  # the caller's key was just replaced
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as exc:  # collect them all; raising would make Hypothesis replay
                failures.append(f"{case.method} {case.formatted_path} {case.query or ''} -> "
                                f"{response.status_code}: {str(exc)[:600]}")

        run()

    with capsys.disabled():  # shown in every run's output, passing or not
        print(f"\nschemathesis: {cases} cases over {operations} operations; "
              f"statuses {dict(sorted(statuses.items()))}")
    assert operations >= 400 and cases >= operations
    assert not failures, f"{len(failures)} failing cases:\n" + "\n".join(failures[:40])
