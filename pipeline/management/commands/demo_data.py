"""Create the demo run: a small simulated instrument run, ingested and queued for analysis."""
from django.core.management.base import BaseCommand

from pipeline.demo import create_demo_run
from rundb.models import Experiment


class Command(BaseCommand):
    help = (
        "Write a small simulated instrument run into the results root and ingest it, so the job "
        "service analyses it like any run. Does nothing if the demo run exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="only when the database has no runs at all")
        parser.add_argument("--reads", type=int, default=2000)

    def handle(self, *args, if_empty=False, reads=2000, **options):
        if if_empty and Experiment.objects.exists():
            self.stdout.write("Runs exist already; no demo run created.")
            return
        exp, created = create_demo_run(reads=reads)
        if created:
            report = exp.results.order_by("pk").first()
            self.stdout.write(self.style.SUCCESS(
                f"Demo run created: {exp.expName} (experiment {exp.pk}"
                + (f", report {report.resultsName} queued for analysis)." if report else ").")
            ))
        else:
            self.stdout.write(f"Demo run exists: {exp.expName} (experiment {exp.pk}).")
