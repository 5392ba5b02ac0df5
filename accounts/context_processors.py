from __future__ import annotations

from django.http import HttpRequest

from accounts.access import actor_for
from accounts.homes import home_links


def roles(request: HttpRequest) -> dict:
    """The navigation: the home pages of the acting user's roles."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_homes": []}
    return {"nav_homes": home_links(actor_for(user), is_staff=user.is_staff)}
