"""A run nobody planned gets the crawler's default plan (a copy of the system default
template): it and the run's analysis settings carry the default-selected plugins on top of
the template's own. A planned run keeps its plan's choice; re-crawls change nothing."""

import pytest

from pipeline.ingest.crawler import crawl_once
from rundb.models import Experiment, ExperimentAnalysisSettings, PlannedExperiment, Plugin
from launch_support import install, make_plugin_zip  # noqa: E402

pytestmark = pytest.mark.django_db

TEMPLATE_PLUGINS = {"FromTemplate": {"name": "FromTemplate", "userInput": {"t": 1}}}


@pytest.fixture
def auto(tmp_path):
    row = install(make_plugin_zip(tmp_path / "zips", "Auto"))
    install(make_plugin_zip(tmp_path / "zips", "NotDefault"))
    Plugin.objects.filter(name="Auto").update(defaultSelected=True)
    row.refresh_from_db()
    return row


def _entry(row):
    return {"id": row.pk, "name": row.name, "version": row.version, "userInput": {}, "features": []}


def test_unplanned_run_with_system_template(complete_run, auto):
    template = PlannedExperiment.objects.create(planName="System Default", isReusable=True, isSystem=True,
                                                isSystemDefault=True, selectedPlugins=TEMPLATE_PLUGINS)
    template_exp = Experiment.objects.create(plan=template, unique="template", expName="template")
    ExperimentAnalysisSettings.objects.create(experiment=template_exp, selectedPlugins=TEMPLATE_PLUGINS)
    complete_run()
    crawl = crawl_once()
    assert not crawl.errors, crawl.as_dict()
    exp = Experiment.objects.exclude(pk=template_exp.pk).get()
    assert exp.plan.origin == "crawler" and exp.plan.planName.startswith("CopyOfSystemDefault_")
    expected = {**TEMPLATE_PLUGINS, "Auto": _entry(auto)}
    assert exp.plan.selectedPlugins == expected
    eas = exp.eas_set.get()
    assert eas.selectedPlugins == expected
    assert exp.results.get().eas == eas
    template.refresh_from_db()
    assert template.selectedPlugins == TEMPLATE_PLUGINS  # the template itself is not changed

    Plugin.objects.filter(name="NotDefault").update(defaultSelected=True)
    crawl_once()  # a re-crawl does not add plugins to an existing run
    assert ExperimentAnalysisSettings.objects.get(pk=eas.pk).selectedPlugins == expected


def test_unplanned_run_without_any_template(complete_run, auto):
    complete_run()
    crawl_once()
    exp = Experiment.objects.get()
    assert exp.plan.selectedPlugins == {"Auto": _entry(auto)}
    assert exp.eas_set.get().selectedPlugins == {"Auto": _entry(auto)}


def test_planned_run_keeps_the_plans_choice(complete_run, auto):
    PlannedExperiment.objects.create(planName="mine", planShortID="PLAN1", planStatus="planned",
                                     selectedPlugins={"NotDefault": {"name": "NotDefault", "userInput": {}}})
    complete_run(entries={"Planned Run Short ID": "PLAN1"})
    crawl_once()
    exp = Experiment.objects.get()
    assert exp.plan.planName == "mine"
    assert set(exp.eas_set.get().selectedPlugins) == {"NotDefault"}  # the plan left Auto out
