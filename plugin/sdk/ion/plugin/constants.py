"""Plugin enumerations. Members are plain strings because they travel in JSON."""


class RunType:
    FULLCHIP = "wholechip"
    THUMB = "thumbnail"
    COMPOSITE = "composite"


class RunLevel:
    PRE = "pre"
    DEFAULT = "default"
    BLOCK = "block"
    POST = "post"
    SEPARATOR = "separator"
    LAST = "last"


class Feature:
    EXPORT = "export"


def _members(enum):
    return {k: v for k, v in vars(enum).items() if k.isupper() and isinstance(v, str)}


def enum_values(enum):
    """All string values of an enumeration class."""
    return frozenset(_members(enum).values())


def lookupEnum(enum, value):
    """Member name for `value` in `enum`, or None."""
    for key, member in _members(enum).items():
        if member == value:
            return key
    return None


def runLevelsList():
    """Run levels in the order the pipeline launches them."""
    return [RunLevel.PRE, RunLevel.BLOCK, RunLevel.SEPARATOR, RunLevel.DEFAULT, RunLevel.POST, RunLevel.LAST]
