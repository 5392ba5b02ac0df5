"""Who may use a view or API operation, and what they may see.

Every URL pattern and API operation declares its audience with one of `public`,
`authenticated` or `allow(*roles)`; `tests/accounts/test_url_rules.py` fails for any that does
not. Scoping (which school, family, provider, district) is done by the selectors with the
`Actor` built here once per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.models import Role

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ACCESS_ATTR = "kehou_access"


@dataclass(frozen=True)
class Actor:
    """The acting user's roles and scopes, read once per request."""

    user_id: int
    roles: frozenset[str]
    coordinator_school_ids: frozenset[int] = field(default_factory=frozenset)
    teacher_school_ids: frozenset[int] = field(default_factory=frozenset)
    provider_ids: frozenset[int] = field(default_factory=frozenset)
    district_ids: frozenset[int] = field(default_factory=frozenset)
    inspector_district_ids: frozenset[int] = field(default_factory=frozenset)
    institution_district_ids: frozenset[int] = field(default_factory=frozenset)
    hotline_district_ids: frozenset[int] = field(default_factory=frozenset)
    expert_district_ids: frozenset[int] = field(default_factory=frozenset)
    family_id: int | None = None
    teacher_id: int | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def scope_summary(self) -> dict[str, list[int]]:
        return {
            "coordinator_schools": sorted(self.coordinator_school_ids),
            "teacher_schools": sorted(self.teacher_school_ids),
            "providers": sorted(self.provider_ids),
            "districts": sorted(self.district_ids),
            "inspector_districts": sorted(self.inspector_district_ids),
            "institution_districts": sorted(self.institution_district_ids),
            "hotline_districts": sorted(self.hotline_district_ids),
            "expert_districts": sorted(self.expert_district_ids),
            "families": [self.family_id] if self.family_id else [],
        }


def actor_for(user: Any) -> Actor:
    """Build (and cache on the user object) the actor for an authenticated user.

    One query: the role grants, each joined to the user's guardian (family) and teacher rows
    (both one-to-one with the user), so every API call pays one statement for its scope.
    """
    cached = getattr(user, "_kehou_actor", None)
    if cached is not None:
        return cached
    from accounts.models import RoleGrant

    grants = RoleGrant.objects.filter(user_id=user.pk).values_list(*GRANT_COLUMNS)
    actor = actor_from_grants(user.pk, grants)
    user._kehou_actor = actor
    return actor


#: The columns `actor_from_grants` reads from each role grant (relative to RoleGrant): the role, its
#: scope, and the user's guardian (family) and teacher rows (one-to-one with the user).
GRANT_COLUMNS = ("role", "school_id", "provider_id", "district_id", "user__guardian__family_id", "user__teacher__id")


def actor_from_grants(user_id: int, grants: Iterable[tuple]) -> Actor:
    """The actor from the user's role-grant rows `(role, school, provider, district, family, teacher)`.

    One copy of the rule for both callers: `actor_for` (one query) and the bearer-token check, which
    reads the token, the user and these rows in one statement (a row with role None: no grant)."""
    roles: set[str] = set()
    coord: set[int] = set()
    teach: set[int] = set()
    prov: set[int] = set()
    dist: set[int] = set()
    insp: set[int] = set()
    inst: set[int] = set()
    hotline: set[int] = set()
    expert: set[int] = set()
    family_id = teacher_id = None
    for role, school_id, provider_id, district_id, family, teacher in grants:
        family_id, teacher_id = family, teacher  # the same on every row: one guardian, one teacher per user
        if role is None:
            continue
        roles.add(role)
        if role == Role.COORDINATOR:
            coord.add(school_id)
        elif role == Role.TEACHER:
            teach.add(school_id)
        elif role == Role.PARTNER_TEACHER:
            prov.add(provider_id)
        elif role == Role.BUREAU:
            dist.add(district_id)
        elif role == Role.INSPECTOR:
            insp.add(district_id)
        elif role == Role.INSTITUTION:
            inst.add(district_id)
        elif role == Role.HOTLINE:
            hotline.add(district_id)
        elif role == Role.EXPERT:
            expert.add(district_id)
    if Role.PARENT not in roles:
        family_id = None
    elif family_id is None:
        roles.discard(Role.PARENT)
    if not roles & {Role.TEACHER, Role.PARTNER_TEACHER}:
        teacher_id = None
    return Actor(
        user_id=user_id,
        roles=frozenset(roles),
        coordinator_school_ids=frozenset(coord),
        teacher_school_ids=frozenset(teach),
        provider_ids=frozenset(prov),
        district_ids=frozenset(dist),
        inspector_district_ids=frozenset(insp),
        institution_district_ids=frozenset(inst),
        hotline_district_ids=frozenset(hotline),
        expert_district_ids=frozenset(expert),
        family_id=family_id,
        teacher_id=teacher_id,
    )


def _declare(view: Callable, access: str | frozenset[str]) -> Callable:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: Callable) -> Callable:
    """Anyone, logged in or not (the login page, the language switch, health checks)."""
    return _declare(view, PUBLIC)


def authenticated(view: Callable) -> Callable:
    """Any logged-in user whatever their role (home chooser, password change, logout)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.actor = actor_for(request.user)
        return view(request, *args, **kwargs)

    return _declare(wrapped, AUTHENTICATED)


def allow(*roles: str) -> Callable[[Callable], Callable]:
    """Only users holding one of `roles`; the view must still scope its queries by `request.actor`."""
    allowed = frozenset(str(r) for r in roles)
    unknown = allowed - set(Role.values)
    if unknown or not allowed:
        raise ValueError(f"allow() needs known roles, got {sorted(unknown) or 'none'}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = actor_for(request.user)
            if not actor.roles & allowed:
                raise PermissionDenied
            request.actor = actor
            return view(request, *args, **kwargs)

        return _declare(wrapped, allowed)

    return decorator


def declared_access(view: Callable) -> str | frozenset[str] | None:
    """The declaration of a view, looking through wrappers such as csrf_exempt or admin_view."""
    seen: set[int] = set()
    current: Any = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        access = getattr(current, ACCESS_ATTR, None)
        if access is not None:
            return access
        current = getattr(current, "__wrapped__", None) or getattr(current, "view_class", None)
    return None


def roles_label(roles: Iterable[str]) -> list[str]:
    labels = dict(Role.choices)
    return [str(labels[r]) for r in roles if r in labels]
