from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import request_context


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy rewrites it,
    # and production puts the proxy's own address handling in front (docs/operations.md).
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_context.set_current(request_context.RequestContext(ip_address=client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)


SESSION_REFRESHED_AT = "_idle_refreshed_at"
SESSION_REFRESH_SECONDS = 60


class SessionIdleRefreshMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE after the last request) without a write on every request.

    Saving the session sets its expiry to now + SESSION_COOKIE_AGE. Instead of saving on every request
    (SESSION_SAVE_EVERY_REQUEST: an UPDATE and COMMIT each time), a signed-in session is saved when its last
    save is a minute old or more, or when it changed anyway: so it expires between SESSION_COOKIE_AGE less a
    minute and SESSION_COOKIE_AGE after the last request. Goes just after SessionMiddleware, which saves it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return response  # no session, or one flushed by signing out
        now = int(timezone.now().timestamp())
        refreshed_at = session.get(SESSION_REFRESHED_AT)  # loads the session if the view did not
        if session.session_key is None or session.is_empty():
            return response  # the cookie named a session that has expired or does not exist
        if (
            session.modified
            or not isinstance(refreshed_at, int)
            or not 0 <= now - refreshed_at < SESSION_REFRESH_SECONDS
        ):
            session[SESSION_REFRESHED_AT] = now  # marks it modified: SessionMiddleware saves it with a new expiry
        return response


class PermissionsPolicyMiddleware:
    """A ``Permissions-Policy`` header on every response, refusing each feature in settings.PERMISSIONS_POLICY
    (``camera=()``: not this page, not any frame in it). Pages, the API, errors and static files alike."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response
