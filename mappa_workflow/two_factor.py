"""TOTP two-factor sign-in for every user (django-otp).

After the password, a user must prove they hold their authenticator before any page opens:
:class:`RequireTwoFactorMiddleware` sends a signed-in but unverified user to set up an
authenticator (first time) or to enter a code (every sign-in). Only sign-in, sign-out, the
health check, static files, the two-factor pages themselves and API requests that carry a
token (``Authorization: Token ...``, checked by DRF) pass without it.

An authenticator can be added only while the user has none; replacing a lost one is an
administrator's job (delete the device in the admin), so a stolen password cannot enrol a
second authenticator.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import NoReverseMatch, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .exceptions import problem

DEVICE_NAME = "Authenticator app"


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def unconfirmed_device(user: Any) -> TOTPDevice:
    """The authenticator being set up (created on first visit, kept until confirmed)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def base32_secret(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it when typed in by hand."""
    return base64.b32encode(binascii.unhexlify(device.key)).decode().rstrip("=")


def totp_code(device: TOTPDevice, *, at: float | None = None, fresh: bool = False) -> str:
    """The code ``device`` shows now. With ``fresh``, the next code the server will still accept
    (a code is accepted once: signing in twice within 30 seconds needs the next step's code)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    if fresh and totp.t() <= device.last_t:
        totp.time += (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"


def seconds_left(device: TOTPDevice, *, at: float | None = None) -> int:
    now = time.time() if at is None else at
    return int(device.step - ((now - device.t0) % device.step))


def _exempt_prefixes() -> tuple[str, ...]:
    prefixes = [settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}"]
    for name in ("login", "logout", "healthz", "two_factor:setup", "two_factor:verify"):
        try:
            prefixes.append(reverse(name))
        except NoReverseMatch:
            continue
    return tuple(prefixes)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _token_authenticated_api(request: HttpRequest) -> bool:
    # DRF's TokenAuthentication checks the token itself; a bad one is refused there with 401.
    return _is_api(request) and request.META.get("HTTP_AUTHORIZATION", "").startswith("Token ")


class RequireTwoFactorMiddleware:
    """Every signed-in user must have verified a TOTP code in this session.

    Sits after ``django_otp.middleware.OTPMiddleware`` (which sets ``request.user.is_verified``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not self._is_exempt(request)
            and not _token_authenticated_api(request)
        ):
            return self._refuse(request, user)
        return self.get_response(request)

    def _is_exempt(self, request: HttpRequest) -> bool:
        if self._exempt is None:
            self._exempt = _exempt_prefixes()
        return any(request.path == p or (p.endswith("/") and request.path.startswith(p)) for p in self._exempt)

    def _refuse(self, request: HttpRequest, user: Any) -> HttpResponse:
        if _is_api(request):
            return JsonResponse(
                problem(403, detail="Two-factor verification is required: sign in again, or use an API token."),
                status=403,
            )
        target = "two_factor:verify" if confirmed_device(user) else "two_factor:setup"
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse(target) + (f"?{query}" if query else ""))


__all__ = [
    "RequireTwoFactorMiddleware",
    "base32_secret",
    "confirmed_device",
    "seconds_left",
    "totp_code",
    "unconfirmed_device",
]
