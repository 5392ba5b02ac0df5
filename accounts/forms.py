"""Login with throttling: the form refuses before checking the password once throttled."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.services import login_failure_record, login_failures_clear, login_is_throttled
from core.audit import client_ip


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username or mobile phone"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}),
    )
    error_messages = {
        "invalid_login": _("Wrong username, phone number or password."),
        "inactive": _("This account is disabled."),
        "throttled": _("Too many failed logins. Please wait a few minutes and try again."),
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request)
        if username and login_is_throttled(username=username, ip=ip):
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                login_failure_record(username=username, ip=ip)
            raise
        login_failures_clear(username=username)
        return cleaned
