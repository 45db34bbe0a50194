"""Action endpoints of the original that depend on outside systems:

* ``GET ionreporter/`` and ``ionreporter/version/?plugin=<name>``: Ion Reporter is not
  configured on this server, so both answer 400 with that reason (the original's failure
  status), never an empty list that would look like "no workflows";
* ``GET getchefscriptinfo/``: the Ion Chef script versions from
  ``<ION_RESULTS_ROOT>/icu/updates/SoftwareVersionList.txt`` (``key: value`` lines; a key
  listed more than once becomes a list), or ``{"object": {"Error": "File missing or access
  denied at <path>"}}``. Authenticated, unlike the original;
* ``GET getchefcartridgeusage/?chefReagentsSerialNum=R&chefSolutionsSerialNum=S&kitName=K
  &chefCurrentTime=T``: whether the Ion Chef may run again on those cartridges (rundb/chef.py).
  Authenticated."""
from django.conf import settings
from django.urls import re_path
from tastypie.exceptions import ImmediateHttpResponse

from ..base import IonMeta, error_response
from .system import ActionResource, _field

IR_NOT_CONFIGURED = "Ion Reporter is not configured on this server."


class IonReporterResource(ActionResource):
    fields_schema = {"workflows": _field("list", "Ion Reporter workflows (needs a configured Ion Reporter).")}

    class Meta(IonMeta):
        resource_name = "ionreporter"

    def base_urls(self):
        return [
            re_path(r"^(?P<resource_name>ionreporter)/version/$", self.view(self.payload, False),
                    name="api_ionreporter_version"),
        ] + super().base_urls()

    def payload(self, request):
        raise ImmediateHttpResponse(error_response(IR_NOT_CONFIGURED, 400))


def chef_script_info():
    path = settings.ION_RESULTS_ROOT / "icu" / "updates" / "SoftwareVersionList.txt"
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return {"object": {"Error": f"File missing or access denied at {path}"}}
    info = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            continue
        if key in info:
            info[key] = (info[key] if isinstance(info[key], list) else [info[key]]) + [value]
        else:
            info[key] = value
    return {"object": {"availableversion": info}}


class ChefScriptInfoResource(ActionResource):
    fields_schema = {"object": _field("dict", "availableversion, or Error when the version list is missing.")}

    class Meta(IonMeta):
        resource_name = "getchefscriptinfo"

    def payload(self, request):
        return chef_script_info()


class ChefCartridgeUsageResource(ActionResource):
    fields_schema = {
        "allowRunToContinue": _field("boolean", "False when any E… code is in errorCodes."),
        "errorCodes": _field("list", "E… (the run must stop) and W… (warnings) codes."),
        "detailMessages": _field("dict", "{code: message} for each code in errorCodes."),
        "numberReagentSerialUsage": _field("integer", "Runs recorded with the reagents cartridge."),
        "numberSolutionSerialUsage": _field("integer", "Runs recorded with the solutions cartridge."),
        "hoursSinceReagentFirstUse": _field("integer", "Whole hours since the reagents cartridge's first run "
                                                       "(\"\" when it has none)."),
        "hoursSinceSolutionFirstUse": _field("integer", "Whole hours since the solutions cartridge's first run "
                                                        "(\"\" when it has none)."),
    }
    # The original answers "" for a cartridge without runs; clients rely on that shape.
    openapi_fields = {name: {"oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 0}]}
                      for name in ("hoursSinceReagentFirstUse", "hoursSinceSolutionFirstUse")}

    class Meta(IonMeta):
        resource_name = "getchefcartridgeusage"

    def payload(self, request):
        from rundb.chef import cartridge_usage

        return cartridge_usage(request.GET)


RESOURCES = [IonReporterResource, ChefScriptInfoResource, ChefCartridgeUsageResource]
