"""The co-ordinator's dashboard: what needs doing in the area today."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.audit import audit_list
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings.models import MeetingState, RiskAction
from meetings.timescales import Timeliness
from need_to_know import permissions
from need_to_know import selectors as need_to_know_selectors
from release_planning import selectors as release_selectors

from .. import selectors as web_selectors
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
    cases = need_to_know_selectors.cases_due(user=user, area=area, today=today)
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
    by_agency = web_selectors.count_by_owning_agency(overdue_actions)  # counted in the database: only numbers shown
    actions_url = reverse("web:action_list")
    referrals = list(permissions.visible_referrals(user, meeting_selectors.referrals_to_screen(area=area)))
    horizon_weeks = release_selectors.horizon_weeks(area)
    releases = release_selectors.upcoming_releases(user, area=area, today=today, weeks=horizon_weeks)
    # The dashboard names people (referrals to screen, cases due, releases): audited like every list of people.
    audit_list(
        request,
        what="dashboard",
        shown=[*referrals, *(case.registration for case in cases), *(row.plan for row in releases)],
    )
    return render(
        request,
        "web/dashboard.html",
        {
            "referrals": referrals,
            "cases_due": cases,
            "this_week": this_week,
            "minutes_overdue": minutes_overdue,
            "overdue_by_agency": [
                {
                    "agency": name,
                    "count": n,
                    "href": f"{actions_url}?{urlencode({'show': 'overdue', 'owning_agency': pk})}",
                }
                for pk, name, n in by_agency
            ],
            "overdue_total": sum(n for _, _, n in by_agency),
            "overdue_href": f"{actions_url}?show=overdue",
            "referrals_href": f"{reverse('web:referral_list')}?state=awaiting",
            "week_href": f"{reverse('web:meeting_month')}?month={week_start:%Y-%m}",
            "reviews_overdue_href": f"{reverse('web:case_list')}?review=overdue",
            "reviews_soon_href": f"{reverse('web:case_list')}?review=soon",
            "today": today,
            "rows": releases,
            "horizon_weeks": horizon_weeks,
        },
    )
