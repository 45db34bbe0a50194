"""The base of the errors whose text is shown to a person as it is.

Plugin install/launch/archive/inspect refusals (plugin/) and analysis failures (pipeline/) all
carry one human-readable line that ends up in an API answer, a report status or a log. They
live in the upper layers; this base lives here, in the lowest layer both of them import.
"""


class ReasonError(Exception):
    """`str(exc)`, `exc.message` and `exc.reason` are the one line that says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    @property
    def reason(self):
        # The pipeline's callers read `.reason` (report status wording); plugin's read `.message`.
        return self.message
