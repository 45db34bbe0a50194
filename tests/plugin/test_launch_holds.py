"""Job rows and holds: dependencies, multi-level runs, LAST, EXPORT and block jobs."""
import json
from pathlib import Path

import pytest

from launch_support import admin_user, create_report, fast_hasher, install, launch_base_and_dependent, zips  # noqa: F401
from plugin.services.launch import launch_plugin, new_session
from rundb.models import JobState, PluginResult, PluginResultJob

pytestmark = pytest.mark.django_db


def _start(job):
    return json.loads((Path(job.work_dir) / "startplugin.json").read_text())


def _embedded(job):
    text = Path(job.script_path).read_text()
    head = text.index("<<'ION_STARTPLUGIN_")
    body = text[text.index("\n", head) + 1:]
    return json.loads(body[:body.index("\nION_STARTPLUGIN_")])


def test_dependency_launched_together_is_held_on(admin_user, zips):
    _, pa, pb = launch_base_and_dependent(admin_user, zips, "A", "B", ["A"])
    jb = pb.launched_jobs[0]
    assert list(jb.depends_on.all()) == [pa.launched_jobs[0]]
    assert _start(jb)["depends"]["A"]["pluginresult"] == pa.pk
    assert "jid" not in _start(jb)["depends"]["A"]


def test_finished_dependency_is_listed_but_not_held(admin_user, zips):
    a = install(zips("A"))
    b = install(zips("B", attrs='depends = ["A"]'))
    result = create_report()
    pa = launch_plugin(result, a, user=admin_user)
    PluginResultJob.objects.filter(plugin_result=pa).update(state=JobState.COMPLETED, grid_engine_jobid=77)
    pb = launch_plugin(result, b, user=admin_user)
    assert not pb.launched_jobs[0].depends_on.exists()
    assert _start(pb.launched_jobs[0])["depends"]["A"]["jid"] == 77


def test_missing_dependency_is_not_launched(admin_user, zips):
    install(zips("A"))
    b = install(zips("B", attrs='depends = ["A"]'))
    pb = launch_plugin(create_report(), b, user=admin_user)
    assert _start(pb.launched_jobs[0])["depends"] == {}
    assert not pb.launched_jobs[0].depends_on.exists()
    assert list(PluginResult.objects.values_list("plugin__name", flat=True)) == ["B"]


def test_failed_dependency_is_ignored(admin_user, zips):
    a = install(zips("A"))
    b = install(zips("B", attrs='depends = ["A"]'))
    result = create_report()
    pa = launch_plugin(result, a, user=admin_user)
    PluginResultJob.objects.filter(plugin_result=pa).update(state=JobState.ERROR)
    assert _start(launch_plugin(result, b, user=admin_user).launched_jobs[0])["depends"] == {}


def test_multilevel_run_keeps_one_result_and_chains_jobs(admin_user, zips):
    plugin = install(zips("M", attrs="runlevels = [RunLevel.POST, RunLevel.PRE, RunLevel.DEFAULT]"))
    result = create_report()
    pr = launch_plugin(result, plugin, user=admin_user)
    pre, default, post = pr.launched_jobs
    assert [j.run_level for j in (pre, default, post)] == ["pre", "default", "post"]
    assert list(default.depends_on.all()) == [pre] and list(post.depends_on.all()) == [default]
    folder = Path(result.report_dir) / "plugin_out" / f"M_out.{pr.pk}"
    assert pre.work_dir == default.work_dir == str(folder) and post.work_dir == str(folder / "post")
    # pre and default share a folder but each has its own script and startplugin.json.
    assert pre.script_path != default.script_path
    assert _embedded(pre)["runplugin"]["runlevel"] == "pre"
    assert _embedded(default)["runplugin"]["runlevel"] == "default"
    assert _start(post)["runinfo"]["results_dir"] == str(folder / "post")
    assert len({_embedded(j)["runinfo"]["api_key"] for j in (pre, default, post)}) == 1


def test_last_waits_for_others_but_not_other_last(admin_user, zips):
    other = install(zips("Other"))
    last1 = install(zips("L1", attrs="runlevels = [RunLevel.LAST]"))
    last2 = install(zips("L2", attrs="runlevels = [RunLevel.LAST]"))
    result = create_report()
    session = new_session()
    po = launch_plugin(result, other, user=admin_user, session=session)
    done = launch_plugin(result, other, user=admin_user, session=session)
    PluginResultJob.objects.filter(plugin_result=done).update(state=JobState.COMPLETED)
    p1 = launch_plugin(result, last1, user=admin_user, session=session)
    p2 = launch_plugin(result, last2, user=admin_user, session=session)
    assert list(p1.launched_jobs[0].depends_on.all()) == [po.launched_jobs[0]]
    assert list(p2.launched_jobs[0].depends_on.all()) == [po.launched_jobs[0]]


def test_export_plugin_waits_for_other_active_jobs(admin_user, zips):
    other = install(zips("Other"))
    export = install(zips("Exp", attrs="features = [Feature.EXPORT]"))
    result = create_report()
    session = new_session()
    po = launch_plugin(result, other, user=admin_user, session=session)
    pe = launch_plugin(result, export, user=admin_user, session=session)
    assert list(pe.launched_jobs[0].depends_on.all()) == [po.launched_jobs[0]]


def test_block_jobs_per_block_and_post_waits_for_them(admin_user, zips):
    plugin = install(zips("Blk", attrs="runlevels = [RunLevel.BLOCK, RunLevel.POST]\nruntypes = [RunType.COMPOSITE]"))
    result = create_report(rawdatastyle="tiled")
    for bid in ("X0_Y0", "X100_Y0"):
        (Path(result.report_dir) / f"block_{bid}").mkdir()
    pr = launch_plugin(result, plugin, user=admin_user)
    b1, b2, post = pr.launched_jobs
    assert (b1.run_level, b2.run_level, post.run_level) == ("block", "block", "post")
    assert b1.work_dir == f"{result.report_dir}/block_X0_Y0/plugin_out/Blk_out.{pr.pk}"
    s1 = _start(b1)
    assert s1["runplugin"]["blockId"] == "X0_Y0" and s1["runplugin"]["run_type"] == "composite"
    assert s1["runplugin"]["numBlocks"] == 2
    assert s1["runinfo"]["alignment_dir"] == f"{result.report_dir}/block_X0_Y0"
    assert s1["runinfo"]["raw_data_dir"].endswith("/block_X0_Y0")
    assert set(post.depends_on.all()) == {b1, b2}


def test_block_only_plugin_on_wholechip_report_is_refused(admin_user, zips):
    from plugin.services.launch import PluginLaunchError

    plugin = install(zips("Blk", attrs="runlevels = [RunLevel.BLOCK]"))
    with pytest.raises(PluginLaunchError, match="block level"):
        launch_plugin(create_report(), plugin, user=admin_user)
    assert not PluginResultJob.objects.exists()
