"""POST, PUT, PATCH and DELETE of rows and lists. Every write request runs in one transaction
(dispatch.py), so a failure part-way through a list write leaves nothing behind."""
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.http import HttpResponse
from tastypie import http
from tastypie.exceptions import BadRequest, NotFound


class WriteMixin:
    def validate_bundle(self, bundle, creating):
        """Hook for resource rules beyond the model's; raise ValidationError({field: msg})."""

    def after_save(self, bundle, creating):
        """Hook run in the same transaction after the row (and its M2M) are saved."""

    def clean_exclude(self):
        return []

    def save(self, bundle, skip_errors=False, creating=None):
        if creating is None:
            creating = bundle.obj._state.adding
        queryset = self.get_object_list(bundle.request)
        if creating:
            self.authorized_create_detail(queryset, bundle)
        else:
            self.authorized_update_detail(queryset, bundle)
        self.validate_bundle(bundle, creating)
        bundle.obj.full_clean(exclude=self.clean_exclude())
        bundle.obj.save()
        for attr, objs in getattr(bundle, "m2m_pending", {}).items():
            getattr(bundle.obj, attr).set(objs)
        self.after_save(bundle, creating)
        return bundle

    def obj_create(self, bundle, **kwargs):
        bundle.obj = self.model()
        for key, value in self.remove_api_resource_names(kwargs).items():
            setattr(bundle.obj, key, value)
        bundle = self.full_hydrate(bundle)
        return self.save(bundle, creating=True)

    def obj_update(self, bundle, skip_errors=False, **kwargs):
        kwargs = self.remove_api_resource_names(kwargs)
        kwargs.pop("request", None)
        lookup = {"pk": kwargs["pk"]} if "pk" in kwargs else kwargs
        try:
            obj = self.get_object_list(bundle.request).get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError, ValidationError):
            raise NotFound(f"No {self._meta.resource_name} with id '{lookup.get('pk')}'.")
        bundle.obj = obj
        # Check the row as it is now, so a write cannot move a row into the caller's reach.
        self.authorized_update_detail(self.get_object_list(bundle.request), bundle)
        bundle = self.full_hydrate(bundle)
        return self.save(bundle, creating=False)

    def obj_delete(self, bundle, **kwargs):
        obj = self.obj_get(bundle, **kwargs)
        bundle.obj = obj
        self.authorized_delete_detail(self.get_object_list(bundle.request), bundle)
        obj.delete()

    def rollback(self, bundles):
        transaction.set_rollback(True)

    # ------------------------------------------------------------------ views

    def written_response(self, request, obj, response_class, for_list=False, **kwargs):
        """The reply to a write: the row itself when ``always_return_data``, else empty."""
        if not self._meta.always_return_data:
            return response_class(**kwargs)
        body = self.dehydrate_objects([obj], request, for_list=for_list)[0]
        body = self.alter_detail_data_to_serialize(request, body)
        return self.create_response(request, body, response_class=response_class, **kwargs)

    def post_list(self, request, **kwargs):
        data = self.alter_deserialized_detail_data(request, self.deserialize(request, request.body))
        bundle = self.build_bundle(data=data, request=request)
        bundle = self.obj_create(bundle, **self.remove_api_resource_names(kwargs))
        location = request.build_absolute_uri(self.get_resource_uri(bundle))
        return self.written_response(request, bundle.obj, http.HttpCreated, location=location)

    def put_detail(self, request, **kwargs):
        data = self.alter_deserialized_detail_data(request, self.deserialize(request, request.body))
        bundle = self.build_bundle(data=data, request=request)
        kwargs = self.remove_api_resource_names(kwargs)
        try:
            bundle = self.obj_update(bundle, **kwargs)
        except NotFound:
            if self.auto_pk():
                # Ids are the database's to hand out (a chosen id would also desynchronise the
                # PostgreSQL sequence); PUT creates only where the key is natural, e.g. rig names.
                raise
            bundle = self.build_bundle(data=data, request=request)
            bundle = self.obj_create(bundle, pk=kwargs["pk"])
            location = request.build_absolute_uri(self.get_resource_uri(bundle))
            if not self._meta.always_return_data:
                return http.HttpCreated(location=location)
            body = self.dehydrate_objects([bundle.obj], request, for_list=False)[0]
            return self.create_response(request, body, response_class=http.HttpCreated, location=location)
        if not self._meta.always_return_data:
            return http.HttpNoContent()
        return self.written_response(request, bundle.obj, HttpResponse)

    def patch_detail(self, request, **kwargs):
        data = self.alter_deserialized_detail_data(request, self.deserialize(request, request.body))
        bundle = self.build_bundle(data=data, request=request)
        bundle = self.obj_update(bundle, **self.remove_api_resource_names(kwargs))
        return self.written_response(request, bundle.obj, http.HttpAccepted)

    def patch_list(self, request, **kwargs):
        data = self.deserialize(request, request.body)
        if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
            raise BadRequest("Invalid data sent: send {\"objects\": [...], \"deleted_objects\": [uri, ...]}.")
        seen = [self._patch_list_entry(request, item) for item in data["objects"]]
        for uri in data.get("deleted_objects") or []:
            pk = self.pk_from_uri(uri)
            if pk is None:
                raise BadRequest(f"'{uri}' is not a {self._meta.resource_name} URI.")
            if "delete" not in self._meta.detail_allowed_methods:
                raise BadRequest(f"{self._meta.resource_name} rows cannot be deleted.")
            self.obj_delete(self.build_bundle(request=request), pk=pk)
        if not self._meta.always_return_data:
            return http.HttpAccepted()
        body = {"objects": self.dehydrate_objects(seen, request, for_list=True)}
        return self.create_response(request, body, response_class=http.HttpAccepted)

    def _patch_list_entry(self, request, item):
        """Update (entry with a ``resource_uri``) or create one row of a PATCH-list body."""
        if not isinstance(item, dict):
            raise BadRequest("Each entry of 'objects' must be a JSON object.")
        item = dict(item)
        self.check_body_types(item)
        uri = item.pop("resource_uri", None)
        bundle = self.build_bundle(data=item, request=request)
        pk = self.pk_from_uri(uri) if uri else None
        try:  # a key of the wrong type names no row and must not reach the create path
            pk = None if pk is None else self.model._meta.pk.to_python(pk)
        except ValidationError:
            pk = None
        if uri and pk is None:
            raise BadRequest(f"'{uri}' is not a {self._meta.resource_name} URI.")
        if pk is None:
            return self.obj_create(bundle).obj
        try:
            return self.obj_update(bundle, pk=pk).obj
        except NotFound:
            if self.auto_pk():
                raise  # as PUT: the body does not choose database ids
            return self.obj_create(self.build_bundle(data=item, request=request), pk=pk).obj

    def _matching_rows(self, request, **kwargs):
        """The rows a list PUT / DELETE acts on: those the query's filters select (delete permission)."""
        bundle = self.build_bundle(request=request)
        rows = self.obj_get_list(bundle, **self.remove_api_resource_names(kwargs))
        rows = self.authorized_delete_list(rows, bundle)
        # A plain pk subquery: the list queryset may carry annotations or DISTINCT.
        return self.model._default_manager.filter(pk__in=rows.values("pk"))

    def put_list(self, request, **kwargs):
        data = self.deserialize(request, request.body)
        if not isinstance(data, dict) or not isinstance(data.get("objects"), list):
            raise BadRequest("Invalid data sent: send {\"objects\": [...]} (every row matching the filters "
                             "is replaced by these).")
        if not all(isinstance(item, dict) for item in data["objects"]):
            raise BadRequest("Each entry of 'objects' must be a JSON object.")
        self._matching_rows(request, **kwargs).delete()
        created = []
        for item in data["objects"]:
            item = {k: v for k, v in item.items() if k != "resource_uri"}
            bundle = self.obj_create(self.build_bundle(data=item, request=request))
            created.append(bundle.obj)
        if not self._meta.always_return_data:
            return http.HttpNoContent()
        body = {"objects": self.dehydrate_objects(created, request, for_list=True)}
        return self.create_response(request, body)

    def delete_list(self, request, **kwargs):
        self._matching_rows(request, **kwargs).delete()
        return http.HttpNoContent()

    def delete_detail(self, request, **kwargs):
        self.obj_delete(self.build_bundle(request=request), **self.remove_api_resource_names(kwargs))
        return http.HttpNoContent()
