"""The vectorised phasing model against a plain, independent implementation."""
import numpy as np

from pipeline.basecaller.flowspace import encode, expand_flow_order, flow_vector
from pipeline.basecaller.phasing import simulate_flowgrams


def reference_model(runs, flow_order, cf, ie, dr, chain=3):
    """Per-copy-population loop over run boundaries (the model in phasing.py's docstring)."""
    state = {0: 1.0}
    residue = {n: 0.0 for n in "ACGT"}
    out = []
    for nuc in flow_order:
        for n in residue:
            residue[n] *= cf
        residue[nuc] = 1.0
        avail = {n: (1.0 - ie if n == nuc else residue[n]) for n in "ACGT"}
        new, signal = {}, 0.0
        for j, mass in state.items():
            p, surv, reach = 1.0, 1.0, []
            for c in range(chain):
                if j + c >= len(runs):
                    break
                rn, rl = runs[j + c]
                p *= avail[rn]
                surv *= (1.0 - dr) ** rl
                signal += mass * p * rl
                reach.append((p, surv))
            new[j] = new.get(j, 0.0) + mass * (1.0 - (reach[0][0] if reach else 0.0))
            for c, (pc, sc) in enumerate(reach):
                nxt = reach[c + 1][0] if c + 1 < len(reach) else 0.0
                new[j + c + 1] = new.get(j + c + 1, 0.0) + mass * (pc - nxt) * sc
        state = new
        out.append(signal)
    return np.array(out)


def runs_of(seq):
    runs, i = [], 0
    while i < len(seq):
        j = i
        while j < len(seq) and seq[j] == seq[i]:
            j += 1
        runs.append((seq[i], j - i))
        i = j
    return runs


def test_no_phasing_gives_ideal_flowgram():
    fo = expand_flow_order("TACGTACGTCTGAGCATCGATCGATGTACAGC", 100)
    seqs = np.random.default_rng(1).integers(0, 4, (20, 120)).astype(np.uint8)
    hp = flow_vector(seqs, encode(fo))
    assert np.array_equal(simulate_flowgrams(hp, encode(fo), 0, 0, 0), hp)


def test_matches_reference_implementation():
    # The model only knows the runs inside its flowgram, so it is given 40 flows more than
    # compared (copies running ahead need the template beyond the last flow).
    fo = expand_flow_order("TACGTACGTCTGAGCATCGATCGATGTACAGC", 160)
    rng = np.random.default_rng(7)
    for _ in range(3):
        seq = "".join(rng.choice(list("ACGT"), 200))
        hp = flow_vector(encode(seq)[None, :], encode(fo))
        fast = simulate_flowgrams(hp, encode(fo), 0.012, 0.009, 0.002)[0][:120]
        slow = reference_model(runs_of(seq), fo[:120], 0.012, 0.009, 0.002)
        assert np.max(np.abs(fast - slow)) < 2e-3


def test_per_well_parameters_equal_scalar_ones():
    fo = encode(expand_flow_order("TACG", 60))
    hp = flow_vector(np.random.default_rng(3).integers(0, 4, (5, 80)).astype(np.uint8), fo)
    a = simulate_flowgrams(hp, fo, 0.01, 0.005, 0.001)
    b = simulate_flowgrams(hp, fo, np.full(5, 0.01), np.full(5, 0.005), np.full(5, 0.001))
    assert np.allclose(a, b, atol=1e-6)
    # Carry-forward leaks signal into following flows, incomplete extension delays it.
    assert not np.allclose(a, hp)
