"""validate_and_extract on acceptable plugin archives."""
import stat
import zipfile

import pytest

from plugin.archive import ExtractedPlugin, validate_and_extract

PY = "from ion.plugin import *\nclass Foo(IonPlugin):\n    version = '1.0.0.0'\n"


def _info(name, mode):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def test_extracts_one_folder_with_modes(workspace, helpers):
    upload = helpers.make_zip(workspace / "scratch" / "Foo.zip", [
        ("Foo/", b""),
        ("Foo/Foo.py", PY),
        (_info("Foo/bin/tool.sh", stat.S_IFREG | 0o4775), "#!/bin/sh\necho hi\n"),
        (_info("Foo/pluginMedia/style.css", stat.S_IFREG | 0o666), "body{}"),
        ("__MACOSX/Foo/._Foo.py", b"junk"),
        ("Foo/.DS_Store", b"junk"),
    ])
    result = validate_and_extract(upload, workspace / "scratch")
    assert isinstance(result, ExtractedPlugin)
    assert result.name == "Foo" and result.script == "Foo.py"
    assert result.folder_path == result.temp_root / "Foo"
    assert result.temp_root.parent == workspace / "scratch"
    assert (result.folder_path / "Foo.py").read_text() == PY
    assert stat.S_IMODE((result.folder_path / "bin/tool.sh").stat().st_mode) == 0o755  # no setuid
    assert stat.S_IMODE((result.folder_path / "pluginMedia/style.css").stat().st_mode) == 0o644  # no o+w
    assert not (result.folder_path / ".DS_Store").exists()
    assert not (result.temp_root / "__MACOSX").exists()
    result.cleanup()
    assert sorted(p.name for p in (workspace / "scratch").iterdir()) == ["Foo.zip"]


def test_implicit_folders_and_launch_sh(workspace, helpers):
    upload = helpers.make_zip(workspace / "scratch" / "up.zip", [
        ("Legacy_1/launch.sh", 'VERSION="1.0.0.0"\n'),
        ("Legacy_1/lib/deep/x.txt", "x"),
    ])
    result = validate_and_extract(upload, workspace / "scratch")
    assert result.name == "Legacy_1" and result.script == "launch.sh"
    assert (result.folder_path / "lib/deep/x.txt").read_text() == "x"
    result.cleanup()


def test_python_script_preferred_when_both_present(workspace, helpers):
    upload = helpers.make_zip(workspace / "scratch" / "up.zip", [("Foo/Foo.py", PY), ("Foo/launch.sh", "")])
    result = validate_and_extract(upload, workspace / "scratch")
    assert result.script == "Foo.py"
    result.cleanup()


def test_scratch_folder_is_created(tmp_path, helpers):
    upload = helpers.make_zip(tmp_path / "up.zip", [("Foo/Foo.py", PY)])
    result = validate_and_extract(upload, tmp_path / "new" / "scratch")
    assert result.folder_path.is_dir()
    result.cleanup()


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_other_compression_methods(workspace, method):
    upload = workspace / "scratch" / "up.zip"
    with zipfile.ZipFile(upload, "w", method) as zf:
        zf.writestr("Foo/Foo.py", PY)
    result = validate_and_extract(upload, workspace / "scratch")
    assert (result.folder_path / "Foo.py").read_text() == PY
    result.cleanup()
