"""Validate an uploaded plugin zip and unpack it safely into a scratch folder.

Every entry is checked against the central directory before anything is written; the data
is then streamed out with byte counting, because header sizes can lie. Files are created
with O_EXCL|O_NOFOLLOW under a fresh temporary folder inside `scratch_dir`, so nothing is
ever written outside it.
"""
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from rundb.errors import ReasonError

DEFAULT_MAX_TOTAL_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_FILES = 20000
DEFAULT_MAX_RATIO = 200
# Small entries compress extremely well (a 1 KiB run of spaces); the ratio limit only
# applies once an entry or the whole archive is larger than this.
RATIO_MIN_BYTES = 1024 * 1024
CHUNK = 64 * 1024

RESERVED_NAMES = frozenset({"scratch", "implementations", "archive"})
# Folder names: letters, digits, '_', '.', '-'; not starting with '.' or '-'.
NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
DRIVE_RE = re.compile(r"^[A-Za-z]:")
IGNORED_TOP = "__MACOSX"
IGNORED_FILES = frozenset({".DS_Store"})


class PluginArchiveError(ReasonError, ValueError):
    """The uploaded file is not an acceptable plugin archive; str(exc) says why."""


@dataclass(frozen=True)
class ExtractedPlugin:
    name: str
    folder_path: Path
    script: str  # "<name>.py" or "launch.sh" (the .py file wins when both exist)
    temp_root: Path  # the temporary folder holding folder_path; remove with cleanup()

    def cleanup(self):
        shutil.rmtree(self.temp_root, ignore_errors=True)


def _check_entry_name(name):
    """Reject names that could escape the destination or are ambiguous across systems."""
    if not name:
        raise PluginArchiveError("Archive entry with an empty name")
    if "\x00" in name or any(ord(ch) < 32 for ch in name):
        raise PluginArchiveError(f"Archive entry {name!r} has control characters in its name")
    if "\\" in name:
        raise PluginArchiveError(f"Archive entry {name!r} uses backslashes; only '/' is allowed")
    if DRIVE_RE.match(name):
        raise PluginArchiveError(f"Archive entry {name!r} has a drive letter")
    if name.startswith("/"):
        raise PluginArchiveError(f"Archive entry {name!r} is an absolute path")
    parts = name.rstrip("/").split("/")
    for part in parts:
        if part == "..":
            raise PluginArchiveError(f"Archive entry {name!r} contains '..'")
        if part in ("", "."):
            raise PluginArchiveError(f"Archive entry {name!r} has an empty or '.' path component")
        if len(part.encode("utf-8", "surrogateescape")) > 255:
            raise PluginArchiveError(f"Archive entry {name!r} has a path component longer than 255 bytes")
    return parts


def _entry_mode(info):
    return (info.external_attr >> 16) & 0xFFFF


def _check_entry_type(info):
    mode = _entry_mode(info)
    if info.flag_bits & 0x1:
        raise PluginArchiveError(f"Archive entry {info.filename!r} is encrypted")
    if mode and stat.S_ISLNK(mode):
        raise PluginArchiveError(f"Archive entry {info.filename!r} is a symbolic link")
    if mode and stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise PluginArchiveError(f"Archive entry {info.filename!r} is not a regular file or folder")


def _plan(zf, max_total_bytes, max_files, max_ratio):
    """Check the central directory; return (name, [(info, parts)], file set)."""
    infos = zf.infolist()
    if not infos:
        raise PluginArchiveError("The archive is empty")
    if len(infos) > max_files:
        raise PluginArchiveError(f"The archive has {len(infos)} entries; at most {max_files} are allowed")
    seen = set()
    files = set()
    dirs = set()
    entries = []
    declared_total = 0
    top_level = set()
    for info in infos:
        parts = _check_entry_name(info.filename)
        if parts[0] == IGNORED_TOP or parts[-1] in IGNORED_FILES:
            continue
        _check_entry_type(info)
        key = "/".join(parts)
        if key in seen:
            raise PluginArchiveError(f"Archive entry {key!r} appears more than once")
        seen.add(key)
        is_dir = info.is_dir()
        if len(parts) == 1 and not is_dir:
            raise PluginArchiveError(
                f"File {key!r} is at the top level; everything must be inside one folder named after the plugin"
            )
        top_level.add(parts[0])
        if is_dir:
            dirs.add(key)
        else:
            files.add(key)
            declared_total += info.file_size
            if declared_total > max_total_bytes:
                raise PluginArchiveError(
                    f"The archive unpacks to more than {max_total_bytes} bytes (declared sizes)"
                )
            if info.file_size > RATIO_MIN_BYTES and info.file_size > max_ratio * max(info.compress_size, 1):
                raise PluginArchiveError(
                    f"Archive entry {key!r} has a compression ratio above {max_ratio} (zip bomb?)"
                )
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
        entries.append((info, parts))
    if not entries:
        raise PluginArchiveError("The archive holds no plugin folder")
    compressed_total = sum(info.compress_size for info, _ in entries if not info.is_dir())
    if declared_total > RATIO_MIN_BYTES and declared_total > max_ratio * max(compressed_total, 1):
        raise PluginArchiveError(f"The archive has an overall compression ratio above {max_ratio} (zip bomb?)")
    clash = files & dirs
    if clash:
        raise PluginArchiveError(f"Archive entry {sorted(clash)[0]!r} is both a file and a folder")
    if len(top_level) != 1:
        raise PluginArchiveError(
            "The archive must contain exactly one top-level folder named after the plugin; found "
            + ", ".join(sorted(top_level))
        )
    name = top_level.pop()
    if not NAME_RE.match(name):
        raise PluginArchiveError(
            f"Plugin folder name {name!r} is invalid: use letters, digits, '_', '.' or '-'"
        )
    if name in RESERVED_NAMES:
        raise PluginArchiveError(f"Plugin folder name {name!r} is reserved")
    return name, entries, files


def _script_for(name, files):
    if f"{name}/{name}.py" in files:
        if not name.isidentifier():
            raise PluginArchiveError(
                f"Plugin name {name!r} must be a valid Python class name for {name}.py"
            )
        return f"{name}.py"
    if f"{name}/launch.sh" in files:
        return "launch.sh"
    raise PluginArchiveError(
        f"Neither {name}/{name}.py nor {name}/launch.sh is in the archive "
        "(names are case-sensitive and must match the folder name)"
    )


def _file_mode(info):
    mode = _entry_mode(info) & 0o777
    if not mode:
        return 0o755
    # owner always reads/writes; group/other never write; no setuid/setgid/sticky
    return (mode | 0o600) & 0o755


def _inside(root, path):
    return os.path.commonpath([root, path]) == root


def _extract(zf, entries, dest, max_total_bytes, max_ratio):
    root = os.path.realpath(dest)
    written_total = 0
    compressed_total = 0
    for info, parts in entries:
        target = os.path.join(root, *parts)
        if info.is_dir():
            os.makedirs(target, mode=0o755, exist_ok=True)
            continue
        parent = os.path.dirname(target)
        os.makedirs(parent, mode=0o755, exist_ok=True)
        if not _inside(root, os.path.realpath(parent)):
            raise PluginArchiveError(f"Archive entry {info.filename!r} would be written outside the plugin folder")
        compressed_total += info.compress_size
        written = 0
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, _file_mode(info))
        with os.fdopen(fd, "wb") as out, zf.open(info) as src:
            while True:
                chunk = src.read(CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                written_total += len(chunk)
                if written > info.file_size:
                    raise PluginArchiveError(f"Archive entry {info.filename!r} is larger than its declared size")
                if written_total > max_total_bytes:
                    raise PluginArchiveError(f"The archive unpacks to more than {max_total_bytes} bytes")
                if written > RATIO_MIN_BYTES and written > max_ratio * max(info.compress_size, 1):
                    raise PluginArchiveError(
                        f"Archive entry {info.filename!r} has a compression ratio above {max_ratio} (zip bomb?)"
                    )
                out.write(chunk)
        os.chmod(target, _file_mode(info))  # the umask may have narrowed os.open's mode
    if written_total > RATIO_MIN_BYTES and written_total > max_ratio * max(compressed_total, 1):
        raise PluginArchiveError(f"The archive has an overall compression ratio above {max_ratio} (zip bomb?)")


def validate_and_extract(
    zip_path,
    scratch_dir,
    *,
    max_total_bytes=DEFAULT_MAX_TOTAL_BYTES,
    max_files=DEFAULT_MAX_FILES,
    max_ratio=DEFAULT_MAX_RATIO,
):
    """Validate `zip_path` and unpack it into a new temporary folder inside `scratch_dir`.

    Returns an ExtractedPlugin; the caller moves `folder_path` into place and then calls
    `cleanup()`. Raises PluginArchiveError (a ValueError) with a readable message and leaves
    nothing behind in `scratch_dir` when the archive is refused.
    """
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        raise PluginArchiveError(f"Uploaded file {zip_path.name!r} does not exist")
    if zip_path.stat().st_size == 0:
        raise PluginArchiveError(f"Uploaded file {zip_path.name!r} is empty")
    scratch_dir = Path(scratch_dir)
    scratch_dir.mkdir(parents=True, exist_ok=True)
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise PluginArchiveError(f"{zip_path.name!r} is not a valid zip archive: {exc}") from None
    with zf:
        name, entries, files = _plan(zf, max_total_bytes, max_files, max_ratio)
        script = _script_for(name, files)
        temp_root = Path(tempfile.mkdtemp(prefix=".unzip-", dir=scratch_dir))
        try:
            _extract(zf, entries, temp_root, max_total_bytes, max_ratio)
        except PluginArchiveError:
            shutil.rmtree(temp_root, ignore_errors=True)
            raise
        except Exception as exc:  # corrupt data (bad CRC, zlib/lzma errors), unknown method, OS errors
            shutil.rmtree(temp_root, ignore_errors=True)
            raise PluginArchiveError(f"Cannot unpack {zip_path.name!r}: corrupt or inconsistent archive ({exc})") from None
        except BaseException:
            shutil.rmtree(temp_root, ignore_errors=True)
            raise
    folder = temp_root / name
    folder.mkdir(exist_ok=True)
    os.chmod(folder, 0o755)
    return ExtractedPlugin(name=name, folder_path=folder, script=script, temp_root=temp_root)
