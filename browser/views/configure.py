"""Configure pages: Plugins, Account, Services, References."""
from django.shortcuts import render

from rundb.models import Plugin

from ..access import page
from .common import render_page


def plugin_rows():
    return list(Plugin.objects.filter(active=True).order_by("name", "-date"))


@page()
def plugins_page(request):
    ctx = {"plugins": plugin_rows(), "is_admin": request.user.is_superuser}
    if request.GET.get("fragment"):
        return render(request, "browser/plugins_rows.html", ctx)
    return render_page(request, "browser/plugins.html", ctx, tab="configure", title="Plugins")
