"""The signed-in user of a request, typed as our User.

Django and DRF type ``request.user`` as ``User | AnonymousUser``. Every page and endpoint that acts
for a person is already behind a sign-in check (``web.access.page``, ``login_required``, DRF's
``IsAuthenticated``), so by the time a view runs the user is a :class:`~mappa_workflow.models.User`;
these say so to the type checker without changing what any view does.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required`` (or ``web.access.page``): its user is signed in.

    For annotations only (django-stubs' documented pattern); Django still passes a plain HttpRequest.
    """

    user: User


def signed_in_user(request: HttpRequest | Request) -> User:
    """``request.user``, which the view's sign-in check guarantees is a signed-in :class:`User`."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        # Unreachable behind the sign-in checks; refuse rather than act as nobody if a check is ever missed.
        raise PermissionDenied("Sign in to continue")
    return user
