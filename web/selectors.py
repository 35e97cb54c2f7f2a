"""Reads the pages need that no other app's selectors offer (yet). Each does a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from mappa_workflow.working_days import due_soon_until
from meetings.models import (
    UNFINISHED,
    AgendaItem,
    DisclosureDecision,
    RiskAction,
    RiskActionQuerySet,
    RiskActionState,
)
from need_to_know import permissions
from referrals.models import Individual, LifeEvent, Referral, Registration, RegistrationPeriod

PEOPLE_FOUND_LIMIT = 20


def filter_actions(qs: RiskActionQuerySet, show: str, *, today: dt.date, due_soon_days: int) -> RiskActionQuerySet:
    """``show`` is overdue, due_soon, open, done or all; "due soon" counts the area's working days."""
    if show == "overdue":
        return qs.overdue(today)
    if show == "due_soon":
        return qs.unfinished().filter(due_date__gte=today, due_date__lte=due_soon_until(today, due_soon_days))
    if show == "open":
        return qs.unfinished()
    if show == "done":
        return qs.exclude(state__in=UNFINISHED)
    return qs


def agency_action_counts(*, agency_id: int | None, today: dt.date, due_soon_days: int) -> dict[str, int]:
    """Overdue, due soon and open action counts for an agency, in one query."""
    if agency_id is None:
        return {"overdue": 0, "due_soon": 0, "open": 0}
    soon = due_soon_until(today, due_soon_days)
    unfinished = Q(state__in=UNFINISHED)
    return RiskAction.objects.filter(owning_agency_id=agency_id).aggregate(
        overdue=Count("pk", filter=unfinished & Q(due_date__lt=today)),
        due_soon=Count("pk", filter=unfinished & Q(due_date__gte=today, due_date__lte=soon)),
        open=Count("pk", filter=unfinished),
    )


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    tag: str = ""


def case_timeline(individual: Individual, *, actions: list[RiskAction], agenda_items: list[Any]) -> list[TimelineEntry]:
    """Levels and locations, life events, referrals, meetings and actions, newest first."""
    entries: list[TimelineEntry] = []
    periods = (
        RegistrationPeriod.objects.filter(individual=individual)
        .select_related("lead_agency", "registration")
        .order_by("start_date")
    )
    previous = None
    for period in periods:
        changes = []
        if previous is None or previous.level != period.level:
            changes.append(f"Level {period.level}")
        if previous is None or previous.category != period.category:
            changes.append(f"Category {period.category}")
        if previous is None or previous.location != period.location:
            changes.append(period.get_location_display().lower())
        if previous is None or previous.lead_agency_id != period.lead_agency_id:
            changes.append(f"lead agency {period.lead_agency}")
        entries.append(
            TimelineEntry(
                date=period.start_date,
                kind="level",
                title=(
                    "Registered: "
                    if previous is None or previous.registration_id != period.registration_id
                    else "Changed: "
                )
                + ", ".join(changes),
                detail=period.change_reason,
                tag="Level and location",
            )
        )
        if period.end_date and period.registration.ended_on == period.end_date:
            entries.append(
                TimelineEntry(
                    date=period.end_date,
                    kind="exit",
                    title=f"Exited MAPPA: {period.registration.get_exit_reason_display()}",
                    tag="Exit",
                )
            )
        previous = period
    for event in LifeEvent.objects.filter(individual=individual):
        entries.append(
            TimelineEntry(
                date=event.occurred_on,
                kind="event",
                title=event.get_event_type_display(),
                detail=event.details,
                tag="Event",
            )
        )
    for referral in Referral.objects.filter(individual=individual).select_related("referring_agency"):
        if referral.submitted_at:
            entries.append(
                TimelineEntry(
                    date=timezone.localtime(referral.submitted_at).date(),
                    kind="referral",
                    title=f"Referral {referral.reference} from {referral.referring_agency} for Level {referral.level_requested}",
                    tag="Referral",
                )
            )
        if referral.decided_on:
            entries.append(
                TimelineEntry(
                    date=referral.decided_on,
                    kind="decision",
                    title=f"Referral {referral.reference}: {referral.get_state_display()}",
                    detail=referral.decision_rationale,
                    tag="Screening",
                )
            )
    for item in agenda_items:
        minutes = getattr(item, "minutes", None)
        entries.append(
            TimelineEntry(
                date=item.meeting.meeting_date,
                kind="meeting",
                title=f"{item.meeting.get_meeting_type_display()}: {item.get_kind_display().lower()}",
                detail=f"Decision: {minutes.get_decision_display()}. {minutes.rationale}"
                if minutes
                else item.meeting.get_state_display(),
                tag="Meeting",
            )
        )
    for action in actions:
        entries.append(
            TimelineEntry(
                date=timezone.localtime(action.created_at).date() if action.created_at else action.due_date,
                kind="action",
                title=f"Action for {action.owning_agency}: {action.description}",
                detail=f"Due {action.due_date:%-d %B %Y}. {action.get_state_display()}"
                + (
                    f" on {action.completed_on:%-d %B %Y}"
                    if action.state == RiskActionState.COMPLETED and action.completed_on
                    else ""
                ),
                tag="Action",
            )
        )
    return sorted(entries, key=lambda e: e.date, reverse=True)


def case_agenda_items(individual: Individual, user: Any) -> list[AgendaItem]:
    """The person's cases on agendas whose minutes ``user`` may read (a practitioner: the meetings their
    agency was invited to), newest meeting first, with meeting and minutes: one query."""
    # The items of the person's registrations and of their referrals, each found by its own index and
    # joined by UNION: an OR across the two (joins or subqueries) makes PostgreSQL scan every agenda item
    # in the country (docs/performance.md).
    # The Category 4 barrier of permissions.visible_agenda_items is asked once of the person (the answer is
    # kept on the instance for the page's other checks) rather than as four subqueries per agenda item.
    if not permissions.is_counter_terrorism_cleared(user) and permissions.is_category_4(individual):
        return []
    by_registration = AgendaItem.objects.filter(registration__individual=individual).order_by().values("pk")
    mine = by_registration.union(AgendaItem.objects.filter(referral__individual=individual).order_by().values("pk"))
    return list(
        AgendaItem.objects.filter(pk__in=mine, meeting_id__in=permissions.visible_meetings(user).values("pk"))
        .select_related("meeting", "minutes")
        .order_by("-meeting__starts_at")
    )


def case_actions(individual: Individual) -> list[RiskAction]:
    return list(
        RiskAction.objects.filter(registration__individual=individual)
        .select_related("owning_agency")
        .order_by("due_date")
    )


def find_people(user: Any, *, q: str = "", date_of_birth: dt.date | None = None) -> list[Individual]:
    """People the user may see (area, agency involvement, Category 4 clearance) matching a name,
    another name they use, a ViSOR, PNC or nDelius reference, and/or a date of birth: at most
    :data:`PEOPLE_FOUND_LIMIT`, each with its current registration and periods (three queries)."""
    qs = permissions.visible_individuals(user)
    q = q.strip()
    if q:
        words = Q()
        for word in q.split():
            words &= Q(family_name__icontains=word) | Q(given_names__icontains=word) | Q(aliases__name__icontains=word)
        qs = qs.filter(
            words | Q(visor_reference__iexact=q) | Q(pnc_reference__iexact=q) | Q(ndelius_reference__iexact=q)
        )
    if date_of_birth is not None:
        qs = qs.filter(date_of_birth=date_of_birth)
    ids = qs.order_by().values("pk").distinct()
    return list(
        Individual.objects.filter(pk__in=ids)
        .prefetch_related(
            Prefetch(
                "registrations",
                queryset=Registration.objects.active().prefetch_related(
                    Prefetch("periods", queryset=RegistrationPeriod.objects.filter(end_date__isnull=True))
                ),
                to_attr="active_registrations",
            )
        )
        .order_by("family_name", "given_names", "date_of_birth")[:PEOPLE_FOUND_LIMIT]
    )


def case_disclosures(readable_agenda_items: list[AgendaItem]) -> list[DisclosureDecision]:
    """Disclosure decisions in the minutes of the person's agenda items the user may read
    (:func:`case_agenda_items`), newest first."""
    return list(
        DisclosureDecision.objects.filter(case_minutes__agenda_item__in=[item.pk for item in readable_agenda_items])
        .select_related("case_minutes__agenda_item__meeting")
        .order_by("-case_minutes__agenda_item__meeting__starts_at", "-pk")
    )
