"""Security: plugin output runs sandboxed. A hostile plugin's block page (written by a real
plugin job) tries to read the viewer's cookies, reach into the report page and call the API
with the viewer's session: all three fail, in the report's iframe and when the page is opened
directly (the Content-Security-Policy sandbox header gives it an opaque origin)."""
import pytest
from playwright.sync_api import expect

from web_support import wait_for
from launch_support import create_report, install
from plugin_zips import hostile_zip

pytestmark = [pytest.mark.live]


def test_hostile_plugin_output_is_sandboxed(page, live, signed_in, job_service, tmp_path):
    from plugin.services.launch import launch_plugin
    from rundb.models import PluginResult

    report = create_report()
    plugin = install(hostile_zip(tmp_path / "zips"))
    from django.contrib.auth import get_user_model
    launch_plugin(report, plugin, user=get_user_model().objects.get(username="ionadmin"), pluginconfig={})

    def done():
        pr = PluginResult.objects.filter(result=report).first()
        return pr is not None and all(j.state in ("Completed", "Error") for j in pr.plugin_result_jobs.all()) \
            and pr.plugin_result_jobs.exists()

    wait_for(page, done, timeout=180, every=1)
    page.goto(f"{live}/report/{report.pk}/")
    iframe = page.locator("#plugin-results iframe.autosize")
    expect(iframe).to_have_attribute("sandbox", "allow-scripts allow-popups allow-forms allow-downloads")
    text = page.frame_locator("#plugin-results iframe.autosize").locator("#h")
    expect(text).to_contain_text("api")
    seen = text.inner_text()
    assert "cookie-blocked" in seen or "cookie:" == seen.split()[0], seen  # no session cookie readable
    assert "sessionid" not in seen and "csrftoken" not in seen, seen
    assert "parent-blocked" in seen, seen
    assert "api:200" not in seen, seen  # the API did not answer as the viewer

    # Opened directly, the page still gets an opaque origin from the CSP sandbox header.
    src = iframe.get_attribute("src")
    response = page.goto(f"{live}{src}")
    assert "sandbox" in response.headers["content-security-policy"]
    expect(page.locator("#h")).to_contain_text("api")
    direct = page.locator("#h").inner_text()
    assert "sessionid" not in direct and "csrftoken" not in direct and "api:200" not in direct, direct
