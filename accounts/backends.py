"""Log in with a username or with the mobile phone number the school holds."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any):
        if not username or password is None:
            return None
        user_model = get_user_model()
        ident = username.strip()
        user = user_model.objects.filter(Q(username=ident) | Q(phone=ident)).order_by("id").first()
        if user is None:
            user_model().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
