"""Plugins page, Manage > Rescan on one row: POST plugin/<pk>/rescan_plugin/ picks up that
plugin's folder edited on disk (a new version) and leaves other folders alone."""
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from launch_support import install, plugin_py
from plugin_zips import coverage_zip

pytestmark = [pytest.mark.live]


def test_rescan_one_plugin_from_its_menu(page, live, signed_in, tmp_path):
    plugin = install(coverage_zip(tmp_path / "zips"))
    (Path(plugin.path) / "CoverageDemo.py").write_text(plugin_py("CoverageDemo", version="1.3.0.0"))
    hand = Path(settings.ION_PLUGIN_ROOT) / "HandDemo"
    hand.mkdir()
    (hand / "HandDemo.py").write_text(plugin_py("HandDemo"))
    page.goto(f"{live}/configure/plugins/")
    row = page.locator("#plugin-rows tr[data-plugin='CoverageDemo']")
    expect(row.locator(".version")).to_have_text("1.2.0.0")
    row.get_by_text("Manage").click()
    row.get_by_role("button", name="Rescan").click()
    expect(page.locator("#plugins-status")).to_have_text("Rescan done")
    expect(page.locator("#plugin-rows tr[data-plugin='CoverageDemo'] .version")).to_have_text("1.3.0.0")
    expect(page.locator("#plugin-rows tr[data-plugin='HandDemo']")).to_have_count(0)
