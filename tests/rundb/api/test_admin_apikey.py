"""/admin/tastypie/apikey/ lists keys (hashed) and regenerates them, showing the new key once."""
import re

from django.test import Client
from tastypie.models import ApiKey

from . import factories


def test_admin_lists_and_regenerates(db):
    admin, _ = factories.user("root", superuser=True, password="pw")
    bob, old_key = factories.user("bob")
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/tastypie/apikey/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "bob" in text and "hashed (sha256)" in text and old_key not in text

    row = ApiKey.objects.get(user=bob)
    response = client.post("/admin/tastypie/apikey/", {"action": "regenerate", "_selected_action": [row.pk]},
                           follow=True)
    assert response.status_code == 200
    shown = re.search(r"New API key for bob: ([0-9a-f]{40})", response.content.decode())
    assert shown, response.content.decode()[:2000]
    new_key = shown.group(1)
    url = "/rundb/api/v1/experiment/"
    assert Client().get(url, HTTP_AUTHORIZATION=f"ApiKey bob:{new_key}").status_code == 200
    assert Client().get(url, HTTP_AUTHORIZATION=f"ApiKey bob:{old_key}").status_code == 401
    # Shown once: the next page view does not repeat it.
    assert new_key not in client.get("/admin/tastypie/apikey/").content.decode()


def test_admin_needs_staff(db):
    bob, _ = factories.user("bob", password="pw")
    client = Client()
    client.force_login(bob)
    assert client.get("/admin/tastypie/apikey/").status_code == 302
