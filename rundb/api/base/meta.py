"""The defaults every resource's ``Meta`` starts from, and one shared instance per resource."""
from ..auth import IonAuthentication
from ..paginator import IonPaginator
from ..permissions import IonAuthorization
from ..serializers import IonSerializer


class IonMeta:
    api_name = "v1"
    authentication = IonAuthentication()
    authorization = IonAuthorization()
    serializer = IonSerializer()
    paginator_class = IonPaginator
    limit = 20
    max_limit = 1000
    default_format = "application/json"
    # List PUT replaces every row matching the query's filters with the body's objects; list
    # DELETE removes every matching row (both need the delete permission, as the SDK reference).
    list_allowed_methods = ["get", "post", "put", "patch", "delete"]
    detail_allowed_methods = ["get", "put", "patch", "delete"]
    always_return_data = False
    include_absolute_url = False
    # None: every field filterable with relations / orderable. A dict / list restricts.
    filter_fields = None
    order_fields = None
    # Nested-only resources (not registered) show ``resource_uri: ""`` like the original.
    embedded = False
    # Field names that are secret beyond those SECRET_NAME (fieldrules.py) matches.
    secret_fields = ()


class ReadOnlyMeta(IonMeta):
    list_allowed_methods = ["get"]
    detail_allowed_methods = ["get"]


_INSTANCES = {}


def resource_instance(cls):
    """One shared instance per resource class (URI prefixes and compiled steps are cached)."""
    inst = _INSTANCES.get(cls)
    if inst is None:
        inst = _INSTANCES[cls] = cls()
    return inst
