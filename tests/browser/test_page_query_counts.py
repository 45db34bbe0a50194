"""Each page takes a constant number of queries: the same with 2 rows as with 6."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from data_support import run  # noqa: E402

pytestmark = [pytest.mark.django_db]

PAGES = ["/home/", "/home/fragments?time_span=7days", "/data/", "/data/?view=list", "/data/?view=table", "/data/?order_by=-q20&per_page=50",
         "/data/?order_by=sample", "/data/getCSV.csv", "/monitor/",
         "/plan/plan_templates/", "/plan/planned/", "/plan/page_plan_new_plan_from_code/0/", "/configure/plugins/", "/configure/services/?queues=0",
         "/configure/references/", "/configure/account/", "/data/projects/"]
LIMIT = 20


def _populate(n, admin, offset=0):
    from launch_support import make_plugin_zip
    from plugin.services.install import install_from_zip
    from rundb.models import ApplicationGroup, KitInfo, PlannedExperiment, QCType, ReferenceGenome, RunType

    reports = []
    for i in range(offset, offset + n):
        reports.append(run(f"qc_run_{i}", project=f"proj{i % 2}", user=admin))
        PlannedExperiment.objects.create(planName=f"tpl{i}", isReusable=True, planStatus="planned")
        PlannedExperiment.objects.create(planName=f"plan{i}", planShortID=f"Q{i:04d}", planStatus="planned")
        ReferenceGenome.objects.create(short_name=f"ref{i}", name=f"ref {i}", status="complete")
        # The planning wizard's choices.
        group = ApplicationGroup.objects.create(name=f"group{i}", uid=f"APPLGROUP_{i:04d}")
        RunType.objects.create(runType=f"RT{i}", description=f"run type {i}").applicationGroups.add(group)
        QCType.objects.create(qcName=f"QC {i}", defaultThreshold=i)
        KitInfo.objects.create(kitType="SequencingKit", name=f"seqkit{i}", description=f"seq kit {i}", uid=f"SEQ{i:04d}")
    return reports


def _counts(client, extra=()):
    out = {}
    for url in list(PAGES) + list(extra):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        out[url] = len(ctx.captured_queries)
    return out


def test_page_queries_do_not_grow_with_rows(client, admin_user):
    client.force_login(admin_user)
    first = _populate(2, admin_user)
    from rundb.models import Project

    from rundb.models import PlannedExperiment

    template = PlannedExperiment.objects.get(planName="tpl0")
    report_url = [f"/report/{first[0].pk}/", f"/data/project/{Project.objects.get(name='proj0').pk}/results",
                  f"/plan/page_plan_new_plan/{template.pk}/"]
    small = _counts(client, report_url)
    _populate(4, admin_user, offset=2)
    large = _counts(client, report_url)
    assert small == large
    assert max(large.values()) <= LIMIT, large
