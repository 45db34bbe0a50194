"""The security model in one place: who may do what, and which routes anyone may call.

README.md's "Security model" section is :func:`markdown_table` verbatim
(tests/rundb/api/test_route_permissions.py checks that, and walks every route of the URL
configuration against :func:`declared_permission` and :data:`ANONYMOUS_ROUTES`).

Roles:

* **anonymous** - no credentials.
* **lab user** - an active user in the ``ionusers`` group (rundb/api/permissions.py grants).
* **staff** - ``is_staff``: may use the Django admin site, limited there by their permissions.
* **administrator** - a superuser (``ionadmin``); holds every permission, including
  ``rundb.install_plugin``, which no group gets by default.
* **plugin key** - a plugin run's per-run key (``pluginresult=<pk>&api_key=...``): acts as the
  run's owner, but may only change its own run and never install plugins or start analyses.

Permission levels a route can declare (``ion_permission`` on the view, set by
rundb.api.endpoint.endpoint or the web UI's own helper): ``anonymous``, ``authenticated``,
``staff``, ``admin``, or a Django permission ``"<app>.<codename>"``. Tastypie resources declare
theirs through their authentication/authorization classes; admin-site routes are the admin
site's (staff only).
"""
import re

from tastypie.api import Api
from tastypie.resources import Resource

LEVELS = ("anonymous", "authenticated", "staff", "admin")
ROLES = ("anonymous", "lab user", "staff", "administrator", "plugin key")

# (what, {role: answer}) - the README table. "granted" = only with that Django permission.
CAPABILITIES = [
    ("API root, resource schemas, OpenAPI document and docs page, `torrentsuite/version/`, "
     "`getsoftwareinfo/`, `/` (goes to Home), login page, the web UI's CSS/JS",
     ("yes", "yes", "yes", "yes", "yes")),
    ("Read API resources, reports, plugin results, plugin media, plugin info and lineage (GET)",
     ("no", "yes", "yes", "yes", "yes (as its owner)")),
    ("Create/change runs, plans, samples, reports, catalog rows (model permissions of ionusers)",
     ("no", "yes", "if granted", "yes", "no")),
    ("Launch plugins on a report, check a configuration (`results/<pk>/plugin/`, `plugin/<pk>/validate/`, "
     "`rundb.add_pluginresult`)",
     ("no", "yes", "if granted", "yes", "yes (as its owner)")),
    ("Update a plugin run and its jobs (PATCH `pluginresult`, `PluginResultJob`; "
     "POST `pluginresult/<pk>/rescan/`)",
     ("no", "yes", "if granted", "yes", "its own run only")),
    ("Stop a plugin run (POST `pluginresult/<pk>/stop/`)",
     ("no", "own runs, or any with `rundb.change_pluginresult` (ionusers have it)", "own runs or if granted",
      "yes", "its own run only")),
    ("Enable/configure plugins (PATCH `plugin` `selected`, `config`); call `extend/` functions "
     "(`rundb.change_plugin`)",
     ("no", "yes", "if granted", "yes", "yes (as its owner)")),
    ("A plugin's `path`, `script`, `name`, `version`, `active` through the API",
     ("no", "read-only", "read-only", "read-only", "read-only")),
    ("Install, upgrade (`plugin/<pk>/upgrade/`), uninstall (also DELETE `plugin/<pk>/`), rescan plugins "
     "(also `plugin/<pk>/rescan_plugin/`, `info/?use_cache=false`) (`rundb.install_plugin`)",
     ("no", "no", "if granted", "yes", "no")),
    ("Start an analysis / re-analyse (`reanalyze/`, `rundb.add_results`)",
     ("no", "yes", "if granted", "yes", "no")),
    ("Django admin site (`/admin/`)",
     ("login page only", "no", "yes (within their permissions)", "yes", "no")),
]

# Routes that answer anonymous requests, as regexes over a concrete request path.
ANONYMOUS_PATHS = {
    "API root": r"^/rundb/api/v1/$",
    "resource schemas": r"^/rundb/api/(v1|mesh/v1)/[^/]+/schema/$",
    "mesh API root": r"^/rundb/api/mesh/v1/$",
    "OpenAPI document and docs page": r"^/rundb/api/v1/(openapi\.json|docs/(assets/[^/]+)?)$",
    "web UI CSS/JS": r"^/static/browser/.+$",
    "software version": r"^/rundb/api/v1/torrentsuite/version/$",
    "software information": r"^/rundb/api/v1/getsoftwareinfo/$",
    "landing page": r"^/$",
    "login/logout pages": r"^/(accounts/)?(login/(ajax/)?|logout/?)$",
    "admin login/logout": r"^/admin/(login|logout)/$",
}


def is_anonymous_path(path):
    return any(re.search(rx, path) for rx in ANONYMOUS_PATHS.values())


def _closure_values(func):
    """The closure values of a view, looking through decorators (``__wrapped__``, e.g. csrf_exempt)."""
    while getattr(func, "__wrapped__", None) is not None and not getattr(func, "__closure__", None):
        func = func.__wrapped__
    seen = 0
    while func is not None and seen < 5:
        seen += 1
        values = []
        for cell in getattr(func, "__closure__", None) or ():
            try:
                values.append(cell.cell_contents)
            except ValueError:  # empty cell
                continue
        # A decorator's closure holding just the wrapped view: look inside that one.
        inner = [v for v in values if callable(v) and getattr(v, "__closure__", None) and not hasattr(v, "__self__")]
        if len(values) == 1 and inner:
            func = inner[0]
            continue
        return values
    return []


def declared_permission(callback, namespace=""):
    """The permission a route's view declares, or None when it declares none.

    Returns a level, a Django permission, ``"resource"`` (a Tastypie resource guarded by
    IonAuthentication + IonAuthorization) or ``"staff"`` for admin-site routes."""
    from .auth import IonAuthentication
    from .permissions import IonAuthorization

    perm = getattr(callback, "ion_permission", None)
    if perm:
        return perm
    if namespace.split(":")[0] == "admin":
        return "staff"  # every admin-site view is behind AdminSite.admin_view (is_staff) or is login/logout
    values = list(_closure_values(callback))
    for value in values:
        func = getattr(value, "__func__", None)
        owner = getattr(value, "__self__", None)
        if func is not None and isinstance(owner, Resource):
            # ActionResource.view(func, anonymous): the flag sits next to the bound method.
            flags = [v for v in values if isinstance(v, bool)]
            if flags:
                return "anonymous" if flags[0] else "authenticated"
    for value in values:
        if isinstance(value, Resource):
            meta = value._meta
            view = next((v for v in values if isinstance(v, str)), "")
            if view == "get_schema":
                return "anonymous"
            if isinstance(meta.authentication, IonAuthentication) and isinstance(meta.authorization, IonAuthorization):
                return "resource"
            return None
        if isinstance(value, Api):
            view = next((v for v in values if isinstance(v, str)), "")
            return "anonymous" if view == "top_level" else None
    return None


def markdown_table():
    head = "| What | " + " | ".join(ROLES) + " |"
    rule = "|" + "---|" * (len(ROLES) + 1)
    rows = [f"| {what} | " + " | ".join(answers) + " |" for what, answers in CAPABILITIES]
    return "\n".join([head, rule, *rows])


# ---------------------------------------------------------------- the route walker

class Route:
    def __init__(self, parts, callback, namespace, name):
        self.parts = parts  # the regex texts of each nesting level
        self.callback = callback
        self.namespace = namespace
        self.name = name
        self.sample = sample_path(parts)
        self.permission = declared_permission(callback, namespace)

    @property
    def pattern(self):
        return "".join(self.parts)

    def __repr__(self):
        return f"<Route {self.sample} ({self.name or '-'}): {self.permission}>"


def walk_routes(urlconf=None):
    """Every route of the URL configuration (recursively), as Route objects."""
    from django.urls import URLResolver, get_resolver

    def walk(resolver, parts, namespace):
        for entry in resolver.url_patterns:
            text = entry.pattern.regex.pattern
            if isinstance(entry, URLResolver):
                ns = ":".join(n for n in (namespace, entry.namespace) if n)
                yield from walk(entry, parts + [text], ns)
            else:
                yield Route(parts + [text], entry.callback, namespace, entry.name)

    return list(walk(get_resolver(urlconf), [], ""))


def sample_path(parts, values=None):
    """A concrete request path that the regexes `parts` (one per nesting level) match; named
    groups take their value from `values` ({group name: text}), other variable parts are "1"."""
    return "/" + "".join(_sample(text, values or {}) for text in parts)


def _sample(regex, values):
    import re._constants as C
    import re._parser as P

    def chars(items):
        if items and items[0][0] is C.NEGATE:
            return "1"
        op, value = items[0]
        if op is C.LITERAL:
            return chr(value)
        if op is C.RANGE:
            lo, hi = value
            return "1" if lo <= ord("1") <= hi else chr(lo)
        return "1"  # a category: digits, word characters

    def gen(parsed):
        out = []
        for op, av in parsed:
            if op is C.LITERAL:
                out.append(chr(av))
            elif op is C.NOT_LITERAL:
                out.append("2" if chr(av) == "1" else "1")
            elif op is C.ANY:
                out.append("1")
            elif op is C.IN:
                out.append(chars(av))
            elif op is C.BRANCH:
                out.append(gen(av[1][0]))
            elif op is C.SUBPATTERN:
                name = names.get(av[0])
                out.append(str(values[name]) if name in values else gen(av[-1]))
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
                lo, hi, sub = av
                out.append(gen(sub) * (max(lo, 1) if hi else 0))
            elif op is C.CATEGORY:
                out.append("1")
        return "".join(out)

    parsed = P.parse(regex)
    names = {gid: name for name, gid in parsed.state.groupdict.items()}
    return gen(parsed)
