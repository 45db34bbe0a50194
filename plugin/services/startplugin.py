"""startplugin.json: everything a plugin run needs to know, built from the database.

Sections (SDK manual, "startplugin.json"): runinfo (with the plugin dict), runplugin, expmeta,
plan, sampleinfo, pluginconfig (the effective configuration), globalconfig, datamanagement,
chefSummary, and `depends` when the plugin declares dependencies.
"""
import copy
import datetime
from pathlib import Path

from django.utils.text import slugify

from rundb.files import atomic_write_json

from .config import GLOBALCONFIG, api_url, plan_entry, plan_user_input
from .reportinfo import tmap_version

CHEF_FIELDS = (
    "chefReagentID", "chefSolutionsPart", "chefLotNumber", "chefChipExpiration1", "chefChipExpiration2",
    "chefChipType1", "chefChipType2", "chefKitType", "chefManufactureDate", "chefMessage", "chefPackageVer",
    "chefProgress", "chefReagentsExpiration", "chefReagentsLot", "chefReagentsPart", "chefSamplePos",
    "chefScriptVersion", "chefSolutionsExpiration", "chefSolutionsLot", "chefStatus", "chefTipRackBarcode",
    "chefExtraInfo_1", "chefExtraInfo_2", "chefLogPath", "chefLastUpdate", "chefInstrumentName",
)


def write_startplugin(path, data):
    """startplugin.json (and barcodes.json beside it), replaced in one step so a running job
    never reads half a file; owner only: startplugin.json holds the run's key."""
    atomic_write_json(path, data, mode=0o600, indent=2, default=_json_default)


def _json_default(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _iso(value):
    return value.isoformat() if value else ""


def plugin_dict(ctx, *, results_dir="", pluginresult=None, hold_jid=None):
    """runinfo.plugin: the plugin row as the launcher sees it (global config, plan input,
    pluginsettings under both the plural and the singular key names)."""
    plugin = ctx.plugin
    ps = plugin.pluginsettings or {}
    runtypes, runlevels = list(ps.get("runtypes") or []), list(ps.get("runlevels") or [])
    selected = ctx.report.selected_plugins
    data = {
        "name": plugin.name,
        "path": plugin.path,
        "version": plugin.version,
        "id": plugin.pk,
        "pluginconfig": plugin.config or {},
        "userInput": plan_user_input(selected, plugin.name),
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
    entry = plan_entry(selected, plugin.name)
    if entry is not None and entry.get("version"):
        data["planning_version"] = entry.get("version")
    return data


def _blockify(path, block_id):
    return f"{path}/block_{block_id}" if block_id else str(path)


def runinfo_section(ctx, *, pluginresult, results_dir, block_id="", hold_jid=None):
    report = ctx.report
    root, exp, eas, gc = report.report_dir, report.experiment, report.eas, report.global_config
    sigproc = root / "sigproc_results"
    basecaller = root / "basecaller_results"
    platform = ((exp.platform if exp else "") or "").lower()
    location = report.net_location
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
        "net_location": location,
        "url_root": report.url_root,
        "api_url": api_url(location),
        "plugin_dir": ctx.plugin.path,
        "plugin_name": ctx.plugin.name,
        "plugin": plugin_dict(ctx, results_dir=results_dir, pluginresult=pluginresult, hold_jid=hold_jid),
        "pk": report.result.pk,
        "tmap_version": tmap_version(),
        "library": report.reference_setting or "none",
        "chipType": (exp.chipType if exp else "") or "",
        "barcodeId": (eas.barcodeKitName if eas else "") or "",
        "platform": platform,
        "systemType": platform,
        "username": ctx.user.get_username(),
        "chipDescription": report.chip.description if report.chip else "",
        "pluginresult": pluginresult.pk,
        "api_key": getattr(pluginresult, "plain_apikey", None),  # set by regenerate_apikey(); the DB has a hash
    }


def runplugin_section(ctx, *, run_level, block_id=""):
    report = ctx.report
    block_dirs = [str(report.report_dir / f"block_{b}") for b in report.block_ids] or ["."]
    return {
        "run_type": report.report_type,
        "runlevel": run_level,
        "blockId": block_id or "",
        "block_dirs": block_dirs,
        "numBlocks": len(block_dirs),
        "run_mode": ctx.run_mode or "",
    }


def _analysis_date(report):
    params = report.report_dir / "ion_params_00.json"
    try:
        return datetime.date.fromtimestamp(params.stat().st_mtime).isoformat()
    except OSError:
        ts = report.result.timeStamp
        return ts.date().isoformat() if ts else ""


def _first_sample(report):
    samples = report.samples
    return (samples[0].displayedName or samples[0].name or "") if samples else ""


def output_file_name_stem(report):
    result, exp, plan = report.result, report.experiment, report.plan
    prefix = "Auto_" if result.resultsName.startswith("Auto_") else ""
    name = ((plan.planName if plan else "") or (exp.expName if exp else "") or result.resultsName)[:80]
    site = slugify(report.global_config.site_name or "")[:30]
    return prefix + "_".join(p for p in (name, site, str(result.pk)) if p)


def expmeta_section(report):
    result, exp, eas = report.result, report.experiment, report.eas
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
        "sample": _first_sample(report),
        "output_file_name_stem": output_file_name_stem(report),
        "analysis_date": _analysis_date(report),
    }


def _plan_kits(report):
    """The plan section's entries read from the settings (falling back to the plan)."""
    eas, plan = report.eas, report.plan

    def e(attr, fallback_attr):
        value = getattr(eas, attr, None) if eas is not None else None
        if value in (None, "") and plan is not None:
            value = getattr(plan, fallback_attr, None)
        return value if value is not None else ""

    return {
        "barcodeId": e("barcodeKitName", "barcodeId"),
        "endBarcodeKitName": "",
        "barcodedSamples": (eas.barcodedSamples if eas is not None else None)
        or (plan.barcodedSamples if plan is not None else None) or {},
        "bedfile": e("targetRegionBedFile", "bedfile"),
        "regionfile": e("hotSpotRegionBedFile", "regionfile"),
        "librarykitname": e("libraryKitName", "librarykitname"),
        "threePrimeAdapter": e("threePrimeAdapter", "forward3primeadapter"),
        "sseBedFile": e("sseBedFile", "sseBedFile"),
    }


def plan_section(report):
    from rundb.models import RunType

    plan, exp = report.plan, report.experiment
    if plan is None and report.eas is None:
        return {}
    run_type = (plan.runType if plan else "") or ""
    rt = RunType.objects.filter(runType=run_type).first() if run_type else None
    sample_set = plan.sampleSets.order_by("id").first() if plan else None

    def p(attr, default=None):
        return getattr(plan, attr, default) if plan is not None else default

    return {
        **_plan_kits(report),
        "controlSequencekitname": p("controlSequencekitname"),
        "planName": p("planName", "") or "",
        "reverse_primer": p("reverse_primer"),
        "runMode": p("runMode", "") or "",
        "runType": run_type,
        "applicationGroup_id": (plan.applicationGroup_id if plan is not None else None) or 1,
        "runTypeDescription": rt.description if rt else "",
        "samplePrepKitName": p("samplePrepKitName"),
        "templatingKitName": p("templatingKitName"),
        "username": p("username") or "",
        "sampleGrouping": plan.sampleGrouping.displayedName if plan is not None and plan.sampleGrouping_id else None,
        "sampleTubeLabel": p("sampleTubeLabel"),
        "sampleSet_name": sample_set.displayedName if sample_set else None,
        "sampleSet_planIndex": 0,
        "sampleSet_planTotal": 0,
        "sampleSet_uid": None,
        "sequencekitname": ((exp.sequencekitname if exp else None) or p("sequencekitname") or ""),
    }


def sampleinfo_section(report):
    if report.experiment is None:
        return {}
    info = {}
    for sample in report.samples:
        shown = sample.displayedName or sample.name or ""
        info[shown] = {
            "name": sample.name or "",
            "displayedName": shown,
            "externalId": sample.externalId or "",
            "description": sample.description,
            "attributes": {},
        }
    return info


def datamanagement_section(report):
    """True while the files are still on disk (no data management/archiving here)."""
    exp = report.experiment
    raw = Path(exp.expDir) if exp is not None and exp.expDir else None
    raw_ok = bool(raw and raw.is_dir())
    out_ok = report.report_dir.is_dir()
    return {
        "Signal Processing Input": raw_ok,
        "Basecalling Input": raw_ok or (report.report_dir / "sigproc_results").is_dir(),
        "Output Files": out_ok,
        "Intermediate Files": out_ok,
    }


def chef_section(report):
    exp = report.experiment
    if exp is None or not exp.chefInstrumentName:
        return {}
    return {f: (_iso(getattr(exp, f)) if f == "chefLastUpdate" else getattr(exp, f)) for f in CHEF_FIELDS}


def report_sections(report):
    """The sections that depend on the report only: the same for every job of a launch."""
    return {
        "expmeta": expmeta_section(report),
        "plan": plan_section(report),
        "sampleinfo": sampleinfo_section(report),
        "datamanagement": datamanagement_section(report),
        "chefSummary": chef_section(report),
    }


def build_startplugin(ctx, *, pluginresult, results_dir, run_level, block_id="", depends=None, hold_jid=None):
    """The startplugin.json dict of one job of the launch `ctx` (launch_context.LaunchContext)."""
    shared = copy.deepcopy(ctx.report_sections)
    data = {
        "runinfo": runinfo_section(
            ctx, pluginresult=pluginresult, results_dir=results_dir, block_id=block_id, hold_jid=hold_jid,
        ),
        "runplugin": runplugin_section(ctx, run_level=run_level, block_id=block_id),
        "expmeta": shared["expmeta"],
        "plan": shared["plan"],
        "sampleinfo": shared["sampleinfo"],
        "pluginconfig": ctx.config if ctx.config is not None else {},
        "globalconfig": dict(GLOBALCONFIG),
        "datamanagement": shared["datamanagement"],
        "chefSummary": shared["chefSummary"],
    }
    if (ctx.plugin.pluginsettings or {}).get("depends"):
        data["depends"] = dict(depends or {})
    return data
