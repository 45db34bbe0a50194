"""The one exception type the analysis stages raise for bad input."""


class PipelineError(Exception):
    """A stage cannot go on: missing/truncated/corrupt input, bad parameters.

    ``reason`` is a one-line, human-readable message meant for the report
    status / log (e.g. ``"rawlib.basecaller.bam: truncated BAM (no BGZF EOF marker)"``).
    """

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason
