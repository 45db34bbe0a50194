"""The API examples' own client code (seed_clients.py), run over HTTP against a live server with
an ApiKey header."""
import datetime

import pytest
from django.utils import timezone

from rundb import models as m

from . import factories, seed_clients

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(live_server, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user, key = factories.user("ionadmin", superuser=True)
    factories.catalog()
    for i in range(20):  # more chips than one default page, so the paging loop really pages
        m.Chip.objects.create(name=f"9{i:02d}", description=f"chip {i}")
    now = timezone.now()
    cf = factories.experiment("S5-530_cfDNA", displayName="S5-530 cfDNA", chipType="530",
                              resultDate=now - datetime.timedelta(hours=1))
    rna = factories.experiment("S5-540_WholeTranscriptomeRNA", displayName="S5-540 WholeTranscriptomeRNA",
                               chipType="540", resultDate=now)
    factories.result(cf, "S5-530_cfDNA", timeStamp=now - datetime.timedelta(hours=2))
    factories.result(cf, "Reanalyze", timeStamp=now - datetime.timedelta(hours=1))
    report = factories.result(rna, "Auto_S5-540_WholeTranscriptomeRNA_91", status="Importing Failed")
    for name, state in (("DataExport", "Completed"), ("sampleID", "Error"), ("AssemblerSPAdes", "Started")):
        factories.plugin_result(report, factories.plugin(name), user, state=state)
    for i in range(25):
        factories.plugin(f"extra{i:02d}")
    factories.plugin("retired", active=False)
    return {"url": live_server.url, "user": "ionadmin", "key": key, "report": report.pk}


def test_chip_paging_loop_and_name_filter(site):
    chips = seed_clients.fetch_all_chips(site["url"], site["user"], site["key"])
    assert len(chips) == m.Chip.objects.count() == 27
    assert len({c["id"] for c in chips}) == 27
    names = seed_clients.chips_starting_with_31(site["url"], site["user"], site["key"])
    assert sorted(names) == ["314", "316", "318"]


def test_completed_runs_and_reports(site):
    lines = seed_clients.completed_runs_and_reports(site["url"], site["user"], site["key"])
    assert lines == [
        "S5-540 WholeTranscriptomeRNA",
        "    Auto_S5-540_WholeTranscriptomeRNA_91 Importing Failed",
        "S5-530 cfDNA",
        "    Reanalyze Completed",
        "    S5-530_cfDNA Completed",
    ]


def test_fetching_a_report(site):
    lines = seed_clients.fetch_a_report(site["url"], site["user"], site["key"], site["report"])
    assert lines[0] == "Auto_S5-540_WholeTranscriptomeRNA_91"
    assert sorted(lines[1:-1]) == ["    AssemblerSPAdes Started", "    DataExport Completed", "    sampleID Error"]
    assert lines[-1] == "94.0 million reads"


def test_planning_non_barcoded_and_barcoded_runs(site):
    assert seed_clients.plan_run(site["url"], site["user"], site["key"], seed_clients.NON_BARCODED_PLAN) == 201
    # The barcoded body also carries "sample"; the samples come from barcodedSamples.
    assert seed_clients.plan_run(site["url"], site["user"], site["key"], seed_clients.BARCODED_PLAN) == 201
    plans = m.PlannedExperiment.objects.filter(planName="DOCS_my_plan")
    assert plans.count() == 2
    assert sorted(s.name for s in m.Sample.objects.filter(experiments__plan__in=plans)) == [
        "demo_sample_1", "demo_sample_2", "my_sample"]


def test_plugin_list_active_and_meta_counts(site):
    body = seed_clients.list_plugins(site["url"], site["user"], site["key"])
    meta = body["meta"]
    assert meta["limit"] == 20 and meta["offset"] == 0 and meta["previous"] is None
    assert meta["total_count"] == 28  # the inactive "retired" plugin is not listed
    assert "offset=20" in meta["next"] and "limit=20" in meta["next"]
    assert all(p["active"] for p in body["objects"])
    everything = seed_clients.list_plugins(site["url"], site["user"], site["key"], limit=0)
    assert len(everything["objects"]) == 28
    rest = seed_clients.list_plugins(site["url"], site["user"], site["key"], offset=20)
    assert len(rest["objects"]) == 8
