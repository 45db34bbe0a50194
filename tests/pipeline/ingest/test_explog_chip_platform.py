"""Chip type, barcode kit, tiled blocks, platform, plan short ID, library."""
from pipeline.ingest.explog import normalise_chip_type, parse_explog_text
from pipeline.ingest.mapping import derive_run_info


def _info(tmp_path, text):
    return derive_run_info(parse_explog_text(text), tmp_path / "P1" / "R_x")


def test_proton_block_explog(tmp_path):
    info = _info(tmp_path, (
        "Experiment Name: x\nFlows: 260\nChipVersion: 1.10.3\nChipType: 900\nbarcodeId: none\n"
        "BlockStatus: X0, Y0, W1288, H1332, AutoAnalyze:1, AnalyzeEarly:1\n"
        "BlockStatus: thumbnail, 0, W1200, H800, AutoAnalyze:0, AnalyzeEarly:1\n"
        "AutoAnalyze: no\n"
    ))
    assert info.experiment["chipType"] == "P1.1.17"
    assert info.eas["barcodeKitName"] == ""
    assert info.experiment["rawdatastyle"] == "tiled"
    assert info.experiment["autoAnalyze"] is True  # a block asks for it
    assert info.platform == "" and info.fallback_platform == "PROTON"


def test_explicit_values(tmp_path):
    info = _info(tmp_path, (
        "Experiment Name: x\nFlows: 400\nPlatform: s5\nChipType: \"530\"\nbarcodeId: IonXpress\n"
        "Library: hg19\nProject: proj1\nSample: s1\nPlanned Run Short ID: ab12c\nDeviceName: S5-01\n"
        "SeqKitName: NOT_SCANNED\nLibraryKeySequence: tcag\n"
    ))
    assert info.platform == "S5"
    assert info.experiment["chipType"] == "530"
    assert info.experiment["pgmName"] == "S5-01"
    assert info.eas == {"barcodeKitName": "IonXpress", "reference": "hg19", "libraryKey": "TCAG"}
    assert "sequencekitname" not in info.experiment
    assert (info.project, info.sample, info.plan_short_id) == ("proj1", "s1", "AB12C")
    assert info.instrument == "P1"


def test_platform_from_device_keys(tmp_path):
    assert _info(tmp_path, "Experiment Name: x\nFlows: 4\nPGM HW: 1.1\n").platform == "PGM"
    assert _info(tmp_path, "Experiment Name: x\nFlows: 4\nSerial Number: S5XL-0042\n").platform == "S5"
    assert _info(tmp_path, "Experiment Name: x\nFlows: 4\nLibrary: None\n").eas["reference"] == ""


def test_chip_normalisation():
    assert normalise_chip_type("1.20.1") == "P1.2.18"
    assert normalise_chip_type(' "318" ') == "318"
