"""`/` answers with a small page linking the API root and the admin, to anyone."""
from django.test import Client
from django.urls import resolve

from iondb.urls import LANDING_LINKS


def test_landing_page_links_api_and_admin(db):
    response = Client().get("/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Torrent Server" in page
    for url, _, _ in LANDING_LINKS:
        assert f'href="{url}"' in page
        assert Client().get(url).status_code != 404, url  # every link leads somewhere


def test_landing_view_is_marked_anonymous():
    assert resolve("/").func.ion_permission == "anonymous"
