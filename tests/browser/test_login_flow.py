"""Scenarios 1-4: the access guard, a wrong password, signing in to ?next=, signing out."""
import re

import pytest
from playwright.sync_api import expect

from web_support import ADMIN, ADMIN_PW, sign_in

pytestmark = [pytest.mark.live]


def test_anonymous_is_sent_to_login(page, live):
    page.goto(f"{live}/data/")
    assert page.url == f"{live}/login/?next=/data/"
    expect(page.get_by_label("User name")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()


def test_wrong_password_stays_on_login(page, live, admin):
    page.goto(f"{live}/login/?next=/data/")
    page.get_by_label("User name").fill(ADMIN)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("alert")).to_have_text("Your username and password didn't match. Please try again.")
    assert "/login/" in page.url


def test_sign_in_goes_to_next_then_sign_out(page, live, admin):
    sign_in(page, live, ADMIN, ADMIN_PW, next_path="/data/")
    expect(page.get_by_role("heading", name="Completed Runs & Reports")).to_be_visible()
    expect(page.get_by_text("Hi, Ion Admin")).to_be_visible()
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(f"{live}/login/")
    page.goto(f"{live}/home/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/home/$"))


def test_root_goes_home(page, live, admin):
    sign_in(page, live)
    page.goto(f"{live}/")
    expect(page).to_have_url(f"{live}/home/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Monitor")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def test_message_banner_dismissed(page, live, admin):
    from rundb.models import Message

    msg = Message.objects.create(body="Server maintenance at 18:00", route="", status="unread")
    sign_in(page, live)
    banner = page.locator(f".banner[data-message='{msg.pk}']")
    expect(banner).to_contain_text("Server maintenance at 18:00")
    banner.get_by_role("button", name="Dismiss message").click()
    expect(banner).to_have_count(0)
    assert not Message.objects.filter(pk=msg.pk).exists()
    page.reload()
    expect(page.get_by_text("Server maintenance at 18:00")).to_have_count(0)
