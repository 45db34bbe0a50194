"""Create a demo run with a completed report so a fresh installation has data to show."""
from django.core.management.base import BaseCommand

from rundb.catalog.demo import create_demo_run
from rundb.models import Experiment


class Command(BaseCommand):
    help = (
        "Create a demo run (Experiment, analysis settings, a completed report and its metric rows). "
        "Uses pipeline.simulate when it is installed. Does nothing if the demo run exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="only when the database has no runs at all")
        parser.add_argument("--no-simulator", action="store_true", help="write the rows directly")

    def handle(self, *args, if_empty=False, no_simulator=False, **options):
        if if_empty and Experiment.objects.exists():
            self.stdout.write("Runs exist already; no demo run created.")
            return
        exp, created = create_demo_run(use_simulator=not no_simulator)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Demo run created: {exp.expName} (experiment {exp.pk})."))
        else:
            self.stdout.write(f"Demo run exists: {exp.expName} (experiment {exp.pk}).")
