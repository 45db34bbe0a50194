"""python manage.py install_plugin / rescan_plugins."""
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from launch_support import plugin_py, zips  # noqa: F401
from rundb.models import Plugin

pytestmark = pytest.mark.django_db


def test_install_plugin_command(zips):
    out = io.StringIO()
    call_command("install_plugin", str(zips("Foo")), stdout=out)
    assert "Installed Foo 1.0.0.0" in out.getvalue()
    assert Plugin.objects.get(name="Foo").active


def test_install_plugin_command_refusal_exits_non_zero(zips, tmp_path):
    call_command("install_plugin", str(zips("Foo", version="2.0.0.0")), stdout=io.StringIO())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("install_plugin", str(zips("Foo", version="1.0.0.0")), stdout=io.StringIO(), stderr=err)
    assert "downgrade" in err.getvalue()
    bogus = tmp_path / "bogus.zip"
    bogus.write_text("nope")
    with pytest.raises(CommandError):
        call_command("install_plugin", str(bogus), stdout=io.StringIO(), stderr=io.StringIO())


def test_rescan_plugins_command():
    folder = Path(settings.ION_PLUGIN_ROOT) / "Hand"
    folder.mkdir(parents=True)
    (folder / "Hand.py").write_text(plugin_py("Hand"))
    out = io.StringIO()
    call_command("rescan_plugins", stdout=out)
    assert "added: Hand 1.0.0.0" in out.getvalue()
