"""Where each role lands after login."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from accounts.access import Actor
from accounts.models import Role

ROLE_ORDER = [
    Role.COORDINATOR,
    Role.BUREAU,
    Role.INSPECTOR,
    Role.INSTITUTION,
    Role.EXPERT,
    Role.HOTLINE,
    Role.PARTNER_TEACHER,
    Role.TEACHER,
    Role.PARENT,
]


def home_links(actor: Actor, *, is_staff: bool = False) -> list[tuple[str, str]]:
    """(label, url) for every home page the actor may use, most specific role first (admin last)."""
    links: list[tuple[str, str]] = []
    labels = dict(Role.choices)
    for role in ROLE_ORDER:
        if role not in actor.roles:
            continue
        if role == Role.COORDINATOR:
            for school_id in sorted(actor.coordinator_school_ids):
                links.append((str(labels[role]), reverse("courses:school_home", args=[school_id])))
        elif role == Role.BUREAU:
            links.append((str(labels[role]), reverse("participation:bureau_home")))
        elif role == Role.INSPECTOR:
            links.append((str(labels[role]), reverse("supervision:inspector_home")))
        elif role == Role.INSTITUTION:
            links.append((str(labels[role]), reverse("supervision:institution_home")))
        elif role == Role.EXPERT:
            links.append((str(labels[role]), reverse("supervision:expert_home")))
        elif role == Role.HOTLINE:
            links.append((str(labels[role]), reverse("supervision:hotline_home")))
        elif role == Role.PARTNER_TEACHER:
            links.append((str(labels[role]), reverse("partners:home")))
        elif role == Role.TEACHER:
            links.append((str(labels[role]), reverse("courses:teacher_home")))
        elif role == Role.PARENT:
            links.append((str(labels[role]), reverse("enrollment:parent_home")))
    if is_staff:
        links.append((gettext("Administration"), reverse("admin:index")))
    return links
