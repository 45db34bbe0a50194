"""Configure > Accounts: regenerating the REST API key shows it once, and it works as
`Authorization: ApiKey <user>:<key>` against the API; the old key stops working."""
import pytest
import requests
from playwright.sync_api import expect

pytestmark = [pytest.mark.live]


def test_regenerate_api_key(page, live, signed_in):
    page.goto(f"{live}/configure/account/")
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    page.get_by_role("button", name="Regenerate API Key").click()
    first = page.locator("#api-key").inner_text().strip()
    assert len(first) >= 20
    ok = requests.get(f"{live}/rundb/api/v1/results/", headers={"Authorization": f"ApiKey ionadmin:{first}"}, timeout=10)
    assert ok.status_code == 200
    page.get_by_role("button", name="Regenerate API Key").click()
    second = page.locator("#api-key").inner_text().strip()
    assert second != first
    old = requests.get(f"{live}/rundb/api/v1/results/", headers={"Authorization": f"ApiKey ionadmin:{first}"}, timeout=10)
    assert old.status_code == 401
    page.goto(f"{live}/configure/account/")
    expect(page.locator("#api-key-state")).to_contain_text("stored hashed")
