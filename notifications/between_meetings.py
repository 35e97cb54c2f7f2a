"""Messages about the work between meetings: release checklists falling due, and requests to share minutes.

Like every message of this app they name no one (a link to the service is all): an agency inbox is read
by people nobody vetted for any one case. Dedupe keys:

* release reminders: ``release-reminder:<agency or user>:<id>:<date>`` (one per inbox or co-ordinator per day);
* sharing requests: ``sharing-request:<id>:<change>:<address>``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.utils import timezone

from mappa_workflow.models import Area, Role, User
from mappa_workflow.working_days import due_soon_until
from need_to_know import permissions

from . import selectors
from .email import render_email
from .models import MessageKind
from .outbox import outbox_add

logger = logging.getLogger(__name__)


def _chairs(area: Area) -> list[User]:
    return list(
        User.objects.filter(area=area, is_active=True, role_assignments__role=Role.CHAIR)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def sharing_request_notify(*, request_id: Any, change: str) -> int:
    """``requested``: each chair of the area who may see the case is told a request awaits a decision.
    ``decided``: whoever logged the request is told the decision. Returns messages added."""
    from release_planning.models import SharingRequest

    request = SharingRequest.objects.select_related("area", "recorded_by").get(pk=request_id)
    if change == "requested":
        recipients = [
            (u.email, u.pk)
            for u in _chairs(request.area)
            if permissions.has_perm(u, "release_planning.decide_sharing_request", request)
        ]
    else:
        logged_by = request.recorded_by
        recipients = [(logged_by.email, logged_by.pk)] if logged_by is not None and logged_by.email else []
    email = render_email(f"sharing_request_{change}", {"request": request})
    added = 0
    for address, user_id in recipients:
        added += bool(
            outbox_add(
                kind=MessageKind.SHARING_REQUEST,
                recipient_email=address,
                recipient_id=user_id,
                dedupe_key=f"sharing-request:{request.pk}:{change}:{address}",
                email=email,
                payload={"sharing_request_id": str(request.pk), "change": change},
            )
        )
    return added


def release_reminders_send(*, today: dt.date | None = None) -> int:
    """Each day, the release checklist items overdue or due within the area's "due soon" working days: to the
    lead agency's inbox (its items) and to each co-ordinator (the items of the cases they may see). Nothing
    when nothing is due. Running it again the same day adds nothing. Returns messages added."""
    from release_planning.selectors import items_due_by

    today = today or timezone.localdate()
    added = 0
    for area in Area.objects.all():
        horizon = due_soon_until(today, selectors.due_soon_days(area))
        items = list(items_due_by(area=area, day=horizon))
        if not items:
            continue
        by_agency: dict[Any, list[Any]] = {}
        for item in items:
            by_agency.setdefault(item.plan.lead_agency, []).append(item)
        for agency, agency_items in by_agency.items():
            if not agency.email:
                logger.warning("Agency %s has no inbox; its release reminders go to the co-ordinators only", agency.pk)
                continue
            added += _release_reminder(agency.email, None, f"agency:{agency.pk}", agency_items, today, str(agency))
        for user in selectors.coordinators(area):
            visible = set(
                permissions.visible_individuals(user)
                .filter(pk__in={i.plan.individual_id for i in items})
                .values_list("pk", flat=True)
            )
            mine = [i for i in items if i.plan.individual_id in visible]
            if mine:
                added += _release_reminder(user.email, user.pk, f"user:{user.pk}", mine, today, str(area))
    return added


def _release_reminder(address: str, user_id: int | None, who: str, items: list[Any], today: dt.date, name: str) -> int:
    overdue = [i for i in items if i.due_date < today]
    due_soon = [i for i in items if i.due_date >= today]
    email = render_email("release_reminder", {"name": name, "overdue": overdue, "due_soon": due_soon, "today": today})
    return int(
        outbox_add(
            kind=MessageKind.RELEASE_REMINDER,
            recipient_email=address,
            recipient_id=user_id,
            dedupe_key=f"release-reminder:{who}:{today.isoformat()}",
            email=email,
            payload={"plan_ids": sorted({str(i.plan_id) for i in items})},
        )
        is not None
    )
