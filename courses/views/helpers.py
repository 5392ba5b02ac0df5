"""The set-up pages' one pattern: scope the school, render the page or its fragment, PRG or htmx."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from core.errors import DomainError
from core.validation import add_domain_error
from courses import selectors
from courses.models import School

# --- helpers -------------------------------------------------------------------------------------


def coordinator_school(request: HttpRequest, school_id: int) -> School:
    return selectors.school_get_for_coordinator(actor=request.actor, school_id=school_id)


def render_page(request: HttpRequest, template: str, fragment: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only its fragment for htmx."""
    return render(request, f"{template}#{fragment}" if request.htmx else template, context)


def done_or_none(request: HttpRequest, url: str, notice: str) -> HttpResponse | None:
    """After a successful plain POST: message and redirect (PRG). For htmx: None, render inline."""
    if request.htmx:
        return None
    messages.success(request, notice)
    return redirect(url)


def refused_or_none(request: HttpRequest, url: str, error: DomainError) -> HttpResponse | None:
    if request.htmx:
        return None
    messages.error(request, error.message())
    return redirect(url)


def create_flow(
    request: HttpRequest,
    form: Any,
    *,
    create: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], tuple[str, str]],
    page: Callable[[Any, str], HttpResponse],
) -> HttpResponse:
    """Run a set-up create service on a valid POSTed form. `done(obj)` gives (url, notice): a plain
    POST redirects there with the notice; htmx re-renders `page(form, notice)` with a fresh form.
    A refusal stays on the form, attached to its field."""
    notice = ""
    if request.method == "POST" and form.is_valid():
        try:
            obj = create(form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            url, notice = done(obj)
            if response := done_or_none(request, url, notice):
                return response
            form = None
    return page(form, notice)


def delete_flow(
    request: HttpRequest, *, delete: Callable[[], None], url: str, notice: str, page: Callable[..., HttpResponse]
) -> HttpResponse:
    """Run a set-up delete service: redirect with a message (plain POST) or re-render the list
    fragment with the notice or the refusal (htmx). `page(notice=..., problem=...)` renders it."""
    try:
        delete()
    except DomainError as error:
        return refused_or_none(request, url, error) or page(notice="", problem=error.message())
    return done_or_none(request, url, notice) or page(notice=notice, problem="")


def setup_url(name: str, *args: Any) -> str:
    return reverse(f"courses:{name}", args=args)


def not_found() -> Any:
    """An unknown kind in a URL: simply not found."""
    raise Http404
