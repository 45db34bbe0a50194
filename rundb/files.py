"""Writing files that other processes read while they change.

A job, the crawler or a web request may read a file at any moment; a reader must see the
old content or the new, never half of either. Every such write in the project goes through
``atomic_write``: the content goes to a uniquely named file in the same folder (so the
rename never crosses file systems and two concurrent writers never share a temporary name),
which then replaces the target in one ``os.replace``. A running bash keeps reading the inode
it opened, so scripts can be rewritten this way too.

Plain Python with no Django import: job-side code (the basecaller, plugin launch scripts)
uses it as well.
"""
import json
import os
import tempfile
from pathlib import Path


def atomic_write(path, data, *, mode=0o644, encoding="utf-8"):
    """Replace ``path`` with ``data`` (str or bytes) in one step; the file gets ``mode``."""
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else bytes(data)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def atomic_write_json(path, obj, *, mode=0o644, **dump_args):
    """``atomic_write`` of ``json.dumps(obj, **dump_args)`` followed by a newline."""
    return atomic_write(path, json.dumps(obj, **dump_args) + "\n", mode=mode)
