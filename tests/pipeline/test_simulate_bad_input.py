"""Bad simulator arguments give clear errors, before anything is written."""
import pytest

from pipeline.simulate import simulate_run
from pipeline.simulate.barcodes import load_barcode_kit
from pipeline.simulate.cli import main

KIT = [("BC1", "CTAAGGTAAC", "GAT"), ("BC2", "TAAGGAGAAC", "GAT")]


@pytest.mark.parametrize("kwargs, message", [
    ({"fmt": "fastq"}, "fmt must be"),
    ({"reads": 0}, "reads must be a positive integer"),
    ({"barcodes": 2}, "barcodes given without a barcode_kit"),
    ({"barcode_kit": KIT, "barcodes": ["BC9"]}, "'BC9' is not in the kit"),
    ({"barcode_kit": KIT, "barcodes": 5}, "the kit has 2 barcodes"),
    ({"instrument": "MiSeq"}, "unknown instrument"),
    ({"flows": 10}, "flows must be at least 32"),
    ({"preclassified": True}, "preclassified needs barcodes"),
    ({"fmt": "wells", "preclassified": True, "barcode_kit": KIT}, "fmt='bam' only"),
    ({"flow_order": "TACN"}, "invalid flow order"),
    ({"barcode_kit": [("BC1", "CTAXG", "GAT")]}, "sequence must be non-empty ACGT"),
    ({"barcode_kit": KIT + [("BC1", "ACGT", "GAT")]}, "duplicate barcode"),
])
def test_bad_arguments_raise(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        simulate_run(tmp_path / "run", **{"reads": 10, **kwargs})
    assert not (tmp_path / "run" / "explog.txt").exists()


def test_barcode_kit_file_errors(tmp_path, barcode_kit_file):
    with pytest.raises(ValueError, match="no barcodes of kit 'NoSuchKit'"):
        load_barcode_kit(barcode_kit_file, name="NoSuchKit")


def test_cli_reports_errors_with_status_2(tmp_path, capsys):
    assert main([str(tmp_path / "run"), "--reads", "0"]) == 2
    assert "reads must be a positive integer" in capsys.readouterr().err
