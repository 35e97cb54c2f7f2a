"""The two-factor pages: set up an authenticator app (QR code and key), and enter a code.

See :mod:`mappa_workflow.two_factor` for who is sent here and why.
"""

from __future__ import annotations

import base64
import io
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.middleware import is_verified
from django_otp.plugins.otp_totp.models import TOTPDevice

from mappa_workflow.audit import audit_record
from mappa_workflow.models import AuditAction
from mappa_workflow.signed_in import signed_in_user
from mappa_workflow.two_factor import base32_secret, confirmed_device, unconfirmed_device
from web.forms_base import GovukForm


class CodeForm(GovukForm):
    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows now",
        max_length=12,
        error_messages={"required": "Enter the 6-digit security code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, device: TOTPDevice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != self.device.digits:
            raise forms.ValidationError("Enter the security code as 6 digits, like 123456")
        allowed, _ = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError("Too many wrong codes: wait a few seconds, then enter the newest code")
        if not self.device.verify_token(code):
            raise forms.ValidationError("The security code is wrong or has expired: enter the newest code")
        return code


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


def _signed_in(request: HttpRequest, device: TOTPDevice, how: str) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id once fully signed in
    user = signed_in_user(request)
    audit_record(
        actor=user,
        action=AuditAction.SIGN_IN,
        obj=user,
        area_id=user.area_id,
        details={"method": "password and TOTP", "step": how},
    )
    return redirect(_next_url(request))


def _qr_code_data_uri(device: TOTPDevice) -> str:
    # An <img> with a data: URI, so the strict Content Security Policy needs no inline SVG or style.
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@never_cache
@sensitive_post_parameters("code")
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan the QR code (or type the key), then confirm with a code."""
    # OTPMiddleware's request.user.is_verified() is this function bound to the user.
    if is_verified(request.user):
        return redirect(_next_url(request))
    if confirmed_device(request.user) is not None:
        return redirect(reverse("two_factor:verify") + _query(request))
    device = unconfirmed_device(request.user)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return _signed_in(request, device, "set up")
    return render(
        request,
        "two_factor/setup.html",
        {
            "form": form,
            "qr_code": _qr_code_data_uri(device),
            "secret": " ".join(base32_secret(device)[i : i + 4] for i in range(0, len(base32_secret(device)), 4)),
            "next": _next_url(request),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Every sign-in: enter the code the authenticator app shows now."""
    # OTPMiddleware's request.user.is_verified() is this function bound to the user.
    if is_verified(request.user):
        return redirect(_next_url(request))
    device = confirmed_device(request.user)
    if device is None:
        return redirect(reverse("two_factor:setup") + _query(request))
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        return _signed_in(request, device, "verify")
    return render(request, "two_factor/verify.html", {"form": form, "next": _next_url(request)})


def _query(request: HttpRequest) -> str:
    nxt = request.GET.get("next", "")
    return f"?{urlencode({'next': nxt})}" if nxt else ""
