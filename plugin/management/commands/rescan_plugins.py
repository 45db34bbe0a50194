"""python manage.py rescan_plugins: sync the Plugin table with the folders on disk."""
from django.core.management.base import BaseCommand

from plugin.services.install import rescan


class Command(BaseCommand):
    help = "Register plugin folders copied by hand and deactivate plugins whose folder vanished."

    def handle(self, *args, **options):
        summary = rescan()
        for key in ("added", "updated", "deactivated"):
            for item in summary[key]:
                self.stdout.write(f"{key}: {item}")
        for name, message in summary["errors"].items():
            self.stderr.write(f"error: {name}: {message}")
        if not any(summary[k] for k in ("added", "updated", "deactivated")) and not summary["errors"]:
            self.stdout.write("No plugins found.")
