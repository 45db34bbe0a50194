"""`manage.py crawl` runs one pass and prints a summary."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rundb.models import Experiment

pytestmark = pytest.mark.django_db


def test_crawl_command_summary(complete_run, make_run):
    complete_run()
    make_run("R_bad").explog(drop=("Flows",))
    out = StringIO()
    call_command("crawl", stdout=out)
    text = out.getvalue()
    assert "created 1" in text and "error 1" in text and "reports started 1" in text
    assert "Flows (or Cycles)" in text
    assert Experiment.objects.count() == 1


def test_crawl_command_json_and_options(complete_run, tmp_path):
    complete_run()
    out = StringIO()
    call_command("crawl", "--json", "--no-auto-analysis", stdout=out)
    data = json.loads(out.getvalue())
    assert data["outcomes"][0]["action"] == "created" and data["reports_started"] == []
    out = StringIO()
    call_command("crawl", "--root", str(tmp_path / "nowhere"), stdout=out)
    assert "crawled 0 run folder(s)" in out.getvalue()
    with pytest.raises(CommandError, match="positive"):
        call_command("crawl", "--loop", "0")
