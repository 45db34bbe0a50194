"""End to end: a default-selected plugin really runs on every new run, whichever way its plan
was made: a plan copied from a template (POST plannedexperiment/create/), a plan POSTed to
the API, and no plan at all (the crawler's default plan). Simulated instrument runs ->
crawl_once() -> the job service runs the analyses -> the pipeline launches the plugin -> a
PluginResult per report whose job is Completed, with the plugin's default configuration.

The service and its jobs share the test database: PostgreSQL is needed."""
import json
from pathlib import Path

import pytest

from analysis_support import launch_support, report_log, simulate
from grid_support import service  # noqa: F401  (a fixture)
from pipeline.ingest.crawler import crawl_once
from rundb.models import AnalysisJob, JobState, PluginResult, PluginResultJob, Plugin, Results
from api import factories  # noqa: E402

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

BODY = r'''
with open("seen.json", "w") as fh:
    json.dump({"run_mode": self.startplugin["runplugin"]["run_mode"],
               "pluginconfig": self.startplugin.get("pluginconfig"),
               "plan": self.startplugin["plan"].get("planName")}, fh)
return True
'''


def test_default_selected_plugin_runs_on_every_kind_of_run(service, live_server, client, tmp_path):
    factories.catalog()
    _admin, key = factories.user("ionadmin", superuser=True)
    auth = {"HTTP_AUTHORIZATION": f"ApiKey ionadmin:{key}"}
    api = "/rundb/api/v1/plannedexperiment/"
    launch_support.install(launch_support.make_plugin_zip(tmp_path / "zips", "AutoRun", BODY,
                                                          files={"pluginconfig.json": '{"from": "defaults"}'}))

    def post(url, body):
        response = client.post(url, json.dumps(body), content_type="application/json", **auth)
        assert response.status_code in (201, 202), response.content
        return response.json()

    template = post(api, {"planName": "tmpl", "isReusable": True, "chipType": "520"})
    assert template["selectedPlugins"] == {}
    Plugin.objects.filter(name="AutoRun").update(defaultSelected=True)  # "autorun" ticked afterwards
    copied = post(api + "create/", {"templateName": "tmpl", "planName": "from template", "sample": "s1",
                                    "templatingKitName": "Ion 520/530 Kit-OT2"})
    posted = post(api, {"planName": "from api", "chipType": "520", "templatingKitName": "Ion 520/530 Kit-OT2",
                        "sample": "s2"})
    runs = {
        "from_template": simulate("R_2024_01_02_03_04_05_user_dflt_tmpl", reads=300, seed=21,
                                  plan_short_id=copied["planShortID"]),
        "from_api": simulate("R_2024_01_02_03_04_05_user_dflt_api", reads=300, seed=22,
                             plan_short_id=posted["planShortID"]),
        "unplanned": simulate("R_2024_01_02_03_04_05_user_dflt_none", reads=300, seed=23),
    }
    crawl = crawl_once()
    assert not crawl.errors, crawl.as_dict()
    assert len(crawl.reports_started) == 3
    reports = {}
    for kind, run in runs.items():
        result = Results.objects.get(experiment__unique=str(run.run_dir))
        assert "AutoRun" in result.eas.selectedPlugins, kind
        reports[kind] = result
    assert reports["unplanned"].experiment.plan.origin == "crawler"

    service.start(ION_NET_LOCATION=live_server.url, ION_API_URL=live_server.url + "/rundb/api/")
    service.wait_for(lambda: all(j.state in JobState.FINAL for j in AnalysisJob.objects.all()), "analyses final",
                     timeout=400, log_tail=5000)
    for kind, result in reports.items():
        result.refresh_from_db()
        assert result.status == "Completed", (kind, result.status, report_log(result)[-3000:])

    def plugin_jobs():
        return list(PluginResultJob.objects.all())
    service.wait_for(lambda: len(plugin_jobs()) == 3 and all(j.state in JobState.FINAL for j in plugin_jobs()),
                     "plugin jobs final", timeout=400, log_tail=5000)
    for kind, result in reports.items():
        [pr] = PluginResult.objects.filter(result=result)
        assert pr.plugin.name == "AutoRun"
        [job] = pr.plugin_result_jobs.all()
        assert (job.run_level, job.state) == ("default", JobState.COMPLETED), (
            kind, Path(job.stdout_path).read_text()[-2000:] if Path(job.stdout_path).exists() else "")
        seen = json.loads((Path(job.work_dir) / "seen.json").read_text())
        assert seen["run_mode"] == "pipeline" and seen["pluginconfig"] == {"from": "defaults"}, (kind, seen)
