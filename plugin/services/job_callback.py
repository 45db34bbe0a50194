"""Status callbacks of a plugin job (run by the launch script; standard library only).

    python -I job_callback.py --state Started
    python -I job_callback.py --store results.json

Everything else comes from the environment the launch script exports: ION_API_URL
(<net_location>/rundb/api), ION_PLUGINRESULT (PluginResult pk), ION_JOB (PluginResultJob pk)
and ION_PLUGIN_API_KEY (the run's key, sent as `Authorization: pluginkey <pk>:<key>` so it
never appears in URLs or process lists). Failures are printed and retried a few times; the
exit status is always 0 so a callback problem never changes the plugin's own outcome (the job
service reconciles states from the exit-code file).
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

RETRY_DELAYS = (0.5, 1, 2, 4, 8)


def _request(method, url, body, headers, timeout):
    data = json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status


def patch(path, body, *, attempts=len(RETRY_DELAYS) + 1, timeout=30):
    api = os.environ["ION_API_URL"].rstrip("/")
    pk = os.environ["ION_PLUGINRESULT"]
    key = os.environ["ION_PLUGIN_API_KEY"]
    url = f"{api}/v1/{path.strip('/')}/"
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Authorization": f"pluginkey {pk}:{key}",
    }
    for attempt in range(attempts):
        try:
            status = _request("PATCH", url, body, headers, timeout)
            return 200 <= status < 300
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            print(f"job_callback: PATCH {url} -> HTTP {exc.code} {detail}", file=sys.stderr)
            if exc.code < 500 and exc.code not in (408, 429):
                return False  # a client error will not fix itself
        except (urllib.error.URLError, OSError) as exc:
            print(f"job_callback: PATCH {url} failed: {exc}", file=sys.stderr)
        if attempt < attempts - 1:
            time.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
    print("job_callback: giving up; the job service will reconcile the state", file=sys.stderr)
    return False


def send_state(state):
    return patch(f"PluginResultJob/{os.environ['ION_JOB']}", {"state": state})


def send_store(path):
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as exc:
        print(f"job_callback: cannot read {path}: {exc}", file=sys.stderr)
        return False
    if not text.strip():
        return True
    try:
        store = json.loads(text)
    except ValueError as exc:
        print(f"job_callback: {path} is not valid JSON ({exc}); not stored", file=sys.stderr)
        return False
    return patch(f"pluginresult/{os.environ['ION_PLUGINRESULT']}", {"store": store})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state")
    parser.add_argument("--store", metavar="RESULTS_JSON")
    args = parser.parse_args(argv)
    try:
        if args.store:
            send_store(args.store)
        if args.state:
            send_state(args.state)
    except KeyError as exc:
        print(f"job_callback: missing environment variable {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
