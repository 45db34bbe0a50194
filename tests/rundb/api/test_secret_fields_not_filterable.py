"""Secret fields (keys, passwords, tokens, key hashes) can be neither filtered nor ordered on any
registered resource, directly or one relation hop away, and are never shown to other users.

A prefix filter (``?apikey__startswith=a``) or an ordering answering 200 would let any user
recover a secret character by character, so every such request must be 400 ``{"error": ...}``.
The secret paths are found by walking every resource's fields with this test's own notion of
a secret (independent of the implementation's rule in rundb/api/base/fieldrules.py)."""
import re

import pytest
from django.contrib.auth import get_user_model
from tastypie.fields import RelatedField

from rundb import models as m
from rundb.api.api import v1_api
from rundb.api.base import resource_instance

from . import factories

SECRET = re.compile(r"password|passwd|api_?key|apikey|secret|token|(^|_)key_?hash", re.IGNORECASE)
LOOKUPS = ["", "__exact", "__iexact", "__startswith", "__istartswith", "__contains", "__endswith", "__gt",
           "__lte", "__regex", "__in", "__range", "__isnull"]
VALUES = {"__in": "a,b", "__range": "0,z", "__isnull": "false", "__regex": "^0"}


def _secret_names(res):
    return [name for name, field in res.fields.items()
            if SECRET.search(name) or SECRET.search(str(getattr(field, "attribute", "") or ""))]


def secret_paths():
    """(resource name, path) for every secret field and every secret one relation hop away, plus
    the user model's own secrets behind every relation to users (not fields of the user resource,
    so they must be refused as unknown)."""
    User = get_user_model()
    paths = set()
    for name, res in v1_api._registry.items():
        for secret in _secret_names(res):
            paths.add((name, secret))
        for rel, field in res.fields.items():
            if not isinstance(field, RelatedField):
                continue
            target = resource_instance(field.to_class)
            for secret in _secret_names(target):
                paths.add((name, f"{rel}__{secret}"))
            if target._meta.object_class is User:
                paths.update({(name, f"{rel}__password"), (name, f"{rel}__api_key__key")})
    return sorted(paths)


PATHS = secret_paths()


def test_the_walk_finds_the_known_secrets():
    # If these disappear from the walk, the test below would pass vacuously.
    for expected in [("pluginresult", "apikey"), ("rig", "ftppassword"), ("account", "api_key"),
                     ("PluginResultJob", "pluginresult__apikey"), ("results", "pluginresults__apikey"),
                     ("pluginresult", "owner__password")]:
        assert expected in PATHS, expected


@pytest.fixture
def data(db, admin):
    owner, _ = factories.user("owner", groups=["ionusers"])
    res = factories.result(metrics=False)
    pr = factories.plugin_result(res, factories.plugin(), owner, state="Started")
    location = m.Location.objects.create(name="Home")
    m.Rig.objects.create(name="S5one", location=location, ftppassword="s3cr3t")
    return pr


def _is_refused(response):
    if response.status_code != 400:
        return False
    body = response.json()
    return isinstance(body, dict) and "error" in body


def test_no_secret_path_is_filterable_or_orderable(data, api):
    failures = []
    sent = 0
    for resource, path in PATHS:
        for lookup in LOOKUPS:
            key = path + lookup
            if key == "api_key":
                continue  # ``?api_key=`` is the credential parameter itself, never a filter
            response = api.get(f"{resource}/", {key: VALUES.get(lookup, "0")})
            sent += 1
            if not _is_refused(response):
                failures.append(f"{resource}/?{key}= -> {response.status_code} {response.content[:120]!r}")
        for order in (path, f"-{path}"):
            response = api.get(f"{resource}/", {"order_by": order})
            sent += 1
            if not _is_refused(response):
                failures.append(f"{resource}/?order_by={order} -> {response.status_code} {response.content[:120]!r}")
    print(f"secret filter/order requests sent: {sent}")
    assert not failures, "\n".join(failures)


def test_schemas_offer_no_secret_for_filtering_or_ordering(data, api):
    for resource, path in PATHS:
        if "__" in path:
            continue
        schema = api.get(f"{resource}/schema/").json()
        assert path not in schema["filtering"], (resource, path)
        assert path not in schema["ordering"], (resource, path)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_secrets_are_not_shown_to_other_users(data, api, client_for):
    stranger = client_for(*factories.user("stranger", groups=["ionusers"]))
    pr = data
    for name in sorted(v1_api._registry):
        for client, is_admin in ((stranger, False), (api, True)):
            response = client.get(f"{name}/", {"limit": 0})
            if response.status_code != 200:
                continue
            body = response.json()
            strings = list(_strings(body))
            # Neither plugin keys nor any stored hash ever leave the server.
            assert pr.plain_apikey not in strings, name
            assert not [s for s in strings if s.startswith("sha256$")], name
            for row in body.get("objects", []):
                for secret in _secret_names(resource_instance(type(v1_api._registry[name]))):
                    if secret in row and not (is_admin and name == "rig"):
                        assert row[secret] in (None, ""), (name, secret, is_admin)
    rigs = {r["name"]: r for r in api.get("rig/").json()["objects"]}
    assert rigs["S5one"]["ftppassword"] == "s3cr3t"  # the site's administrators own instrument settings
    assert stranger.get("rig/S5one/").json()["ftppassword"] is None
