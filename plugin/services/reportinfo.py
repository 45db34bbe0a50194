"""Facts about a report (Results row) that the plugin launcher needs: folders, URLs, run type."""
from pathlib import Path

from django.conf import settings

from rundb.paths import check_name, safe_join

from .config import OUTPUT_FOLDER

WHOLECHIP, THUMBNAIL, COMPOSITE = "wholechip", "thumbnail", "composite"


def report_dir(result):
    return Path(result.report_dir)


def url_root(result):
    """Web path of the report folder, e.g. /output/Home/Auto_x_001 (no trailing slash); the
    same rule as the API's reportLink: Results.reportLink's folder when set."""
    link = result.reportLink or ""
    if link:
        return (link if link.endswith("/") else link.rsplit("/", 1)[0] + "/").rstrip("/")
    web = (result.reportstorage.webServerPath or settings.ION_REPORT_WEB_ROOT or "/output").rstrip("/")
    return f"{web}/{report_dir(result).name}"


def is_thumbnail(result):
    meta = result.metaData or {}
    return bool(meta.get("thumb")) or result.resultsName.endswith("_tn")


def report_type(result):
    """wholechip for single-image (PGM-style) runs, thumbnail, or composite (block) runs."""
    exp = result.experiment
    if exp is not None and (exp.rawdatastyle or "single") == "single":
        return WHOLECHIP
    if is_thumbnail(result):
        return THUMBNAIL
    return COMPOSITE


def block_ids(result):
    """Block ids (e.g. "X0_Y0") of a composite report: block_<id> folders that exist."""
    root = report_dir(result)
    if not root.is_dir():
        return []
    ids = []
    for entry in sorted(root.iterdir()):
        if entry.is_dir() and entry.name.startswith("block_") and "thumbnail" not in entry.name:
            ids.append(entry.name[len("block_"):])
    return ids


def plugin_out_dir(result):
    return report_dir(result) / OUTPUT_FOLDER


def pluginresult_dir(pluginresult, *, run_level="default", block_id=None):
    """Output folder of one job: <report>/plugin_out/<Name>_out.<pk>, `post/` under it for
    POST, and <report>/block_<id>/plugin_out/<Name>_out.<pk> for BLOCK."""
    root = report_dir(pluginresult.result)
    folder = check_name(f"{pluginresult.plugin.name}_out.{pluginresult.pk}", "plugin name")
    if run_level == "block":
        if not block_id:
            raise ValueError("a block-level job needs a block id")
        return safe_join(root, check_name(f"block_{block_id}", "block id"), OUTPUT_FOLDER, folder)
    base = safe_join(root, OUTPUT_FOLDER, folder)
    return base / "post" if run_level == "post" else base


def pluginresult_url(pluginresult):
    return f"{url_root(pluginresult.result)}/{OUTPUT_FOLDER}/{pluginresult.plugin.name}_out.{pluginresult.pk}/"
