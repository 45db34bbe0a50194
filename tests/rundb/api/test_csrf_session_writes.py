"""A logged-in browser session may only write with the CSRF token: on the API's resources and on
every action endpoint (rundb.api.auth._csrf_ok via authenticate_request). Without the token the
write is refused (401/403) and changes nothing; API keys and Basic need no token."""
import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from rundb import models as m

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(db):
    return factories.report_with_queued_plugin()


def _session(user, token=None):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    if token:
        client.cookies["csrftoken"] = token
    return client


def _writes(s):
    return [
        ("patch", f"/rundb/api/v1/results/{s['result'].pk}/", '{"resultsName": "renamed"}'),
        ("post", f"/rundb/api/v1/pluginresult/{s['pr'].pk}/stop/", ""),
        ("post", f"/rundb/api/v1/results/{s['result'].pk}/plugin/", '{"plugin": ["Foo"]}'),
        ("post", f"/rundb/api/v1/experiment/{s['experiment'].pk}/reanalyze/", "{}"),
        ("delete", f"/rundb/api/v1/plugin/{s['plugin'].pk}/uninstall/", ""),
        ("post", "/rundb/api/v1/plugin/rescan/", ""),
    ]


def _state(s):
    return (
        m.Results.objects.get(pk=s["result"].pk).resultsName,
        list(m.PluginResultJob.objects.values_list("pk", "state")),
        m.PluginResult.objects.count(), m.Results.objects.count(), m.AnalysisJob.objects.count(),
        m.Plugin.objects.get(pk=s["plugin"].pk).active,
    )


def test_session_write_without_token_is_refused(setup):
    client = _session(setup["user"])
    before = _state(setup)
    for method, url, body in _writes(setup):
        resp = getattr(client, method)(url, data=body, content_type="application/json")
        assert resp.status_code in (401, 403), (method, url, resp.status_code, resp.content)
        if not url.endswith(f"/results/{setup['result'].pk}/"):  # action endpoints say why
            assert "CSRF" in resp.json()["error"], (url, resp.content)
    assert _state(setup) == before


def test_session_write_with_token_is_accepted(setup):
    token = _get_new_csrf_string()
    client = _session(setup["user"], token)
    resp = client.patch(f"/rundb/api/v1/results/{setup['result'].pk}/", data='{"resultsName": "renamed"}',
                        content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert resp.status_code == 202, resp.content
    resp = client.post(f"/rundb/api/v1/pluginresult/{setup['pr'].pk}/stop/", HTTP_X_CSRFTOKEN=token)
    assert resp.status_code == 202, resp.content
    assert m.Results.objects.get(pk=setup["result"].pk).resultsName == "renamed"


def test_session_reads_and_key_writes_need_no_token(setup):
    client = _session(setup["user"])
    assert client.get(f"/rundb/api/v1/results/{setup['result'].pk}/pluginresults/").status_code == 200
    keyed = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"ApiKey ionadmin:{setup['key']}")
    assert keyed.post(f"/rundb/api/v1/pluginresult/{setup['pr'].pk}/stop/").status_code == 202
