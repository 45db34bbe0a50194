"""User accounts in a fixture file never silently become logins with a known password."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from rundb.catalog import import_fixture_file

pytestmark = pytest.mark.django_db


def test_users_are_skipped_by_default(ts_fixtures_dir):
    out = io.StringIO()
    call_command("import_ts_fixtures", str(ts_fixtures_dir / "ionadmin_superuser.json"), stdout=out)
    assert not get_user_model().objects.filter(username="ionadmin").exists()
    assert "--include-users" in out.getvalue()


def test_include_users_creates_missing_accounts_and_says_so(ts_fixtures_dir, shared_fixture):
    report = import_fixture_file(ts_fixtures_dir / "ionadmin_superuser.json", include_users=True)
    user = get_user_model().objects.get(username="ionadmin")
    assert report.counts["auth.user"]["created"] == 1
    assert user.is_superuser and user.email == "ionadmin@iontorrent.com"
    assert user.password == shared_fixture("ionadmin_superuser.json")[0]["fields"]["password"]
    assert any("created superuser 'ionadmin'" in note and "change its password" in note for note in report.notes)


def test_existing_accounts_keep_password_and_privileges(ts_fixtures_dir):
    User = get_user_model()
    User.objects.create_user("ionadmin", password="kept-secret", email="old@example.org")
    report = import_fixture_file(ts_fixtures_dir / "ionadmin_superuser.json", include_users=True)
    user = User.objects.get(username="ionadmin")
    assert user.check_password("kept-secret")
    assert not user.is_superuser and not user.is_staff
    assert user.email == "ionadmin@iontorrent.com"
    assert report.counts["auth.user"]["updated"] == 1


def test_a_user_without_a_hashed_password_gets_an_unusable_one(write_fixture):
    path = write_fixture([{"model": "auth.user", "pk": 3, "fields": {"username": "tech", "password": "plain"}}])
    import_fixture_file(path, include_users=True)
    assert not get_user_model().objects.get(username="tech").has_usable_password()
