"""Who may do what through the API.

Reads: any authenticated user. Writes: the Django model permission
``rundb.add_/change_/delete_<model>`` (superusers have them all). A request authenticated
with a plugin's per-run key may only change that run's own PluginResult and its
PluginResultJob rows, whatever its owner may otherwise do.

A missing permission is answered 403 ``{"error": "..."}`` (the caller *is* authenticated,
so 401 would invite a pointless re-login); see ``base.IonResource.unauthorized_result``.
"""
from django.contrib.auth.models import Group, Permission
from tastypie.authorization import Authorization
from tastypie.exceptions import Unauthorized

from .auth import plugin_result_from_request

IONUSERS_GROUP = "ionusers"

# The original's grants for ordinary users (models we do not have are skipped).
IONUSERS_FULL = [
    "analysismetrics", "chip", "content", "contentupload", "dnabarcode", "eventlog", "experiment",
    "fileserver", "globalconfig", "kitinfo", "kitpart", "libmetrics", "librarykey", "location",
    "message", "plannedexperiment", "pluginresultjob", "project", "publisher",
    "qualitymetrics", "referencegenome", "reportstorage", "results", "rig", "runtype", "sample",
    "sampleset", "samplesetitem", "template", "tfmetrics", "threeprimeadapter", "userprofile",
]
IONUSERS_ADD_CHANGE = ["pluginresult"]  # no delete: runs are removed through the plugin views
# Lab users enable and configure plugins (selected, config; path and script are read-only in the
# API) but never add, delete, install or rescan them: installing runs the plugin's code as the
# server, so those are administrators' rights (superusers, or whoever is given them explicitly).
IONUSERS_CHANGE = ["plugin"]
ADMIN_ONLY = ["add_plugin", "delete_plugin", "install_plugin"]


def ionusers_permissions(permission_model=Permission):
    wanted = [(m, a) for m in IONUSERS_FULL for a in ("add", "change", "delete", "view")]
    wanted += [(m, a) for m in IONUSERS_ADD_CHANGE for a in ("add", "change", "view")]
    wanted += [(m, a) for m in IONUSERS_CHANGE for a in ("change", "view")]
    codenames = {f"{action}_{model}" for model, action in wanted}
    return permission_model.objects.filter(content_type__app_label="rundb", codename__in=codenames)


def ensure_ionusers_group(group_model=Group, permission_model=Permission):
    """Create or complete the ionusers group (idempotent); takes away administrator-only grants
    an older version gave it."""
    group, _ = group_model.objects.get_or_create(name=IONUSERS_GROUP)
    group.permissions.add(*ionusers_permissions(permission_model))
    group.permissions.remove(
        *permission_model.objects.filter(content_type__app_label="rundb", codename__in=ADMIN_ONLY)
    )
    return group


def _model_name(model):
    return model._meta.model_name


class IonAuthorization(Authorization):
    def _check(self, bundle, action, obj=None, model=None):
        request = bundle.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            raise Unauthorized("Authentication required.")
        model = model or (obj.__class__ if obj is not None else None)
        if model is None:
            raise Unauthorized("You are not allowed to change this resource.")
        pr = plugin_result_from_request(request)
        if pr is not None:
            if _owned_by_run(pr, obj, model, action):
                return True
            raise Unauthorized(
                f"A plugin key may only update its own plugin result, not {action} {_model_name(model)}."
            )
        perm = f"{model._meta.app_label}.{action}_{_model_name(model)}"
        if user.has_perm(perm):
            return True
        raise Unauthorized(f"You do not have permission to {action} {_model_name(model)} (needs {perm}).")

    # reads
    def read_list(self, object_list, bundle):
        return object_list

    def read_detail(self, object_list, bundle):
        return True

    # writes
    def create_list(self, object_list, bundle):
        self._check(bundle, "add", model=object_list.model)
        return object_list

    def create_detail(self, object_list, bundle):
        return self._check(bundle, "add", obj=bundle.obj)

    def update_list(self, object_list, bundle):
        self._check(bundle, "change", model=object_list.model)
        return object_list

    def update_detail(self, object_list, bundle):
        return self._check(bundle, "change", obj=bundle.obj)

    def delete_list(self, object_list, bundle):
        self._check(bundle, "delete", model=object_list.model)
        return object_list

    def delete_detail(self, object_list, bundle):
        return self._check(bundle, "delete", obj=bundle.obj)


def _owned_by_run(pr, obj, model, action):
    from rundb.models import PluginResult, PluginResultJob

    if action != "change" or obj is None:
        return False
    if model is PluginResult:
        return obj.pk == pr.pk
    if model is PluginResultJob:
        return obj.plugin_result_id == pr.pk
    return False
