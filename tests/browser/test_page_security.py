"""CSRF on the pages' forms and on session-authenticated API writes; every page route says
who may see it (ion_permission) and sends anonymous users to /login/?next=...; uploaded plugin
archives are not kept (so never served back); report html is served sandboxed."""
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver

pytestmark = [pytest.mark.django_db]


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_page_route_declares_its_permission():
    import browser.urls

    routes = list(_walk(browser.urls.urlpatterns))
    assert len(routes) > 20
    missing = [route for route, view in routes if getattr(view, "ion_permission", None) not in
               ("anonymous", "authenticated", "superuser")]
    assert not missing, missing


@pytest.mark.parametrize("url", ["/home/", "/data/", "/report/1/", "/monitor/", "/plan/plan_templates/",
                                 "/plan/planned/", "/configure/plugins/", "/configure/account/",
                                 "/configure/services/", "/configure/references/", "/output/Home/x/a.bam"])
def test_pages_redirect_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"/login/?next={url}"


def test_login_form_needs_csrf(django_user_model):
    django_user_model.objects.create_user("u1", password="pw-12345")
    c = Client(enforce_csrf_checks=True)
    assert c.post("/login/", {"username": "u1", "password": "pw-12345"}).status_code == 403
    c.get("/login/")
    token = c.cookies["csrftoken"].value
    ok = c.post("/login/", {"username": "u1", "password": "pw-12345", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302 and ok["Location"] == "/home/"


def test_session_api_write_needs_csrf_token(django_user_model):
    from launch_support import create_report

    user = django_user_model.objects.create_superuser("adm", "a@example.com", "pw-12345")
    report = create_report()
    exp = report.experiment
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    c.get("/data/")  # sets the csrftoken cookie
    url = f"/rundb/api/v1/experiment/{exp.pk}/"
    refused = c.patch(url, data='{"star": true}', content_type="application/json")
    assert refused.status_code == 401
    exp.refresh_from_db()
    assert exp.star is False
    token = c.cookies["csrftoken"].value
    accepted = c.patch(url, data='{"star": true}', content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code in (200, 202, 204)
    exp.refresh_from_db()
    assert exp.star is True
    # Page forms too: regenerating the API key without the token is refused.
    assert c.post("/configure/account/", {"action": "regenerate"}).status_code == 403


def test_report_html_is_sandboxed_and_uploads_are_not_kept(client, django_user_model, settings, tmp_path):
    from launch_support import create_report, make_plugin_zip

    user = django_user_model.objects.create_superuser("adm", "a@example.com", "pw-12345")
    client.force_login(user)
    report = create_report()
    out = report.report_dir / "plugin_out" / "X_out.1"
    out.mkdir(parents=True)
    (out / "X_block.html").write_text("<p>hi</p>")
    url = f"/output/Home/{report.report_dir.name}/plugin_out/X_out.1/X_block.html"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Security-Policy"].startswith("sandbox")
    assert "allow-same-origin" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"

    zip_path = make_plugin_zip(tmp_path / "zips", "KeptNot", "return True")
    with open(zip_path, "rb") as fh:
        installed = client.post("/rundb/api/v1/plugin/install/", {"file": fh}, HTTP_X_CSRFTOKEN="x")
    assert installed.status_code == 201, installed.content
    leftovers = [p for p in settings.ION_RESULTS_ROOT.rglob("*.zip")]
    assert leftovers == [], leftovers


def test_login_ajax_answers_json(client, django_user_model):
    django_user_model.objects.create_user("u2", password="pw-12345")
    bad = client.post("/login/ajax/", {"username": "u2", "password": "nope", "next": "/data/"})
    assert bad.status_code == 200 and "didn&#x27;t match" in bad.json()["form"]
    good = client.post("/login/ajax/", {"username": "u2", "password": "pw-12345", "next": "https://evil.example/"})
    assert good.json() == {"redirect": "/home/"}
    assert client.get("/data/").status_code == 200
