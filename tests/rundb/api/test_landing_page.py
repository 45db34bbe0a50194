"""`/` is never a 404: it sends a person to Home (and Home to the login page without a session)."""
from django.test import Client
from django.urls import resolve


def test_root_goes_home_then_to_login(db):
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"] == "/home/"
    home = Client().get("/home/")
    assert home.status_code == 302 and home["Location"].startswith("/login/?next=/home/")
    assert Client().get("/login/").status_code == 200


def test_root_is_marked_anonymous():
    assert resolve("/").func.ion_permission == "anonymous"
