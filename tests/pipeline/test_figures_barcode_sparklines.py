"""Per-barcode read-length images: a 120 x 30 px sparkline and the full histogram for every
barcode with reads, named after the dataset's file prefix; none for a barcode without reads.
And the analysis writes them for a barcoded run (pipeline/stages/run.py's figure step)."""
import numpy as np
from PIL import Image

from pipeline.figures import barcode_read_length_images, read_length_sparkline


def histogram(peak, n=400, reads=500):
    rng = np.random.default_rng(peak)
    h = np.zeros(n + 1, dtype=np.int64)  # ionstats: the last bin is the overflow
    np.add.at(h, np.clip(rng.normal(peak, 10, reads).astype(int), 0, n - 1), 1)
    return h


def ink_columns(path):
    """Columns of the image that hold any non-white pixel."""
    px = np.asarray(Image.open(path).convert("L"))
    return np.flatnonzero((px < 200).any(axis=0))


def test_one_pair_of_images_per_barcode_with_reads(tmp_path):
    out = barcode_read_length_images({"IonXpress_001_rawlib": histogram(100), "IonXpress_002_rawlib": histogram(250),
                                      "IonXpress_003_rawlib": np.zeros(401, dtype=np.int64)}, str(tmp_path))
    assert sorted(out) == ["IonXpress_001_rawlib", "IonXpress_002_rawlib"]
    for prefix, paths in out.items():
        assert paths["sparkline"] == str(tmp_path / f"{prefix}.sparkline.png")
        assert paths["histogram"] == str(tmp_path / f"{prefix}.read_len_histogram.png")
        assert Image.open(paths["sparkline"]).size == (120, 30)
        assert Image.open(paths["histogram"]).size[0] > 300
    assert not list(tmp_path.glob("IonXpress_003_rawlib.*"))


def test_sparkline_draws_the_reads_where_they_are(tmp_path):
    # Reads between lengths 0 and ~60 of a range cut after the longest read: ink spans the width.
    h = histogram(30)
    path = read_length_sparkline(h, str(tmp_path / "a.png"))
    cols = ink_columns(path)
    assert cols.size > 60  # the filled area, not a blank image
    # A histogram with no reads writes nothing.
    assert read_length_sparkline(np.zeros(50), str(tmp_path / "none.png")) is None
    assert not (tmp_path / "none.png").exists()
    # Two peaks (lengths 20-29 and 150-159 of 161 bins drawn over 120 px): ink rises in two
    # places, with white columns in the top half between them.
    two = np.zeros(201, dtype=np.int64)
    two[20:30] = 100
    two[150:160] = 100
    path = read_length_sparkline(two, str(tmp_path / "two.png"))
    top = np.asarray(Image.open(path).convert("L"))[:15]
    inked = (top < 200).any(axis=0)
    assert inked[12:25].any() and inked[108:120].any() and not inked[35:100].any()


def test_analysis_writes_them_for_a_barcoded_run(db, tmp_path, settings):
    from pathlib import Path

    from web_support import analysed_run  # tests/browser/web_support.py

    result = analysed_run("R_2024_03_04_05_06_07_user_spark", barcodes=2, reads=300, reference=False)
    folder = Path(result.report_dir) / "basecaller_results"
    sparks = sorted(p.name for p in folder.glob("*.sparkline.png"))
    assert sparks and all(p.startswith(("IonXpress_001", "IonXpress_002", "nomatch")) for p in sparks), sparks
    assert any(p.startswith("IonXpress_001") for p in sparks) and any(p.startswith("IonXpress_002") for p in sparks)
    for name in sparks:
        assert (folder / name.replace(".sparkline.png", ".read_len_histogram.png")).is_file()
