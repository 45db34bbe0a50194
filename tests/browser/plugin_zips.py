"""Plugin zips the browser tests install through the UI (real archives, built like the plugin tests')."""
from launch_support import make_plugin_zip

# Writes a block page and a second page, and logs a line with markup (the log must show it as text).
COVERAGE_BODY = r'''
folder = self.startplugin["runinfo"]["results_dir"]
cfg = self.startplugin.get("pluginconfig") or {}
with open(os.path.join(folder, self.__class__.__name__ + "_block.html"), "w") as fh:
    fh.write("<html><body><h3 id='cov'>coverage ok: %s</h3><p>threshold=%s</p></body></html>"
             % (self.startplugin["runinfo"].get("pk", ""), cfg.get("threshold", "none")))
with open(os.path.join(folder, "details.html"), "w") as fh:
    fh.write("<p>details</p>")
print("<b>coverage log line</b>", flush=True)
return True
'''

INSTANCE_HTML = """<!DOCTYPE html>
<html><head><title>Configure</title></head>
<body>
<form id="cfg"><label for="threshold">Threshold</label> <input id="threshold" name="threshold" value="5">
<button type="button" id="run">Run Plugin</button></form>
<p id="tb">report=<span id="tb-result"></span></p>
<script>
document.getElementById("tb-result").textContent = TB_result;
document.getElementById("run").onclick = function () {
  var xhr = new XMLHttpRequest();
  xhr.open("POST", "/rundb/api/v1/results/" + TB_result + "/plugin/");
  xhr.setRequestHeader("Content-Type", "application/json");
  xhr.onload = function () {
    if (xhr.status === 202) { parent.$.colorbox.close(); }
    else { document.body.insertAdjacentHTML("beforeend", "<p id='err'>" + xhr.status + "</p>"); }
  };
  xhr.send(JSON.stringify({plugin: [TB_plugin.fields.name], pluginconfig: {threshold: document.getElementById("threshold").value}}));
};
</script>
</body></html>
"""

CONFIG_HTML = """<!DOCTYPE html>
<html><head><title>Global config</title></head>
<body>
<label for="mode">Mode</label> <input id="mode" name="mode">
<button type="button" id="save">Save</button>
<script>
var current = TB_plugin.fields.config || {};
document.getElementById("mode").value = current.mode || "";
document.getElementById("save").onclick = function () {
  fetch("/rundb/api/v1/plugin/" + TB_plugin.pk + "/", {method: "PATCH", credentials: "same-origin",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({config: {mode: document.getElementById("mode").value}})})
    .then(function (r) { if (r.ok) { parent.$.fn.colorbox.close(); } });
};
</script>
</body></html>
"""

PLAN_HTML = """<!DOCTYPE html>
<html><head><title>Plan config</title></head>
<body><form><label for="depth">Depth</label> <input id="depth" name="depth" value="10"></form>
<script>
function serializeForm() { return {depth: document.getElementById("depth").value, via: "serializeForm"}; }
function restoreForm(obj) { document.getElementById("depth").value = obj.depth; }
</script></body></html>
"""

# A plugin whose output page tries to read the viewer's session and call the API as the viewer.
HOSTILE_BODY = r'''
folder = self.startplugin["runinfo"]["results_dir"]
page = """<html><body><p id='h'>hostile</p><script>
var out = [];
try { out.push('cookie:' + document.cookie); } catch (e) { out.push('cookie-blocked'); }
try { out.push('parent:' + parent.document.title); } catch (e) { out.push('parent-blocked'); }
fetch('/rundb/api/v1/plugin/', {credentials: 'include'}).then(function (r) { out.push('api:' + r.status); report(); },
  function () { out.push('api-blocked'); report(); });
function report() { document.getElementById('h').textContent = out.join(' '); }
</script></body></html>"""
with open(os.path.join(folder, "Hostile_block.html"), "w") as fh:
    fh.write(page)
return True
'''


def coverage_zip(folder, name="CoverageDemo", version="1.2.0.0"):
    return make_plugin_zip(folder, name, COVERAGE_BODY, version=version)


def instance_zip(folder, name="InstanceDemo"):
    return make_plugin_zip(folder, name, COVERAGE_BODY, files={"instance.html": INSTANCE_HTML})


def config_zip(folder, name="ConfigDemo"):
    about = "<html><head><title>About</title></head><body><p id='about'>About <script>document.write(TB_plugin.fields.name)</script></p></body></html>"
    return make_plugin_zip(folder, name, COVERAGE_BODY,
                           files={"config.html": CONFIG_HTML, "plan.html": PLAN_HTML, "about.html": about})


def hostile_zip(folder, name="Hostile"):
    return make_plugin_zip(folder, name, HOSTILE_BODY)
