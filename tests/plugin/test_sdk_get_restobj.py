"""get_restobj talks to a real HTTP server with the per-result plugin api key."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from ion.plugin import IonPlugin


class RestPlugin(IonPlugin):
    """REST subject."""
    version = "1.0.0.0"


@pytest.fixture
def api_server():
    seen = []
    behaviour = {"status": 200, "delay_first": 0.0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append({"path": self.path, "headers": dict(self.headers)})
            if len(seen) == 1 and behaviour["delay_first"]:
                time.sleep(behaviour["delay_first"])
            body = json.dumps({"path": urlparse(self.path).path, "query": parse_qs(urlparse(self.path).query)})
            self.send_response(behaviour["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                self.wfile.write(body.encode())
            except BrokenPipeError:
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen, behaviour
    server.shutdown()
    server.server_close()


def _plugin(base_url, helpers, tmp_path):
    p = RestPlugin()
    p.startplugin = helpers.write_startplugin(tmp_path, tmp_path / "RestPlugin", api_url=base_url + "/rundb/api")
    return p


def test_get_uses_pluginresult_and_api_key_params(api_server, helpers, tmp_path):
    base_url, seen, _ = api_server
    data = _plugin(base_url, helpers, tmp_path).get_restobj("results/3", {"format": "json"})
    assert data["path"] == "/rundb/api/v1/results/3/"
    assert data["query"] == {"format": ["json"], "pluginresult": ["7"], "api_key": ["k" * 40]}
    assert "Authorization" not in seen[0]["headers"]


def test_http_error_is_raised(api_server, helpers, tmp_path):
    base_url, _, behaviour = api_server
    behaviour["status"] = 401
    with pytest.raises(requests.HTTPError):
        _plugin(base_url, helpers, tmp_path).get_restobj("pluginresult/7")


def test_timeout_is_retried_with_a_longer_timeout(api_server, helpers, tmp_path):
    base_url, seen, behaviour = api_server
    behaviour["delay_first"] = 0.6
    data = _plugin(base_url, helpers, tmp_path).get_restobj("plugin", timeout=0.2, attempts=3)
    assert data["path"] == "/rundb/api/v1/plugin/"
    assert len(seen) == 2
