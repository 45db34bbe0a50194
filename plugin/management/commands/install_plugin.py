"""python manage.py install_plugin FILE.zip [FILE.zip ...]: install or upgrade plugins."""
from django.core.management.base import BaseCommand, CommandError

from plugin.services.install import PluginInstallError, install_from_zip


class Command(BaseCommand):
    help = "Install (or upgrade to a higher version) plugins from zip archives."

    def add_arguments(self, parser):
        parser.add_argument("zips", nargs="+", metavar="FILE.zip")

    def handle(self, *args, **options):
        failed = []
        for path in options["zips"]:
            try:
                plugin = install_from_zip(path)
            except PluginInstallError as exc:
                self.stderr.write(f"{path}: {exc.message}")
                failed.append(path)
                continue
            self.stdout.write(f"Installed {plugin.name} {plugin.version} at {plugin.path} (id {plugin.pk})")
        if failed:
            raise CommandError(f"{len(failed)} of {len(options['zips'])} archive(s) refused")
