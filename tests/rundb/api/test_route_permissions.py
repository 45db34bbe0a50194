"""Every route of the URL configuration declares who may call it, and anonymous callers get
nothing but the few public routes (rundb/api/access.py; README "Security model")."""
import re
import sys
import types
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.http import JsonResponse
from django.test import Client
from django.urls import include, path, resolve

from rundb.api.access import LEVELS, ANONYMOUS_PATHS, is_anonymous_path, markdown_table, walk_routes

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
DENIED = (401, 403, 302)


def _known_permission(perm):
    if perm in LEVELS or perm == "resource":
        return True
    app, _, codename = perm.partition(".")
    return bool(codename) and Permission.objects.filter(content_type__app_label=app, codename=codename).exists()


def problems(routes):
    out = []
    for route in routes:
        perm = route.permission
        if perm is None:
            out.append(f"{route.sample} ({route.pattern}): no explicit permission")
        elif not _known_permission(perm):
            out.append(f"{route.sample}: unknown permission {perm!r}")
        elif perm == "anonymous" and not is_anonymous_path(route.sample):
            out.append(f"{route.sample}: open to anonymous callers but not in access.ANONYMOUS_PATHS")
    return out


def test_every_route_declares_a_permission_and_refuses_anonymous_callers():
    routes = walk_routes()
    assert not problems(routes), "\n".join(problems(routes))
    client = Client()
    checked, unreachable = 0, []
    for route in routes:
        match = _resolves_to(route)
        if not match:
            unreachable.append(route.sample)
            continue
        checked += 1
        if is_anonymous_path(route.sample):
            continue
        got = client.get(route.sample)
        assert got.status_code in DENIED, f"anonymous GET {route.sample} -> {got.status_code}"
        got = client.post(route.sample, data="{}", content_type="application/json")
        assert got.status_code in DENIED + (405,), f"anonymous POST {route.sample} -> {got.status_code}"
    kinds = {}
    for route in routes:
        kinds[route.permission] = kinds.get(route.permission, 0) + 1
    print(f"\nroutes checked: {checked} of {len(routes)}; by permission: {kinds}")
    # The walker saw all the kinds of routes there are.
    assert {"resource", "anonymous", "authenticated", "staff", "rundb.install_plugin"} <= set(kinds)
    # Every route's sample path reaches that route's view (none is shadowed by an earlier one).
    assert not unreachable and checked == len(routes), unreachable


def _resolves_to(route):
    try:
        return resolve(route.sample).func is route.callback
    except Exception:
        return False


def test_public_routes_answer_anonymous_callers():
    client = Client()
    for url in ("/rundb/api/v1/", "/rundb/api/v1/results/schema/", "/rundb/api/v1/torrentsuite/version/",
                "/rundb/api/v1/getsoftwareinfo/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/rundb/api/v1/results/").status_code == 401
    assert client.get("/rundb/api/v1/torrentsuite/").status_code == 401


def _undeclared(request):
    return JsonResponse({"hello": "world"})


def test_walker_fails_on_a_new_route_without_a_permission():
    urlconf = types.ModuleType("h4_undeclared_urls")
    urlconf.urlpatterns = [path("", include("iondb.urls")), path("brand-new/<int:pk>/", _undeclared)]
    sys.modules[urlconf.__name__] = urlconf
    try:
        found = problems(walk_routes(urlconf))
    finally:
        del sys.modules[urlconf.__name__]
    assert len(found) == 1 and found[0].startswith("/brand-new/1/ ") and found[0].endswith("no explicit permission")


def test_walker_fails_on_an_anonymous_route_outside_the_table():
    from rundb.api.endpoint import endpoint

    urlconf = types.ModuleType("h4_open_urls")
    urlconf.urlpatterns = [path("open/", endpoint("anonymous")(_undeclared))]
    found = problems(walk_routes(urlconf))
    assert found == ["/open/: open to anonymous callers but not in access.ANONYMOUS_PATHS"]


def test_readme_mirrors_the_table():
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme
    for rx in ANONYMOUS_PATHS.values():
        re.compile(rx)
