"""The co-ordinator's dashboard: what needs doing in the area today."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mappa_workflow.audit import audit_list
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings.models import MeetingState, RiskAction
from meetings.timescales import Timeliness
from need_to_know import permissions
from referrals.models import Registration

from ..access import can_manage_cases, page


@page(can_manage_cases)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    area = user.area
    assert area is not None  # as before, an account without an area has no dashboard (a server error)
    today = timezone.localdate()
    week_start = today - dt.timedelta(days=today.weekday())
    week_end = week_start + dt.timedelta(days=7)
    # Only the cases the user may see: a Category 4 case needs counter-terrorism clearance.
    cases = meeting_selectors.cases_due(area=area, today=today)
    visible = set(
        permissions.visible_registrations(
            user, Registration.objects.filter(pk__in=[case.registration.pk for case in cases])
        ).values_list("pk", flat=True)
    )
    cases = [case for case in cases if case.registration.pk in visible]
    this_week = (
        meeting_selectors.meeting_list(area=area)
        .exclude(state=MeetingState.CANCELLED)
        .filter(
            starts_at__gte=timezone.make_aware(dt.datetime.combine(week_start, dt.time())),
            starts_at__lt=timezone.make_aware(dt.datetime.combine(week_end, dt.time())),
        )
        .order_by("starts_at")
    )
    minutes_overdue = [
        (meeting, timescale)
        for meeting, timescale in meeting_selectors.meetings_with_timescales(
            area=area, today=today, awaiting_minutes=True
        )
        if timescale is not None and timescale.status == Timeliness.OVERDUE
    ]
    overdue_actions = permissions.visible_risk_actions(user, RiskAction.objects.filter(area=area).overdue(today))
    by_agency = meeting_selectors.count_by_agency(overdue_actions)  # counted in the database: only numbers shown
    referrals = list(permissions.visible_referrals(user, meeting_selectors.referrals_to_screen(area=area)))
    # The dashboard names people (referrals to screen, cases due): audited like every list of people.
    audit_list(request, what="dashboard", shown=[*referrals, *(case.registration for case in cases)])
    return render(
        request,
        "web/dashboard.html",
        {
            "referrals": referrals,
            "cases_due": cases,
            "this_week": this_week,
            "minutes_overdue": minutes_overdue,
            "overdue_by_agency": sorted(by_agency.items()),
            "overdue_total": sum(by_agency.values()),
            "today": today,
        },
    )
