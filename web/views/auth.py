"""Sign in and sign out, on Django's auth views, in the GOV.UK style.

The security work adds TOTP two-factor here: subclass :class:`SignInView` (or replace
``form_class``) and add the second step after ``form_valid``; the template already renders any
form through the shared GOV.UK renderer.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm

from web.forms_base import GovukForm


class SignInForm(AuthenticationForm, GovukForm):
    """Username and password, with errors worded for the error summary."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive: ask your MAPPA co-ordinator.",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})


class SignInView(auth_views.LoginView):
    template_name = "registration/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    template_name = "registration/signed_out.html"
