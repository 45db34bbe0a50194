"""`manage.py run_analysis <pk>`: exit status 0 when the report completes, 1 with the reason
when it ends in Error, and a clear message for an unknown report."""
import pytest
from django.core.management import CommandError, call_command

from analysis_support import ingest, simulate
from rundb.models import Results

pytestmark = pytest.mark.django_db


def test_completed_report_exits_zero(capsys):
    run = simulate("R_2024_01_02_03_04_05_user_cmd", reads=300, seed=12)
    result = ingest(run.run_dir)
    call_command("run_analysis", str(result.pk))
    out = capsys.readouterr().out
    assert "status: Started" in out and f"report {result.pk}: Completed" in out
    assert Results.objects.get(pk=result.pk).status == "Completed"


def test_error_exits_one_with_the_reason():
    run = simulate("R_2024_01_02_03_04_05_user_cmdbad", reads=300, seed=13)
    (run.run_dir / "basecaller_results" / "rawlib.basecaller.bam").write_bytes(b"garbage" * 10)
    result = ingest(run.run_dir)
    with pytest.raises(CommandError) as err:
        call_command("run_analysis", str(result.pk))
    assert err.value.returncode == 1
    assert "Error: " in str(err.value) and "rawlib.basecaller.bam" in str(err.value)


def test_unknown_report():
    with pytest.raises(CommandError, match="no report with pk 987654"):
        call_command("run_analysis", "987654")
