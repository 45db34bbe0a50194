"""Ordering the versions plugin authors write (install, upgrade, default plugins in plans).

Plain Python (packaging only), used by the data model's planning rules and the plugin app.
"""
import re


def _fallback_key(version):
    key = []
    for part in re.findall(r"\d+|[A-Za-z]+", str(version)):
        # strings sort before numbers, so "1.0.rc1" < "1.0.0"
        key.append((1, int(part), "") if part.isdigit() else (0, 0, part.lower()))
    return key


def _parsed(version):
    from packaging.version import InvalidVersion, Version

    try:
        return Version(str(version))
    except InvalidVersion:
        return None


def compare_versions(a, b):
    """-1, 0 or 1 as version `a` is lower than, equal to or higher than `b`.

    Versions are what plugin authors write. When both parse under PEP 440
    (`packaging.version`: "1.0.0", "2.1-beta" = 2.1b0, "1.0.rc1", "0.0.0-20240101"), its rules
    decide ("2.1-beta" < "2.1", "5.10" > "5.9"); a tie between different spellings ("1.0" and
    "1.0.0.0") and any version that does not parse ("1.0-custom", "build_7") fall back to a
    tolerant string order: numeric parts as numbers, letters before numbers, a longer version
    with the same prefix higher (as LooseVersion did for the original server).
    """
    if str(a) == str(b):
        return 0
    pa, pb = _parsed(a), _parsed(b)
    if pa is not None and pb is not None and pa != pb:
        return 1 if pa > pb else -1
    ka, kb = _fallback_key(a), _fallback_key(b)
    if ka != kb:
        return 1 if ka > kb else -1
    sa, sb = str(a), str(b)  # same parts, different punctuation: any fixed order will do
    return (sa > sb) - (sa < sb)


def newest(rows, version=lambda row: row.version):
    """The item of `rows` with the highest version (compare_versions), or None."""
    best = None
    for row in rows:
        if best is None or compare_versions(version(row), version(best)) > 0:
            best = row
    return best
