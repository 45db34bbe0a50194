"""Where an analysis is: the report's status values, its log (ReportLog.html, log.html) and the
outcome the job returns."""
import datetime
import html
import logging
from dataclasses import dataclass
from pathlib import Path

from rundb.errors import ReasonError
from rundb.models import Results

log = logging.getLogger(__name__)

STARTED = "Started"
BASE_CALLING = "Base Calling"
UPLOADING = "Uploading Metrics"
PLUGINS = "Plugins"
COMPLETED = "Completed"
ERROR_PREFIX = "Error: "
STATUS_MAX = Results._meta.get_field("status").max_length
LOG_NAME = "ReportLog.html"
LOG_HTML = "log.html"


class AnalysisError(ReasonError):
    """The analysis cannot go on; `reason` is one line for the report status and log."""


@dataclass
class AnalysisOutcome:
    result_pk: int
    status: str
    reason: str = ""
    summary: dict | None = None
    seconds: float = 0.0

    @property
    def ok(self):
        return self.status == COMPLETED


class ReportLog:
    """Timestamped lines into <report>/ReportLog.html (plain text, as the original) and to
    `stream` (the job's stdout, i.e. drmaa_stdout.txt)."""

    def __init__(self, report_dir, stream=None):
        self.path = Path(report_dir) / LOG_NAME
        self.stream = stream

    def write(self, message):
        stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        lines = [f"{stamp} {line}" for line in str(message).rstrip("\n").split("\n")]
        text = "\n".join(lines) + "\n"
        try:
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:  # the report folder itself may be gone; keep going on stdout
            log.warning("cannot write %s: %s", self.path, exc)
        if self.stream is not None:
            try:
                self.stream.write(text)
                self.stream.flush()
            except (OSError, ValueError):
                pass

    def write_html(self):
        """log.html (Results.log points at it): the text log, escaped, in a <pre>."""
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
            page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Analysis log</title></head>"
                    f"<body><pre>{html.escape(text)}</pre></body></html>\n")
            (self.path.parent / LOG_HTML).write_text(page, encoding="utf-8")
        except OSError:
            pass


def short_status(text):
    text = " ".join(str(text).split())
    return text if len(text) <= STATUS_MAX else text[: STATUS_MAX - 3] + "..."


def set_status(result, status, **fields):
    """Update the report's status (and other fields) with one UPDATE, not a full save, so a
    user editing the report's name or metaData meanwhile is not overwritten."""
    status = short_status(status)
    Results.objects.filter(pk=result.pk).update(status=status, **fields)
    result.status = status
    for name, value in fields.items():
        setattr(result, name, value)


def error_status(reason):
    return short_status(ERROR_PREFIX + reason)
