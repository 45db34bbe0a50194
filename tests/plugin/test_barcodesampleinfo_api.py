"""GET results/<pk>/barcodesampleinfo/ answers the report's barcodes.json structure."""
import pytest

from launch_support import admin_auth, admin_user, create_report, fast_hasher, write_datasets  # noqa: F401
from plugin.services.barcodes_json import build_barcodes_json
from rundb.models import dnaBarcode

pytestmark = pytest.mark.django_db
URL = "/rundb/api/v1/results/{}/barcodesampleinfo/"


def test_barcoded_report_matches_barcodes_json(client, admin_auth):
    dnaBarcode.objects.create(name="IonXpress", id_str="IonXpress_001", index=1, sequence="CTAAGGTAAC", adapter="GAT")
    result = create_report(barcode_kit="IonXpress")
    rg = "ZN2MB.IonXpress_001"
    write_datasets(
        result,
        [{"dataset_name": "IonXpress_001", "file_prefix": "IonXpress_001_rawlib", "read_count": 12, "read_groups": [rg]}],
        {rg: {"barcode_name": "IonXpress_001", "read_count": 12, "filtered": False}},
    )
    response = client.get(URL.format(result.pk), **admin_auth)
    assert response.status_code == 200
    body = response.json()
    assert body == build_barcodes_json(result)
    assert body["IonXpress_001"]["read_count"] == 12


def test_nonbarcoded_report(client, admin_auth):
    result = create_report()
    body = client.get(URL.format(result.pk), **admin_auth).json()
    assert list(body) == ["nonbarcoded"]


def test_unknown_report_is_404_and_anonymous_is_401(client, admin_auth):
    assert client.get(URL.format(999999), **admin_auth).status_code == 404
    response = client.get(URL.format(1))
    assert response.status_code == 401 and response.json() == {"error": "Authentication required."}


def test_post_is_405(client, admin_auth):
    result = create_report()
    response = client.post(URL.format(result.pk), **admin_auth)
    assert response.status_code == 405 and "GET" in response["Allow"]
