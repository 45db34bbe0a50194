"""The planning wizard: Application, Kits, Monitoring, Reference, Plugins, Output and Plan steps
shown one at a time with Back/Next; the API's validation messages come back at the step whose
field caused them; the saved plan appears in Planned Runs with what each step chose."""
import pytest
from playwright.sync_api import expect

from web_support import plan_catalog

pytestmark = [pytest.mark.live]


def visible_step(page):
    return page.locator("fieldset.wizard-step:visible legend").inner_text()


def test_wizard_steps_validation_and_result(page, live, signed_in):
    from rundb.models import QCType

    plan_catalog()
    QCType.objects.create(qcName="Key Signal (1-100)", minThreshold=1, maxThreshold=100, defaultThreshold=30)
    page.goto(f"{live}/plan/page_plan_new_plan_from_code/0/")
    steps = page.get_by_role("navigation", name="Wizard steps")
    expect(steps.get_by_role("listitem")).to_have_text(
        ["Application", "Kits", "Monitoring", "Reference", "Plugins", "Output", "Plan"])
    assert visible_step(page) == "Research Application"
    expect(page.get_by_role("button", name="Back")).to_be_hidden()
    expect(page.get_by_role("button", name="Plan Run")).to_be_hidden()

    page.get_by_role("radio", name="DNA").check()
    page.get_by_role("radio", name="Generic Sequencing").check()
    page.get_by_role("button", name="Next").click()
    assert visible_step(page) == "Kits"
    expect(page.locator("li[aria-current=step]")).to_have_text("Kits")
    # The current step's label is readable: its text colour is not its step's background colour.
    label_color, step_color = page.locator("li[aria-current=step] button").evaluate(
        "b => [getComputedStyle(b).color, getComputedStyle(b.parentElement).backgroundColor]")
    assert label_color != step_color and label_color == "rgb(255, 255, 255)", (label_color, step_color)
    page.get_by_role("button", name="Back").click()
    assert visible_step(page) == "Research Application"
    expect(page.get_by_role("radio", name="Generic Sequencing")).to_be_checked()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Chip Type").select_option("520")
    page.get_by_label("Template Kit").select_option("Ion 520/530 Kit-OT2")
    page.get_by_label("Flows").fill("5000")  # the API refuses it; the form does not check it

    page.get_by_role("button", name="Next").click()
    assert visible_step(page) == "Monitoring Thresholds"
    page.get_by_label("Bead Loading (%)").fill("150")
    page.get_by_role("button", name="Next").click()  # checked before moving on
    assert visible_step(page) == "Monitoring Thresholds"
    expect(page.locator("[data-error-for='Bead Loading (%)']")).to_have_text(
        "Bead Loading (%) should be a whole number from 0 to 100.")
    page.get_by_label("Bead Loading (%)").fill("45")
    page.get_by_label("Key Signal (1-100)").fill("25")
    page.get_by_role("button", name="Next").click()

    assert visible_step(page) == "Reference"
    page.get_by_label("Reference Library").select_option("ecoli")
    page.get_by_role("button", name="Next").click()
    assert visible_step(page) == "Plugins"
    page.get_by_role("button", name="Next").click()
    assert visible_step(page) == "Projects"
    page.get_by_label("Add Project").fill("bad name")
    page.get_by_role("button", name="Next").click()
    assert visible_step(page) == "Plan"
    page.get_by_label("Run Plan Name").fill("Wizard plan")
    page.get_by_label("Sample Name").fill("wizard sample")
    page.get_by_role("button", name="Plan Run").click()

    # The API refused flows and the project name: the wizard goes back to the first of those
    # steps, shows the message there and marks both steps.
    expect(page.locator("[data-error-for=flows]")).to_contain_text("flows should be an integer from 1 to 2000.")
    assert visible_step(page) == "Kits"
    expect(steps.locator("li.has-error")).to_have_text(["Kits", "Output"])
    page.get_by_label("Flows").fill("400")
    steps.get_by_role("button", name="Output").click()
    expect(page.locator("[data-error-for=projects]")).to_contain_text("bad name")
    page.get_by_label("Add Project").fill("Wizard_proj")
    steps.get_by_role("button", name="Plan").click()
    page.get_by_role("button", name="Plan Run").click()

    page.wait_for_url(f"{live}/plan/planned/?highlight=*")
    row = page.locator("#planned tbody tr.highlight")
    expect(row.locator(".plan-name")).to_have_text("Wizard plan")
    expect(row).to_contain_text("ecoli")
    expect(row).to_contain_text("wizard sample")

    from rundb.models import PlannedExperiment
    plan = PlannedExperiment.objects.get(planDisplayedName="Wizard plan")
    assert (plan.runType, plan.applicationGroup.name, plan.chipType, plan.flows) == ("GENS", "DNA", "520", 400)
    assert dict(plan.plannedexperimentqc_set.values_list("qcType__qcName", "threshold")) == {
        "Bead Loading (%)": 45, "Key Signal (1-100)": 25}
    assert list(plan.projects.values_list("name", flat=True)) == ["Wizard_proj"]

    # Editing opens on the last step with every step filled from the plan.
    row.get_by_role("link", name="Edit").click()
    assert visible_step(page) == "Save"
    expect(page.get_by_label("Run Plan Name")).to_have_value("Wizard plan")
    steps.get_by_role("button", name="Kits").click()
    expect(page.get_by_label("Flows")).to_have_value("400")
    steps.get_by_role("button", name="Monitoring").click()
    expect(page.get_by_label("Bead Loading (%)")).to_have_value("45")
    steps.get_by_role("button", name="Output").click()
    expect(page.get_by_role("checkbox", name="Wizard_proj")).to_be_checked()
