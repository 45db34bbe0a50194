"""Bad input to the pages gives a clear 4xx, never a 500."""
import pytest

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def signed(client, django_user_model):
    user = django_user_model.objects.create_superuser("adm", "a@example.com", "pw-12345")
    client.force_login(user)
    return client


@pytest.mark.parametrize("url, status", [
    ("/report/999999/", 404),
    ("/report/999999/log", 404),
    ("/home/fragments?time_span=fortnight", 404),
    ("/configure/plugins/plugin/999999/configure/config/", 404),
    ("/configure/plugins/plugin/1/configure/bogus/", 404),
    ("/output/Home/nothing/here.bam", 404),
    ("/output/Home/../../../../etc/passwd", 404),
    ("/plan/page_plan_new_plan/999999/", 404),
    ("/plan/reviewplan/999999/", 404),
    ("/data/project/999999/results", 404),
    ("/data/projects/?page=x&date_from=never", 200),
])
def test_unknown_things_are_404(signed, url, status):
    assert signed.get(url).status_code == status


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "date_from=yesterday&date_to=31/31/2024",
                                   "result_status=Bogus", "order_by=password", "star=maybe",
                                   "per_page=7", "per_page=x", "view=grid", "order_by=-_sort"])
def test_odd_data_filters_are_ignored(signed, query):
    response = signed.get("/data/?" + query)
    assert response.status_code == 200
    assert b"Completed Runs &amp; Reports" in response.content


def test_plugin_report_page_needs_a_report(signed, tmp_path):
    from launch_support import install, make_plugin_zip

    plugin = install(make_plugin_zip(tmp_path, "Inst", "return True", files={"instance.html": "<html><head></head></html>"}))
    assert signed.get(f"/configure/plugins/plugin/{plugin.pk}/configure/report/").status_code == 404
    assert signed.get(f"/configure/plugins/plugin/{plugin.pk}/configure/report/?report=x").status_code == 404
    about = signed.get(f"/configure/plugins/plugin/{plugin.pk}/configure/about/")
    assert about.status_code == 200 and b"There is no information available for this plugin." in about.content


@pytest.mark.parametrize("body", [b"not json", b'{"projects": ["x"]}', b'{"projects": [999]}', b'{"projects": []}'])
def test_add_to_project_bad_bodies_are_400(signed, body):
    from launch_support import create_report

    report = create_report()
    response = signed.post(f"/data/results/{report.pk}/project/", body, content_type="application/json")
    assert response.status_code == 400 and "error" in response.json()


def test_reference_upload_without_file_is_400(signed):
    response = signed.post("/configure/references/upload/", {"short_name": "ok_name"})
    assert response.status_code == 400 and "reference_file" in response.json()["error"]
