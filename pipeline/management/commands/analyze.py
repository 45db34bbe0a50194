"""`manage.py analyze <experiment>`: start another analysis (new report) of a run."""
from django.core.management.base import BaseCommand, CommandError

from pipeline.analysis_launch import AnalysisLaunchError, launch_reanalysis
from rundb.models import Experiment


def find_experiment(ref):
    """Experiment by pk (digits) or by expName; CommandError if none or ambiguous."""
    ref = str(ref).strip()
    if ref.isdigit():
        exp = Experiment.objects.filter(pk=int(ref)).first()
        if exp is not None:
            return exp
    matches = list(Experiment.objects.filter(expName=ref).order_by("pk")[:10])
    if not matches:
        raise CommandError(f"no experiment with pk or expName {ref!r}")
    if len(matches) > 1:
        pks = ", ".join(str(e.pk) for e in matches)
        raise CommandError(f"expName {ref!r} matches several experiments (pk {pks}); give the pk")
    return matches[0]


class Command(BaseCommand):
    help = "Create a new report (Results) for an experiment and queue its analysis job."

    def add_arguments(self, parser):
        parser.add_argument("experiment", help="experiment pk or expName")
        parser.add_argument("--name", help="report name (default: <run name>_<experiment pk>)")

    def handle(self, *args, **options):
        exp = find_experiment(options["experiment"])
        try:
            result, job = launch_reanalysis(exp, name=options["name"])
        except AnalysisLaunchError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"report {result.pk} {result.resultsName!r} created for experiment {exp.pk} ({exp.expName}); "
            f"analysis job {job.pk} queued, report folder {result.report_dir}"
        )
