"""Plugin zips sent to the server: staged into scratch/ (plugin/services/scratch.py removes
what an interrupted install leaves there) until the install takes them."""
import os
import tempfile
from pathlib import Path

from .config import scratch_dir


def stage_upload(upload):
    """Write an uploaded file (Django UploadedFile) to scratch/.upload-*.zip; its path."""
    scratch = scratch_dir()
    scratch.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".zip", dir=scratch)
    with os.fdopen(fd, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return Path(tmp)


def uploaded_file(name):
    """A file the UI uploaded into scratch/ earlier ({"file": "<name>"}); base name only.
    Raises ValueError."""
    if not isinstance(name, str) or not name or name != os.path.basename(name) or name.startswith("."):
        raise ValueError("'file' must be the plain name of an uploaded file")
    path = scratch_dir() / name
    if not path.is_file() or path.is_symlink():
        raise ValueError(f"No uploaded file named {name!r}")
    return path
