"""/api/v1/auth/token, token revocation and /api/v1/me."""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from accounts.api_access import api_authenticated, api_public
from accounts.schemas import ErrorOut, MeOut, TokenIn, TokenOut
from accounts.services import (
    api_token_issue,
    api_token_revoke,
    login_failure_record,
    login_failures_clear,
    login_is_throttled,
)
from core.audit import client_ip
from core.errors import DomainError
from core.validation import Id

router = Router(tags=["auth"])


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
@api_public
def token_create(request: HttpRequest, payload: TokenIn):
    """Exchange a username (or phone) and password for a revocable bearer token."""
    ip = client_ip(request)
    if login_is_throttled(username=payload.username, ip=ip):
        raise DomainError("throttled")
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        login_failure_record(username=payload.username, ip=ip)
        raise DomainError("bad_credentials")
    login_failures_clear(username=payload.username)
    return {"token": api_token_issue(user=user, name=payload.name, request=request)}


@router.delete("/auth/token/{token_id}", response={204: None, 404: ErrorOut})
@api_authenticated
def token_revoke(request: HttpRequest, token_id: Id):
    """Revoke one of your own tokens."""
    if not api_token_revoke(user=request.auth, token_id=token_id, request=request):
        raise DomainError("not_found")
    return Status(204, None)


@router.get("/me", response=MeOut)
@api_authenticated
def me(request: HttpRequest):
    """Your roles and what they reach."""
    actor = request.actor
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(actor.roles),
        "scope": actor.scope_summary(),
    }
