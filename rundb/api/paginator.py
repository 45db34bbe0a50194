"""Offset/limit paging with the original's envelope.

``meta`` always has ``limit``, ``next``, ``offset``, ``previous`` and ``total_count``.
Default limit 20; a limit above 1000 is clamped to 1000; ``limit=0`` returns **all**
matching rows (the API documents ``?limit=0`` as "all elements"), with ``next`` and
``previous`` null.
"""
from tastypie.exceptions import BadRequest
from tastypie.paginator import Paginator

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000


class IonPaginator(Paginator):
    def get_limit(self):
        raw = self.request_data.get("limit", self.limit)
        if raw is None or raw == "":
            raw = DEFAULT_LIMIT
        try:
            limit = int(raw)
        except (TypeError, ValueError):
            raise BadRequest(f"Invalid limit '{raw}' provided. Please provide a positive integer.")
        if limit < 0:
            raise BadRequest(f"Invalid limit '{raw}' provided. Please provide a positive integer >= 0.")
        if limit == 0:
            return 0
        if self.max_limit and limit > self.max_limit:
            return self.max_limit
        return limit

    def get_offset(self):
        raw = self.request_data.get("offset", self.offset)
        if raw is None or raw == "":
            raw = 0
        try:
            offset = int(raw)
        except (TypeError, ValueError):
            raise BadRequest(f"Invalid offset '{raw}' provided. Please provide an integer.")
        if offset < 0:
            raise BadRequest(f"Invalid offset '{raw}' provided. Please provide a positive integer >= 0.")
        return offset

    def page(self):
        limit = self.get_limit()
        offset = self.get_offset()
        count = self.get_count()
        objects = self.get_slice(limit, offset)
        meta = {"limit": limit, "offset": offset, "total_count": count, "next": None, "previous": None}
        if limit:
            meta["previous"] = self.get_previous(limit, offset)
            meta["next"] = self.get_next(limit, offset, count)
        return {self.collection_name: objects, "meta": meta}
