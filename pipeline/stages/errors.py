"""The one exception type the analysis stages raise for bad input."""

from rundb.errors import ReasonError


class PipelineError(ReasonError):
    """A stage cannot go on: missing/truncated/corrupt input, bad parameters.

    ``reason`` is a one-line, human-readable message meant for the report
    status / log (e.g. ``"rawlib.basecaller.bam: truncated BAM (no BGZF EOF marker)"``).
    """
