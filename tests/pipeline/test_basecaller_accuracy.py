"""The basecaller recovers simulated reads from flowgrams (small low-noise run)."""
import json

import numpy as np
import pysam
import pytest

from pipeline.basecaller.flowspace import seq_flow_vector
from pipeline.simulate.testing import cached_basecall, small_wells_run
from pipeline.simulate.truth import read_truth


@pytest.fixture(scope="module")
def called(tmp_path_factory):
    run = small_wells_run(tmp_path_factory.getbasetemp())
    return run, cached_basecall(run)


def test_reads_recovered_in_flow_space(called):
    run, res = called
    params = json.loads(run.params_path.read_text())
    truth = {t["name"]: t for t in read_truth(run.truth_path)}
    fo, key = params["flow_order"], params["library_key"]
    tail = params["adapter"] + params["filler"]
    n = good = exact = za_ok = za = 0
    with pysam.AlignmentFile(str(res.library_bam), check_sq=False) as fh:
        header = fh.header.to_dict()
        for a in fh:
            t = truth[a.query_name]
            assert t["kind"] == "lib"
            n += 1
            called_fv = seq_flow_vector(key + a.query_sequence, fo)
            true_fv = seq_flow_vector(key + t["template"] + tail, fo)
            last = int(np.nonzero(called_fv)[0][-1])
            # The last flow may hold template + adapter bases of one nucleotide: skip it.
            err = int(np.abs(called_fv[:last] - true_fv[:last]).sum())
            exact += err == 0
            good += err <= 1
            assert len(a.query_qualities) == a.query_length
            assert a.get_tag("ZF") == 7                      # first flow after TCAG on TACG..
            assert len(a.get_tag("ZM")) >= last + 1
            if a.has_tag("ZA"):
                za += 1
                za_ok += a.get_tag("ZA") == len(t["template"])
    assert header["RG"][0]["ID"] == run.run_id and header["RG"][0]["KS"] == "TCAG"
    assert header["RG"][0]["FO"] == fo
    assert n >= 0.97 * 1200
    assert good / n > 0.97
    assert exact / n > 0.9
    assert za > 100 and za_ok / za > 0.97


def test_quality_values_track_errors(called):
    """Bases in flows that were miscalled get lower QVs than the rest."""
    run, res = called
    params = json.loads(run.params_path.read_text())
    truth = {t["name"]: t for t in read_truth(run.truth_path)}
    fo, key = params["flow_order"], params["library_key"]
    qv_all, qv_err = [], []
    with pysam.AlignmentFile(str(res.library_bam), check_sq=False) as fh:
        for a in fh:
            t = truth[a.query_name]
            q = np.array(a.query_qualities)
            qv_all.append(q.mean())
            cf = seq_flow_vector(key + a.query_sequence, fo)
            tf = seq_flow_vector(key + t["template"] + params["adapter"] + params["filler"], fo)
            last = int(np.nonzero(cf)[0][-1])
            bad = np.nonzero(cf[:last] != tf[:last])[0]
            if bad.size:
                # Map the first bad flow to a base index of the read (if it has bases).
                base_of_flow = np.cumsum(cf) - len(key)
                f = int(bad[0])
                if cf[f] > 0:
                    qv_err.append(q[max(0, base_of_flow[f] - 1)])
    assert np.mean(qv_all) > 25
    if qv_err:
        assert np.mean(qv_err) < np.mean(qv_all)
