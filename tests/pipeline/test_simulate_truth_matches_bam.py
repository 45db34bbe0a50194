"""truth.tsv.gz describes every read of the BAMs exactly (format a)."""
import json
import re

import pysam
import pytest

from pipeline.simulate import load_barcode_kit
from pipeline.simulate.testing import cached_run
from pipeline.simulate.truth import read_truth

COMP = str.maketrans("ACGT", "TGCA")


@pytest.fixture(scope="module")
def run(tmp_path_factory, barcode_kit_file):
    kit = load_barcode_kit(barcode_kit_file, name="IonXpress")
    return cached_run(tmp_path_factory.getbasetemp(), "truthbam", reads=1500,
                      barcode_kit=kit, barcodes=4, seed=3, flows=260, genome_size=40_000,
                      tf_reads=40, errors={"sub_rate": 0.003, "ins_rate": 0.002,
                                           "del_rate": 0.002, "hp_rate": 0.004})


def _fasta(path):
    seqs, name = {}, None
    for line in open(path):
        line = line.strip()
        if line.startswith(">"):
            name = line[1:]
            seqs[name] = []
        elif line:
            seqs[name].append(line)
    return {k: "".join(v) for k, v in seqs.items()}


def _q_len(quals, rate):
    """Independent reference: largest k with mean error probability of the first k <= rate."""
    total, best = 0.0, 0
    for k, q in enumerate(quals, start=1):
        total += 10 ** (-q / 10)
        if total / k <= rate:
            best = k
    return best


def test_every_read_matches_its_truth_row(run):
    truth = {t["name"]: t for t in read_truth(run.truth_path)}
    ref = _fasta(run.reference_fasta)
    params = json.loads(run.params_path.read_text())
    seen = 0
    errors_total = 0
    for role in ("bam:rawlib", "bam:tf"):
        with pysam.AlignmentFile(str(run.outputs[role]), check_sq=False) as fh:
            for a in fh:
                t = truth[a.query_name]
                seen += 1
                assert a.is_unmapped
                assert a.query_length == int(t["read_len"])
                assert a.get_tag("RG") == t["read_group"]
                assert a.has_tag("ZA") == (t["adapter_found"] == "1")
                if a.has_tag("ZA"):
                    assert a.get_tag("ZA") == a.query_length
                assert len(a.get_tag("ZM")) > 8
                quals = list(a.query_qualities)
                assert _q_len(quals, 0.02) == int(t["q17_len"])
                assert _q_len(quals, 0.01) == int(t["q20_len"])
                if t["kind"] == "tf":
                    continue
                # The barcode prefix is the truth barcode's sequence + adapter.
                prefix = a.query_sequence[: int(t["prefix_len"])]
                if t["barcode"] not in ("", "nomatch"):
                    bc = next(b for b in params["barcodes"] if b["id_str"] == t["barcode"])
                    assert prefix == bc["sequence"] + bc["adapter"]
                # Rebuild the insert from the reference with the truth CIGAR.
                seq = a.query_sequence[int(t["prefix_len"]):]
                if t["strand"] == "-":
                    seq = seq.translate(COMP)[::-1]
                contig, pos, i = ref[t["contig"]], int(t["pos"]), 0
                subs = ins = dels = 0
                for n, op in re.findall(r"(\d+)([MID])", t["cigar"]):
                    n = int(n)
                    if op == "M":
                        subs += sum(x != y for x, y in zip(seq[i:i + n], contig[pos:pos + n]))
                        i += n
                        pos += n
                    elif op == "I":
                        ins += n
                        i += n
                    else:
                        dels += n
                        pos += n
                assert i == len(seq)
                assert (subs, ins, dels) == (int(t["n_sub"]), int(t["n_ins"]), int(t["n_del"]))
                errors_total += subs + ins + dels
    assert seen == len(truth) == 1540
    assert errors_total > 100          # the error model was active


def test_params_count_reads_per_barcode(run):
    params = json.loads(run.params_path.read_text())
    truth = read_truth(run.truth_path)
    lib = [t for t in truth if t["kind"] == "lib"]
    per = params["reads_per_barcode"]
    assert sum(per.values()) == len(lib) == 1500
    for bc, n in per.items():
        assert n == sum(1 for t in lib if t["barcode"] == bc)
    assert per["nomatch"] > 0
    assert sum(params["tf_reads"].values()) == 40
    rg = params["read_groups"][run.run_id]
    assert rg["read_count"] == 1500
    assert rg["total_bases"] == sum(int(t["read_len"]) for t in lib)
