"""Files written for the report before the stages: ion_params_NN.json and expMeta.dat."""
import json
from pathlib import Path

from django.forms.models import model_to_dict
from django.utils import timezone

from plugin.services.config import net_location

from ..references import index_version

DEFAULT_3PRIME_ADAPTER = "ATCACCGACTGCCCATAGAGAGGCTGAGAC"


def _json_safe(value):
    return json.loads(json.dumps(value, default=str))


def _next_index(report_dir, pattern):
    taken = {p.name for p in Path(report_dir).glob(pattern.format(index="??"))}
    index = 0
    while pattern.format(index=f"{index:02d}") in taken:
        index += 1
    return index


def write_params(result, inputs):
    """ion_params_NN.json (NN = next free) and expMeta.dat in the report folder."""
    exp, eas = result.experiment, result.eas
    plan = exp.plan if exp.plan_id else None
    params = {
        "exp_json": _json_safe(model_to_dict(exp, exclude=["plan", "repResult"])),
        "plan": _json_safe(model_to_dict(plan, exclude=["projects"])) if plan else {},
        "experimentAnalysisSettings": _json_safe(model_to_dict(eas)) if eas else {},
        "resultsName": result.resultsName,
        "runid": result.runid,
        "expName": exp.expName,
        "sample": inputs.samples.get("rawlib", ""),
        "chiptype": exp.chipType,
        "rawdatastyle": exp.rawdatastyle or "single",
        "flowOrder": inputs.flow_order or "TACG",
        "flows": inputs.flows or 0,
        "instrumentName": exp.pgmName,
        "platform": exp.platform,
        "referenceName": inputs.reference.short_name if inputs.reference else "",
        "libraryKey": inputs.library_key,
        "tfKey": inputs.tf_key,
        "reverse_primer_dict": {"sequence": (eas.threePrimeAdapter if eas else "") or DEFAULT_3PRIME_ADAPTER},
        "barcodeId": inputs.barcode_kit_name,
        "barcodeInfo": {b["id_str"]: {"sequence": b["sequence"], "adapter": b["adapter"], "index": b["index"],
                                      "sample": inputs.samples.get(b["id_str"], "none")}
                        for b in (inputs.barcode_kit or [])},
        "plugins": _json_safe((eas.selectedPlugins if eas else None) or {}),
        "pathToData": str(inputs.run_dir),
        "dataKind": inputs.data_kind,
        "blockArgs": "fromWells" if inputs.data_kind == "flowgrams" else "fromBasecalled",
        "doThumbnail": inputs.thumbnail,
        "net_location": net_location(),
        "url_path": result.reportLink,
        "aligner": index_version(),
    }
    index = _next_index(inputs.report_dir, "ion_params_{index}.json")
    path = inputs.report_dir / f"ion_params_{index:02d}.json"
    path.write_text(json.dumps(params, indent=1, sort_keys=True, default=str))
    meta = [
        ("Run Name", exp.expName), ("Run Date", exp.date), ("Run Flows", inputs.flows or ""),
        ("Sample", params["sample"]), ("Reference", params["referenceName"] or "none"),
        ("Instrument", exp.pgmName), ("Flow Order", inputs.flow_order or ""),
        ("Library Key", inputs.library_key), ("TF Key", inputs.tf_key), ("Chip Type", exp.chipType),
        ("Barcode Set", inputs.barcode_kit_name or "none"), ("Analysis Name", result.resultsName),
        ("Analysis Date", timezone.now().date()), ("runID", result.runid),
    ]
    (inputs.report_dir / "expMeta.dat").write_text("".join(f"{k} = {v}\n" for k, v in meta))
    return path
