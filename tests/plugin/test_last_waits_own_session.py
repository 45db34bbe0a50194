"""LAST and EXPORT plugins wait for the plugins of their own launch session (the pipeline run
that launched them, or one manual request naming several plugins), never for unrelated runs
launched by hand on the same report."""
from pathlib import Path

import pytest

from launch_support import admin_auth, admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.launch import launch_plugin, new_session
from plugin.services.runlevels import launch_runlevel
from rundb.models import PluginResultJob

pytestmark = pytest.mark.django_db


def _holds(pr):
    return {(j.plugin_result.plugin.name, j.run_level) for j in pr.launched_jobs[0].depends_on.all()}


def test_manual_request_is_one_session(client, admin_auth, zips):
    install(zips("Other"))
    install(zips("Mine"))
    install(zips("Final", attrs="runlevels = [RunLevel.LAST]"))
    install(zips("Exp", attrs="features = [Feature.EXPORT]"))
    result = create_report()
    url = f"/rundb/api/v1/results/{result.pk}/plugin/"
    assert client.post(url, {"plugin": "Other"}, content_type="application/json", **admin_auth).status_code == 202
    response = client.post(url, {"plugin": ["Mine", "Final", "Exp"]}, content_type="application/json", **admin_auth)
    assert response.status_code == 202, response.content
    jobs = {j.plugin_result.plugin.name: j for j in PluginResultJob.objects.all()}
    assert len({jobs[n].session for n in ("Mine", "Final", "Exp")}) == 1
    assert jobs["Other"].session != jobs["Mine"].session
    # Other is an unrelated manual run on the same report: nobody waits for it
    assert set(jobs["Final"].depends_on.all()) == {jobs["Mine"]}
    assert set(jobs["Exp"].depends_on.all()) == {jobs["Mine"], jobs["Final"]}
    # a LAST plugin launched alone waits for nothing
    response = client.post(url, {"plugin": "Final"}, content_type="application/json", **admin_auth)
    assert response.status_code == 202
    assert not PluginResultJob.objects.order_by("-pk").first().depends_on.exists()


def test_pipeline_last_waits_for_the_pipeline_only(admin_user, zips):
    plain = install(zips("Plain"))
    install(zips("Final", attrs="runlevels = [RunLevel.LAST]"))
    result = create_report(selected_plugins={"Plain": {"name": "Plain", "userInput": {}},
                                             "Final": {"name": "Final", "userInput": {}}})
    session = new_session("pipeline")
    [pipeline_plain] = launch_runlevel(result, "default", session=session)
    manual = launch_plugin(result, plain, user=admin_user)  # a user reruns Plain by hand meanwhile
    [final] = launch_runlevel(result, "last", session=session)
    assert final.plugin.name == "Final"
    assert set(final.launched_jobs[0].depends_on.all()) == set(pipeline_plain.plugin_result_jobs.all())
    assert manual.launched_jobs[0] not in final.launched_jobs[0].depends_on.all()


def test_analysis_last_ignores_a_manual_run_during_the_analysis(tmp_path, admin_user):
    from analysis_support import analyse, ingest, launch_support, simulate

    plain = launch_support.install(launch_support.make_plugin_zip(tmp_path / "zips", "Plain"))
    launch_support.install(launch_support.make_plugin_zip(tmp_path / "zips", "Final",
                                                          attrs="runlevels = [RunLevel.LAST]"))
    run = simulate("R_2024_01_02_03_04_05_user_session", reads=300, seed=4)
    result = ingest(run.run_dir)
    result.eas.selectedPlugins = {"Plain": {"name": "Plain"}, "Final": {"name": "Final"}}
    result.eas.save()
    manual = []

    def during(status):
        if status == "Uploading Metrics" and not manual:
            manual.append(launch_plugin(result, plain, user=admin_user))

    assert analyse(result, on_status=during).ok, result.status
    final = PluginResultJob.objects.get(run_level="last")
    pipeline_plain = PluginResultJob.objects.exclude(plugin_result=manual[0]).get(plugin_result__plugin__name="Plain")
    assert set(final.depends_on.all()) == {pipeline_plain}
    assert final.session == pipeline_plain.session and final.session.startswith("pipeline-")
    assert manual[0].launched_jobs[0].session != final.session
