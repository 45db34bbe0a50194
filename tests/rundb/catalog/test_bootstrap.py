"""manage.py bootstrap: superuser, API key, ionusers group and catalog; safe to repeat."""
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from rundb.api.keys import verify_key
from rundb.models import Chip, KitInfo, dnaBarcode

pytestmark = pytest.mark.django_db
KEY_LINE = re.compile(r"API key for (\S+): ([0-9a-f]{40})")


@pytest.fixture(autouse=True)
def _clean_settings(settings):
    settings.ION_ADMIN_USER = settings.ION_ADMIN_PASSWORD = settings.ION_TS_FIXTURES_DIR = ""


def bootstrap(*args):
    out = io.StringIO()
    call_command("bootstrap", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_first_run():
    out = bootstrap()
    admin = get_user_model().objects.get(username="ionadmin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("ionadmin")
    assert "Created superuser 'ionadmin' (password 'ionadmin'" in out
    user, key = KEY_LINE.search(out).groups()
    assert user == "ionadmin" and verify_key(admin, key)
    assert f"Authorization: ApiKey ionadmin:{key}" in out
    assert Group.objects.filter(name="ionusers").exists()

    xpress = dnaBarcode.objects.filter(name="IonXpress")
    assert sorted(xpress.values_list("id_str", flat=True)) == [f"IonXpress_{i:03d}" for i in range(1, 97)]
    assert Chip.objects.filter(name="530").exists() and KitInfo.objects.filter(name="Ion S5 Sequencing Kit").exists()
    assert "Catalog (project data): " in out and "now 5 barcode kit(s) / 256 barcodes" in out


def test_second_run_changes_nothing(settings, catalog_snapshot):
    first = bootstrap()
    key = KEY_LINE.search(first).group(2)
    before = catalog_snapshot()
    settings.ION_ADMIN_PASSWORD = "something-else"
    second = bootstrap()
    admin = get_user_model().objects.get(username="ionadmin")
    assert "already exists (password unchanged)" in second
    assert not KEY_LINE.search(second) and "manage.py apikey ionadmin" in second
    assert admin.check_password("ionadmin") and verify_key(admin, key)
    assert "0 row(s) created" in second
    assert catalog_snapshot() == before


def test_new_api_key_on_request():
    old = KEY_LINE.search(bootstrap()).group(2)
    new = KEY_LINE.search(bootstrap("--new-api-key")).group(2)
    admin = get_user_model().objects.get(username="ionadmin")
    assert new != old and verify_key(admin, new) and not verify_key(admin, old)


def test_admin_from_environment_does_not_echo_the_password(settings):
    settings.ION_ADMIN_USER, settings.ION_ADMIN_PASSWORD = "labadmin", "Correct-Horse-9"
    out = bootstrap("--no-catalog")
    admin = get_user_model().objects.get(username="labadmin")
    assert admin.is_superuser and admin.check_password("Correct-Horse-9")
    assert "Correct-Horse-9" not in out and "password from ION_ADMIN_PASSWORD" in out
    assert not get_user_model().objects.filter(username="ionadmin").exists()
    assert not dnaBarcode.objects.exists()


def test_options_override_environment(settings):
    settings.ION_ADMIN_USER = "labadmin"
    bootstrap("--admin-user", "boss", "--admin-password", "pw-from-option", "--no-catalog")
    assert get_user_model().objects.get(username="boss").check_password("pw-from-option")


def test_existing_non_superuser_is_not_promoted():
    get_user_model().objects.create_user("ionadmin", password="pw")
    out = bootstrap("--no-catalog")
    assert "not a superuser; left unchanged" in out
    assert not get_user_model().objects.get(username="ionadmin").is_superuser


def test_refuses_to_run_before_migrations(monkeypatch):
    monkeypatch.setattr("rundb.catalog.bootstrap.pending_migrations", lambda: [("rundb.0099_future", False)])
    with pytest.raises(CommandError, match="run 'python manage.py migrate' first"):
        bootstrap()
    assert not get_user_model().objects.exists()
