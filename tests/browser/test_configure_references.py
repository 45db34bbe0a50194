"""Configure > References: FASTA upload with progress; the index is built by the Celery task
pipeline.tasks.build_reference in a real worker, and the page shows the build's state
(queued, indexing, then complete or error); a bad short name is refused beside the field."""
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.live]


def test_fasta_upload_builds_index_in_the_worker(page, live, signed_in, tmp_path, celery_worker):
    from rundb.models import ReferenceGenome

    queue, results_root, worker_log = celery_worker
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
    expect(page.locator("#reference-message")).to_contain_text("queued")
    row = page.locator("#references tr[data-ref='tiny1']")
    expect(row.locator(".ref-status")).to_have_text("complete", timeout=90_000)
    expect(row).to_contain_text("Tiny test genome")
    ref = ReferenceGenome.objects.get(short_name="tiny1")
    assert ref.celery_task_id
    # Built by the worker (its own results root), not by the web process.
    assert (results_root / "referenceLibrary" / "tiny1" / "tiny1.fasta").is_file()
    assert ref.reference_path == str(results_root.resolve() / "referenceLibrary" / "tiny1")
    assert "pipeline.tasks.build_reference" in worker_log.read_text()


def test_build_state_is_shown_and_a_bad_fasta_ends_in_error(page, live, signed_in, tmp_path, celery_worker):
    from rundb.models import ReferenceGenome

    # A row whose build is still queued shows that state, with a progress bar.
    ReferenceGenome.objects.create(short_name="waiting", name="Waiting genome", status="queued")
    page.goto(f"{live}/configure/references/")
    waiting = page.locator("#references tr[data-ref='waiting']")
    expect(waiting.locator(".ref-status")).to_have_text("queued")
    expect(waiting.get_by_role("progressbar", name="Index build of waiting")).to_be_visible()

    bad = tmp_path / "notes.fasta"
    bad.write_text("this is not a FASTA file\n")
    page.get_by_label("Short Name").fill("broken1")
    page.get_by_label("FASTA file").set_input_files(str(bad))
    page.get_by_role("button", name="Upload").click()
    row = page.locator("#references tr[data-ref='broken1']")
    expect(row.locator(".ref-status")).to_contain_text("error", timeout=90_000)
    expect(row.locator(".ref-status .error")).not_to_be_empty()
    assert ReferenceGenome.objects.get(short_name="broken1").status == "error"
