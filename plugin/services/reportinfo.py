"""Facts about a report (Results row) that the plugin launcher needs: folders, URLs, run type,
and the ReportContext that reads the report's rows once per launch."""
import json
import logging
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from django.conf import settings

from rundb.paths import check_name, safe_join

from .config import OUTPUT_FOLDER, net_location, selected_plugins

log = logging.getLogger(__name__)
DATASETS_FILE = "basecaller_results/datasets_basecaller.json"

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


def tmap_version():
    """Index version of the aligner's reference files (names reference folders and URLs)."""
    return getattr(settings, "ION_TMAP_VERSION", None) or "tmap-f3"


def analysis_settings_of(result):
    """The report's ExperimentAnalysisSettings: its own, else the run's newest, else None."""
    if result.eas_id:
        return result.eas
    if result.experiment_id:
        return result.experiment.eas_set.order_by("-id").first()
    return None


def _clean_reference(name):
    name = (name or "").strip()
    return "" if name.lower() == "none" else name


@dataclass
class ReportContext:
    """What a launch (or barcodes.json) reads about one report, read once: the rows behind it
    are fetched here and nowhere else, so one launch costs the same queries whatever the
    number of barcodes, run levels or blocks. Facts used by some launches only are
    cached_property: a launch that fails validation reads none of them."""

    result: object
    experiment: object = None
    eas: object = None
    plan: object = None
    report_dir: Path = None
    _references: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, result):
        exp = result.experiment if result.experiment_id else None
        return cls(
            result=result, experiment=exp, eas=analysis_settings_of(result),
            plan=exp.plan if exp is not None and exp.plan_id else None, report_dir=report_dir(result),
        )

    @property
    def reference_setting(self):
        """The reference as the report or its settings name it (may be "none")."""
        return (self.result.reference or (self.eas.reference if self.eas is not None else "") or "").strip()

    @property
    def reference(self):
        """Short name of the report's reference, "" for none."""
        return _clean_reference(self.reference_setting)

    @cached_property
    def global_config(self):
        from rundb.models import GlobalConfig

        return GlobalConfig.get()

    @cached_property
    def samples(self):
        """The run's samples by id."""
        return list(self.experiment.samples.order_by("id")) if self.experiment is not None else []

    @cached_property
    def report_type(self):
        return report_type(self.result)

    @cached_property
    def block_ids(self):
        return block_ids(self.result)

    @cached_property
    def url_root(self):
        return url_root(self.result)

    @cached_property
    def selected_plugins(self):
        return selected_plugins(self.eas, self.plan)

    @cached_property
    def barcoded_samples(self):
        """{sample name: {"barcodes": [...], "barcodeSampleInfo": {...}}} of the settings, else
        of the plan ({} when neither has a usable object)."""
        samples = (self.eas.barcodedSamples if self.eas is not None else None) or {}
        if not samples and self.plan is not None:
            samples = self.plan.barcodedSamples or {}
        if isinstance(samples, str):
            try:
                samples = json.loads(samples)
            except ValueError:
                samples = {}
        return samples if isinstance(samples, dict) else {}

    @cached_property
    def datasets(self):
        return load_datasets(self.report_dir)

    @cached_property
    def chip(self):
        from rundb.models import Chip

        chip_type = (self.experiment.chipType if self.experiment is not None else "") or ""
        return Chip.objects.filter(name=chip_type).first() if chip_type else None

    @cached_property
    def net_location(self):
        return net_location(self.global_config)

    def reference_row(self, short_name):
        """The ReferenceGenome row of a short name (enabled with the current index version
        first, then enabled, then any), or None. Every name the report's settings mention is
        fetched in the first call's one query."""
        if not short_name:
            return None
        if not isinstance(short_name, str):
            short_name = str(short_name)
        if short_name not in self._references:
            self._load_references({short_name})
        return self._references[short_name]

    def _load_references(self, extra):
        from rundb.models import ReferenceGenome

        names = set(extra) | {self.reference}
        for info in self.barcoded_samples.values():
            per_barcode = (info.get("barcodeSampleInfo") or {}) if isinstance(info, dict) else {}
            for bc_info in per_barcode.values() if isinstance(per_barcode, dict) else ():
                if isinstance(bc_info, dict) and isinstance(bc_info.get("reference"), str):
                    names.add(bc_info["reference"])
        names = {n for n in names if n} - set(self._references)
        rows = {}
        for row in ReferenceGenome.objects.filter(short_name__in=names).order_by("short_name", "pk"):
            rows.setdefault(row.short_name, []).append(row)
        version = tmap_version()
        for name in names:
            candidates = rows.get(name, [])
            self._references[name] = (
                next((r for r in candidates if r.enabled and r.index_version == version), None)
                or next((r for r in candidates if r.enabled), None)
                or (candidates[0] if candidates else None)
            )


def load_datasets(folder):
    """The parsed basecaller_results/datasets_basecaller.json under a report folder, or None."""
    path = Path(folder) / DATASETS_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read %s: %s", path, exc)
        return None
    if not isinstance(data, dict):
        return None
    version = (data.get("meta") or {}).get("format_version")
    if version not in (None, "1.0"):
        log.warning("%s has format_version %r; reading it as 1.0", path, version)
    return data
