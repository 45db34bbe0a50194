"""Sign in and out (Django sessions)."""
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from ..access import page

BAD_LOGIN = "Your username and password didn't match. Please try again."


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return "/home/"


@page("anonymous")
@require_http_methods(["GET", "POST"])
def login_page(request):
    nxt = request.POST.get("next") or request.GET.get("next", "")
    ctx = {"next": nxt, "error": "", "username": ""}
    if request.method == "POST":
        user = authenticate(request, username=request.POST.get("username", ""),
                            password=request.POST.get("password", ""))
        if user is not None and user.is_active:
            login(request, user)
            if not request.POST.get("remember_me"):
                request.session.set_expiry(0)  # ends when the browser closes
            return redirect(_safe_next(request, nxt))
        ctx.update(error=BAD_LOGIN, username=request.POST.get("username", ""))
        return render(request, "browser/login.html", ctx, status=200)
    return render(request, "browser/login.html", ctx)


@page("anonymous")
@require_http_methods(["GET", "POST"])
def logout_page(request):
    logout(request)
    response = redirect("/login/")
    response.delete_cookie("csrftoken")
    return response


@page("anonymous")
@require_http_methods(["POST"])
def login_ajax(request):
    """POST /login/ajax/ (username, password, remember_me, next): {"redirect": url} or
    {"form": html} with the error, as the original's script expects."""
    from django.http import JsonResponse
    from django.template.loader import render_to_string

    nxt = request.POST.get("next", "")
    user = authenticate(request, username=request.POST.get("username", ""), password=request.POST.get("password", ""))
    if user is not None and user.is_active:
        login(request, user)
        if not request.POST.get("remember_me"):
            request.session.set_expiry(0)
        return JsonResponse({"redirect": _safe_next(request, nxt)})
    html = render_to_string("browser/login.html", {"next": nxt, "error": BAD_LOGIN,
                                                   "username": request.POST.get("username", "")}, request=request)
    return JsonResponse({"form": html})
