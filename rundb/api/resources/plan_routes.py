"""Custom routes of ``plannedexperiment`` (mixed into its resource).

* ``POST plannedexperiment/create/``: a plan from a template. Body: ``templateName``
  (planDisplayedName or planName of a template), ``planName``, samples as ``barcodedSamples``
  or ``samplesList`` ``[{sampleName, dnabarcode, description, externalId, nucleotideType,
  controlType, reference, targetRegionBedFile, hotSpotRegionBedFile}]``, optional
  ``sampleSetName`` (+ ``libraryPool`` 1|2), and any plan key to override the template's value.
  The plan goes through the normal create path (same validation); reply 202 with the plan.
  ``GET`` returns example bodies.
* ``POST plannedexperiment/copy/<planGUID>/``: a copy of a plan ("CopyOf_<planName>"), form or
  JSON fields override; 202 with the new plan, 410 for an unknown GUID.
* ``POST plannedexperiment/<pk>/transfer/`` (``destination``): sending plans to another server is
  not configured here; the reply says so (400), after the usual checks.
"""

from django.http import QueryDict
from tastypie.exceptions import BadRequest, ImmediateHttpResponse

from rundb.models import PlannedExperiment, PlannedExperimentQC, SampleSet, SampleSetItem

from ..base import error_response, json_response
from ..routes import body_object, guard, route

# Columns a new plan never takes from its template.
NOT_COPIED = {
    "id", "planGUID", "planShortID", "date", "planExecuted", "planExecutedDate", "planStatus", "isReusable",
    "isSystem", "isSystemDefault", "isFavorite", "origin", "expName", "sample", "sampleDisplayedName",
    "barcodedSamples", "childPlans", "parentPlan", "username", "chefInfo", "runname", "planDisplayedName",
    "planName",
}
TEC_KEYS = ("chipTecDfltAmbient", "chipTecSlope", "chipTecMinThreshold", "manTecDfltAmbient", "manTecSlope",
            "manTecMinThreshold")
CREATE_EXAMPLES = [
    {"templateName": "<template name>", "planName": "My plan",
     "samplesList": [{"sampleName": "S1", "dnabarcode": "IonXpress_001", "nucleotideType": "DNA"}]},
    {"templateName": "<template name>", "planName": "From a sample set", "sampleSetName": "<sample set>"},
]


def plan_body(plan):
    """The plan's columns as a create body (names, not ids, for projects and QC thresholds)."""
    data = {}
    for field in PlannedExperiment._meta.concrete_fields:
        if field.name in NOT_COPIED:
            continue
        data[field.name] = getattr(plan, field.attname)
    data["projects"] = list(plan.projects.values_list("name", flat=True))
    for name, threshold in PlannedExperimentQC.objects.filter(plannedExperiment=plan).values_list(
            "qcType__qcName", "threshold"):
        data[name] = threshold
    return data


def samples_from_list(items):
    """``samplesList`` -> ``barcodedSamples``; errors as a list of messages."""
    barcoded, errors, seen = {}, [], {}
    if not isinstance(items, list):
        return {}, ["samplesList must be a list of samples."]
    for item in items:
        if not isinstance(item, dict) or not str(item.get("sampleName") or "").strip():
            errors.append("Each sample needs a sampleName.")
            continue
        name, barcode = str(item["sampleName"]).strip(), str(item.get("dnabarcode") or item.get("barcode") or "")
        if not barcode:
            errors.append(f"Sample {name} needs a dnabarcode.")
            continue
        if barcode in seen:
            errors.append(f"multiple samples assigned to barcode: {barcode}")
            continue
        seen[barcode] = name
        info = {
            "description": item.get("description", item.get("sampleDescription", "")) or "",
            "externalId": item.get("externalId", item.get("sampleExternalId", "")) or "",
            "nucleotideType": item.get("nucleotideType", "") or "",
        }
        for key in ("controlType", "reference", "targetRegionBedFile", "hotSpotRegionBedFile"):
            if key in item:
                info[key] = item[key]
        entry = barcoded.setdefault(name, {"barcodes": [], "barcodeSampleInfo": {}})
        entry["barcodes"].append(barcode)
        entry["barcodeSampleInfo"][barcode] = info
    return barcoded, errors


def _request_data(request):
    if request.content_type == "application/json" or not request.content_type:
        return body_object(request)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = request.POST if request.method == "POST" else QueryDict(request.body)
        return {key: form.get(key) for key in form}
    raise BadRequest(f"Unsupported content type {request.content_type}; send JSON or form fields.")


class PlanRoutesMixin:
    def prepend_urls(self):
        return [
            route(self, r"create/$", "create_from_template",
                  {"GET": "authenticated", "POST": "rundb.add_plannedexperiment"}),
            route(self, r"copy/(?P<guid>[^/]+)/$", "copy_plan", "rundb.add_plannedexperiment"),
            route(self, r"(?P<pk>\d+)/transfer/$", "transfer_plan", "rundb.change_plannedexperiment"),
        ]

    def _create_reply(self, request, data):
        bundle = self.obj_create(self.build_bundle(data=data, request=request))
        body = self.dehydrate_objects([bundle.obj], request, for_list=False)[0]
        return json_response(self.alter_detail_data_to_serialize(request, body), status=202)

    def create_from_template(self, request, **kwargs):
        method = guard(self, request, ["get", "post"],
                       "authenticated" if request.method in ("GET", "HEAD") else "rundb.add_plannedexperiment")
        if method == "get":
            return json_response({"meta": {"limit": len(CREATE_EXAMPLES), "next": None, "offset": 0,
                                           "previous": None, "total_count": len(CREATE_EXAMPLES)},
                                  "objects": CREATE_EXAMPLES})
        body = _request_data(request)
        errors = {}
        name = str(body.get("templateName") or "").strip()
        if not name:
            raise ImmediateHttpResponse(error_response({"templateName": " templateName is required. "}))
        matches = list(PlannedExperiment.objects.filter(planDisplayedName=name)) or list(
            PlannedExperiment.objects.filter(planName=name))
        if len(matches) > 1:
            matches = [p for p in matches if p.isReusable]
        if not matches:
            raise ImmediateHttpResponse(error_response({"templateName": f" templateName {name} not found. "}))
        if len(matches) > 1:
            raise ImmediateHttpResponse(error_response(
                {"templateName": f" {len(matches)} templates are named {name}; rename one of them. "}))
        template = matches[0]
        data = plan_body(template)
        data["metaData"] = {**(template.metaData if isinstance(template.metaData, dict) else {}),
                            "fromTemplate": template.planName, "fromTemplateSource": "api"}
        if all(key in body for key in TEC_KEYS):
            errors["Manifold Tec Params"] = "The chip and manifold TEC parameters come from the template."
        if "barcodedSamples" in body and "samplesList" in body:
            errors["samples"] = "Give barcodedSamples or samplesList, not both."
        samples = None
        if "samplesList" in body:
            samples, problems = samples_from_list(body["samplesList"])
            if problems:
                errors["samples"] = " | ".join(problems)
        if body.get("sampleSetName"):
            sample_set, set_samples, problem = self._sample_set(body)
            if problem:
                errors["sampleSetName"] = problem
            else:
                data["sampleSetDisplayedName"] = sample_set.displayedName
                if samples is None and "barcodedSamples" not in body:
                    samples = set_samples
                    if not data.get("barcodeId"):
                        data["barcodeId"] = next((i.dnabarcode.name for i in sample_set.samples.filter(
                            dnabarcode__isnull=False).select_related("dnabarcode")), "")
        if errors:
            raise ImmediateHttpResponse(error_response(errors))
        for key, value in body.items():
            if key in ("templateName", "samplesList", "sampleSetName", "libraryPool", *TEC_KEYS):
                continue
            if key == "selectedPlugins" and isinstance(value, dict) and isinstance(data.get(key), dict):
                value = {**data[key], **value}  # the template's choice, changed plugin by plugin
            data[key] = value
        if samples is not None:
            data["barcodedSamples"] = samples
        data["isReusable"] = False
        data.setdefault("origin", "api")
        return self._create_reply(request, data)

    def _sample_set(self, body):
        sample_set = SampleSet.objects.filter(displayedName=str(body["sampleSetName"])).first()
        if sample_set is None:
            return None, None, f"Sample set {body['sampleSetName']} not found."
        if sample_set.status in ("libPrep_pending", "voided"):
            return None, None, f"Sample set {sample_set.displayedName} is {sample_set.status}."
        items = SampleSetItem.objects.filter(sampleSet=sample_set).select_related("sample", "dnabarcode")
        pool = body.get("libraryPool")
        if pool not in (None, ""):
            if str(pool) not in ("1", "2"):
                return None, None, "libraryPool must be 1 or 2."
        if not items.exists():
            return None, None, f"Sample set {sample_set.displayedName} has no samples."
        barcoded = {}
        for item in items:
            if item.sample is None or item.dnabarcode is None:
                continue
            name = item.sample.displayedName or item.sample.name
            entry = barcoded.setdefault(name, {"barcodes": [], "barcodeSampleInfo": {}})
            entry["barcodes"].append(item.dnabarcode.id_str)
            entry["barcodeSampleInfo"][item.dnabarcode.id_str] = {
                "description": item.description or "", "externalId": item.sample.externalId or "",
                "nucleotideType": item.nucleotideType or "", "controlType": item.controlType or "",
            }
        return sample_set, barcoded, None

    def copy_plan(self, request, guid=None, **kwargs):
        guard(self, request, ["post"], "rundb.add_plannedexperiment")
        plan = PlannedExperiment.objects.filter(planGUID=guid).order_by("-pk").first()
        if plan is None:
            return json_response({"error": f"No plan with planGUID '{guid}'."}, status=410)
        data = plan_body(plan)
        shown = plan.planDisplayedName or plan.planName
        data.update({"planName": f"CopyOf_{plan.planName}", "planDisplayedName": f"CopyOf_{shown}",
                     "isReusable": plan.isReusable, "sample": plan.sample,
                     "sampleDisplayedName": plan.sampleDisplayedName, "barcodedSamples": plan.barcodedSamples,
                     "planStatus": "planned", "origin": "copy"})
        data["metaData"] = {**(plan.metaData if isinstance(plan.metaData, dict) else {}),
                            "fromTemplate": plan.planName, "fromTemplateId": plan.pk}
        data.update(_request_data(request))
        if data.get("barcodedSamples"):
            data.pop("sample", None)
            data.pop("sampleDisplayedName", None)
        return self._create_reply(request, data)

    def transfer_plan(self, request, pk=None, **kwargs):
        guard(self, request, ["post"], "rundb.change_plannedexperiment")
        if not PlannedExperiment.objects.filter(pk=pk).exists():
            return json_response({"error": f"No plannedexperiment with id '{pk}'."}, status=404)
        destination = str(_request_data(request).get("destination") or "").strip()
        if not destination:
            raise BadRequest(" destination is required. ")
        return json_response({"error": f"Transferring plans to other servers is not configured on this server; "
                                       f"plan {pk} was not sent to {destination}."}, status=400)
