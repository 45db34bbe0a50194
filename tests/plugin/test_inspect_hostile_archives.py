"""Archives that unpack cleanly but whose plugin is wrong: refused by inspect_plugin, and the
whole upload -> unpack -> inspect path writes nothing outside the scratch folder."""
import pytest

from plugin.archive import validate_and_extract
from plugin.introspect import PluginInspectError, inspect_plugin


def _source(class_name="Foo", version="1.0.0.0", header="", footer=None):
    footer = "if __name__ == '__main__':\n    PluginCLI()\n" if footer is None else footer
    return (
        "import os, sys, time\nfrom ion.plugin import *\n" + header + "\n"
        f"class {class_name}(IonPlugin):\n    'Doc.'\n    version = {version!r}\n"
        "    def launch(self, data=None):\n        return True\n" + footer
    )


CASES = [
    ("name_class_mismatch", _source(class_name="Bar"), "class name 'Bar' does not match the folder name 'Foo'"),
    ("lowercase_class", _source(class_name="foo"), "class name 'foo' does not match"),
    ("spaced_version", _source(version="1.0 beta"), "version '1.0 beta' is invalid"),
    ("slash_version", _source(version="1/2"), "version '1/2' is invalid"),
    ("garbage_output", _source(footer="print('garbage')\n"), "did not print a JSON object"),
    ("hangs", _source(header="time.sleep(30)"), "did not finish within 1 s"),
    ("exits_at_import", _source(header="raise SystemExit(5)"), "exit status 5"),
]


def _inspect_upload(workspace, helpers, source):
    upload = helpers.make_zip(workspace / "scratch" / "upload.zip", [("Foo/Foo.py", source), ("Foo/about.html", "x")])
    extracted = validate_and_extract(upload, workspace / "scratch")
    try:
        return inspect_plugin(extracted.folder_path, timeout=1 if "sleep" in source else 30)
    finally:
        extracted.cleanup()


@pytest.mark.parametrize("source, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_plugin_in_a_valid_archive_is_refused(source, message, workspace, helpers):
    before = helpers.snapshot(workspace, exclude=("scratch",))
    with pytest.raises(PluginInspectError) as excinfo:
        _inspect_upload(workspace, helpers, source)
    assert message in str(excinfo.value)
    assert helpers.snapshot(workspace, exclude=("scratch",)) == before
    assert [p.name for p in (workspace / "scratch").iterdir()] == ["upload.zip"]


def test_good_archive_installs_metadata(workspace, helpers):
    before = helpers.snapshot(workspace, exclude=("scratch",))
    info = _inspect_upload(workspace, helpers, _source())
    assert info["name"] == "Foo" and info["version"] == "1.0.0.0" and info["hasAbout"] is True
    assert helpers.snapshot(workspace, exclude=("scratch",)) == before
