"""Configure > References: FASTA upload with progress, then the index build's state; a bad
short name is refused beside the field."""
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.live]


def test_fasta_upload_builds_index(page, live, signed_in, tmp_path, settings):
    settings.ION_REFERENCE_ROOT = tmp_path / "references"
    fasta = tmp_path / "tiny.fasta"
    fasta.write_text(">chr1\n" + "ACGTTGCAAGCTTAGGCTAACGTAGCTAGCTAGGATCCGATCG" * 40 + "\n")
    page.goto(f"{live}/configure/references/")
    page.get_by_label("Short Name").fill("bad name!")
    page.get_by_label("FASTA file").set_input_files(str(fasta))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#error-short_name")).to_contain_text("letters, digits")

    page.get_by_label("Short Name").fill("tiny1")
    page.get_by_label("Description").fill("Tiny test genome")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#reference-progress")).to_have_attribute("value", "100")
    row = page.locator("#references tr[data-ref='tiny1']")
    expect(row.locator(".ref-status")).to_have_text("complete", timeout=60_000)
    expect(row).to_contain_text("Tiny test genome")
