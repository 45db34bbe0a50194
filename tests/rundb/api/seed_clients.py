"""The client examples of the Torrent Suite API documentation ("API Examples" and "Run a
Plugin"), ported to Python 3 and requests. Each returns the lines the example prints, so tests
can check them."""
import requests


def headers(username, api_key):
    return {"Authorization": "ApiKey " + username + ":" + api_key}


def fetch_all_chips(base_url, username, api_key):
    """Fetching all Chips": follow meta.next until it is null."""
    object_list = []
    next_url = "/rundb/api/v1/chip/"
    while next_url:
        response = requests.get(base_url + next_url, headers=headers(username, api_key), params={})
        response.raise_for_status()
        response_data = response.json()
        object_list += response_data["objects"]
        next_url = response_data["meta"]["next"] or None
    return object_list


def chips_starting_with_31(base_url, username, api_key):
    """Adding Filters": name__startswith=31, print the first three names."""
    object_list = []
    next_url = "/rundb/api/v1/chip/"
    while next_url:
        response = requests.get(base_url + next_url, headers=headers(username, api_key),
                                params={"name__startswith": "31"})
        response.raise_for_status()
        response_data = response.json()
        object_list += response_data["objects"]
        next_url = response_data["meta"]["next"] or None
    return [chip["name"] for chip in object_list[0:3]]


def completed_runs_and_reports(base_url, username, api_key):
    """Completed Runs and Reports": displayName and each report's name and status."""
    object_list = []
    next_url = "/rundb/api/v1/compositeexperiment/"
    while next_url:
        response = requests.get(base_url + next_url, headers=headers(username, api_key))
        response.raise_for_status()
        response_data = response.json()
        object_list += response_data["objects"]
        next_url = response_data["meta"]["next"] or None
    lines = []
    for experiment in object_list[0:3]:
        lines.append(experiment["displayName"])
        for report in experiment["results"]:
            lines.append("    " + report["resultsName"] + " " + report["status"])
    return lines


def fetch_a_report(base_url, username, api_key, report_pk):
    """Fetching a Report": plugin states, then follow the libmetrics URI."""
    lines = []
    report_response = requests.get(base_url + f"/rundb/api/v1/results/{report_pk}/",
                                   headers=headers(username, api_key))
    report_response.raise_for_status()
    report_response_data = report_response.json()
    lines.append(report_response_data["resultsName"])
    for plugin_name, plugin_status in report_response_data["pluginState"].items():
        lines.append("    " + plugin_name + " " + plugin_status)
    lib_metrics_response = requests.get(base_url + report_response_data["libmetrics"][0],
                                        headers=headers(username, api_key))
    lib_metrics_response.raise_for_status()
    lib_metrics_response_data = lib_metrics_response.json()
    lines.append("%.1f million reads" % (lib_metrics_response_data["totalNumReads"] / 1000000.0))
    return lines


NON_BARCODED_PLAN = {
    "library": "hg19",
    "planName": "DOCS_my_plan",
    "sample": "my_sample",
    "chipType": "520",
    "sequencekitname": "Ion S5 Sequencing Kit",
    "librarykitname": "Ion Xpress Plus Fragment Library Kit",
    "templatingKitName": "Ion 520/530 Kit-OT2",
}

BARCODED_PLAN = {
    **NON_BARCODED_PLAN,
    "barcodeId": "IonXpress",
    "barcodedSamples": {
        "demo sample 1": {
            "barcodeSampleInfo": {
                "IonXpress_003": {
                    "description": "description here",
                    "hotSpotRegionBedFile": "",
                    "nucleotideType": "DNA",
                    "reference": "hg19",
                    "targetRegionBedFile": "",
                }
            },
            "barcodes": ["IonXpress_003"],
        },
        "demo sample 2": {
            "barcodeSampleInfo": {
                "IonXpress_004": {
                    "description": "description here",
                    "hotSpotRegionBedFile": "",
                    "nucleotideType": "DNA",
                    "reference": "hg19",
                    "targetRegionBedFile": "",
                }
            },
            "barcodes": ["IonXpress_004"],
        },
    },
}


def plan_run(base_url, username, api_key, plan_json):
    """Planning a Non-barcoded / Barcoded Run": POST, raise_for_status, print status."""
    response = requests.post(base_url + "/rundb/api/v1/plannedexperiment/", headers=headers(username, api_key),
                             json=plan_json)
    response.raise_for_status()
    return response.status_code


def list_plugins(base_url, username, api_key, **params):
    """Get a list of plugins": active=True, the meta block tells the total."""
    response = requests.get(base_url + "/rundb/api/v1/plugin/", headers=headers(username, api_key),
                            params={"active": True, "format": "json", **params})
    response.raise_for_status()
    return response.json()
