"""Small pure functions behind computed API fields (shared with other code that needs them)."""

TRUE_WORDS = {"", "true", "t", "yes", "y", "1", "on"}


def to_boolean(value):
    """The original's query-string truth: "", true, t, yes, y, 1, on (any case) are true."""
    if value is None:
        return False
    return str(value).strip().lower() in TRUE_WORDS

