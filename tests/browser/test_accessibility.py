"""No serious or critical axe-core violations on the main pages, at desktop and phone width
(Data and Monitor must stay readable at 390 px). axe-core comes from its npm package
(tests/browser/package.json; `make test` runs `npm ci` there when npm is present)."""
from pathlib import Path

import pytest

from web_support import in_ci
from data_support import run
from launch_support import create_report

pytestmark = [pytest.mark.live]

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/login/", "/home/", "/data/", "/monitor/", "/plan/plan_templates/", "/plan/planned/", "/configure/plugins/",
         "/configure/account/", "/configure/services/?queues=0", "/configure/references/", "/data/?view=list",
         "/data/projects/", "/plan/page_plan_new_plan_from_code/0/"]


@pytest.fixture
def axe():
    if not AXE.exists():
        message = f"axe-core is not installed: run `npm ci --prefix tests/browser` ({AXE} missing)"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE


def serious(page, axe_path):
    page.add_script_tag(path=str(axe_path))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_main_pages_have_no_serious_violations(page, live, admin, axe):
    from web_support import sign_in

    report = run("a11y_run", project="P1", user=admin)
    page.goto(f"{live}/login/")
    problems = {"/login/": serious(page, axe)}
    sign_in(page, live)
    from rundb.models import Project

    project = Project.objects.get(name="P1")
    for url in PAGES[1:] + [f"/report/{report.pk}/", f"/data/project/{project.pk}/results"]:
        page.goto(f"{live}{url}")
        page.wait_for_load_state("networkidle")
        problems[url] = serious(page, axe)
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}


def test_data_and_monitor_fit_a_phone(page, live, signed_in, admin):
    for i in range(3):
        run(f"phone_run_{i}")
    page.set_viewport_size({"width": 390, "height": 844})
    for url in ("/data/", "/data/?view=list", "/monitor/"):
        page.goto(f"{live}{url}")
        # The page itself never scrolls sideways (wide tables scroll inside their own box).
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
        assert page.locator("table").first.is_visible()


def test_the_check_finds_real_violations(page, axe):
    page.set_content("<html lang='en'><head><title>t</title></head><body><main><img src='x.png'>"
                     "<button></button></main></body></html>")
    found = " ".join(serious(page, axe))
    assert "image-alt" in found and "button-name" in found, found
