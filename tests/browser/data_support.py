"""Runs for the Data/Monitor/Home tests without a full analysis: report rows like the plugin
tests' (tests/plugin/launch_support.create_report) with a status, metrics and projects."""
from datetime import timedelta

from django.utils import timezone

from launch_support import create_report


def run(name, *, status="Completed", project=None, user=None, q20=1_500_000, q0=2_000_000, age_days=0,
        ftp_status="Complete", flows=260):
    from rundb.models import AnalysisMetrics, LibMetrics, Project, QualityMetrics

    report = create_report(name=name)
    exp = report.experiment
    when = timezone.now() - timedelta(days=age_days)
    exp.date = when
    exp.resultDate = when
    exp.ftpStatus = ftp_status
    exp.flows = flows
    exp.status = "run"
    exp.save()
    report.status = status
    report.timeStamp = when
    report.reportLink = f"/output/Home/{report.report_dir.name}/"
    report.save()
    QualityMetrics.objects.create(report=report, q20_bases=q20, q0_bases=q0, q0_reads=1000, q0_mean_read_length=150)
    AnalysisMetrics.objects.create(report=report, total=10000, excluded=0, bead=8000, live=7600, lib=7000, tf=600)
    LibMetrics.objects.create(report=report, totalNumReads=900, aveKeyCounts=87)
    if project:
        proj, _ = Project.objects.get_or_create(name=project, defaults={"creator": user})
        report.projects.add(proj)
    return report
