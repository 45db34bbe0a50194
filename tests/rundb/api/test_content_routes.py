"""publisher/<name>/, publisher/install/, content/register/<upload_id>/, referencegenome?special."""
from rundb import models as m

from . import factories
from .conftest import ApiClient


def test_publisher_by_name_and_install(api, db):
    pub = m.Publisher.objects.create(name="BED")
    assert api.get("publisher/BED/").json()["id"] == pub.pk
    assert api.get(f"publisher/{pub.pk}/").json()["name"] == "BED"
    assert api.get("publisher/nosuch/").status_code == 404
    assert api.post("publisher/install/", {}).status_code == 400
    reply = api.post("publisher/install/", {"url": "http://example.org/pub.zip"})
    assert reply.status_code == 400 and "not configured" in reply.json()["error"]
    user, key = factories.user()
    assert ApiClient(user.username, key).post("publisher/install/", {"file": "x"}).status_code == 403


def test_content_register(api, db, tmp_path):
    pub = m.Publisher.objects.create(name="BED")
    upload = m.ContentUpload.objects.create(publisher=pub, meta={"reference": "hg19"})
    bed = tmp_path / "targets.bed"
    bed.write_text("chr1\t1\t2\n")
    reply = api.post(f"content/register/{upload.pk}/", {"file": str(bed), "path": "/hg19/targets.bed",
                                                        "description": "panel", "meta": {"hotspot": False}})
    assert reply.status_code == 202, reply.content
    content = m.Content.objects.get(contentupload=upload)
    assert content.publisher == pub and content.path == "/hg19/targets.bed"
    assert content.meta == {"reference": "hg19", "hotspot": False, "description": "panel", "notes": ""}
    missing = api.post(f"content/register/{upload.pk}/", {"file": str(tmp_path / "nope.bed")})
    assert missing.status_code == 400 and "File not found" in missing.json()["error"]
    assert api.post("content/register/999999/", {"file": str(bed)}).status_code == 400
    assert api.post(f"content/register/{upload.pk}/", {"file": str(bed), "meta": []}).status_code == 400
    assert api.post(f"content/register/{upload.pk}/", raw="{").status_code == 400


def test_referencegenome_special(api, db, settings):
    m.ReferenceGenome.objects.create(name="hg19", short_name="hg19", index_version="tmap-f3")
    m.ReferenceGenome.objects.create(name="old", short_name="old", index_version="tmap-f2")
    m.ReferenceGenome.objects.create(name="blank", short_name="blank", index_version="")
    assert len(api.get("referencegenome/").json()["objects"]) == 3
    settings.ION_TMAP_INDEX_VERSION = "tmap-f3"
    names = {o["short_name"] for o in api.get("referencegenome/").json()["objects"]}
    assert names == {"hg19"}
    names = {o["short_name"] for o in api.get("referencegenome/", {"special": "1"}).json()["objects"]}
    assert names == {"hg19", "blank"}
