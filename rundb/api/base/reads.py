"""GET: the filtered, ordered, authorised row set, one page of it, one row, or a ``set/``."""
from django.core.exceptions import FieldError, ValidationError
from django.db import DataError
from tastypie.exceptions import BadRequest, NotFound

from .. import filters as flt
from .fastrows import fetch
from .responses import check_compiles


class ReadMixin:
    def apply_custom_filters(self, queryset, request):
        """Hook for resource-specific query parameters (``?distinct``, ``?isThumbnail`` ...)."""
        return queryset

    def consumed_filters(self, request):
        """Query parameters this resource reads itself for this request (in
        ``apply_custom_filters``), which the generic field filters must then leave alone even
        where they name a field. Paging links keep them: ``request.GET`` is not changed."""
        return ()

    def obj_get_list(self, bundle, **kwargs):
        request = bundle.request
        query = request.GET if request is not None else {}
        consumed = self.consumed_filters(request)
        if consumed:
            query = query.copy()
            for name in consumed:
                query.pop(name, None)
        filters, distinct = flt.build_filters(self, query)
        queryset = self.apply_custom_filters(self.get_object_list(request), request)
        try:
            queryset = queryset.filter(**filters)
        except (ValueError, TypeError, ValidationError):
            raise BadRequest("Invalid resource lookup data provided (mismatched type).")
        except FieldError as exc:
            raise BadRequest(f"Invalid filter: {exc}")
        if distinct:
            queryset = queryset.distinct()
        if filters:
            check_compiles(queryset)
        return self.authorized_read_list(queryset, bundle)

    def apply_sorting(self, obj_list, options=None):
        args = flt.build_ordering(self, options or {})
        if args:
            if not any(a.lstrip("-") in ("pk", "id") for a in args):
                args.append("-pk")  # stable paging
            try:
                return obj_list.order_by(*args)
            except FieldError as exc:
                raise BadRequest(f"Invalid ordering: {exc}")
        if not obj_list.ordered:
            return obj_list.order_by("-pk")
        return obj_list

    def obj_get(self, bundle, **kwargs):
        kwargs = self.remove_api_resource_names(kwargs)
        queryset = self.get_object_list(bundle.request)
        try:
            obj = queryset.get(**kwargs)
        except (ValueError, TypeError, ValidationError, self.model.DoesNotExist):
            raise NotFound(f"No {self._meta.resource_name} with id '{kwargs.get('pk')}'.")
        bundle.obj = obj
        self.authorized_read_detail(queryset, bundle)
        return obj

    def get_list(self, request, **kwargs):
        base_bundle = self.build_bundle(request=request)
        objects = self.obj_get_list(bundle=base_bundle, **self.remove_api_resource_names(kwargs))
        objects = self.apply_sorting(objects, options=request.GET)
        paginator = self._meta.paginator_class(
            request.GET, objects, resource_uri=self.list_uri(), limit=self._meta.limit,
            max_limit=self._meta.max_limit, collection_name="objects",
        )
        try:
            page = paginator.page()
            rows = fetch(page["objects"])
        except DataError as exc:  # e.g. a regex the database does not accept
            raise BadRequest(f"Invalid filter value: {str(exc).splitlines()[0]}")
        page["objects"] = self.dehydrate_objects(rows, request, for_list=True)
        page = self.alter_list_data_to_serialize(request, page)
        return self.create_response(request, page)

    def get_detail(self, request, **kwargs):
        bundle = self.build_bundle(request=request)
        obj = self.obj_get(bundle, **self.remove_api_resource_names(kwargs))
        data = self.dehydrate_objects([obj], request, for_list=False)[0]
        data = self.alter_detail_data_to_serialize(request, data)
        return self.create_response(request, data)

    def get_multiple(self, request, **kwargs):
        self.method_check(request, allowed=["get"])
        self.is_authenticated(request)
        wanted = [k for k in kwargs.get("pk_list", "").split(";") if k != ""]
        clean = []
        for key in wanted:
            try:
                clean.append(self.model._meta.pk.to_python(key))
            except ValidationError:
                continue
        found = {}
        if clean:
            queryset = self.obj_get_list(self.build_bundle(request=request)).filter(pk__in=clean)
            found = {str(obj.pk): obj for obj in queryset}
        present = [found[k] for k in wanted if k in found]
        data = dict(zip((str(o.pk) for o in present), self.dehydrate_objects(present, request, for_list=True)))
        result = {"objects": [data[k] for k in wanted if k in data]}
        missing = [k for k in wanted if k not in found]
        if missing:
            result["not_found"] = missing
        return self.create_response(request, result)
