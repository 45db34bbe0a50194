"""/configure/plugins/plugin/<pk>/configure/<action>/: a plugin's own pages (config.html,
instance.html, plan.html, about.html) with the TB_* globals the plugin contract promises.

These pages come with the plugin's code, which only an administrator installs and which
runs on the server anyway, so they are served same-origin: they must call the API as the
user (launch, save config) and close their dialog via ``parent.$.colorbox.close()``.
What a plugin *writes* at run time (its output under /output/) is served sandboxed
(browser/views/output.py).
"""
import json
from pathlib import Path

from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404

from rundb.models import Plugin, Results

from ..access import page

PAGES = {"config": "config.html", "report": "instance.html", "plan": "plan.html", "about": "about.html"}
NO_INFO = "<!DOCTYPE html><html><head><title>Plugin</title></head><body><p>There is no information available for this plugin.</p></body></html>"

# Session writes need the CSRF token: plugin pages written for the original (jQuery $.ajax,
# XMLHttpRequest, fetch) do not send one, so same-origin requests get it added here.
CSRF_SHIM = """
(function(){
  function tok(){var m=document.cookie.match(/(?:^|; )csrftoken=([^;]*)/);return m?decodeURIComponent(m[1]):"";}
  function same(u){try{return new URL(u,location.href).origin===location.origin;}catch(e){return false;}}
  var open=XMLHttpRequest.prototype.open, send=XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open=function(m,u){this._tbSame=same(u);this._tbMethod=String(m).toUpperCase();return open.apply(this,arguments);};
  XMLHttpRequest.prototype.send=function(){if(this._tbSame&&["GET","HEAD","OPTIONS"].indexOf(this._tbMethod)<0){this.setRequestHeader("X-CSRFToken",tok());}return send.apply(this,arguments);};
  if(window.fetch){var f=window.fetch;window.fetch=function(input,init){init=init||{};var url=(typeof input==="string")?input:input.url;var m=String(init.method||"GET").toUpperCase();
    if(same(url)&&["GET","HEAD","OPTIONS"].indexOf(m)<0){var h=new Headers(init.headers||{});h.set("X-CSRFToken",tok());init.headers=h;}return f(input,init);};}
})();
"""


def _js(value):
    return json.dumps(value, default=str).replace("</", "<\\/")


def plugin_globals(request, plugin, action):
    fields = {f.name: getattr(plugin, f.name) for f in Plugin._meta.concrete_fields if f.name != "id"}
    values = {
        "TB_plugin": {"pk": plugin.pk, "model": "rundb.plugin", "fields": fields},
        "TB_pluginMedia": f"/pluginMedia/{plugin.name}/",
        "TB_user": request.user.get_username(),
        "TB_TMAP": "",
    }
    if action == "report":
        try:
            pk = int(request.GET.get("report", ""))
        except ValueError:
            raise Http404("?report=<report id> is required") from None
        result = get_object_or_404(Results.objects.select_related("experiment__plan"), pk=pk)
        plan = result.experiment.plan
        values["TB_result"] = result.pk
        values["TB_result_json"] = {"pk": result.pk, "resultsName": result.resultsName, "status": result.status,
                                    "reportLink": result.reportLink}
        values["TB_plan_json"] = {"applicationGroup": getattr(plan, "applicationGroup_id", None) if plan else None,
                                  "runType": plan.runType if plan else ""}
    elif action == "plan":
        values["TB_plan_json"] = {"applicationGroup": request.GET.get("applicationGroup", ""),
                                  "runType": request.GET.get("runTypeId") or request.GET.get("runType", "")}
    return values


@page()
def plugin_page(request, pk, action):
    if action not in PAGES:
        raise Http404("Unknown plugin page")
    if action == "config" and not request.user.is_superuser:
        return HttpResponse("Only administrators configure plugins.", status=403, content_type="text/plain")
    plugin = get_object_or_404(Plugin, pk=pk)
    get_token(request)  # the page's API writes need the csrftoken cookie
    source = Path(plugin.path or "/nonexistent") / PAGES[action]
    html = source.read_text(errors="replace") if plugin.path and source.is_file() else NO_INFO
    script = "<script>\n" + "".join(f"var {k} = {_js(v)};\n" for k, v in plugin_globals(request, plugin, action).items())
    script += CSRF_SHIM + "</script>\n"
    lower = html.lower()
    at = lower.find("</head>")
    if at < 0:
        at = lower.find("<body")
        at = at if at >= 0 else 0
    html = html[:at] + script + html[at:]
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
