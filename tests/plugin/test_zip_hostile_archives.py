"""Hostile or malformed plugin archives are refused with a clear PluginArchiveError, and
nothing is written outside the scratch folder (nor left inside it)."""
import stat
import struct
import warnings
import zipfile

import pytest

from plugin.archive import PluginArchiveError, validate_and_extract

PY = "from ion.plugin import *\nclass Foo(IonPlugin):\n    version = '1.0.0.0'\n"
LIMITS = {"max_total_bytes": 2 * 1024 * 1024, "max_files": 50, "max_ratio": 100}


def _zip(path, entries, method=zipfile.ZIP_DEFLATED):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names warn
        with zipfile.ZipFile(path, "w", method) as zf:
            for name, data in entries:
                zf.writestr(name, data)


def _patch_central(path, entry_name, *, flags_or=0, file_size=None):
    """Rewrite fields of one central-directory record (and the local header flags)."""
    data = bytearray(path.read_bytes())
    target = entry_name.encode()
    pos = 0
    while True:
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0, "central record not found"
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + name_len]) == target:
            break
        pos += 4
    if flags_or:
        struct.pack_into("<H", data, pos + 8, struct.unpack_from("<H", data, pos + 8)[0] | flags_or)
        local = struct.unpack_from("<I", data, pos + 42)[0]
        struct.pack_into("<H", data, local + 6, struct.unpack_from("<H", data, local + 6)[0] | flags_or)
    if file_size is not None:
        struct.pack_into("<I", data, pos + 24, file_size)
    path.write_bytes(bytes(data))


def _symlink_entry():
    info = zipfile.ZipInfo("Foo/link")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def _fifo_entry():
    info = zipfile.ZipInfo("Foo/pipe")
    info.create_system = 3
    info.external_attr = (stat.S_IFIFO | 0o644) << 16
    return info


def build_traversal(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Foo/../../evil.txt", "pwned")])


def build_traversal_top(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("../evil.txt", "pwned")])


def build_absolute(path, ws):
    _zip(path, [("Foo/Foo.py", PY), (str(ws / "plugins" / "evil.txt"), "pwned")])


def build_drive_letter(path, ws):
    _zip(path, [("C:/Foo/Foo.py", PY)])


def build_backslash(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Foo\\..\\..\\evil.txt", "pwned")])


def build_symlink(path, ws):
    _zip(path, [("Foo/Foo.py", PY), (_symlink_entry(), "/etc/passwd")])


def build_fifo(path, ws):
    _zip(path, [("Foo/Foo.py", PY), (_fifo_entry(), "")])


def build_two_folders(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Bar/Bar.py", PY)])


def build_top_level_file(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("README.txt", "hello")])


def build_no_script(path, ws):
    _zip(path, [("Foo/other.py", PY), ("Foo/about.html", "<html/>")])


def build_case_mismatch(path, ws):
    _zip(path, [("foo/Foo.py", PY)])


def build_non_identifier_python_name(path, ws):
    _zip(path, [("Foo-x/Foo-x.py", PY)])


def build_reserved_name(path, ws):
    _zip(path, [("scratch/launch.sh", "VERSION=1")])


def build_hidden_name(path, ws):
    _zip(path, [(".Foo/launch.sh", "VERSION=1")])


def build_bomb_declared(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Foo/zeros.bin", b"\0" * (3 * 1024 * 1024))])


def build_bomb_ratio(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Foo/zeros.bin", b"\0" * (1536 * 1024))])


def build_bomb_overall_ratio(path, ws):
    _zip(path, [("Foo/Foo.py", PY)] + [(f"Foo/z{i}.bin", b"\0" * (200 * 1024)) for i in range(8)])


def build_lying_header(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Foo/zeros.bin", b"\0" * (1024 * 1024))])
    _patch_central(path, "Foo/zeros.bin", file_size=1000)


def build_too_many_files(path, ws):
    _zip(path, [("Foo/Foo.py", PY)] + [(f"Foo/f{i}.txt", "x") for i in range(60)])


def build_not_a_zip(path, ws):
    path.write_text("this is not a zip archive\n" * 10)


def build_truncated_zip(path, ws):
    _zip(path, [("Foo/Foo.py", PY * 50)])
    path.write_bytes(path.read_bytes()[:-30])


def build_empty_zip(path, ws):
    _zip(path, [])


def build_empty_file(path, ws):
    path.write_bytes(b"")


def build_only_macosx(path, ws):
    _zip(path, [("__MACOSX/._x", "junk")])


def build_duplicates(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Foo/Foo.py", "print('second')")])


def build_file_and_folder(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Foo/lib", "file"), ("Foo/lib/x.py", "folder")])


def build_encrypted(path, ws):
    _zip(path, [("Foo/Foo.py", PY)], method=zipfile.ZIP_STORED)
    _patch_central(path, "Foo/Foo.py", flags_or=0x1)


def build_corrupt_data(path, ws):
    _zip(path, [("Foo/Foo.py", PY)], method=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.find(b"class Foo")
    data[at:at + 5] = b"CLASS"  # CRC no longer matches
    path.write_bytes(bytes(data))


def build_control_chars(path, ws):
    _zip(path, [("Foo/Foo.py", PY), ("Foo/bad\nname.txt", "x")])


def build_dot_component(path, ws):
    _zip(path, [("Foo/./Foo.py", PY)])


HOSTILE = [
    (build_traversal, "contains '..'"),
    (build_traversal_top, "contains '..'"),
    (build_absolute, "absolute path"),
    (build_drive_letter, "drive letter"),
    (build_backslash, "backslashes"),
    (build_symlink, "symbolic link"),
    (build_fifo, "not a regular file"),
    (build_two_folders, "exactly one top-level folder"),
    (build_top_level_file, "is at the top level"),
    (build_no_script, "Neither Foo/Foo.py nor Foo/launch.sh"),
    (build_case_mismatch, "Neither foo/foo.py nor foo/launch.sh"),
    (build_non_identifier_python_name, "valid Python class name"),
    (build_reserved_name, "is reserved"),
    (build_hidden_name, "is invalid"),
    (build_bomb_declared, "more than 2097152 bytes"),
    (build_bomb_ratio, "compression ratio above 100"),
    (build_bomb_overall_ratio, "overall compression ratio"),
    (build_lying_header, "Cannot unpack"),
    (build_too_many_files, "at most 50"),
    (build_not_a_zip, "not a valid zip archive"),
    (build_truncated_zip, "not a valid zip archive"),
    (build_empty_zip, "The archive is empty"),
    (build_empty_file, "is empty"),
    (build_only_macosx, "holds no plugin folder"),
    (build_duplicates, "appears more than once"),
    (build_file_and_folder, "both a file and a folder"),
    (build_encrypted, "is encrypted"),
    (build_corrupt_data, "Cannot unpack"),
    (build_control_chars, "control characters"),
    (build_dot_component, "'.' path component"),
]


@pytest.mark.parametrize("build, message", HOSTILE, ids=[b.__name__[6:] for b, _ in HOSTILE])
def test_hostile_archive_is_refused(build, message, workspace, helpers):
    upload = workspace / "scratch" / "upload.zip"
    build(upload, workspace)
    before = helpers.snapshot(workspace, exclude=("scratch",))
    with pytest.raises(PluginArchiveError) as excinfo:
        validate_and_extract(upload, workspace / "scratch", **LIMITS)
    assert message in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)
    assert helpers.snapshot(workspace, exclude=("scratch",)) == before
    assert [p.name for p in (workspace / "scratch").iterdir()] == ["upload.zip"]
    assert not (workspace / "evil.txt").exists() and not (workspace / "plugins" / "evil.txt").exists()


def test_missing_upload_is_refused(workspace):
    with pytest.raises(PluginArchiveError, match="does not exist"):
        validate_and_extract(workspace / "scratch" / "nope.zip", workspace / "scratch")


def test_lying_header_never_writes_more_than_declared(workspace, monkeypatch):
    """Even while streaming, at most the declared size of an entry reaches the disk."""
    import plugin.archive as archive

    upload = workspace / "scratch" / "upload.zip"
    build_lying_header(upload, workspace)
    sizes = []
    real_rmtree = archive.shutil.rmtree

    def spy_rmtree(path, *args, **kwargs):
        for p in path.rglob("*"):
            if p.is_file():
                sizes.append(p.stat().st_size)
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(archive.shutil, "rmtree", spy_rmtree)
    with pytest.raises(PluginArchiveError):
        validate_and_extract(upload, workspace / "scratch", **LIMITS)
    assert sizes and max(sizes) <= 1000
