"""The planning wizard on a phone (390 px wide): every step fits the screen, labels above
their fields, so nothing needs sideways scrolling."""
import pytest

from web_support import plan_catalog

pytestmark = [pytest.mark.live]


def test_every_step_fits_a_phone(page, live, signed_in):
    template = plan_catalog()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live}/plan/page_plan_new_plan/{template.pk}/")
    steps = page.get_by_role("navigation", name="Wizard steps")
    for name in ("Application", "Kits", "Monitoring", "Reference", "Plugins", "Output", "Plan"):
        steps.get_by_role("button", name=name).click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    label, field = page.get_by_text("Run Plan Name", exact=True), page.get_by_label("Run Plan Name")
    assert label.bounding_box()["y"] < field.bounding_box()["y"]  # the label above its field
