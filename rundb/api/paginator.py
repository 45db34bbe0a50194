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


def _count_param(raw, default, name, hint):
    """A query value that must be a whole number >= 0 (`default` when absent or empty)."""
    if raw is None or raw == "":
        raw = default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid {name} '{raw}' provided. Please provide {hint}.")
    if value < 0:
        raise BadRequest(f"Invalid {name} '{raw}' provided. Please provide a positive integer >= 0.")
    return value


class IonPaginator(Paginator):
    def get_limit(self):
        limit = _count_param(self.request_data.get("limit", self.limit), DEFAULT_LIMIT, "limit",
                             "a positive integer")
        if limit == 0:
            return 0
        if self.max_limit and limit > self.max_limit:
            return self.max_limit
        return limit

    def get_offset(self):
        return _count_param(self.request_data.get("offset", self.offset), 0, "offset", "an integer")

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
