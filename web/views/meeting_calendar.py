"""The meetings list with its filters, and the month view of panels: who meets when, without JavaScript.

Both show meetings of the user's own area only (the chair, type, time, place and number of cases);
neither names a person, so the Category 4 barrier has nothing to hide here. The agenda, with names,
is on the meeting's own page.
"""

from __future__ import annotations

import calendar
import datetime as dt
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings.models import Meeting, MeetingType

from ..access import can_manage_cases, can_see_cases, page
from ..filters import MeetingFilter, active_filters, filtered
from .common import page_links, paginate, sort_links, sort_queryset

SHOW = [("upcoming", "Upcoming"), ("past", "Past"), ("all", "All")]


@page(can_see_cases)
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_manage_cases(request.user):  # a practitioner's meetings are their agency's invitations
        return redirect("web:my_meetings")
    show = request.GET.get("show", "upcoming")
    if show not in dict(SHOW):
        show = "upcoming"
    area = request.user.area
    upcoming = {"upcoming": True, "past": False}.get(show)
    meetings = meeting_selectors.meeting_list(area=area, upcoming=upcoming) if area else Meeting.objects.none()
    meeting_filter = MeetingFilter(request.GET or None, meetings)
    meetings = filtered(meeting_filter)
    default = "-date" if show == "past" else "date"
    meetings, sort = sort_queryset(
        request,
        meetings,
        {"date": ("starts_at", "pk"), "type": ("meeting_type", "starts_at", "pk"), "cases": ("case_count", "pk")},
        default,
    )
    page_obj = paginate(request, meetings)
    captions = {"upcoming": "Upcoming meetings", "past": "Past meetings", "all": "All meetings"}
    return render(
        request,
        "web/meetings/list.html",
        {
            "page_obj": page_obj,
            "pages": page_links(request, page_obj),
            "show": show,
            "show_links": [
                (value, label, "?" + urlencode({**_kept(request, meeting_filter), "show": value}))
                for value, label in SHOW
            ],
            "caption": captions[show],
            "filter_form": meeting_filter.form,
            "filtered_by": active_filters(meeting_filter),
            "keep_params": [("show", show), ("sort", request.GET.get("sort", ""))],
            "clear_href": "?" + urlencode({"show": show}),
            "sort_cells": sort_links(request, sort, {"date": "Meeting", "type": "Type", "cases": "Cases"}),
            "extra_headers": ["Chair", "Status"],
        },
    )


def _kept(request: AuthenticatedHttpRequest, meeting_filter: MeetingFilter) -> dict[str, str]:
    return {k: str(v) for k, v in request.GET.items() if k in meeting_filter.filters or k == "sort"}


def _month(raw: str, today: dt.date) -> dt.date:
    """The first day of the month asked for as YYYY-MM; this month if missing or not a month."""
    try:
        year, month = (int(part) for part in raw.split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


def _shift(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@page(can_manage_cases)
def meeting_month(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A month of the area's meetings as a calendar table (a row per week, Monday first), with links to the
    previous and next month. Cancelled meetings show as cancelled; a type filter narrows the panels shown."""
    today = timezone.localdate()
    first = _month(request.GET.get("month", ""), today)
    meeting_type = request.GET.get("meeting_type", "")
    if meeting_type not in MeetingType.values:
        meeting_type = ""
    weeks = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month)
    start = timezone.make_aware(dt.datetime.combine(weeks[0][0], dt.time()))
    end = timezone.make_aware(dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time()))
    area = request.user.area
    meetings = (
        meeting_selectors.meeting_list(area=area, meeting_type=meeting_type or None) if area else Meeting.objects.none()
    )
    by_day: dict[dt.date, list[Meeting]] = {}
    for meeting in meetings.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at"):
        by_day.setdefault(timezone.localtime(meeting.starts_at).date(), []).append(meeting)

    def href(month: dt.date) -> str:
        return "?" + urlencode({"month": f"{month:%Y-%m}", **({"meeting_type": meeting_type} if meeting_type else {})})

    in_month = sum(len(found) for day, found in by_day.items() if day.month == first.month)
    return render(
        request,
        "web/meetings/month.html",
        {
            "month": first,
            "weeks": [
                [
                    {
                        "day": day,
                        "in_month": day.month == first.month,
                        "today": day == today,
                        "meetings": by_day.get(day, []),
                    }
                    for day in week
                ]
                for week in weeks
            ],
            "day_names": [calendar.day_name[i] for i in range(7)],
            "previous_href": href(_shift(first, -1)),
            "previous": _shift(first, -1),
            "next_href": href(_shift(first, 1)),
            "next": _shift(first, 1),
            "this_month_href": href(today.replace(day=1)),
            "meeting_count": in_month,
            "meeting_type": meeting_type,
            "meeting_types": MeetingType.choices,
        },
    )
