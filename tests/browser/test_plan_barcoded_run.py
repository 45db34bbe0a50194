"""Scenario 19: plan a barcoded run from a template: Run Plan Name, reference, "Use Barcoding"
with 2 barcodes and sample names, a plugin whose plan.html is configured (serializeForm /
restoreForm), then "Plan Run" -> Planned Runs with the new plan highlighted; Review shows
the samples and the plugin. The API's validation messages appear beside the fields."""
import pytest
from playwright.sync_api import expect

from web_support import plan_catalog
from launch_support import install
from plugin_zips import config_zip

pytestmark = [pytest.mark.live]


def test_plan_barcoded_run(page, live, signed_in, tmp_path):
    template = plan_catalog()
    install(config_zip(tmp_path / "zips"))
    page.goto(f"{live}/plan/")
    expect(page).to_have_url(f"{live}/plan/plan_templates/")
    page.get_by_role("link", name="Generic DNA template").first.click()
    expect(page).to_have_url(f"{live}/plan/page_plan_new_plan/{template.pk}/")

    # Server-side validation shows beside the field: a name with a slash is refused.
    page.get_by_label("Run Plan Name").fill("bad/name")
    page.get_by_label("Sample Name").fill("s1")
    page.get_by_role("button", name="Plan Run").click()
    expect(page.locator("#error-planName")).to_contain_text("planName")

    page.get_by_label("Run Plan Name").fill("Web plan 1")
    steps = page.get_by_role("navigation", name="Wizard steps")
    steps.get_by_role("button", name="Reference").click()
    page.get_by_label("Reference Library").select_option("hg19")
    steps.get_by_role("button", name="Plan").click()
    page.get_by_label("Use Barcoding").check()
    page.get_by_label("Barcoding Set").select_option("IonXpress")
    page.get_by_label("Number of barcodes").fill("2")
    page.get_by_label("Number of barcodes").press("Tab")
    expect(page.locator("#samples-grid tbody tr")).to_have_count(2)
    page.get_by_label("Barcode 2", exact=True).select_option("IonXpress_002")
    page.get_by_label("Sample Name 1", exact=True).fill("liver sample")
    page.get_by_label("Sample Name 2", exact=True).fill("blood sample")

    # plan.html: configure, save (serializeForm), reopen (restoreForm shows the saved value).
    steps.get_by_role("button", name="Plugins").click()
    plugin_item = page.locator("#plan-plugins li[data-plugin='ConfigDemo']")
    plugin_item.get_by_role("button", name="Configure").click()
    frame = page.frame_locator("#plan-plugin-frame")
    frame.get_by_label("Depth").fill("42")
    page.get_by_role("button", name="Save Changes").click()
    expect(page.locator("dialog#modal")).to_be_hidden()
    expect(plugin_item.get_by_role("checkbox")).to_be_checked()
    plugin_item.get_by_role("button", name="Configure").click()
    expect(page.frame_locator("#plan-plugin-frame").get_by_label("Depth")).to_have_value("42")
    page.get_by_role("button", name="Close").click()

    steps.get_by_role("button", name="Plan").click()
    page.get_by_role("button", name="Plan Run").click()
    page.wait_for_url(f"{live}/plan/planned/?highlight=*")
    row = page.locator("#planned tbody tr.highlight")
    expect(row).to_have_count(1)
    expect(row.locator(".plan-name")).to_have_text("Web plan 1")
    expect(row.locator(".run-code")).to_have_text(__import__("re").compile(r"^[A-Z0-9]{5}$"))
    expect(row).to_contain_text("IonXpress")
    expect(row).to_contain_text("hg19")

    from rundb.models import PlannedExperiment
    plan = PlannedExperiment.objects.get(planDisplayedName="Web plan 1")
    eas = plan.experiment.eas_set.get()
    assert eas.selectedPlugins["ConfigDemo"]["userInput"] == {"depth": "42", "via": "serializeForm"}
    assert {s: v["barcodes"] for s, v in eas.barcodedSamples.items()} == {
        "liver sample": ["IonXpress_001"], "blood sample": ["IonXpress_002"]}

    row.get_by_role("button", name="Review").click()
    dialog = page.locator("dialog#modal")
    expect(dialog.locator(".review-samples")).to_contain_text("IonXpress_001")
    expect(dialog.locator(".review-samples")).to_contain_text("liver sample")
    expect(dialog.locator(".review-samples")).to_contain_text("blood sample")
    expect(dialog.locator(".review-plugins")).to_have_text("ConfigDemo")


def test_plan_new_run_without_template(page, live, signed_in):
    plan_catalog()
    page.goto(f"{live}/plan/plan_templates/")
    page.get_by_role("link", name="Plan New Run").click()
    expect(page.get_by_role("heading", name="Plan New Run")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Chip Type").select_option("520")
    page.get_by_label("Template Kit").select_option("Ion 520/530 Kit-OT2")
    page.get_by_role("navigation", name="Wizard steps").get_by_role("button", name="Plan").click()
    page.get_by_label("Run Plan Name").fill("From scratch")
    page.get_by_label("Sample Name").fill("only sample")
    page.get_by_role("button", name="Plan Run").click()
    page.wait_for_url(f"{live}/plan/planned/?highlight=*")
    row = page.locator("#planned tbody tr.highlight")
    expect(row.locator(".plan-name")).to_have_text("From scratch")
    from rundb.models import PlannedExperiment
    plan = PlannedExperiment.objects.get(planDisplayedName="From scratch")
    assert plan.chipType == "520" and plan.templatingKitName == "Ion 520/530 Kit-OT2"
    # Edit: the form comes back filled; a changed name is saved through PATCH.
    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Run Plan Name")).to_have_value("From scratch")
    page.get_by_label("Run Plan Name").fill("From scratch v2")
    page.get_by_role("button", name="Update Plan").click()
    page.wait_for_url(f"{live}/plan/planned/?highlight={plan.pk}")
    expect(page.locator("#planned tbody tr.highlight .plan-name")).to_have_text("From scratch v2")
    # Delete from the list.
    page.once("dialog", lambda d: d.accept())
    page.locator("#planned tbody tr.highlight").get_by_role("button", name="Delete").click()
    expect(page.locator("#planned tbody")).to_contain_text("No planned runs.")
