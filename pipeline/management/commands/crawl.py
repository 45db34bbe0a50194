"""`manage.py crawl`: ingest instrument run folders once (or every N seconds with --loop)."""
import json

from django.core.management.base import BaseCommand, CommandError

from pipeline.ingest.crawler import crawl_forever, crawl_once


class Command(BaseCommand):
    help = "Scan <ION_RESULTS_ROOT>/<instrument>/<run>/ and create/update Experiments and auto reports."

    def add_arguments(self, parser):
        parser.add_argument("--root", help="results root to scan (default: settings.ION_RESULTS_ROOT)")
        parser.add_argument("--loop", type=float, metavar="SECONDS", help="keep crawling every SECONDS")
        parser.add_argument("--no-auto-analysis", action="store_true", help="never start automatic reports")
        parser.add_argument("--json", action="store_true", help="print the crawl report as JSON")

    def handle(self, *args, **options):
        if options["loop"] is not None and options["loop"] <= 0:
            raise CommandError("--loop needs a positive number of seconds")
        auto = not options["no_auto_analysis"]
        show = self._print_json if options["json"] else self._print_text
        if options["loop"]:
            try:
                crawl_forever(options["loop"], results_root=options["root"], auto_analysis=auto, on_report=show)
            except KeyboardInterrupt:
                return
        else:
            show(crawl_once(options["root"], auto_analysis=auto))

    def _print_json(self, report):
        self.stdout.write(json.dumps(report.as_dict(), indent=2))

    def _print_text(self, report):
        for outcome in report.outcomes:
            if outcome.action == "unchanged":
                continue
            line = f"{outcome.action:9} {outcome.folder}  ftpStatus={outcome.ftpStatus!r}"
            if outcome.result_id:
                line += f"  report={outcome.result_id}"
            detail = outcome.reason or ("" if outcome.action == "created" else ", ".join(outcome.changed))
            if detail:
                line += f"  ({detail})"
            self.stdout.write(line)
        self.stdout.write(report.summary())
