"""Custom query parameters that several resources read the same way."""
from django.db.models import Q

from .computed import to_boolean


def query_param(request, name):
    """``?<name>=`` of the request; None when there is no request (a nested or internal read)."""
    return request.GET.get(name) if request is not None else None


def filter_thumbnails(queryset, request):
    """``?isThumbnail=yes|no`` on reports: only thumbnail reports (``metaData`` has ``thumb``) or
    only full-chip ones; without the parameter the queryset is unchanged."""
    thumb = query_param(request, "isThumbnail")
    if thumb is None:
        return queryset
    is_thumb = Q(metaData__has_key="thumb")
    return queryset.filter(is_thumb) if to_boolean(thumb) else queryset.exclude(is_thumb)
