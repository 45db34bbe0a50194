"""Scenarios 16, 13 and 15: an admin installs a plugin zip on Configure > Plugins (progress,
then the grid lists it; a bad archive shows the server's refusal), runs it from a report's
"Select Plugins to Run" (search), the job service runs it, its block page appears in the
Plugins section; View Log shows the log as text; Delete removes the result."""
import pytest
from playwright.sync_api import expect

from web_support import analysed_run, wait_for
from plugin_zips import coverage_zip

pytestmark = [pytest.mark.live]


def install_through_ui(page, live, zip_path):
    page.goto(f"{live}/configure/plugins/")
    page.get_by_role("button", name="Install or Upgrade Plugin").click()
    dialog = page.locator("dialog#modal")
    dialog.get_by_label("Plugin archive (.zip)").set_input_files(str(zip_path))
    dialog.get_by_role("button", name="Upload and Install").click()
    return dialog


def plugin_state(page, name):
    loc = page.locator(f"#plugin-results .plugin-group[data-plugin='{name}'] .state")
    return loc.inner_text() if loc.count() else ""


def test_install_run_view_log_delete(page, live, signed_in, job_service, tmp_path):
    result = analysed_run(barcodes=0, fmt="bam")
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"this is not a zip archive")
    dialog = install_through_ui(page, live, bad)
    expect(dialog.locator("#install-message")).to_contain_text("Plugin install failed:")
    expect(dialog.locator("#install-message")).to_have_class("error")
    dialog.get_by_role("button", name="Close").click()

    dialog = install_through_ui(page, live, coverage_zip(tmp_path / "zips"))
    expect(dialog.locator("#install-message")).to_have_text("Started Plugin install")
    expect(dialog.locator("#install-progress")).to_have_attribute("value", "100")
    dialog.get_by_role("button", name="Close").click()
    row = page.locator("#plugin-rows tr[data-plugin='CoverageDemo']")
    expect(row.locator(".version")).to_have_text("1.2.0.0")
    expect(row.get_by_label("Enabled CoverageDemo")).to_be_checked()

    page.goto(f"{live}/report/{result.pk}/")
    expect(page.locator("#plugin-results")).to_have_text("No plugins have been run")
    page.get_by_text("Plugins ▾").click()
    page.get_by_role("button", name="Select Plugins to Run").click()
    expect(dialog.get_by_role("heading", name="Select a Plugin to Run")).to_be_visible()
    dialog.get_by_label("Search").fill("cov")
    dialog.get_by_role("button", name="CoverageDemo — v1.2.0.0").click()
    expect(dialog).to_be_hidden()
    group = page.locator("#plugin-results .plugin-group[data-plugin='CoverageDemo']")
    expect(group).to_be_visible()
    expect(page.get_by_role("navigation", name="Report sections").get_by_role("link", name="› CoverageDemo")).to_have_attribute(
        "href", "#CoverageDemo-section")
    assert plugin_state(page, "CoverageDemo") in ("Queued", "Pending", "Started", "Completed")

    def refresh():
        page.get_by_text("Plugins ▾").click()
        page.get_by_role("button", name="Refresh Plugins").click()

    wait_for(page, lambda: plugin_state(page, "CoverageDemo") in ("Completed", "Error"), refresh=refresh)
    assert plugin_state(page, "CoverageDemo") == "Completed"
    frame = page.frame_locator("#plugin-results iframe.autosize").first
    expect(frame.locator("#cov")).to_contain_text("coverage ok")
    # auto-sized: the frame grows to its content
    wait_for(page, lambda: page.locator("#plugin-results iframe.autosize").first.bounding_box()["height"] > 20,
             timeout=10, every=0.5)
    expect(group.get_by_role("link", name="details.html")).to_be_visible()

    group.get_by_role("button", name="View Log").click()
    expect(dialog.get_by_role("heading", name="Plugin Log CoverageDemo")).to_be_visible()
    expect(dialog.locator("pre.log")).to_contain_text("<b>coverage log line</b>")
    dialog.get_by_role("button", name="Close").click()

    page.once("dialog", lambda d: d.accept())
    group.get_by_role("button", name="Delete").click()
    expect(page.locator("#plugin-results")).to_have_text("No plugins have been run")
