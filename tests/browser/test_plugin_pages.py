"""Scenarios 14, 17, 18: instance.html launch from a report (TB_result injected, the colorbox
close shim, CSRF added to the page's own XHR); disabling a plugin hides it from "Select
Plugins to Run", Uninstall removes it; config.html saves through the API and re-opens with
the saved value."""
import pytest
from playwright.sync_api import expect

from launch_support import create_report, install
from plugin_zips import config_zip, coverage_zip, instance_zip

pytestmark = [pytest.mark.live]


def open_select_plugins(page):
    page.get_by_text("Plugins ▾").click()
    page.get_by_role("button", name="Select Plugins to Run").click()
    return page.locator("dialog#modal")


def test_instance_html_launch(page, live, signed_in, tmp_path):
    report = create_report()
    install(instance_zip(tmp_path / "zips"))
    page.goto(f"{live}/report/{report.pk}/")
    dialog = open_select_plugins(page)
    dialog.get_by_role("button", name="InstanceDemo — v1.0.0.0").click()
    expect(dialog.get_by_role("heading", name="Configure Plugin")).to_be_visible()
    frame = page.frame_locator("#plugin-config-frame")
    expect(frame.locator("#tb-result")).to_have_text(str(report.pk))
    frame.get_by_label("Threshold").fill("7")
    frame.get_by_role("button", name="Run Plugin").click()
    expect(dialog).to_be_hidden()
    group = page.locator("#plugin-results .plugin-group[data-plugin='InstanceDemo']")
    expect(group).to_be_visible()
    from rundb.models import PluginResult
    pr = PluginResult.objects.get(result=report, plugin__name="InstanceDemo")
    assert pr.config == {"threshold": "7"}
    expect(group.locator(".state")).to_have_text("Queued")


def test_disable_hides_plugin_then_uninstall(page, live, signed_in, tmp_path):
    report = create_report()
    install(coverage_zip(tmp_path / "zips"))
    install(coverage_zip(tmp_path / "zips", name="OtherDemo"))
    page.goto(f"{live}/configure/plugins/")
    row = page.locator("#plugin-rows tr[data-plugin='CoverageDemo']")
    row.get_by_label("Enabled CoverageDemo").uncheck()
    expect(page.locator("#plugins-status")).to_have_text("Saved CoverageDemo")
    page.goto(f"{live}/report/{report.pk}/")
    dialog = open_select_plugins(page)
    expect(dialog.get_by_role("button", name="OtherDemo — v1.2.0.0")).to_be_visible()
    expect(dialog.get_by_role("button", name="CoverageDemo — v1.2.0.0")).to_have_count(0)

    page.goto(f"{live}/configure/plugins/")
    row = page.locator("#plugin-rows tr[data-plugin='CoverageDemo']")
    row.get_by_text("Manage").click()
    row.get_by_role("button", name="Uninstall").click()
    page.locator("dialog#modal").get_by_role("button", name="Yes, Uninstall!").click()
    expect(page.locator("#plugin-rows tr[data-plugin='CoverageDemo']")).to_have_count(0)
    expect(page.locator("#plugin-rows tr[data-plugin='OtherDemo']")).to_have_count(1)


def test_config_html_saves_and_restores(page, live, signed_in, tmp_path):
    plugin = install(config_zip(tmp_path / "zips"))
    page.goto(f"{live}/configure/plugins/")
    row = page.locator("#plugin-rows tr[data-plugin='ConfigDemo']")
    row.get_by_text("Manage").click()
    row.get_by_role("button", name="Configure").click()
    dialog = page.locator("dialog#modal")
    frame = page.frame_locator("#plugin-page-frame")
    frame.get_by_label("Mode").fill("fast")
    frame.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    plugin.refresh_from_db()
    assert plugin.config == {"mode": "fast"}
    row.get_by_text("Manage").click()
    row.get_by_role("button", name="Configure").click()
    expect(page.frame_locator("#plugin-page-frame").get_by_label("Mode")).to_have_value("fast")


def test_about_page(page, live, signed_in, tmp_path):
    install(config_zip(tmp_path / "zips"))
    page.goto(f"{live}/configure/plugins/")
    row = page.locator("#plugin-rows tr[data-plugin='ConfigDemo']")
    row.get_by_text("Manage").click()
    row.get_by_role("button", name="About").click()
    expect(page.locator("dialog#modal").get_by_role("heading", name="About ConfigDemo")).to_be_visible()
    expect(page.frame_locator("#plugin-page-frame").locator("#about")).to_have_text("About ConfigDemo")
