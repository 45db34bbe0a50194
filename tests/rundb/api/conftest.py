"""Fixtures for the REST API tests: users with keys, an authenticated JSON client, the catalog."""
import json

import pytest
from django.test import Client

from . import factories

API = "/rundb/api/v1/"


class ApiClient:
    """Django test client that sends an ApiKey header and JSON bodies."""

    def __init__(self, username=None, key=None, **extra):
        self.client = Client(**extra)
        self.headers = {"HTTP_AUTHORIZATION": f"ApiKey {username}:{key}"} if username else {}

    def _url(self, path):
        return path if path.startswith("/") else API + path

    def get(self, path, params=None, **extra):
        return self.client.get(self._url(path), params or {}, **{**self.headers, **extra})

    def _body(self, method, path, body, raw=None, content_type="application/json", **extra):
        data = raw if raw is not None else json.dumps(body)
        return getattr(self.client, method)(self._url(path), data=data, content_type=content_type,
                                            **{**self.headers, **extra})

    def post(self, path, body=None, **kw):
        return self._body("post", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self._body("put", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self._body("patch", path, body, **kw)

    def delete(self, path, **extra):
        return self.client.delete(self._url(path), **{**self.headers, **extra})


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs ~0.5 s per user on a shared CI core; tests do not need slow hashes.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(db):
    return factories.user("ionadmin", superuser=True)


@pytest.fixture
def api(admin):
    """Client authenticated as the superuser ionadmin."""
    user, key = admin
    return ApiClient(user.username, key)


@pytest.fixture
def anon(db):
    return ApiClient()


@pytest.fixture
def client_for(db):
    def make(user, key):
        return ApiClient(user.username, key)

    return make


@pytest.fixture
def catalog(db):
    return factories.catalog()
