"""The basecaller recovers simulated reads from flowgrams (small low-noise run)."""
import json

import numpy as np
import pysam
import pytest

from pipeline.basecaller.flowspace import encode, flow_vector, pad_ragged
from pipeline.simulate.testing import SMALL_WELLS_RUN, cached_basecall, small_wells_run
from pipeline.simulate.truth import read_truth


def flowgrams(seqs, flow_order):
    """Ideal flowgrams of many sequences at once."""
    lengths = np.array([len(s) for s in seqs])
    padded = pad_ragged(encode("".join(seqs)), lengths)
    return flow_vector(padded, encode(flow_order))


@pytest.fixture(scope="module")
def calls(tmp_path_factory):
    """(records, truth rows, called flowgrams, true flowgrams, last called flow)."""
    run = small_wells_run(tmp_path_factory.getbasetemp())
    res = cached_basecall(run)
    params = json.loads(run.params_path.read_text())
    truth = {t["name"]: t for t in read_truth(run.truth_path)}
    with pysam.AlignmentFile(str(res.library_bam), check_sq=False) as fh:
        header = fh.header.to_dict()
        recs = [(a.query_name, a.query_sequence, np.array(a.query_qualities),
                 a.get_tag("ZF"), a.get_tag("ZA") if a.has_tag("ZA") else None,
                 len(a.get_tag("ZM"))) for a in fh]
    key, fo = params["library_key"], params["flow_order"]
    tail = params["adapter"] + params["filler"]
    rows = [truth[r[0]] for r in recs]
    called = flowgrams([key + r[1] for r in recs], fo)
    true = flowgrams([key + t["template"] + tail for t in rows], fo)
    last = called.shape[1] - 1 - np.argmax(called[:, ::-1] > 0, axis=1)
    return run, header, recs, rows, called, true, last


def _flow_errors(called, true, last):
    # The last flow of a read may hold template and adapter bases of one nucleotide.
    before = np.arange(called.shape[1])[None, :] < last[:, None]
    return np.where(before, np.abs(called - true), 0)


def test_reads_recovered_in_flow_space(calls):
    run, header, recs, rows, called, true, last = calls
    params = json.loads(run.params_path.read_text())
    assert header["RG"][0]["ID"] == run.run_id and header["RG"][0]["KS"] == "TCAG"
    assert header["RG"][0]["FO"] == params["flow_order"]
    assert all(t["kind"] == "lib" for t in rows)
    n = len(recs)
    assert n >= 0.97 * SMALL_WELLS_RUN["reads"]
    err = _flow_errors(called, true, last).sum(axis=1)
    assert (err <= 1).mean() > 0.97
    assert (err == 0).mean() > 0.9
    # ZF is the flow of the first base after the key; ZM covers the read's flows.
    first_base_flow = np.argmax(np.cumsum(called, axis=1) >= len("TCAG") + 1, axis=1)
    assert [r[3] for r in recs] == first_base_flow.tolist()
    assert all(r[5] >= lst + 1 for r, lst in zip(recs, last.tolist()))
    # ZA (adapter position) equals the true template length when the adapter was found.
    za = [(r[4], len(t["template"])) for r, t in zip(recs, rows) if r[4] is not None]
    assert len(za) > 50
    assert np.mean([a == b for a, b in za]) > 0.97


def test_quality_values_track_errors(calls):
    """The first miscalled flow of a read sits on lower QVs than the reads' average."""
    run, header, recs, rows, called, true, last = calls
    bad = _flow_errors(called, true, last) > 0
    qv_err, qv_all = [], []
    for i, r in enumerate(recs):
        q = r[2]
        qv_all.append(q.mean())
        flows = np.nonzero(bad[i])[0]
        if flows.size and called[i, flows[0]] > 0:
            base = int(called[i, :flows[0] + 1].sum()) - len("TCAG") - 1
            if 0 <= base < q.size:
                qv_err.append(q[base])
    assert np.mean(qv_all) > 25
    if qv_err:
        assert np.mean(qv_err) < np.mean(qv_all)
