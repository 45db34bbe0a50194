"""Ion Mesh: peer servers (``ionmeshnode``), the network status action, and the mesh mount
``/rundb/api/mesh/v1/`` (compositeexperiment, meshprefetch, autodiscoveredhosts).

This server keeps the peers' identities and keys and can check a peer's reachability, but it
does not merge peers' runs into its own listings: mesh-wide views answer with the local rows and
say, per peer, that fetching is not configured.

A peer authenticates with the key this server gave it in ``exchange_keys``
(``Authorization: system_id <its system id>:<key>``, or ``?system_id=&api_key=``) on the
resources of ``MESH_RESOURCES_ALLOWED`` only (rundb/api/api.py installs
:class:`MeshKeyAuthentication` on them); it acts as the user ``ionmesh``, which has no
permissions, so it can read but not write."""
import hmac
import json
import os
import socket
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from tastypie.exceptions import BadRequest, Unauthorized

from rundb.models import IonMeshNode
from rundb.models.plugin import new_api_key

from ..auth import IonAuthentication, unauthorized_response
from ..base import IonMeta, IonResource, json_response
from ..permissions import IonAuthorization
from ..routes import guard, route
from .results import CompositeExperimentResource
from .system import ActionResource, _field

MESH_NOT_CONFIGURED = "Fetching data from mesh peers is not configured on this server."


def system_id():
    """This server's mesh identity: a uuid kept in ``<VAR_DIR>/system_id`` (created once)."""
    path = Path(settings.VAR_DIR) / "system_id"
    try:
        text = path.read_text().strip()
        if text:
            return text
    except OSError:
        pass
    value = str(uuid.uuid4())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n")
    return value


MESH_USER = "ionmesh"
# Resources a peer may read with its mesh key (the original's list).
MESH_RESOURCES_ALLOWED = ("project", "sample", "referencegenome", "rig", "plugin", "plannedexperiment",
                          "plannedexperimentdb", "compositeexperiment", "torrentsuite", "ionmeshnode")


def mesh_node_for(request):
    """The IonMeshNode whose key this request carries (``Authorization: system_id <id>:<key>``, or
    ``?system_id=&api_key=`` without an Authorization header), False for a wrong mesh key, None
    when no mesh key is given."""
    raw = request.META.get("HTTP_AUTHORIZATION", "").strip()
    scheme, _, creds = raw.partition(" ")
    if raw:
        if scheme.lower() != "system_id":
            return None
        sid, sep, key = creds.strip().partition(":")
    elif "system_id" in request.GET and "api_key" in request.GET:
        sid, sep, key = request.GET["system_id"], ":", request.GET["api_key"]
    else:
        return None
    node = IonMeshNode.objects.filter(system_id=sid).first() if sep and sid else None
    if node is None or not node.apikey_local or not key:
        return False
    return node if hmac.compare_digest(node.apikey_local.encode(), key.encode()) else False


def mesh_user():
    """The account peers act as: no password, no permissions, so it can read but not write."""
    User = get_user_model()
    user, created = User.objects.get_or_create(username=MESH_USER, defaults={"is_active": True})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


class MeshKeyAuthentication(IonAuthentication):
    """Accepts a mesh peer's key as well as every ordinary credential."""

    def is_authenticated(self, request, **kwargs):
        node = mesh_node_for(request)
        if node is None:
            return super().is_authenticated(request, **kwargs)
        if node is False:
            return unauthorized_response()
        request.user = mesh_user()
        request.ion_mesh_node = node
        return True


class StaffOnlyAuthorization(IonAuthorization):
    """Reads need staff too: rows hold the keys peers use to call this server."""

    def _staff(self, bundle):
        if getattr(bundle.request, "ion_mesh_node", None) is not None:
            return  # a peer may see the mesh nodes (the original lets it)
        user = getattr(bundle.request, "user", None)
        if user is None or not (user.is_staff or user.is_superuser):
            raise Unauthorized("Only staff may see mesh nodes.")

    def read_list(self, object_list, bundle):
        self._staff(bundle)
        return object_list

    def read_detail(self, object_list, bundle):
        self._staff(bundle)
        return True


def check_peer(node, timeout=3.0):
    """``{hostname, version, status, error}`` for ``node``, by asking its version endpoint."""
    url = f"http://{node.hostname}/rundb/api/v1/torrentsuite/version/"
    out = {"hostname": node.hostname, "version": "", "status": "Good", "error": ""}
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            body = json.loads(reply.read(65536).decode("utf-8", "replace"))
        out["version"] = str(body.get("meta_version", ""))
        if out["version"].split(".")[:2] != settings.ION_VERSION.split(".")[:2]:
            out["status"] = "Incompatible"
            out["error"] = f"Peer runs {out['version']}, this server {settings.ION_VERSION}."
    except urllib.error.HTTPError as exc:
        out["status"] = "Unauthorized" if exc.code in (401, 403) else "Error"
        out["error"] = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        out["status"], out["error"] = "Connection Error", str(getattr(exc, "reason", exc))
    return out


class IonMeshNodeResource(IonResource):
    """Peers. GET/PATCH/DELETE (staff to read, model permissions to write).

    * ``GET ionmeshnode/system_id/``: ``{"system_id", "hostname"}`` of this server;
    * ``POST ionmeshnode/exchange_keys/`` (form or JSON: ``system_id``, ``apikey``, ``hostname``,
      ``name``; admin): stores the peer and its key, answers ``{"apikey": <our key for it>}``;
    * ``GET ionmeshnode/<pk>/validate/`` (staff): ``{hostname, version, status, error}``, status
      one of Good / Connection Error / Incompatible / Unauthorized / Error."""

    class Meta(IonMeta):
        queryset = IonMeshNode.objects.all()
        resource_name = "ionmeshnode"
        authorization = StaffOnlyAuthorization()
        list_allowed_methods = ["get", "patch", "delete"]
        detail_allowed_methods = ["get", "patch", "delete"]

    def prepend_urls(self):
        return [
            route(self, r"system_id/$", "get_system_id", "authenticated"),
            route(self, r"exchange_keys/$", "exchange_keys", "admin"),
            route(self, r"(?P<pk>\d+)/validate/$", "validate", "staff"),
        ]

    def get_system_id(self, request, **kwargs):
        guard(self, request, ["get"], "authenticated")
        return json_response({"system_id": system_id(), "hostname": socket.getfqdn()})

    def exchange_keys(self, request, **kwargs):
        guard(self, request, ["post"], "admin")
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body or b"{}")
            except ValueError:
                raise BadRequest("The request body is not valid JSON.")
            if not isinstance(data, dict):
                raise BadRequest("The request body must be a JSON object.")
        else:
            data = request.POST
        missing = [k for k in ("system_id", "apikey", "hostname") if not str(data.get(k) or "").strip()]
        if missing:
            raise BadRequest(f"Missing: {', '.join(missing)}.")
        sid, hostname = str(data["system_id"]).strip(), str(data["hostname"]).strip()
        if len(sid) > 37 or len(hostname) > 128:
            raise BadRequest("system_id or hostname is too long.")
        node = IonMeshNode.objects.filter(system_id=sid).first() or IonMeshNode(system_id=sid)
        node.hostname = hostname
        node.name = str(data.get("name") or node.name or hostname)[:128]
        node.apikey_remote = str(data["apikey"])[:256]
        if not node.apikey_local:
            node.apikey_local = new_api_key()
        try:
            node.save()
        except IntegrityError:
            return json_response({"error": f"Another mesh node already uses hostname '{hostname}'."}, status=409)
        return json_response({"apikey": node.apikey_local})

    def validate(self, request, pk=None, **kwargs):
        guard(self, request, ["get"], "staff")
        node = IonMeshNode.objects.filter(pk=pk).first()
        if node is None:
            return json_response({"error": f"No ionmeshnode with id '{pk}'."}, status=404)
        return json_response(check_peer(node))


def _read(path):
    try:
        return Path(path).read_text()
    except OSError:
        return None


class NetworkResource(ActionResource):
    """``GET network/``: whether this host has an up network device and a default route, and its
    internal address. ``external_ip`` is null: finding it needs an outside service, which this
    server does not call."""

    fields_schema = {
        "eth_device": _field("boolean", "A non-loopback network device is up."),
        "route": _field("boolean", "A default route exists."),
        "internal_ip": _field("string", "This host's address on the default route."),
        "external_ip": _field("string", "Public address (not looked up: null)."),
    }

    class Meta(IonMeta):
        resource_name = "network"

    def payload(self, request):
        devices = None
        try:
            devices = any(_read(f"/sys/class/net/{dev}/operstate") in ("up\n", "unknown\n")
                          for dev in os.listdir("/sys/class/net") if dev != "lo")
        except OSError:
            pass
        routes = _read("/proc/net/route")
        has_route = None if routes is None else any(
            line.split()[1] == "00000000" for line in routes.splitlines()[1:] if len(line.split()) > 1)
        internal = None
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect(("192.0.2.1", 9))  # no packet is sent: only the route is chosen
                internal = sock.getsockname()[0]
        except OSError:
            pass
        return {"eth_device": devices, "route": has_route, "internal_ip": internal, "external_ip": None}


# ------------------------------------------------------------------ the mesh mount

class MeshCompositeExperimentResource(CompositeExperimentResource):
    """The local runs, as on /rundb/api/v1/compositeexperiment/, plus ``meta.mesh``: for each
    peer, that its rows were not fetched."""

    class Meta(CompositeExperimentResource.Meta):
        api_name = "mesh/v1"
        resource_name = "compositeexperiment"

    def alter_list_data_to_serialize(self, request, data):
        data["meta"]["mesh"] = {node.hostname: {"status": "not fetched", "error": MESH_NOT_CONFIGURED}
                                for node in IonMeshNode.objects.order_by("hostname")}
        return data


class MeshPrefetchResource(ActionResource):
    fields_schema = {"nodes": _field("dict", "Per peer: whether its data was prefetched.")}

    class Meta(IonMeta):
        api_name = "mesh/v1"
        resource_name = "meshprefetch"

    def payload(self, request):
        return {"nodes": {node.hostname: {"prefetched": False, "error": MESH_NOT_CONFIGURED}
                          for node in IonMeshNode.objects.order_by("hostname")}}


class AutoDiscoveredHostsResource(ActionResource):
    fields_schema = {"objects": _field("list", "Torrent Servers found on the local network."),
                     "error": _field("string", "Why the list is empty.")}

    class Meta(IonMeta):
        api_name = "mesh/v1"
        resource_name = "autodiscoveredhosts"

    def payload(self, request):
        return {"objects": [], "error": "Automatic discovery of Torrent Servers is not configured on this server."}


MESH_RESOURCES = [MeshCompositeExperimentResource, MeshPrefetchResource, AutoDiscoveredHostsResource]
RESOURCES = [IonMeshNodeResource, NetworkResource]
