"""What the service tells people, and when. Every function here writes outbox rows (never sends).

Each message has a dedupe key naming what it is about and for whom, so calling any of these
twice (a signal delivered twice, a sweep run twice in a day) adds nothing the second time:

* meeting emails: ``meeting:<id>:seq<ics sequence>:<address>`` (a change raises the sequence);
* daily action reminders: ``action-reminder:<officer or agency>:<date>`` (one per officer per day);
* co-ordinator alerts: ``coordinator-alert:<user>:<date>``; weekly digest: ``weekly-digest:<user>:<ISO week>``;
* referral updates: ``referral:<id>:<transition>:<audit row>:<address>``; export ready: ``export:<job>``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Area, AuditEvent, User
from mappa_workflow.working_days import due_soon_until
from need_to_know import permissions
from reporting import exports, statistics, trends

from . import selectors
from .email import Attachment, RenderedEmail, render_email
from .models import ExportFormat, ExportJob, ExportStatus, MessageKind
from .outbox import outbox_add, publish

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Referrals
# ---------------------------------------------------------------------------------------------

REFERRAL_TO_COORDINATORS = {"submit", "resubmit"}
REFERRAL_TO_REFERRER = {"request_more_information", "accept_at_level_2", "accept_at_level_3", "manage_at_level_1"}


def coordination_recipients(area: Any) -> list[tuple[str, int | None]]:
    """Who hears of a referral to screen: the co-ordination team's shared inbox once, when the area has one
    (co-ordinators sharing a team had one copy each); otherwise each co-ordinator, once per address."""
    from mappa_workflow.models import AreaSettings

    team_inbox = AreaSettings.for_area(area).coordination_team_email
    if team_inbox:
        return [(team_inbox, None)]
    recipients: dict[str, tuple[str, int | None]] = {}
    for user in selectors.coordinators(area):
        recipients.setdefault(user.email.lower(), (user.email, user.pk))
    return list(recipients.values())


def referral_transition_notify(*, referral_id: Any, transition: str, actor_id: int | None = None) -> int:
    """Tell the co-ordinators of a new or resubmitted referral, and the referrer of a request or a decision.

    Returns how many messages were added.
    """
    from referrals.models import Referral

    if transition not in REFERRAL_TO_COORDINATORS | REFERRAL_TO_REFERRER:
        return 0
    referral = Referral.objects.select_related("area", "individual", "referring_officer", "referring_agency").get(
        pk=referral_id
    )
    # The audit row of this transition identifies the event, so a second request for more information
    # is a new message but the same signal received twice is not.
    event_id = (
        AuditEvent.objects.filter(object_type=Referral._meta.label, object_id=str(referral.pk), transition=transition)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if transition in REFERRAL_TO_COORDINATORS:
        recipients = coordination_recipients(referral.area)
    else:
        officer = referral.referring_officer
        recipients = [(referral.referring_officer_email or officer.email, officer.pk)]
    template = (
        "referral_awaiting_screening"
        if transition in REFERRAL_TO_COORDINATORS
        else "referral_more_information"
        if transition == "request_more_information"
        else "referral_decision"
    )
    email = render_email(template, {"referral": referral})
    added = 0
    for address, user_id in recipients:
        added += bool(
            outbox_add(
                kind=MessageKind.REFERRAL_UPDATE,
                recipient_email=address,
                recipient_id=user_id,
                dedupe_key=f"referral:{referral.pk}:{transition}:{event_id}:{address}",
                email=email,
                payload={"referral_id": str(referral.pk), "transition": transition, "actor_id": actor_id},
            )
        )
    return added


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------

MEETING_CHANGE_KIND = {
    "scheduled": MessageKind.MEETING_INVITATION,
    "updated": MessageKind.MEETING_UPDATE,
    "cancelled": MessageKind.MEETING_CANCELLATION,
}


def meeting_recipients(meeting: Any) -> list[tuple[str, int | None]]:
    """Everyone a meeting's invitation goes to: the chair and each invited agency's MAPPA inbox, once each."""
    recipients: dict[str, int | None] = {}
    if meeting.chair.email:
        recipients[meeting.chair.email.lower()] = meeting.chair_id
    for invitation in meeting.invitations.all():
        person = getattr(invitation, "person", None)  # per-person invitations, if the meetings app records them
        if person is not None and person.email:
            recipients.setdefault(person.email.lower(), person.pk)
        if invitation.agency.email:
            recipients.setdefault(invitation.agency.email.lower(), None)
    return sorted(recipients.items())


def _meeting_ics(meeting: Any) -> Attachment:
    from meetings.ics import ics_filename, meeting_ics

    return Attachment(ics_filename(meeting), "text/calendar", meeting_ics(meeting))


def meeting_change_notify(*, meeting_id: Any, change: str, actor_id: int | None = None) -> int:
    """Email every invitee the meeting's .ics (REQUEST, or CANCEL when cancelled). Returns messages added."""
    from meetings.models import Meeting

    meeting = (
        Meeting.objects.select_related("area", "chair")
        .prefetch_related("invitations__agency", "agenda_items")
        .get(pk=meeting_id)
    )
    from .change_lines import what_changed

    ics = _meeting_ics(meeting)
    email = render_email(
        "meeting",
        {
            "meeting": meeting,
            "change": change,
            "cases": len(meeting.agenda_items.all()),
            "changes": what_changed(meeting) if change == "updated" else [],
        },
    )
    email = RenderedEmail(email.subject, email.text, email.html, (ics,))
    added = 0
    for address, user_id in meeting_recipients(meeting):
        added += bool(
            outbox_add(
                kind=MEETING_CHANGE_KIND[change],
                recipient_email=address,
                recipient_id=user_id,
                dedupe_key=f"meeting:{meeting.pk}:seq{meeting.ics_sequence}:{change}:{address}",
                email=email,
                payload={"meeting_id": str(meeting.pk), "change": change, "actor_id": actor_id},
            )
        )
    return added


def action_assigned_notify(*, action_id: Any) -> int:
    """Tell the named officer (or, without an account, the owning agency's inbox) about a new action."""
    from meetings.models import RiskAction

    action = RiskAction.objects.select_related("officer", "owning_agency", "registration__individual").get(pk=action_id)
    address = action.officer.email if action.officer and action.officer.email else action.owning_agency.email
    return int(
        outbox_add(
            kind=MessageKind.ACTION_ASSIGNED,
            recipient_email=address,
            recipient_id=action.officer_id,
            dedupe_key=f"action-assigned:{action.pk}:{action.officer_id or action.owning_agency_id}",
            email=render_email("action_assigned", {"action": action}),
            payload={"action_id": str(action.pk)},
        )
        is not None
    )


# ---------------------------------------------------------------------------------------------
# Daily and weekly sweeps (beat)
# ---------------------------------------------------------------------------------------------


def action_reminders_send(*, today: dt.date | None = None) -> int:
    """One email per officer per day listing their actions overdue and due within the area's "due soon" days.

    Actions with no officer account go to the owning agency's inbox, grouped the same way.
    Running it again the same day adds nothing. Returns messages added.
    """
    today = today or timezone.localdate()
    added = 0
    for area in Area.objects.all():
        horizon = due_soon_until(today, selectors.due_soon_days(area))
        groups: dict[tuple[str, int], dict[str, Any]] = {}
        for action in selectors.unfinished_actions_due_by(area=area, day=horizon):
            if action.officer_id and action.officer.email:
                key, address, name = ("officer", action.officer_id), action.officer.email, str(action.officer)
            elif action.owning_agency.email:
                key, address, name = (
                    ("agency", action.owning_agency_id),
                    action.owning_agency.email,
                    str(action.owning_agency),
                )
            else:
                logger.warning("Action %s has no officer or agency email; no reminder sent", action.pk)
                continue
            group = groups.setdefault(key, {"address": address, "name": name, "overdue": [], "due_soon": []})
            group["overdue" if action.due_date < today else "due_soon"].append(action)
        for (who, who_id), group in groups.items():
            email = render_email("action_reminder", {**group, "today": today, "area": area})
            added += bool(
                outbox_add(
                    kind=MessageKind.ACTION_REMINDER,
                    recipient_email=group["address"],
                    recipient_id=who_id if who == "officer" else None,
                    dedupe_key=f"action-reminder:{who}:{who_id}:{today.isoformat()}",
                    email=email,
                    payload={"action_ids": [str(a.pk) for a in group["overdue"] + group["due_soon"]]},
                )
            )
    return added


def _coordinator_picture(area: Area, today: dt.date, horizon: dt.date) -> dict[str, Any]:
    return {
        "first_meetings": list(selectors.first_meetings_due_by(area=area, day=horizon)),
        "reviews": list(selectors.reviews_due_by(area=area, day=horizon)),
        "minutes": selectors.minutes_overdue(area=area, today=today),
        "today": today,
        "area": area,
    }


def coordinator_picture_as_seen_by(user: User, picture: dict[str, Any]) -> dict[str, Any]:
    """The co-ordinator's picture with only the cases ``user`` may see (a Category 4 case needs clearance):
    each co-ordinator's alert and digest is composed for them at render time, never one copy for all."""
    from referrals.models import Registration

    cases = [r.pk for name in ("first_meetings", "reviews") for r in picture[name]]
    visible = set(
        permissions.visible_registrations(user, Registration.objects.filter(pk__in=cases)).values_list("pk", flat=True)
    )
    return {
        **picture,
        "first_meetings": [r for r in picture["first_meetings"] if r.pk in visible],
        "reviews": [r for r in picture["reviews"] if r.pk in visible],
    }


def _to_coordinators(area: Area, kind: str, key: str, period: str, template: str, picture: dict[str, Any]) -> int:
    """To each co-ordinator of ``area``, once per ``period``, ``template`` rendered with the picture as they may see it."""
    added = 0
    for user in selectors.coordinators(area):
        added += bool(
            outbox_add(
                kind=kind,
                recipient_email=user.email,
                recipient_id=user.pk,
                dedupe_key=f"{key}:{user.pk}:{period}",
                email=render_email(template, coordinator_picture_as_seen_by(user, picture)),
                payload={"area_id": area.pk, "period": period},
            )
        )
    return added


def coordinator_alerts_send(*, today: dt.date | None = None) -> int:
    """Each day, tell each co-ordinator which first meetings and reviews are due or overdue and
    which minutes are overdue, in one email; nothing when there is nothing. Returns messages added."""
    today = today or timezone.localdate()
    added = 0
    for area in selectors.areas_with_coordinators():
        picture = _coordinator_picture(area, today, due_soon_until(today, selectors.due_soon_days(area)))
        if not (picture["first_meetings"] or picture["reviews"] or picture["minutes"]):
            continue
        added += _to_coordinators(
            area, MessageKind.COORDINATOR_ALERT, "coordinator-alert", today.isoformat(), "coordinator_alert", picture
        )
    return added


def weekly_digest_send(*, today: dt.date | None = None) -> int:
    """Each week, the co-ordinator's overview: actions overdue and due in the next 7 days by agency,
    first meetings and reviews due, minutes overdue. One per co-ordinator per ISO week."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=7)  # the digest looks a calendar week ahead
    year, week, _ = today.isocalendar()
    added = 0
    for area in selectors.areas_with_coordinators():
        by_agency: dict[str, dict[str, list]] = defaultdict(lambda: {"overdue": [], "due": []})
        for action in selectors.unfinished_actions_due_by(area=area, day=horizon):
            by_agency[str(action.owning_agency)]["overdue" if action.due_date < today else "due"].append(action)
        picture = _coordinator_picture(area, today, horizon)
        picture["by_agency"] = sorted(by_agency.items())
        picture["actions_overdue"] = sum(len(v["overdue"]) for v in by_agency.values())
        picture["actions_due"] = sum(len(v["due"]) for v in by_agency.values())
        picture["week"] = f"{year}-W{week:02d}"
        added += _to_coordinators(
            area, MessageKind.WEEKLY_DIGEST, "weekly-digest", picture["week"], "weekly_digest", picture
        )
    return added


# ---------------------------------------------------------------------------------------------
# Statistics exports built in the background
# ---------------------------------------------------------------------------------------------


def statistics_export_content(
    *, area: Area, year: int, export_format: str, progress: Callable[[int, str], None] = lambda *_: None
) -> tuple[str, bytes]:
    """Build one statistics export: ``reporting.statistics.compute_annual_report`` rendered by
    ``reporting.exports.render`` (with the year-on-year trend for the PDF's charts), reporting
    progress between the steps. Returns the file name and its content."""
    progress(10, "Counting the year's registrations and events")
    report = statistics.compute_annual_report(areas=area, year=year)
    trend = None
    if export_format == ExportFormat.PDF:
        progress(40, "Comparing with earlier years")
        trend = trends.compute_year_on_year(areas=area, year=year)
    progress(70, f"Writing the {export_format.upper()} file")
    content = exports.render(report, export_format, trend)
    return f"mappa-statistics-{area.slug}-{year}-{(year + 1) % 100:02d}.{export_format}", content


def export_request(*, actor: User, area: Area, year: int, export_format: str) -> ExportJob:
    """Ask for a statistics export of ``area`` for the reporting year starting in ``year``.

    The export is built by a worker; the job's status and progress show how far it has got, and
    the requester gets an email when it is ready. Statistics readers of the area may ask.
    """
    permissions.require(actor, "notifications.request_export", ExportJob(area=area))
    if export_format not in ExportFormat.values:
        raise WorkflowError({"export_format": "Select a format: CSV, Excel, OpenDocument, PDF or JSON"})
    if not 2000 <= int(year) <= timezone.localdate().year:
        raise WorkflowError({"year": "Enter a reporting year from 2000 to this year"})
    with transaction.atomic():
        job = ExportJob.objects.create(requested_by=actor, area=area, year=year, export_format=export_format)
        transaction.on_commit(lambda: publish(build_statistics_export, str(job.pk)))
    return job


def _export_progress(job_id: Any):  # type: ignore[no-untyped-def]
    def report(percent: int, message: str = "") -> None:
        ExportJob.objects.filter(pk=job_id).update(
            progress=max(0, min(99, int(percent))), progress_message=message[:200]
        )

    return report


def export_build(*, job_id: Any) -> str:
    """Build a queued export (worker only). Claims the job so a redelivered task does not build it twice."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), progress=0
    )
    if not claimed:
        return "not queued"
    job = ExportJob.objects.select_related("area", "requested_by").get(pk=job_id)
    try:
        filename, content = statistics_export_content(
            area=job.area, year=job.year, export_format=job.export_format, progress=_export_progress(job.pk)
        )
        job.file.save(filename, ContentFile(content), save=False)
    except Exception as exc:
        logger.exception("Export %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        return "failed"
    with transaction.atomic():
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportStatus.DONE, file=job.file.name, progress=100, progress_message="", finished_at=timezone.now()
        )
        outbox_add(
            kind=MessageKind.EXPORT_READY,
            recipient_email=job.requested_by.email,
            recipient_id=job.requested_by_id,
            dedupe_key=f"export:{job.pk}",
            email=render_email("export_ready", {"job": job}),
            payload={"export_job_id": str(job.pk)},
        )
    return "done"


# The export task lives beside the service it runs (notifications.tasks re-exports it for autodiscovery).
@shared_task(name="notifications.build_statistics_export")
def build_statistics_export(job_id: str) -> str:
    return export_build(job_id=job_id)
