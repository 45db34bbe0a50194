"""The five-character run id ([A-Z0-9]) that prefixes read names and read groups.

One hash for both the analysis (pipeline/analysis_launch.py: a report's runid) and the run
simulator (pipeline/simulate/run.py), so the two cannot drift apart. No Django here: the
simulator runs without it.
"""

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def dek_run_id(text: str) -> str:
    """DEK hash of `text`, kept to 31 bits, written as five base-36 digits (A-Z then 0-9)."""
    h = len(text)
    for char in text:
        h = ((h << 5) ^ (h >> 27)) ^ ord(char)
    h &= 0x7FFFFFFF
    digits = []
    for _ in range(5):
        h, rem = divmod(h, 36)
        digits.append(ALPHABET[rem])
    return "".join(reversed(digits))
