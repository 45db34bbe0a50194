"""Scenarios 6, 10, 11, 12: find an analysed barcoded run on Data and read its report:
summary tiles with the pipeline's images, the chip well details dialog, the barcode table
with per-barcode downloads, and the files under /output/ (signed-in only, with ranges)."""
import re

import pytest
from playwright.sync_api import expect

from web_support import analysed_run

pytestmark = [pytest.mark.live]


def image_loaded(page, selector):
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_find_run_and_read_report(page, live, signed_in):
    result = analysed_run()
    exp = result.experiment
    page.goto(f"{live}/data/")
    page.get_by_label("Search").fill(exp.expName[-8:])
    page.get_by_role("button", name="Go").click()
    expect(page.locator("#runs tbody tr")).to_have_count(1)
    expect(page.locator(".pager-total")).to_have_text("1 - 1 of 1")
    page.get_by_role("link", name=result.resultsName).click()
    expect(page).to_have_url(f"{live}/report/{result.pk}/")
    assert page.title() == f"{result.resultsName} | Torrent Server - Torrent Suite (TM)"
    expect(page.locator("#run-name")).to_have_text(exp.displayName or exp.expName)
    expect(page.locator("#report-name")).to_have_text(result.resultsName)
    lib = result.libmetrics.get()
    qm = result.qualitymetrics.get()
    expect(page.locator("#total-reads")).to_have_text(str(lib.totalNumReads))
    assert page.locator("#total-bases").inner_text().strip() not in ("", "—")
    expect(page.locator("#key-signal")).to_have_text(str(round(lib.aveKeyCounts)))
    expect(page.locator("#isp-loading")).to_have_text(re.compile(r"^\d+(\.\d)?%$"))
    expect(page.locator("#mean-length")).to_have_text(f"{round(qm.q0_mean_read_length)} bp")
    assert image_loaded(page, "#isp-density"), "Bead_density_1000.png did not load"
    assert image_loaded(page, "#readlen-histogram"), "read length histogram did not load"
    page.get_by_role("button", name="Key Incorporation Traces").click()
    dialog = page.locator("dialog#modal")
    expect(dialog.get_by_role("heading", name="Key Incorporation Traces")).to_be_visible()
    page.wait_for_function("document.querySelector('dialog#modal img').naturalWidth > 0")
    dialog.get_by_role("button", name="Close").click()
    # Chip well details: the ISP tables.
    page.get_by_role("button", name="Chip well details").click()
    expect(dialog.get_by_role("heading", name="ISP Summary")).to_be_visible()
    for label in ("Addressable Wells", "With ISPs", "Live", "Test Fragment", "Library", "Final Library ISPs"):
        expect(dialog.get_by_role("rowheader", name=label, exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    # Barcodes: one row per barcode with its own BAM/BAI downloads.
    rows = page.locator("#barcode-table tbody tr")
    expect(rows.filter(has_text="IonXpress_001")).to_have_count(1)
    expect(rows.filter(has_text="IonXpress_002")).to_have_count(1)
    bam_link = rows.filter(has_text="IonXpress_001").get_by_role("link", name="BAM", exact=True)
    expect(bam_link).to_be_visible()
    with page.expect_download() as dl:
        bam_link.click()
    path = dl.value.path()
    with open(path, "rb") as fh:
        assert fh.read(2) == b"\x1f\x8b"  # BGZF
    # Scenario 12: each barcode's read-length sparkline (written by the pipeline's figure step)
    # opens that barcode's full read-length histogram.
    for name in ("IonXpress_001", "IonXpress_002"):
        spark = rows.filter(has_text=name).get_by_role("button", name=f"Read Length Histogram of {name}")
        expect(spark).to_be_visible()
        assert spark.locator("img").evaluate("img => img.complete && img.naturalWidth === 120 && img.naturalHeight === 30")
    rows.filter(has_text="IonXpress_002").get_by_role("button", name="Read Length Histogram of IonXpress_002").click()
    expect(dialog.get_by_role("heading", name="Barcode Read Lengths: IonXpress_002")).to_be_visible()
    big = dialog.locator("img")
    expect(big).to_have_attribute("src", re.compile(r"basecaller_results/IonXpress_002[^/]*\.read_len_histogram\.png$"))
    page.wait_for_function("document.querySelector('dialog#modal img').naturalWidth > 300")
    dialog.get_by_role("button", name="Close").click()


def test_output_files_need_a_session_and_serve_ranges(page, live, admin):
    import requests

    result = analysed_run(barcodes=0)
    url = f"{live}{result.reportLink.rstrip('/')}/" if result.reportLink.endswith("/") else None
    bam_rel = next(p for p in __import__("pathlib").Path(result.report_dir).glob("*.bam"))
    web = (url or f"{live}/output/Home/{result.report_dir.name}/") + bam_rel.name
    anon = requests.get(web, allow_redirects=False, timeout=10)
    assert anon.status_code == 302 and "/login/?next=" in anon.headers["Location"]
    s = requests.Session()
    s.get(f"{live}/login/", timeout=10)
    s.post(f"{live}/login/", data={"username": "ionadmin", "password": "ionadmin", "next": "/home/",
                                   "csrfmiddlewaretoken": s.cookies["csrftoken"]}, timeout=10)
    whole = s.get(web, timeout=10)
    assert whole.status_code == 200 and whole.headers["Content-Type"] == "application/octet-stream"
    assert whole.headers["Accept-Ranges"] == "bytes"
    size = len(whole.content)
    part = s.get(web, headers={"Range": "bytes=10-29"}, timeout=10)
    assert part.status_code == 206 and part.content == whole.content[10:30]
    assert part.headers["Content-Range"] == f"bytes 10-29/{size}"
    tail = s.get(web, headers={"Range": "bytes=-5"}, timeout=10)
    assert tail.status_code == 206 and tail.content == whole.content[-5:]
    assert s.get(web, headers={"Range": f"bytes={size + 10}-"}, timeout=10).status_code == 416
    assert s.get(f"{live}/output/Home/../../etc/passwd", timeout=10).status_code == 404
