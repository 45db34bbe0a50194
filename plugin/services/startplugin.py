"""startplugin.json: everything a plugin run needs to know, built from the database.

Sections (SDK manual, "startplugin.json"): runinfo (with the plugin dict), runplugin, expmeta,
plan, sampleinfo, pluginconfig (the effective configuration), globalconfig, datamanagement,
chefSummary, and `depends` when the plugin declares dependencies.
"""
import datetime
import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify

from .config import GLOBALCONFIG, api_url, plan_entry, plan_user_input
from .reportinfo import block_ids, report_dir, report_type, url_root

CHEF_FIELDS = (
    "chefReagentID", "chefSolutionsPart", "chefLotNumber", "chefChipExpiration1", "chefChipExpiration2",
    "chefChipType1", "chefChipType2", "chefKitType", "chefManufactureDate", "chefMessage", "chefPackageVer",
    "chefProgress", "chefReagentsExpiration", "chefReagentsLot", "chefReagentsPart", "chefSamplePos",
    "chefScriptVersion", "chefSolutionsExpiration", "chefSolutionsLot", "chefStatus", "chefTipRackBarcode",
    "chefExtraInfo_1", "chefExtraInfo_2", "chefLogPath", "chefLastUpdate", "chefInstrumentName",
)


def write_json_atomic(path, data):
    """Write JSON via a temp file + rename, so a running job never reads a half-written file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=_json_default)
            fh.write("\n")
        os.chmod(tmp, 0o600)  # startplugin.json holds the run's key: owner only
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _json_default(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _eas(result):
    if result.eas_id:
        return result.eas
    if result.experiment_id:
        return result.experiment.eas_set.order_by("-id").first()
    return None


def _plan(result):
    exp = result.experiment
    return exp.plan if exp is not None and exp.plan_id else None


def _iso(value):
    return value.isoformat() if value else ""


def tmap_version(result=None):
    return getattr(settings, "ION_TMAP_VERSION", None) or "tmap-f3"


def plugin_dict(plugin, result, *, results_dir="", pluginresult=None, hold_jid=None):
    """runinfo.plugin: the plugin row as the launcher sees it (global config, plan input,
    pluginsettings under both the plural and the singular key names)."""
    ps = plugin.pluginsettings or {}
    runtypes, runlevels = list(ps.get("runtypes") or []), list(ps.get("runlevels") or [])
    data = {
        "name": plugin.name,
        "path": plugin.path,
        "version": plugin.version,
        "id": plugin.pk,
        "pluginconfig": plugin.config or {},
        "userInput": plan_user_input(result, plugin.name),
        "features": list(ps.get("features") or []),
        "runtypes": runtypes,
        "runlevels": runlevels,
        "runtype": runtypes,
        "runlevel": runlevels,
        "depends": list(ps.get("depends") or []),
        "results_dir": str(results_dir),
        "pluginresult": pluginresult.pk if pluginresult is not None else None,
        "hold_jid": list(hold_jid or []),
    }
    entry = plan_entry(result, plugin.name)
    if entry is not None and entry.get("version"):
        data["planning_version"] = entry.get("version")
    return data


def _blockify(path, block_id):
    return f"{path}/block_{block_id}" if block_id else str(path)


def runinfo_section(*, result, plugin, pluginresult, results_dir, username, net_location, block_id="", hold_jid=None):
    from rundb.models import Chip

    root = report_dir(result)
    exp = result.experiment
    eas = _eas(result)
    gc = _global_config(result)
    sigproc = root / "sigproc_results"
    basecaller = root / "basecaller_results"
    chip_type = (exp.chipType if exp else "") or ""
    chip = Chip.objects.filter(name=chip_type).first() if chip_type else None
    reference = (result.reference or (eas.reference if eas else "") or "").strip()
    platform = ((exp.platform if exp else "") or "").lower()
    return {
        "raw_data_dir": _blockify(exp.expDir if exp else "", block_id),
        "report_root_dir": str(root),
        "analysis_dir": str(root),
        "sigproc_dir": _blockify(sigproc if sigproc.is_dir() else root, block_id),
        "basecaller_dir": _blockify(basecaller if basecaller.is_dir() else root, block_id),
        "alignment_dir": _blockify(root, block_id),
        "library_key": (eas.libraryKey if eas else "") or gc.default_library_key or "TCAG",
        "testfrag_key": (eas.tfKey if eas else "") or gc.default_test_fragment_key or "ATCG",
        "results_dir": str(results_dir),
        "net_location": net_location,
        "url_root": url_root(result),
        "api_url": api_url(net_location),
        "plugin_dir": plugin.path,
        "plugin_name": plugin.name,
        "plugin": plugin_dict(plugin, result, results_dir=results_dir, pluginresult=pluginresult, hold_jid=hold_jid),
        "pk": result.pk,
        "tmap_version": tmap_version(result),
        "library": reference or "none",
        "chipType": chip_type,
        "barcodeId": (eas.barcodeKitName if eas else "") or "",
        "platform": platform,
        "systemType": platform,
        "username": username,
        "chipDescription": chip.description if chip else "",
        "pluginresult": pluginresult.pk,
        "api_key": pluginresult.apikey,
    }


def runplugin_section(*, result, run_level, run_mode, block_id="", block_dirs=None):
    if block_dirs is None:
        block_dirs = [str(report_dir(result) / f"block_{b}") for b in block_ids(result)] or ["."]
    return {
        "run_type": report_type(result),
        "runlevel": run_level,
        "blockId": block_id or "",
        "block_dirs": list(block_dirs),
        "numBlocks": len(block_dirs),
        "run_mode": run_mode or "",
    }


def _analysis_date(result):
    params = report_dir(result) / "ion_params_00.json"
    try:
        return datetime.date.fromtimestamp(params.stat().st_mtime).isoformat()
    except OSError:
        return result.timeStamp.date().isoformat() if result.timeStamp else ""


def experiment_samples(exp):
    """The run's samples by id, read once per experiment instance (a launch builds several
    sections and files from them)."""
    if exp is None:
        return []
    cached = getattr(exp, "_ion_samples", None)
    if cached is None:
        cached = exp._ion_samples = list(exp.samples.order_by("id"))
    return cached


def _global_config(result):
    """GlobalConfig, read once per result instance for the same reason."""
    from rundb.models import GlobalConfig

    cached = getattr(result, "_ion_global_config", None)
    if cached is None:
        cached = result._ion_global_config = GlobalConfig.get()
    return cached


def _first_sample(exp):
    samples = experiment_samples(exp)
    return (samples[0].displayedName or samples[0].name or "") if samples else ""


def output_file_name_stem(result):
    exp = result.experiment
    plan = _plan(result)
    prefix = "Auto_" if result.resultsName.startswith("Auto_") else ""
    name = ((plan.planName if plan else "") or (exp.expName if exp else "") or result.resultsName)[:80]
    site = slugify(_global_config(result).site_name or "")[:30]
    return prefix + "_".join(p for p in (name, site, str(result.pk)) if p)


def expmeta_section(result):
    exp = result.experiment
    eas = _eas(result)
    log = (exp.log if exp else None) or {}
    chip_barcode = (exp.chipBarcode if exp else "") or (log.get("chip_efuse", "") if isinstance(log, dict) else "")
    return {
        "run_name": exp.expName if exp else "",
        "run_date": _iso(exp.date) if exp else "",
        "run_flows": exp.flows if exp else 0,
        "instrument": exp.pgmName if exp else "",
        "chiptype": exp.chipType if exp else "",
        "chipBarcode": chip_barcode or "",
        "notes": (exp.notes if exp else "") or "",
        "barcodeId": (eas.barcodeKitName if eas else "") or "",
        "results_name": result.resultsName,
        "flowOrder": (exp.flowsInOrder if exp else "") or "",
        "project": ",".join(result.projects.order_by("name").values_list("name", flat=True)),
        "runid": result.runid or "",
        "sample": _first_sample(exp),
        "output_file_name_stem": output_file_name_stem(result),
        "analysis_date": _analysis_date(result),
    }


def plan_section(result):
    from rundb.models import RunType

    plan = _plan(result)
    eas = _eas(result)
    exp = result.experiment
    if plan is None and eas is None:
        return {}
    run_type = (plan.runType if plan else "") or ""
    rt = RunType.objects.filter(runType=run_type).first() if run_type else None
    sample_set = plan.sampleSets.order_by("id").first() if plan else None

    def p(attr, default=""):
        return getattr(plan, attr, default) if plan is not None else default

    def e(attr, fallback_attr=None):
        value = getattr(eas, attr, None) if eas is not None else None
        if value in (None, "") and fallback_attr and plan is not None:
            value = getattr(plan, fallback_attr, None)
        return value if value is not None else ""

    return {
        "barcodeId": e("barcodeKitName", "barcodeId"),
        "endBarcodeKitName": "",
        "barcodedSamples": (eas.barcodedSamples if eas is not None else None) or p("barcodedSamples", None) or {},
        "bedfile": e("targetRegionBedFile", "bedfile"),
        "regionfile": e("hotSpotRegionBedFile", "regionfile"),
        "librarykitname": e("libraryKitName", "librarykitname"),
        "threePrimeAdapter": e("threePrimeAdapter", "forward3primeadapter"),
        "sseBedFile": e("sseBedFile", "sseBedFile"),
        "controlSequencekitname": p("controlSequencekitname", None),
        "planName": p("planName", "") or "",
        "reverse_primer": p("reverse_primer", None),
        "runMode": p("runMode", "") or "",
        "runType": run_type,
        "applicationGroup_id": (plan.applicationGroup_id if plan is not None else None) or 1,
        "runTypeDescription": rt.description if rt else "",
        "samplePrepKitName": p("samplePrepKitName", None),
        "templatingKitName": p("templatingKitName", None),
        "username": p("username", None) or "",
        "sampleGrouping": plan.sampleGrouping.displayedName if plan is not None and plan.sampleGrouping_id else None,
        "sampleTubeLabel": p("sampleTubeLabel", None),
        "sampleSet_name": sample_set.displayedName if sample_set else None,
        "sampleSet_planIndex": 0,
        "sampleSet_planTotal": 0,
        "sampleSet_uid": None,
        "sequencekitname": ((exp.sequencekitname if exp else None) or p("sequencekitname", None) or ""),
    }


def sampleinfo_section(result):
    exp = result.experiment
    if exp is None:
        return {}
    info = {}
    for sample in experiment_samples(exp):
        shown = sample.displayedName or sample.name or ""
        info[shown] = {
            "name": sample.name or "",
            "displayedName": shown,
            "externalId": sample.externalId or "",
            "description": sample.description,
            "attributes": {},
        }
    return info


def datamanagement_section(result):
    """True while the files are still on disk (no data management/archiving here)."""
    exp = result.experiment
    raw = Path(exp.expDir) if exp is not None and exp.expDir else None
    raw_ok = bool(raw and raw.is_dir())
    out_ok = report_dir(result).is_dir()
    return {
        "Signal Processing Input": raw_ok,
        "Basecalling Input": raw_ok or (report_dir(result) / "sigproc_results").is_dir(),
        "Output Files": out_ok,
        "Intermediate Files": out_ok,
    }


def chef_section(result):
    exp = result.experiment
    if exp is None or not exp.chefInstrumentName:
        return {}
    return {f: (_iso(getattr(exp, f)) if f == "chefLastUpdate" else getattr(exp, f)) for f in CHEF_FIELDS}


def build_startplugin(
    *,
    result,
    plugin,
    pluginresult,
    results_dir,
    run_level,
    run_mode,
    pluginconfig,
    username,
    net_location,
    block_id="",
    block_dirs=None,
    depends=None,
    hold_jid=None,
):
    """The startplugin.json dict of one job."""
    data = {
        "runinfo": runinfo_section(
            result=result, plugin=plugin, pluginresult=pluginresult, results_dir=results_dir,
            username=username, net_location=net_location, block_id=block_id, hold_jid=hold_jid,
        ),
        "runplugin": runplugin_section(
            result=result, run_level=run_level, run_mode=run_mode, block_id=block_id, block_dirs=block_dirs,
        ),
        "expmeta": expmeta_section(result),
        "plan": plan_section(result),
        "sampleinfo": sampleinfo_section(result),
        "pluginconfig": pluginconfig if pluginconfig is not None else {},
        "globalconfig": dict(GLOBALCONFIG),
        "datamanagement": datamanagement_section(result),
        "chefSummary": chef_section(result),
    }
    if (plugin.pluginsettings or {}).get("depends"):
        data["depends"] = dict(depends or {})
    return data
