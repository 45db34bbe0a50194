"""Accepted credentials: ApiKey header and parameters, HTTP Basic, browser session."""
import base64

import pytest
from django.test import Client

from . import factories

URL = "/rundb/api/v1/experiment/"


@pytest.fixture
def bob(db):
    return factories.user("bob", password="s3cret:with:colons")


def test_no_credentials_is_401_with_challenge(db):
    response = Client().get(URL)
    assert response.status_code == 401
    assert response.content == b""
    assert response["WWW-Authenticate"] == 'Basic realm="Torrent Suite"'


def test_loopback_is_not_trusted(db):
    assert Client(REMOTE_ADDR="127.0.0.1").get(URL).status_code == 401


@pytest.mark.parametrize("prefix", ["ApiKey", "apikey", "APIKEY"])
def test_apikey_header(bob, prefix):
    user, key = bob
    assert Client().get(URL, HTTP_AUTHORIZATION=f"{prefix} bob:{key}").status_code == 200


def test_apikey_query_parameters(bob):
    user, key = bob
    assert Client().get(URL, {"username": "bob", "api_key": key}).status_code == 200


@pytest.mark.parametrize("header", [
    "ApiKey bob:0000000000000000000000000000000000000000",
    "ApiKey nobody:0000000000000000000000000000000000000000",
    "ApiKey bob",
    "Bearer abc",
    "Basic !!!notbase64",
])
def test_wrong_credentials_are_401(bob, header):
    response = Client().get(URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Torrent Suite"'


def test_key_parameters_work_where_username_is_a_field(bob):
    user, key = bob
    response = Client().get("/rundb/api/v1/account/", {"username": "bob", "api_key": key})
    assert response.status_code == 200 and response.json()["objects"][0]["username"] == "bob"


def test_wrong_key_parameters_are_401(bob):
    assert Client().get(URL, {"username": "bob", "api_key": "nope"}).status_code == 401


def test_http_basic(bob):
    token = base64.b64encode(b"bob:s3cret:with:colons").decode()
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200
    bad = base64.b64encode(b"bob:wrong").decode()
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Basic {bad}").status_code == 401


def test_session_of_a_logged_in_browser(bob):
    client = Client()
    assert client.login(username="bob", password="s3cret:with:colons")
    assert client.get(URL).status_code == 200


def test_session_writes_need_the_csrf_token(db):
    user, _ = factories.user("carol", superuser=True, password="pw")
    client = Client(enforce_csrf_checks=True)
    client.login(username="carol", password="pw")
    body = '{"name": "p1"}'
    assert client.post("/rundb/api/v1/project/", body, content_type="application/json").status_code == 401
    token = "a" * 32  # any 32-char secret works when cookie and header agree
    client.cookies["csrftoken"] = token
    response = client.post("/rundb/api/v1/project/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_a_wrong_key_is_not_rescued_by_a_session(bob):
    client = Client()
    client.login(username="bob", password="s3cret:with:colons")
    assert client.get(URL, HTTP_AUTHORIZATION="ApiKey bob:wrong").status_code == 401


def test_inactive_user_is_rejected_everywhere(db):
    user, key = factories.user("dave", password="pw", active=False)
    assert Client().get(URL, HTTP_AUTHORIZATION=f"ApiKey dave:{key}").status_code == 401
    token = base64.b64encode(b"dave:pw").decode()
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Basic {token}").status_code == 401


def test_keys_are_stored_hashed(bob):
    from tastypie.models import ApiKey

    user, key = bob
    stored = ApiKey.objects.get(user=user).key
    assert key not in stored and stored.startswith("sha256$")
