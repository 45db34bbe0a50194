"""``manage.py apikey <user>`` issues a working key (the previous one stops working)."""
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from . import factories

URL = "/rundb/api/v1/experiment/"


def run(*args):
    out = io.StringIO()
    call_command("apikey", *args, stdout=out)
    return out.getvalue()


def test_prints_a_usable_key(db):
    user, old_key = factories.user("ionadmin2")
    output = run("ionadmin2")
    assert "Authorization: ApiKey ionadmin2:" in output
    key = output.split("Authorization: ApiKey ionadmin2:")[1].split()[0]
    assert Client().get(URL, HTTP_AUTHORIZATION=f"ApiKey ionadmin2:{key}").status_code == 200
    assert Client().get(URL, HTTP_AUTHORIZATION=f"ApiKey ionadmin2:{old_key}").status_code == 401


def test_quiet_prints_only_the_key(db):
    factories.user("scripted")
    key = run("scripted", "--quiet").strip()
    assert len(key) == 40 and all(c in "0123456789abcdef" for c in key)
    assert Client().get(URL, {"username": "scripted", "api_key": key}).status_code == 200


def test_unknown_or_inactive_user_is_an_error(db):
    with pytest.raises(CommandError, match="No user named"):
        run("nobody")
    factories.user("sleepy", active=False)
    with pytest.raises(CommandError, match="inactive"):
        run("sleepy")


def test_help_says_keys_are_reissued(db):
    from rundb.management.commands.apikey import Command

    assert "hashed" in Command.help and "replaced" in Command.help


def test_every_new_user_gets_a_key(db):
    from django.contrib.auth import get_user_model
    from tastypie.models import ApiKey

    user = get_user_model().objects.create_user("fresh")
    assert ApiKey.objects.filter(user=user).exists()
    plain = user._new_api_key
    assert Client().get(URL, HTTP_AUTHORIZATION=f"ApiKey fresh:{plain}").status_code == 200
