"""Error pages in the site's own look and language (no stack traces, no English-only text)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def _page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    try:
        body = render_to_string("error.html", {"title": title, "text": text, "status": status}, request=request)
    except Exception:  # the error page must never fail itself
        body = f"<h1>{status}</h1><p>{text}</p>"
    return HttpResponse(body, status=status)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, _("No access"), _("You do not have permission to do this."))


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, _("Not found"), _("Not found, or not yours to see."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, 500, _("Something went wrong"), _("The error has been logged. Please try again later."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _page(
        request,
        403,
        _("Form expired"),
        _("The form has expired or was sent from elsewhere. Reload the page and try again."),
    )
