"""Per-read truth table: gzip-compressed TSV with a header line, written batch by batch."""
from __future__ import annotations

import gzip


class TruthWriter:
    def __init__(self, path, columns):
        self.path = path
        self.columns = list(columns)
        self._fh = gzip.open(path, "wt", compresslevel=1, newline="\n")
        self._fh.write("\t".join(self.columns) + "\n")
        self.rows = 0

    def write(self, cols: dict) -> None:
        """``cols``: column name -> sequence (all the same length)."""
        data = [cols[c] for c in self.columns]
        data = [d.tolist() if hasattr(d, "tolist") else list(d) for d in data]
        n = len(data[0]) if data else 0
        if n == 0:
            return
        lines = ["\t".join(map(str, row)) for row in zip(*data)]
        self._fh.write("\n".join(lines) + "\n")
        self.rows += n

    def close(self) -> None:
        self._fh.close()


def read_truth(path) -> list:
    """Rows as dicts of strings (for tests and small runs)."""
    with gzip.open(path, "rt") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        return [dict(zip(header, line.rstrip("\n").split("\t"))) for line in fh]
