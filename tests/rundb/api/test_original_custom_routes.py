"""Every custom route the original server's clients call resolves to its own view here (not to
a resource's generic detail route, which would read ``show`` or ``create`` as a primary key).

The few not offered are listed in NOT_OFFERED with the reason; the test fails if one of them
appears (then move it to ROUTES) so the list stays true."""
import pytest
from django.urls import Resolver404, resolve

API = "/rundb/api/v1/"
GENERIC = {"api_dispatch_detail", "api_dispatch_list", "api_get_schema", "api_get_multiple"}

ROUTES = [
    "experiment/1/metadata/",
    "results/1/plugin/", "results/1/pluginresults/", "results/1/pluginresult_set/", "results/1/pluginstore/",
    "results/1/metadata/", "results/1/representative/", "results/1/barcode/", "results/1/barcodesampleinfo/",
    "results/1/scan_for_orphaned_plugin_results/",
    "compositeexperiment/show/", "clusterinfohistory/clear/",
    "plannedexperiment/create/", "plannedexperiment/copy/0c5e1c52-1c1b-4b7e-9a52-2f1d3c4b5a69/",
    "plannedexperiment/1/transfer/", "plantemplatebasicinfo/check_files/",
    "plugin/install/", "plugin/1/uninstall/", "plugin/uninstall/1/", "plugin/1/upgrade/",
    "plugin/1/1.2.3/install_to_version/", "plugin/rescan/", "plugin/1/rescan_plugin/", "plugin/1/info/",
    "plugin/show/", "plugin/lineage/", "plugin/1/validate/", "plugin/1/type/", "plugin/set/1;2/type/",
    "plugin/1/extend/fn/",
    "pluginresult/1/stop/", "pluginresult/1/rescan/", "pluginresult/1/delete/",
    "rig/S5one/status/", "rig/S5one/config/",
    "user/1/activate/", "user/1/reject/",
    "content/register/1/", "publisher/install/", "sampleset/create/",
    "torrentsuite/version/", "torrentsuite/sgejobs/", "ionreporter/version/", "analysisargs/getargs/",
    "ionmeshnode/system_id/", "ionmeshnode/exchange_keys/", "ionmeshnode/1/validate/",
    "prepopulatedplanningsession/0c5e1c52-1c1b-4b7e-9a52-2f1d3c4b5a69/",
]
# Action resources whose list URL is the action itself (resolved by name, not by their view).
ACTIONS = ["getsoftwareinfo/", "torrentsuite/", "network/", "ionreporter/", "getchefscriptinfo/",
           "prepopulatedplanningsession/", "getchefcartridgeusage/"]
NOT_OFFERED = {
    "experiment/from_wells_analysis/": "runs an analysis synchronously inside the web request",
    "experiment/projects/": "broken in the original (500); nothing defines what it returns",
    "results/1/report/": "PDF rendering of the report page is not implemented",
}


def _view(path):
    try:
        return resolve(API + path)
    except Resolver404:
        return None


@pytest.mark.parametrize("path", ROUTES)
def test_route_has_its_own_view(path):
    match = _view(path)
    assert match is not None, f"{path}: no route"
    assert match.url_name not in GENERIC, f"{path}: only the generic {match.url_name} answers"


@pytest.mark.parametrize("path", ACTIONS)
def test_action_resource_answers(path):
    match = _view(path)
    assert match is not None and match.kwargs.get("resource_name") == path.rstrip("/")


@pytest.mark.parametrize("path", sorted(NOT_OFFERED))
def test_not_offered_list_is_true(path):
    match = _view(path)
    assert match is None or match.url_name in GENERIC, f"{path} now has a route: move it to ROUTES"
