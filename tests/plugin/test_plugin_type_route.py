"""GET /rundb/api/v1/plugin/<pk>/type/ and plugin/set/<pk>;<pk>/type/: the plugin folder's files
and, with instance.html, the instance page URL; 410 when a plugin is not installed."""
import pytest

from launch_support import admin_auth, admin_user, fast_hasher, install, plain_user, user_auth, zips  # noqa: F401,E501
from plugin.services.install import uninstall

pytestmark = pytest.mark.django_db
API = "/rundb/api/v1/plugin"


@pytest.fixture
def pair(zips):
    with_page = install(zips("Inst", files={"instance.html": "<html/>", "pluginMedia/a.css": ""}))
    plain = install(zips("Plain"))
    return with_page, plain


def test_one_plugin(client, user_auth, pair):
    with_page, plain = pair
    body = client.get(f"{API}/{with_page.pk}/type/", **user_auth).json()
    assert body == {"files": ["Inst.py", "instance.html", "pluginMedia"],
                    "input": f"/configure/plugins/plugin/{with_page.pk}/configure/report/"}
    assert client.get(f"{API}/{plain.pk}/type/", **user_auth).json() == {"files": ["Plain.py"]}


def test_a_set_of_plugins(client, user_auth, pair):
    with_page, plain = pair
    resp = client.get(f"{API}/set/{with_page.pk};{plain.pk}/type/", **user_auth)
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert set(body) == {str(with_page.pk), str(plain.pk)} and body[str(plain.pk)] == {"files": ["Plain.py"]}
    assert "input" in body[str(with_page.pk)]
    assert client.get(f"{API}/set/{plain.pk};/type/", **user_auth).json() == {str(plain.pk): {"files": ["Plain.py"]}}


def test_errors(client, user_auth, pair):
    with_page, plain = pair
    assert client.get(f"{API}/{plain.pk}/type/").status_code == 401
    assert client.get(f"{API}/99999/type/", **user_auth).status_code == 404
    for ids in ("abc", ";", "1;x", ";".join(["1"] * 201), "99999999999"):
        resp = client.get(f"{API}/set/{ids}/type/", **user_auth)
        assert resp.status_code == 400 and "error" in resp.json(), ids
    assert client.get(f"{API}/set/{plain.pk};99999/type/", **user_auth).status_code == 404
    uninstall(plain)
    assert client.get(f"{API}/{plain.pk}/type/", **user_auth).status_code == 410
    assert client.get(f"{API}/set/{with_page.pk};{plain.pk}/type/", **user_auth).status_code == 410
    assert client.post(f"{API}/{with_page.pk}/type/", **user_auth).status_code == 405
