"""ionstats read-length histogram and its JSON form.

``mean_read_length`` is the integer floor of bases/reads; lengths above the
histogram are counted in its last bin, but ``max_read_length`` is the true max.
"""
import numpy as np


class LengthHistogram:
    __slots__ = ("hist", "num_reads", "num_bases", "max_read_length")

    def __init__(self, length):
        self.hist = np.zeros(int(length), dtype=np.int64)
        self.num_reads = 0
        self.num_bases = 0
        self.max_read_length = 0

    def add(self, lengths):
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.size == 0:
            return
        self.num_reads += int(lengths.size)
        self.num_bases += int(lengths.sum())
        self.max_read_length = max(self.max_read_length, int(lengths.max()))
        self.hist += np.bincount(np.minimum(lengths, len(self.hist) - 1), minlength=len(self.hist))

    def merge(self, other):
        if len(other.hist) > len(self.hist):
            self.hist = np.concatenate([self.hist, np.zeros(len(other.hist) - len(self.hist), np.int64)])
        self.hist[:len(other.hist)] += other.hist
        self.num_reads += other.num_reads
        self.num_bases += other.num_bases
        self.max_read_length = max(self.max_read_length, other.max_read_length)

    @property
    def mean_read_length(self):
        return self.num_bases // self.num_reads if self.num_reads else 0

    def count_at_least(self, n):
        """Reads in bins >= n (0 when n is past the histogram, as the original)."""
        return int(self.hist[n:].sum()) if n < len(self.hist) else 0

    def median(self):
        if not self.num_reads:
            return 0
        cs = np.cumsum(self.hist)
        return int(np.searchsorted(cs, cs[-1] / 2.0, side="right"))

    def mode(self):
        return int(np.argmax(self.hist)) if self.num_reads else 0

    def to_json(self):
        return {
            "num_bases": self.num_bases,
            "num_reads": self.num_reads,
            "max_read_length": self.max_read_length,
            "mean_read_length": self.mean_read_length,
            "read_length_histogram": self.hist.tolist(),
        }

    @classmethod
    def from_json(cls, d):
        h = cls(max(1, len(d.get("read_length_histogram", [])) or 1))
        if d.get("read_length_histogram"):
            h.hist = np.asarray(d["read_length_histogram"], dtype=np.int64)
        h.num_reads = int(d.get("num_reads", 0))
        h.num_bases = int(d.get("num_bases", 0))
        h.max_read_length = int(d.get("max_read_length", 0))
        return h


def histogram_length_for_flows(flows):
    """``graph_max_x`` = 50 * ceil(0.014 * flows); 400 when flows is unknown."""
    try:
        flows = int(flows)
    except (TypeError, ValueError):
        return 400
    if flows <= 0:
        return 400
    return int(50 * np.ceil(0.014 * flows))
