"""startplugin.json values are filled from the database and the report folder."""
import json
from pathlib import Path

import pytest

from launch_support import admin_user, create_report, fast_hasher, install, launch_base_and_dependent, zips  # noqa: F401
from plugin.services.launch import launch_plugin
from rundb.models import Chip, GlobalConfig, Plugin

pytestmark = pytest.mark.django_db


def _start(job):
    return json.loads((Path(job.work_dir) / "startplugin.json").read_text())


def test_runinfo_values(admin_user, zips, settings):
    settings.ION_NET_LOCATION = "http://ts.example:8080"
    Chip.objects.create(name="314", description="PGM 314 chip")
    plugin = install(zips("Foo"))
    Plugin.objects.filter(pk=plugin.pk).update(config={"global": 1})
    plugin.refresh_from_db()
    result = create_report(reference="hg19")
    (Path(result.report_dir) / "basecaller_results").mkdir()
    pr = launch_plugin(result, plugin, user=admin_user, pluginconfig={"inst": 2})
    start = _start(pr.launched_jobs[0])
    ri = start["runinfo"]
    report = str(result.report_dir)
    folder = f"{report}/plugin_out/Foo_out.{pr.pk}"
    assert ri["pk"] == result.pk and ri["pluginresult"] == pr.pk and ri["api_key"] == pr.plain_apikey
    assert ri["net_location"] == "http://ts.example:8080"
    assert ri["api_url"] == "http://ts.example:8080/rundb/api"
    assert ri["results_dir"] == folder and ri["analysis_dir"] == report == ri["report_root_dir"]
    assert ri["basecaller_dir"] == f"{report}/basecaller_results"
    assert ri["sigproc_dir"] == report  # no sigproc_results folder
    assert ri["raw_data_dir"] == result.experiment.expDir
    assert ri["url_root"] == f"/output/Home/{Path(report).name}"
    assert ri["plugin_dir"] == plugin.path and ri["plugin_name"] == "Foo"
    assert ri["username"] == "ionadmin"
    assert (ri["library"], ri["library_key"], ri["testfrag_key"]) == ("hg19", "TCAG", "ATCG")
    assert (ri["chipType"], ri["chipDescription"], ri["platform"]) == ("314", "PGM 314 chip", "pgm")
    p = ri["plugin"]
    assert (p["name"], p["version"], p["id"], p["path"]) == ("Foo", "1.0.0.0", plugin.pk, plugin.path)
    assert p["pluginconfig"] == {"global": 1}
    assert p["pluginresult"] == pr.pk and p["results_dir"] == folder
    assert start["pluginconfig"] == {"inst": 2}
    assert start["globalconfig"] == {"debug": 0, "MEM_MAX": "15G"}
    assert "depends" not in start


def test_runplugin_expmeta_plan_sampleinfo(admin_user, zips):
    GlobalConfig.objects.create(name="Config", site_name="My Site")
    plugin = install(zips("Foo"))
    result = create_report(name="Auto_user_run2")
    pr = launch_plugin(result, plugin, user=admin_user)
    start = _start(pr.launched_jobs[0])
    assert start["runplugin"] == {
        "run_type": "wholechip", "runlevel": "default", "blockId": "", "block_dirs": ["."],
        "numBlocks": 1, "run_mode": "manual",
    }
    em = start["expmeta"]
    exp = result.experiment
    assert em["run_name"] == exp.expName and em["results_name"] == "Auto_user_run2"
    assert (em["run_flows"], em["instrument"], em["chiptype"], em["chipBarcode"]) == (260, "PGM_test", "314", "AA0026665")
    assert em["notes"] == "a note" and em["runid"] == "ZN2MB" and em["sample"] == "sample 1"
    assert em["output_file_name_stem"] == f"Auto_plan_Auto_user_run2_my-site_{result.pk}"
    assert em["analysis_date"] == result.timeStamp.date().isoformat()
    plan = start["plan"]
    assert plan["planName"] == "plan_Auto_user_run2" and plan["runType"] == "GENS" and plan["username"] == "ionadmin"
    assert start["sampleinfo"] == {
        "sample 1": {"name": "sample1", "displayedName": "sample 1", "externalId": "EXT-1",
                     "description": None, "attributes": {}},
    }
    assert start["datamanagement"]["Output Files"] is True
    assert start["chefSummary"] == {}


def test_depends_section_for_plugin_with_dependencies(admin_user, zips):
    result, base_pr, pr = launch_base_and_dependent(admin_user, zips, "Base", "Child", ["Base", "Missing"])
    start = _start(pr.launched_jobs[0])
    assert start["depends"] == {
        "Base": {"pluginresult": base_pr.pk, "version": "1.0.0.0",
                 "pluginresult_path": f"{result.report_dir}/plugin_out/Base_out.{base_pr.pk}"},
    }
