"""Site objects: locations, file servers, report storage, instruments, config, messages, logs,
published content."""
from tastypie import fields

from rundb.models import (
    Content,
    ContentUpload,
    EventLog,
    FileServer,
    GlobalConfig,
    Location,
    Message,
    Publisher,
    ReportStorage,
    Rig,
)

from ..base import IonMeta, IonResource
from ..params import query_param
from .content_routes import ContentRoutesMixin, PublisherRoutesMixin
from .site_routes import RigRoutesMixin


class LocationResource(IonResource):
    class Meta(IonMeta):
        queryset = Location.objects.all()
        resource_name = "location"


class FileServerResource(IonResource):
    class Meta(IonMeta):
        queryset = FileServer.objects.all()
        resource_name = "fileserver"
        excludes = ["location"]


class ReportStorageResource(IonResource):
    """Only nested (``results.reportstorage``), like the original: ``resource_uri`` is ""."""

    class Meta(IonMeta):
        queryset = ReportStorage.objects.all()
        resource_name = "reportstorage"
        embedded = True


class RigResource(RigRoutesMixin, IonResource):
    """Instruments; the primary key is the name (``/rig/<name>/``); PUT to a new name creates it."""

    location = fields.ToOneField(LocationResource, "location", full=True)

    class Meta(IonMeta):
        queryset = Rig.objects.select_related("location")
        resource_name = "rig"


class GlobalConfigResource(IonResource):
    class Meta(IonMeta):
        queryset = GlobalConfig.objects.all()
        resource_name = "globalconfig"


class MessageResource(IonResource):
    class Meta(IonMeta):
        queryset = Message.objects.all()
        resource_name = "message"


class EventLogResource(IonResource):
    """``?content_type_id=<id>`` restricts to one kind of object, with ``?object_pk=``."""

    class Meta(IonMeta):
        queryset = EventLog.objects.all()
        resource_name = "eventlog"
        excludes = ["content_type"]

    def apply_custom_filters(self, queryset, request):
        ctype = query_param(request, "content_type_id")
        if ctype:
            try:
                queryset = queryset.filter(content_type_id=int(ctype))
            except ValueError:
                from tastypie.exceptions import BadRequest

                raise BadRequest("content_type_id must be an integer.")
        return queryset


class PublisherResource(PublisherRoutesMixin, IonResource):
    class Meta(IonMeta):
        queryset = Publisher.objects.all()
        resource_name = "publisher"


class ContentUploadResource(IonResource):
    publisher = fields.ToOneField(PublisherResource, "publisher", null=True, blank=True)
    pub = fields.CharField(attribute="publisher__name", null=True, readonly=True)

    class Meta(IonMeta):
        queryset = ContentUpload.objects.select_related("publisher")
        resource_name = "contentupload"


class ContentResource(ContentRoutesMixin, IonResource):
    publisher = fields.ToOneField(PublisherResource, "publisher")
    contentupload = fields.ToOneField(ContentUploadResource, "contentupload")

    class Meta(IonMeta):
        queryset = Content.objects.all()
        resource_name = "content"
