"""Flow-space conversions used by simulator and basecaller."""
import numpy as np

from pipeline.basecaller.flowspace import (canonical_flow_vector, encode, expand_flow_order,
                                           key_flow_vector, seq_flow_vector)
from pipeline.basecaller.solver import make_canonical


def test_key_vectors():
    assert key_flow_vector("TCAG", "TACG" * 4).tolist() == [1, 0, 1, 0, 0, 1, 0, 1]
    assert key_flow_vector("ATCG", "TACG" * 4).tolist() == [0, 1, 0, 0, 1, 0, 1, 1]


def test_sequence_to_flows():
    fo = expand_flow_order("TACG", 12)
    assert fo == "TACGTACGTACG"
    assert seq_flow_vector("TTCAAG", fo).tolist() == [2, 0, 1, 0, 0, 2, 0, 1, 0, 0, 0, 0]
    # Bases beyond the last flow are not sequenced.
    assert seq_flow_vector("GGGGT", "TACG").tolist() == [0, 0, 0, 4]


def test_canonical_flowgrams():
    fo = encode("TACGTACG")
    # T, then nothing, then T again: both T's go in the first T flow.
    bad = np.array([[1, 0, 0, 0, 1, 0, 0, 0]])
    assert canonical_flow_vector(bad, fo).tolist() == [[2, 0, 0, 0, 0, 0, 0, 0]]
    # A run called later than its first possible flow moves to that flow.
    late = np.array([[1, 0, 0, 0, 0, 1, 0, 0]])        # T then A at flow 5, but flow 1 is A
    assert make_canonical(late, fo).tolist() == [[1, 1, 0, 0, 0, 0, 0, 0]]
    good = np.array([[1, 0, 1, 0, 0, 1, 0, 1]])
    assert make_canonical(good, fo) is good
