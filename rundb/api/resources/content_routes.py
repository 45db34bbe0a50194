"""Custom routes of ``publisher`` and ``content`` (mixed into those resources).

* ``publisher/<name>/``: a publisher by name as well as by id (URIs keep the id);
* ``POST publisher/install/`` (``{"url"}`` or ``{"file"}``, ``rundb.add_publisher``): neither
  given: 400. Downloading and installing publisher packages is not configured on this server,
  which the reply says (400) instead of pretending to start an install;
* ``POST content/register/<upload_id>/`` (``rundb.add_content``): ``{"file": <existing path>,
  "path"?, "description"?, "notes"?, "meta"?, "type"?, "extra"?, "application_tags"?}``
  registers the file as content of that upload (its publisher, the upload's ``meta`` under the
  body's ``meta``): 202. A missing file or upload is a 400 with the reason.
"""
import os

from django.http import HttpResponse
from tastypie.exceptions import BadRequest, NotFound

from rundb.models import Content, ContentUpload, Publisher

from ..base import json_response
from ..routes import body_object as _body, guard, route


class PublisherRoutesMixin:
    def prepend_urls(self):
        return [route(self, r"install/$", "install", "rundb.add_publisher")]

    def obj_get(self, bundle, **kwargs):
        pk = kwargs.get("pk")
        if isinstance(pk, str) and not pk.isdigit():
            publisher = Publisher.objects.filter(name=pk).first()
            if publisher is None:
                raise NotFound(f"No publisher named '{pk}'.")
            kwargs["pk"] = publisher.pk
        return super().obj_get(bundle, **kwargs)

    def install(self, request, **kwargs):
        guard(self, request, ["post"], "rundb.add_publisher")
        data = _body(request)
        if not data.get("url") and not data.get("file"):
            raise BadRequest("Give the publisher package as url or file.")
        return json_response({"error": "Installing publisher packages is not configured on this server; "
                                       "nothing was downloaded or installed."}, status=400)


class ContentRoutesMixin:
    def prepend_urls(self):
        return [route(self, r"register/(?P<upload_id>\d+)/$", "register", "rundb.add_content")]

    def register(self, request, upload_id=None, **kwargs):
        guard(self, request, ["post"], "rundb.add_content")
        upload = ContentUpload.objects.select_related("publisher").filter(pk=upload_id).first()
        if upload is None:
            raise BadRequest(f"Upload {upload_id} not found.")
        if upload.publisher is None:
            raise BadRequest(f"Upload {upload_id} has no publisher.")
        data = _body(request)
        path = data.get("file")
        if not isinstance(path, str) or not path:
            raise BadRequest("file is required: the path of an existing file.")
        if not os.path.isfile(path):
            raise BadRequest(f"File not found {path}")
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise BadRequest("meta must be a JSON object.")
        texts = {key: data.get(key, "") for key in ("path", "description", "notes")}
        if not all(isinstance(v, str) for v in texts.values()):
            raise BadRequest("path, description and notes must be strings.")
        merged = {**(upload.meta if isinstance(upload.meta, dict) else {}), **meta}
        for key in ("type", "extra", "application_tags"):
            if key in data:
                merged[key] = data[key]
        merged.update({"description": texts["description"], "notes": texts["notes"]})
        Content.objects.create(publisher=upload.publisher, contentupload=upload, file=path,
                               path=texts["path"] or "/" + os.path.basename(path), meta=merged,
                               description=texts["description"], notes=texts["notes"])
        return HttpResponse(status=202)
