"""launch_runlevel: the plan's plugins at one pipeline moment, honouring runtypes, runlevels,
depends and EXPORT, in pipeline mode with the plan's configuration."""
import json
from pathlib import Path

import pytest

from launch_support import admin_user, create_report, fast_hasher, install, zips  # noqa: F401
from plugin.services.runlevels import accepts_report_type, dependency_order, launch_runlevel, plugins_for_runlevel
from rundb.models import Plugin, PluginResult, PluginResultJob

pytestmark = pytest.mark.django_db


def _selected(*names, **user_input):
    return {n: {"name": n, "userInput": user_input.get(n, "")} for n in names}


def _start(job):
    return json.loads((Path(job.work_dir) / "startplugin.json").read_text())


def test_only_selected_installed_enabled_plugins_at_their_level(admin_user, zips):
    install(zips("A"))
    install(zips("P", attrs="runlevels = [RunLevel.PRE]"))
    disabled = install(zips("D"))
    Plugin.objects.filter(pk=disabled.pk).update(selected=False)
    install(zips("NotInPlan"))
    result = create_report(selected_plugins=_selected("A", "P", "D", "Missing"))
    assert [p.name for p in plugins_for_runlevel(result, "default")] == ["A"]
    assert [p.name for p in plugins_for_runlevel(result, "pre")] == ["P"]
    prs = launch_runlevel(result, "default")
    assert [pr.plugin.name for pr in prs] == ["A"]
    job = prs[0].plugin_result_jobs.get()
    assert job.run_level == "default"
    start = _start(job)
    assert start["runplugin"]["run_mode"] == "pipeline"
    assert prs[0].owner == admin_user  # pipeline runs belong to ionadmin by default


def test_runtypes(zips, admin_user):
    empty = install(zips("Empty"))
    comp = install(zips("Comp", attrs="runtypes = [RunType.COMPOSITE]"))
    assert accepts_report_type(empty, "wholechip") and accepts_report_type(empty, "thumbnail")
    assert not accepts_report_type(empty, "composite")
    assert accepts_report_type(comp, "composite") and not accepts_report_type(comp, "wholechip")
    whole = create_report(name="whole", selected_plugins=_selected("Empty", "Comp"))
    tiled = create_report(name="tiled", rawdatastyle="tiled", selected_plugins=_selected("Empty", "Comp"))
    thumb = create_report(name="thumb_tn", rawdatastyle="tiled", thumb=True, selected_plugins=_selected("Empty", "Comp"))
    assert [p.name for p in plugins_for_runlevel(whole, "default")] == ["Empty"]
    assert [p.name for p in plugins_for_runlevel(tiled, "default")] == ["Comp"]
    assert [p.name for p in plugins_for_runlevel(thumb, "default")] == ["Empty"]


def test_dependencies_first_and_export_last(admin_user, zips):
    install(zips("Exp", attrs="features = [Feature.EXPORT]"))
    install(zips("Child", attrs='depends = ["Base"]'))
    install(zips("Base"))
    install(zips("Solo"))
    result = create_report(selected_plugins=_selected("Exp", "Child", "Solo", "Base"))
    order = [p.name for p in plugins_for_runlevel(result, "default")]
    assert order == ["Base", "Child", "Solo", "Exp"]
    prs = {pr.plugin.name: pr for pr in launch_runlevel(result, "default")}
    base_job = prs["Base"].plugin_result_jobs.get()
    child_job = prs["Child"].plugin_result_jobs.get()
    exp_job = prs["Exp"].plugin_result_jobs.get()
    assert list(child_job.depends_on.all()) == [base_job]
    assert set(exp_job.depends_on.all()) == set(PluginResultJob.objects.exclude(pk=exp_job.pk))
    assert exp_job.pk > max(j.pk for j in PluginResultJob.objects.exclude(pk=exp_job.pk))


def test_cycle_does_not_loop(zips):
    a = install(zips("A", attrs='depends = ["B"]'))
    b = install(zips("B", attrs='depends = ["A"]'))
    assert sorted(p.name for p in dependency_order([a, b])) == ["A", "B"]


def test_unselected_dependency_not_launched(admin_user, zips):
    install(zips("Base"))
    install(zips("Child", attrs='depends = ["Base"]'))
    result = create_report(selected_plugins=_selected("Child"))
    assert [pr.plugin.name for pr in launch_runlevel(result, "default")] == ["Child"]


def test_plan_config_beats_global_in_pipeline(admin_user, zips):
    plugin = install(zips("A"))
    Plugin.objects.filter(pk=plugin.pk).update(config={"from": "global"})
    result = create_report(selected_plugins=_selected("A", A={"from": "plan"}))
    job = launch_runlevel(result, "default")[0].plugin_result_jobs.get()
    assert _start(job)["pluginconfig"] == {"from": "plan"}
    assert _start(job)["runinfo"]["plugin"]["userInput"] == {"from": "plan"}
    other = create_report(name="other", selected_plugins=_selected("A"))
    assert _start(launch_runlevel(other, "default")[0].plugin_result_jobs.get())["pluginconfig"] == {"from": "global"}


def test_multilevel_pipeline_continues_the_same_run(admin_user, zips):
    install(zips("M", attrs="runlevels = [RunLevel.PRE, RunLevel.POST]"))
    result = create_report(selected_plugins=_selected("M"))
    [pr] = launch_runlevel(result, "pre")
    assert launch_runlevel(result, "default") == []
    [again] = launch_runlevel(result, "post")
    assert again.pk == pr.pk
    pre, post = pr.plugin_result_jobs.order_by("pk")
    assert list(post.depends_on.all()) == [pre]
    assert post.work_dir.endswith(f"M_out.{pr.pk}/post")
    # A second pipeline call at the same level starts a new run instead of doubling the jobs.
    assert launch_runlevel(result, "post")[0].pk != pr.pk


def test_block_level_per_block(admin_user, zips):
    install(zips("Blk", attrs="runlevels = [RunLevel.BLOCK, RunLevel.POST]\nruntypes = [RunType.COMPOSITE]"))
    result = create_report(rawdatastyle="tiled", selected_plugins=_selected("Blk"))
    for bid in ("X0_Y0", "X1_Y0"):
        (Path(result.report_dir) / f"block_{bid}").mkdir()
    [pr] = launch_runlevel(result, "block", block_id="X0_Y0")
    assert [pr.pk] == [p.pk for p in launch_runlevel(result, "block", block_id="X1_Y0")]
    launch_runlevel(result, "post")
    jobs = list(pr.plugin_result_jobs.order_by("pk"))
    assert [j.run_level for j in jobs] == ["block", "block", "post"]
    assert set(jobs[2].depends_on.all()) == set(jobs[:2])
    assert _start(jobs[1])["runplugin"]["blockId"] == "X1_Y0"
    assert launch_runlevel(create_report(name="pgm", selected_plugins=_selected("Blk")), "block") == []


def test_unknown_level_rejected():
    result = create_report()
    with pytest.raises(ValueError, match="Unknown run level"):
        plugins_for_runlevel(result, "sometime")


def test_manual_launch_ignores_runtypes(admin_user, zips, client):
    from launch_support import basic_auth

    install(zips("Comp", attrs="runtypes = [RunType.COMPOSITE]"))
    result = create_report()
    resp = client.post(f"/rundb/api/v1/results/{result.pk}/plugin/", json.dumps({"plugin": "Comp"}),
                       content_type="application/json", **basic_auth("ionadmin", "ionadmin"))
    assert resp.status_code == 202
    assert PluginResult.objects.filter(plugin__name="Comp").count() == 1
