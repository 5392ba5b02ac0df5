"""The one NinjaAPI: routers per app under /api/v1/, one mapping of errors to {code, message}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from accounts.api import router as accounts_router
from accounts.api_access import API_AUTH
from core.errors import DomainError
from courses.api import router as courses_router
from enrollment.api import router as enrollment_router
from scheduling.api import router as scheduling_router

#: The refusals every operation can give, by what the operation has (issue 15: the document tells
#: the truth, so a generated client knows every status it may get): {status: (when, description)}.
ERROR_RESPONSES = {
    400: ("body", "Bad request: the body is not JSON, or a stable code says what is wrong"),
    401: ("secured", "Not signed in: no token, a revoked token, or an expired session"),
    403: ("secured", "Forbidden: not one of the roles this operation is for (or a session without CSRF)"),
    404: ("path", "Not found, or not yours to see"),
    409: ("write", "Refused by a rule of the domain; `code` says which (e.g. section_full, window_closed)"),
    422: ("input", "Validation error: `fields` names each field and its problem"),
}


def declare_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error answers (ErrorOut) each operation can give but its decorator did not list."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
    for item in schema.get("paths", {}).values():
        for method, op in item.items():
            params = op.get("parameters", [])
            has = {
                "body": "requestBody" in op,
                "secured": bool(op.get("security")),
                "path": any(p.get("in") == "path" for p in params),
                "write": method in ("post", "put", "patch", "delete"),
                "input": bool(params) or "requestBody" in op,
            }
            # one key per status: ninja keys its own by int, `openapi_extra` and ours by str (a JSON
            # document with both "200"s is refused by YAML readers such as the docs page's)
            responses = {str(k): v for k, v in op["responses"].items() if not isinstance(k, str)}
            responses.update({k: v for k, v in op["responses"].items() if isinstance(k, str)})
            for status, (when, description) in ERROR_RESPONSES.items():
                if has[when]:
                    responses.setdefault(str(status), {"description": description, "content": error})
            op["responses"] = responses
    return schema


class ObjectBodyParser(Parser):
    """Every request body of this API is a JSON object: anything else (a list, a string, a number)
    is 400, not silently read as "no fields" (found by schemathesis)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


class KehouAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> Any:
        return declare_error_responses(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = KehouAPI(
    title="Kehou 课后 API",
    version="1",
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=ObjectBodyParser(),
)


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return api.create_response(request, error.as_dict(), status=error.status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, DomainError("unauthenticated"))


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = {".".join(str(p) for p in err.get("loc", [])): err.get("msg", "") for err in exc.errors}
    return _error(request, DomainError("validation_error", fields=fields))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 403 and "CSRF" in str(exc.message):
        return _error(request, DomainError("csrf_failed"))
    code = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 429: "throttled"}
    return _error(request, DomainError(code.get(exc.status_code, "bad_request")))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, DomainError("not_found"))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, DomainError("forbidden"))


api.add_router("/", accounts_router)
api.add_router("/", courses_router)
api.add_router("/", enrollment_router)
api.add_router("/", scheduling_router)
api.add_router("/", "partners.api.router")
api.add_router("/", "scheduling.api_itinerary.router")
api.add_router("/", "allocation.api.router")
api.add_router("/", "participation.api.router")
api.add_router("/", "participation.fees.api.router")
api.add_router("/", "messaging.api.router")
api.add_router("/", "letters.api.router")
api.add_router("/", "supervision.api.router")
api.add_router("/", "supervision.api_reviews.router")
api.add_router("/", "supervision.api_conversion.router")
api.add_router("/", "supervision.api_complaints.router")
