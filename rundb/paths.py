"""Names that become file or folder names, and paths built from database values.

Report names, plugin names, reference short names, barcode names and the like end up as folder
or file names on disk. :func:`check_name` refuses what could leave the intended folder (path
separators, ``..``, NUL and other control characters); :func:`safe_join` builds a path under a
root and refuses any result outside it, whatever the database holds (rows written before these
checks, or by hand). Both raise subclasses of ValueError, which the API answers with 400.

Folders the server creates are 0755 (never group- or world-writable).
"""
import os
import re
from pathlib import Path

from django.core.exceptions import ValidationError

DIR_MODE = 0o755
MAX_NAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class UnsafeName(ValueError):
    """A name that cannot be used as one file or folder name."""


class UnsafePath(ValueError):
    """A computed path that would lie outside its root."""


def name_problem(name):
    """Why `name` cannot be a file/folder name, or None when it can."""
    if not isinstance(name, str):
        return "must be a string"
    if not name.strip():
        return "must not be empty"
    if "/" in name or "\\" in name:
        return "must not contain '/' or '\\'"
    if ".." in name:
        return "must not contain '..'"
    if _CONTROL.search(name):
        return "must not contain NUL or other control characters"
    if name in (".",):
        return "must not be '.'"
    if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME:
        return f"must be at most {MAX_NAME} bytes"
    return None


def path_problem(value):
    """Why `value` cannot be a stored absolute folder path (e.g. a run's expDir), or None."""
    if not isinstance(value, str):
        return "must be a string"
    if not os.path.isabs(value):
        return "must be an absolute path"
    if _CONTROL.search(value):
        return "must not contain NUL or other control characters"
    if ".." in value.split("/"):
        return "must not contain '..' components"
    return None


def check_name(name, what="name"):
    """Returns `name` when it is usable as one path component; raises UnsafeName otherwise."""
    problem = name_problem(name)
    if problem:
        raise UnsafeName(f"{what} {problem} (it becomes a file or folder name): {name!r}")
    return name


def validate_path_name(value):
    """Django field validator form of :func:`check_name` (blank values are the field's business)."""
    if value in (None, ""):
        return
    problem = name_problem(value)
    if problem:
        raise ValidationError(f"{problem} (it becomes a file or folder name).")


def safe_join(root, *parts):
    """`root` joined with `parts` (each may hold several components), guaranteed inside `root`.

    Lexical check (no symlink resolution: a configured root may itself be a link); ``..``,
    absolute parts and NUL bytes that would escape raise UnsafePath."""
    root_text = os.fspath(root)
    if not root_text or "\x00" in root_text:
        raise UnsafePath(f"bad root folder {root_text!r}")
    base = os.path.normpath(os.path.abspath(root_text))
    texts = [os.fspath(p) for p in parts]
    for text in texts:
        if "\x00" in text:
            raise UnsafePath(f"path part with a NUL byte under {base}")
        if os.path.isabs(text):
            raise UnsafePath(f"absolute path part {text!r} under {base}")
    target = os.path.normpath(os.path.join(base, *texts))
    if target != base and os.path.commonpath([base, target]) != base:
        raise UnsafePath(f"{os.path.join(root_text, *texts)!r} lies outside {base}")
    return Path(target)


def inside(root, path):
    """True when `path` (lexically normalised) is `root` or below it."""
    base = os.path.normpath(os.path.abspath(os.fspath(root)))
    target = os.path.normpath(os.path.abspath(os.fspath(path)))
    return target == base or os.path.commonpath([base, target]) == base


# (app label, model, field): names used as file or folder names. Checked before every save
# (see connect()), so the API answers 400 and nothing with such a name reaches the disk.
PATH_NAME_FIELDS = [
    ("rundb", "Results", "resultsName"),
    ("rundb", "Plugin", "name"),
    ("rundb", "ReferenceGenome", "short_name"),
    ("rundb", "DnaBarcode", "id_str"),
    ("rundb", "Experiment", "expName"),
]


# (app label, model, field): absolute folder paths the server reads from or writes to.
PATH_FIELDS = [
    ("rundb", "Experiment", "expDir"),
]


def _check_instance(sender, instance, **kwargs):
    for field, kind in _FIELDS.get(sender, ()):
        value = getattr(instance, field, None)
        if value in (None, ""):
            continue
        if kind == "name":
            problem = name_problem(value)
            if problem:
                raise ValidationError({field: [f"{field} {problem} (it becomes a file or folder name)."]})
        else:
            problem = path_problem(value)
            if problem:
                raise ValidationError({field: [f"{field} {problem}."]})


_FIELDS = {}


def connect():
    """Registers the pre_save checks (called from rundb.apps.RundbConfig.ready)."""
    from django.apps import apps
    from django.db.models.signals import pre_save

    wanted = [(row, "name") for row in PATH_NAME_FIELDS] + [(row, "path") for row in PATH_FIELDS]
    for (app_label, model_name, field), kind in wanted:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        if not any(f.name == field for f in model._meta.get_fields()):
            continue
        if (field, kind) not in _FIELDS.setdefault(model, []):
            _FIELDS[model].append((field, kind))
        pre_save.connect(_check_instance, sender=model, dispatch_uid=f"paths-{model_name}")
