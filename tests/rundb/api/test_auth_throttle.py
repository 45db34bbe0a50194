"""Password and key guessing is throttled (rundb/api/throttle.py): after the limit of failed
sign-ins an address or a user name gets 429 for a cooling-off time; a correct API key from
another address still works; the cooling-off expires."""
import base64
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from . import factories

URL = "/rundb/api/v1/experiment/"
LIMIT = 4
ATTACKER, OTHER = "203.0.113.7", "198.51.100.20"


@pytest.fixture(autouse=True)
def short_window(settings):
    settings.ION_AUTH_FAILURE_LIMIT = LIMIT
    settings.ION_AUTH_COOLOFF = 2
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def bob(db):
    return factories.user("bob", password="right-password")


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def get(address, auth=None, **params):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return Client(REMOTE_ADDR=address).get(URL, params, **extra)


def test_api_key_guessing_from_one_address_gets_429_then_cools_off(bob):
    _user, key = bob
    for _ in range(LIMIT):
        assert get(ATTACKER, f"ApiKey bob:{'0' * 40}").status_code == 401
    locked = get(ATTACKER, f"ApiKey bob:{'0' * 40}")
    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= 2
    assert "Too many failed sign-in attempts" in locked.json()["error_message"]
    # Even the right key gets nothing from the locked address...
    assert get(ATTACKER, f"ApiKey bob:{key}").status_code == 429
    # ...but the owner, elsewhere, is not locked out by someone else's guessing.
    assert get(OTHER, f"ApiKey bob:{key}").status_code == 200
    time.sleep(2.2)
    assert get(ATTACKER, f"ApiKey bob:{key}").status_code == 200


def test_failures_with_any_credential_count_for_the_address(bob):
    wrong = [basic("bob", "guess"), f"ApiKey nobody:{'1' * 40}", "pluginkey 999:abc", "Bearer x"]
    for auth in wrong:
        assert get(ATTACKER, auth).status_code == 401
    assert get(ATTACKER, basic("bob", "right-password")).status_code == 429
    assert get(ATTACKER, api_key="x", username="bob").status_code == 429  # key parameters too
    # A request without credentials is not a sign-in attempt: it stays a plain 401.
    assert get(ATTACKER).status_code == 401


def test_password_guessing_for_one_user_from_many_addresses_locks_the_user(bob):
    _user, key = bob
    for i in range(LIMIT):
        assert get(f"192.0.2.{i + 1}", basic("bob", f"guess{i}")).status_code == 401
    # Passwords for bob are refused from everywhere while the user is cooling off...
    assert get("192.0.2.200", basic("bob", "right-password")).status_code == 429
    assert get("192.0.2.200", basic("BOB", "right-password")).status_code == 429
    # ...his API key still works, and other users are unaffected.
    assert get("192.0.2.200", f"ApiKey bob:{key}").status_code == 200
    factories.user("carol", password="carol-pw")
    assert get("192.0.2.200", basic("carol", "carol-pw")).status_code == 200
    time.sleep(2.2)
    assert get("192.0.2.200", basic("bob", "right-password")).status_code == 200


def test_admin_login_form_is_throttled(db, settings):
    get_user_model().objects.create_superuser("root", "root@example.com", "root-pw")
    client = Client(REMOTE_ADDR=ATTACKER)
    for i in range(LIMIT):
        response = client.post("/admin/login/", {"username": "root", "password": f"guess{i}"})
        assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated
    locked = client.post("/admin/login/", {"username": "root", "password": "root-pw"})
    assert locked.status_code == 429 and locked["Content-Type"].startswith("text/plain")
    assert b"Too many failed sign-in attempts" in locked.content
    # The user name is locked too: its password is refused from another address.
    other = Client(REMOTE_ADDR=OTHER)
    assert other.post("/admin/login/", {"username": "root", "password": "root-pw"}).status_code == 429
    assert other.get("/admin/login/").status_code == 200  # the form itself is still shown
    time.sleep(2.2)
    response = other.post("/admin/login/", {"username": "root", "password": "root-pw", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_proxy_forwarded_address_is_counted_when_trusted(bob, settings):
    settings.ION_TRUSTED_PROXIES = ["10.0.0.1"]
    _user, key = bob

    def via_proxy(client_ip, auth):
        return Client(REMOTE_ADDR="10.0.0.1").get(URL, HTTP_AUTHORIZATION=auth,
                                                  HTTP_X_FORWARDED_FOR=f"{client_ip}, 10.0.0.1")
    for _ in range(LIMIT):
        assert via_proxy(ATTACKER, f"ApiKey bob:{'0' * 40}").status_code == 401
    assert via_proxy(ATTACKER, f"ApiKey bob:{key}").status_code == 429
    assert via_proxy(OTHER, f"ApiKey bob:{key}").status_code == 200  # same proxy, other client


def test_zero_limit_disables_the_throttle(bob, settings):
    settings.ION_AUTH_FAILURE_LIMIT = 0
    for _ in range(LIMIT + 2):
        assert get(ATTACKER, basic("bob", "guess")).status_code == 401
    assert get(ATTACKER, basic("bob", "right-password")).status_code == 200
