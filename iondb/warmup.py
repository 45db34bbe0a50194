"""Work a fresh web worker does before its first request, instead of during it.

A new gunicorn worker (at start, and after each ``max_requests`` recycle) pays for the URL
resolver, the API's resource instances, each resource's compiled dehydration steps and the
ORM's per-model caches on its first requests; under load those first requests queue behind
each other for seconds (bench/load.py). config/gunicorn.conf.py calls :func:`warm_up` once in the
master before forking (``when_ready``, with ``preload_app``), or in each worker
(``post_worker_init``) without it. Nothing here reads or writes rows.
"""
import logging

log = logging.getLogger(__name__)


def warm_up():
    from django.db import connections
    from django.urls import get_resolver

    from rundb.api.api import v1_api

    get_resolver().url_patterns  # imports every URL module, builds v1_api's routes
    get_resolver()._populate()
    for resource in v1_api._registry.values():
        try:
            compile_steps = getattr(resource, "steps", None)  # rundb's IonResource (action resources have none)
            if compile_steps is not None:
                compile_steps()
            queryset = resource._meta.queryset
            if queryset is not None:
                queryset.query.get_compiler(queryset.db).as_sql()  # ORM caches: joins, columns, lookups
        except Exception:  # a warm-up failure must never stop a worker; the request will tell
            log.debug("warm-up of %s failed", resource._meta.resource_name, exc_info=True)
    connections.close_all()  # as_sql may have connected (server version); threads open their own
