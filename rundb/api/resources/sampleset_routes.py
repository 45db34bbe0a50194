"""``POST sampleset/create/``: a sample set with its samples and items in one transaction.

Body: the set's fields plus ``dnabarcodeKit`` and ``samplesList: [{sampleName,
sampleDescription|description, sampleExternalId|externalId, dnabarcode|barcode, nucleotideType
("fusions" is stored as "rna"), pcrPlateRow, pcrPlateColumn, controlType, gender, cancerType,
cellularityPct, relationshipRole, relationshipGroup}]``. Samples are found by (name, externalId)
or created. Errors: 400 ``{"error": {"sampleset" | "<field>" | "<sample name>": message}}``;
success: 202 with the new set. ``GET`` returns an example body. A plain POST/PUT of
``sampleset`` with ``samplesList`` is refused (400) and points here."""
import re

from django.core.exceptions import ValidationError
from tastypie.exceptions import ImmediateHttpResponse

from rundb.models import Sample, SampleSetItem, dnaBarcode

from ..base import error_response, json_response
from ..routes import body_object, guard, route

NAME_RE = re.compile(r"^[a-zA-Z0-9][\w .\-]*$")
ITEM_TEXT = ("pcrPlateRow", "pcrPlateColumn", "controlType", "gender", "cancerType", "relationshipRole")
EXAMPLE = {"displayedName": "My set", "sampleGroupTypeName": "Sample_Control", "dnabarcodeKit": "IonXpress",
           "samplesList": [{"sampleName": "S1", "dnabarcode": "IonXpress_001", "nucleotideType": "DNA",
                            "sampleExternalId": "ext-1", "sampleDescription": "tumor"}]}


def _text(item, *keys):
    for key in keys:
        if item.get(key) not in (None, ""):
            return item[key]
    return ""


class SampleSetRoutesMixin:
    def prepend_urls(self):
        return [route(self, r"create/$", "create_with_samples",
                      {"GET": "authenticated", "POST": "rundb.add_sampleset"})]

    def obj_create(self, bundle, **kwargs):
        self._refuse_samples_list(bundle)
        return super().obj_create(bundle, **kwargs)

    def obj_update(self, bundle, skip_errors=False, **kwargs):
        self._refuse_samples_list(bundle)
        return super().obj_update(bundle, skip_errors=skip_errors, **kwargs)

    def _refuse_samples_list(self, bundle):
        if "samplesList" in bundle.data and not getattr(bundle, "from_create_route", False):
            raise ImmediateHttpResponse(json_response(
                {"sampleset": "This API does not accept samplesList key, please use /sampleset/create/"}, status=400))

    def create_with_samples(self, request, **kwargs):
        method = guard(self, request, ["get", "post"],
                       "authenticated" if request.method in ("GET", "HEAD") else "rundb.add_sampleset")
        if method == "get":
            return json_response({"objects": [EXAMPLE]})
        body = body_object(request)
        samples = body.pop("samplesList", [])
        kit = body.pop("dnabarcodeKit", "") or ""
        if not isinstance(samples, list):
            raise ImmediateHttpResponse(error_response({"samplesList": "samplesList must be a list of samples."}))
        errors, rows, seen = {}, [], set()
        for item in samples:
            problem, row = self._check_item(item, kit, seen)
            if problem:
                errors[problem[0]] = problem[1]
            else:
                rows.append(row)
        if errors:
            raise ImmediateHttpResponse(error_response(errors))
        bundle = self.build_bundle(data=body, request=request)
        bundle.from_create_route = True
        try:
            bundle = self.obj_create(bundle)
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"sampleset": exc.messages}
            raise ImmediateHttpResponse(error_response(
                {k: " ".join(str(m) for m in v) if isinstance(v, list) else str(v) for k, v in messages.items()}))
        for sample_fields, item_fields in rows:
            sample, _ = Sample.objects.get_or_create(name=sample_fields["name"],
                                                     externalId=sample_fields["externalId"],
                                                     defaults=sample_fields)
            SampleSetItem.objects.create(sampleSet=bundle.obj, sample=sample, **item_fields)
        body = self.dehydrate_objects([bundle.obj], request, for_list=False)[0]
        return json_response(body, status=202)

    def _check_item(self, item, kit, seen):
        if not isinstance(item, dict):
            return ("samplesList", "Each sample must be a JSON object."), None
        shown = str(_text(item, "sampleName", "displayedName")).strip()
        if not shown:
            return ("samplesList", "Each sample needs a sampleName."), None
        if not NAME_RE.match(shown) or len(shown) > 127:
            return (shown, "Sample names start with a letter or digit, use letters, digits, space, . - _ and "
                           "have at most 127 characters."), None
        external = str(_text(item, "sampleExternalId", "externalId"))[:127]
        description = str(_text(item, "sampleDescription", "description"))[:1024]
        item_fields = {"description": description}
        nucleotide = str(item.get("nucleotideType") or "")
        item_fields["nucleotideType"] = "rna" if nucleotide.lower() == "fusions" else nucleotide[:64]
        for key in ITEM_TEXT:
            if item.get(key) not in (None, ""):
                item_fields[key] = str(item[key])[:20 if key.startswith("pcrPlate") else 127]
        for key, low, high in (("cellularityPct", 0, 100), ("relationshipGroup", 0, 10 ** 6)):
            if item.get(key) not in (None, ""):
                try:
                    value = int(item[key])
                except (TypeError, ValueError):
                    return (shown, f"{key} must be an integer."), None
                if not low <= value <= high:
                    return (shown, f"{key} must be between {low} and {high}."), None
                item_fields[key] = value
        barcode = str(_text(item, "dnabarcode", "barcode"))
        if barcode:
            query = dnaBarcode.objects.filter(id_str=barcode)
            if kit:
                query = query.filter(name=kit)
            found = query.order_by("pk").first()
            if found is None:
                return (shown, f"Barcode {barcode} not found{' in kit ' + kit if kit else ''}."), None
            if barcode in seen:
                return (shown, f"Barcode {barcode} is assigned to more than one sample."), None
            seen.add(barcode)
            item_fields["dnabarcode"] = found
        sample_fields = {"name": re.sub(r"\s+", "_", shown), "displayedName": shown, "externalId": external,
                         "description": description}
        return None, (sample_fields, item_fields)
