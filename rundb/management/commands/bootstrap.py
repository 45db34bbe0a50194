"""First-start set-up: superuser, ionusers group, API key, reference catalog. Safe to re-run."""
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from rundb.catalog import FixtureError
from rundb.catalog.bootstrap import DEFAULT_ADMIN, bootstrap

from .load_catalog import catalog_summary


class Command(BaseCommand):
    help = (
        "Create the superuser (ionadmin/ionadmin unless ION_ADMIN_USER / ION_ADMIN_PASSWORD or the options "
        "say otherwise), the ionusers group and the reference catalog, and print the superuser's API key "
        "when one is issued. Run 'migrate' first. Existing users, passwords and keys are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--admin-user", help="superuser name (default: $ION_ADMIN_USER or ionadmin)")
        parser.add_argument("--admin-password", help="password for a newly created superuser")
        parser.add_argument("--no-admin", action="store_true", help="do not create a superuser")
        parser.add_argument("--no-catalog", action="store_true", help="do not load the reference catalog")
        parser.add_argument(
            "--fixtures-dir",
            help="also import a lab's own fixture files from this folder (default: $ION_TS_FIXTURES_DIR)",
        )
        parser.add_argument("--new-api-key", action="store_true", help="issue (and print) a new API key")

    def handle(self, *args, **opts):
        try:
            result = bootstrap(
                username=opts.get("admin_user"),
                password=opts.get("admin_password"),
                create_admin=not opts.get("no_admin"),
                catalog=not opts.get("no_catalog"),
                fixtures_dir=opts.get("fixtures_dir"),
                new_api_key=opts.get("new_api_key", False),
            )
        except (RuntimeError, FixtureError) as exc:
            raise CommandError(str(exc)) from exc

        out = self.stdout.write
        name = result.admin_username
        if name:
            if result.admin_created:
                shown = {
                    "default": f"password '{DEFAULT_ADMIN}'; change it on any shared server",
                    "environment": "password from ION_ADMIN_PASSWORD",
                    "option": "password from --admin-password",
                }[result.password_source]
                out(self.style.SUCCESS(f"Created superuser '{name}' ({shown})."))
            else:
                out(f"Superuser '{name}' already exists (password unchanged).")
            if result.api_key:
                out(self.style.SUCCESS(f"API key for {name}: {result.api_key}"))
                out(f"  use it as:  Authorization: ApiKey {name}:{result.api_key}")
        for note in result.notes:
            out(note)
        if result.catalog is not None:
            for warning in result.catalog.warnings:
                self.stderr.write(self.style.WARNING(warning))
            out(catalog_summary(result.catalog))
        out(f"Results root: {settings.ION_RESULTS_ROOT}")
