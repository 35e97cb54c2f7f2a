"""The start page: each role lands where its work is."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from mappa_workflow.models import AreaSettings
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know.permissions import is_practitioner, visible_referrals

from .. import selectors
from ..access import can_manage_cases, can_read_statistics, page


@page()
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if can_manage_cases(user):
        return redirect("web:dashboard")
    if is_practitioner(user):
        today = timezone.localdate()
        settings = AreaSettings.for_area(user.area) if user.area is not None else None
        counts = selectors.agency_action_counts(
            agency_id=user.agency_id, today=today, due_soon_days=settings.due_soon_days if settings else 5
        )
        drafts = (
            visible_referrals(user)
            .filter(state__in=["draft", "more_information_requested"])
            .select_related("individual")[:10]
        )
        return render(request, "web/home_practitioner.html", {"counts": counts, "drafts": drafts})
    if can_read_statistics(user):
        return redirect("web:statistics")
    return render(request, "web/home_no_role.html", status=200)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")
