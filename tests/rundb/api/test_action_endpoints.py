"""ionreporter (not configured) and getchefscriptinfo."""
from django.conf import settings

from .conftest import ApiClient


def test_ionreporter_says_not_configured(api):
    for path in ("ionreporter/", "ionreporter/version/"):
        reply = api.get(path, {"plugin": "IonReporterUploader"})
        assert reply.status_code == 400 and "not configured" in reply.json()["error"]
    assert ApiClient().get("ionreporter/").status_code == 401
    assert api.post("ionreporter/", {}).status_code == 405


def test_chef_script_info(api):
    body = api.get("getchefscriptinfo/").json()
    assert body["object"]["Error"].startswith("File missing or access denied at ")
    folder = settings.ION_RESULTS_ROOT / "icu" / "updates"
    folder.mkdir(parents=True)
    (folder / "SoftwareVersionList.txt").write_text(
        "IS_scripts: 0407\nCompatible_Chef_release: 5.18\nCompatible_Chef_release: 5.16\nnoise\n")
    body = api.get("getchefscriptinfo/").json()
    assert body == {"object": {"availableversion": {"IS_scripts": "0407",
                                                     "Compatible_Chef_release": ["5.18", "5.16"]}}}
    assert api.get("getchefscriptinfo/schema/").status_code == 200
