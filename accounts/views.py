"""Login, logout, password change, the role home redirect and the language switch."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts.access import authenticated, public
from accounts.forms import LoginForm
from accounts.homes import home_links

login_view = public(
    auth_views.LoginView.as_view(
        template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
    )
)
logout_view = authenticated(require_POST(auth_views.LogoutView.as_view()))
password_change_view = authenticated(
    auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:password_change_done")
    )
)
password_change_done_view = authenticated(
    auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html")
)
set_language_view = public(django_set_language)


@authenticated
def home(request: HttpRequest) -> HttpResponse:
    """Send a one-role user straight to their page; a user with several roles picks one."""
    links = home_links(request.actor, is_staff=request.user.is_staff)
    if len(links) == 1:
        return redirect(links[0][1])
    return render(request, "accounts/home.html", {"links": links})


@public
def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
