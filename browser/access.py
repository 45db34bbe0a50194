"""Page access levels. Every page view carries ``ion_permission`` ("anonymous", "authenticated"
or "superuser") so the route checks can see what each URL demands."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def page(permission="authenticated"):
    def wrap(view):
        if permission == "anonymous":
            guarded = view
        else:
            @wraps(view)
            def checked(request, *args, **kwargs):
                if permission == "superuser" and not request.user.is_superuser:
                    raise PermissionDenied("This page is for administrators.")
                return view(request, *args, **kwargs)

            guarded = login_required(checked)
        guarded.ion_permission = permission
        return guarded

    return wrap
