"""User accounts in a fixture file never silently become logins with a known password."""
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from rundb.catalog import import_fixture_file

pytestmark = pytest.mark.django_db

# A superuser as a Torrent Suite server dumps it (the hash is made up: no known password).
HASH = "pbkdf2_sha256$10000$c2FsdHNhbHQ$bm90LWEtcmVhbC1oYXNoLWp1c3QtYnl0ZXM="
SUPERUSER = [{"model": "auth.user", "pk": 1, "fields": {
    "username": "ionadmin", "first_name": "", "last_name": "", "is_active": True, "is_superuser": True,
    "is_staff": True, "last_login": "2012-12-07T22:32:08.224Z", "groups": [], "user_permissions": [],
    "password": HASH, "email": "ionadmin@lab.example", "date_joined": "2011-05-03T18:37:38Z"}}]


@pytest.fixture
def superuser_file(write_fixture):
    return write_fixture(SUPERUSER, name="ionadmin_superuser.json")


def test_users_are_skipped_by_default(superuser_file):
    out = io.StringIO()
    call_command("import_ts_fixtures", str(superuser_file), stdout=out)
    assert not get_user_model().objects.filter(username="ionadmin").exists()
    assert "--include-users" in out.getvalue()


def test_include_users_creates_missing_accounts_and_says_so(superuser_file):
    report = import_fixture_file(superuser_file, include_users=True)
    user = get_user_model().objects.get(username="ionadmin")
    assert report.counts["auth.user"]["created"] == 1
    assert user.is_superuser and user.email == "ionadmin@lab.example"
    assert user.password == HASH
    assert any("created superuser 'ionadmin'" in note and "change its password" in note for note in report.notes)


def test_existing_accounts_keep_password_and_privileges(superuser_file):
    User = get_user_model()
    User.objects.create_user("ionadmin", password="kept-secret", email="old@example.org")
    report = import_fixture_file(superuser_file, include_users=True)
    user = User.objects.get(username="ionadmin")
    assert user.check_password("kept-secret")
    assert not user.is_superuser and not user.is_staff
    assert user.email == "ionadmin@lab.example"
    assert report.counts["auth.user"]["updated"] == 1


def test_a_user_without_a_hashed_password_gets_an_unusable_one(write_fixture):
    path = write_fixture([{"model": "auth.user", "pk": 3, "fields": {"username": "tech", "password": "plain"}}])
    import_fixture_file(path, include_users=True)
    assert not get_user_model().objects.get(username="tech").has_usable_password()
