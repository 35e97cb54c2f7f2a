"""Error answers every layer may give: the pages' 500 handler, which turns a database that went away into a
503 "Sorry, there is a problem" page (the API's handler, ``api.errors.server_error``, calls it for pages)."""

import sys

from django.conf import settings
from django.db import DatabaseError, IntegrityError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error


def database_went_away() -> bool:
    """Whether the exception being handled is the database going away (a dropped connection, a restart),
    not a bug or a broken rule. Django calls error handlers inside its ``except`` block."""
    exc = sys.exc_info()[1]
    return isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError)


def server_error(request: HttpRequest) -> HttpResponse:
    """The pages' 500 handler (the API's, ``api.errors.server_error``, answers JSON and calls this for
    pages); a database that went away is a 503 "Sorry, there is a problem" page instead.

    The broken connection is closed when the request finishes (it is unusable), so the next request
    reconnects. The page is rendered without the request's context processors: they could query the database.
    """
    if database_went_away():
        html = render_to_string("503.html", {"service_name": getattr(settings, "SERVICE_NAME", "")})
        return HttpResponse(html, status=503, headers={"Retry-After": "5"})
    return django_server_error(request)
