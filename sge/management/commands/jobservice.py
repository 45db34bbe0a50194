"""`manage.py jobservice`: the long-lived process that submits, polls, cancels and reconciles
every grid job (plugin jobs and analysis jobs). See sge/service.py."""
import logging
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

BACKENDS = ("sge", "local")


class Command(BaseCommand):
    help = "Run the job service (owns the DRMAA session under SGE) until SIGTERM/SIGINT."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=BACKENDS,
                            help="job backend (default: settings.ION_JOB_BACKEND)")
        parser.add_argument("--once", action="store_true",
                            help="reconcile and make one pass, then exit")

    def handle(self, *args, **options):
        backend = (options["backend"] or getattr(settings, "ION_JOB_BACKEND", "local") or "local").lower()
        if backend not in BACKENDS:
            raise CommandError(f"unknown job backend {backend!r}: use one of {', '.join(BACKENDS)}")
        self._setup_logging(options["verbosity"])
        if backend == "sge":
            # libdrmaa needs libjemalloc preloaded at process start: re-exec once if missing.
            from sge.env import reexec_with_drmaa_preload
            reexec_with_drmaa_preload()

        from sge.backends.base import JobError
        from sge.env import DrmaaUnavailable
        from sge.service import ServiceAlreadyRunning, serve
        from sge.service_config import ServiceConfig

        try:
            config = ServiceConfig.from_settings()
            serve(backend, once=options["once"], config=config)
        except (DrmaaUnavailable, JobError, ServiceAlreadyRunning, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    @staticmethod
    def _setup_logging(verbosity):
        logger = logging.getLogger("sge")
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            logger.addHandler(handler)
        logger.setLevel({0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG))
        logger.propagate = False
