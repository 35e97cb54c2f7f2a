"""Reads for meeting pages, the API and reports: each list in a fixed, small number of queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from mappa_workflow.models import Agency, AgencyType, Area, AreaSettings
from mappa_workflow.working_days import add_working_days
from referrals.models import Individual, Location, Referral, Registration, RegistrationPeriod, RegistrationStatus

from .models import (
    MINUTES_TEXT_FIELDS,
    AgendaItem,
    Attendance,
    Invitation,
    Meeting,
    MeetingState,
    PanelCondition,
    PanelMembership,
    RiskAction,
    RiskActionState,
)
from .timescales import Timescale, case_timescale, meeting_timescale


def meeting_list(
    *, area: Area, states: list[str] | None = None, meeting_type: str | None = None, upcoming: bool | None = None
) -> QuerySet[Meeting]:
    """Meetings of an area with their chair and number of cases (one query)."""
    meetings = Meeting.objects.for_area(area).select_related("chair", "area").annotate(case_count=Count("agenda_items"))
    if states:
        meetings = meetings.filter(state__in=states)
    if meeting_type:
        meetings = meetings.filter(meeting_type=meeting_type)
    if upcoming is True:
        meetings = meetings.filter(state=MeetingState.SCHEDULED).order_by("starts_at")
    elif upcoming is False:
        meetings = meetings.exclude(state=MeetingState.SCHEDULED).order_by("-starts_at")
    return meetings


def _agenda_items() -> QuerySet[AgendaItem]:
    return AgendaItem.objects.select_related(
        "referral__individual",
        "referral__referring_agency",
        "registration__individual",
        "minutes",
    ).prefetch_related(
        Prefetch(
            "actions_to_review",
            queryset=RiskAction.objects.select_related("owning_agency").prefetch_related("updates"),
        ),
        Prefetch("registration__periods", to_attr="period_list"),
    )


def meeting_agenda(meeting: Meeting) -> list[AgendaItem]:
    """The agenda in order: each case with its person, its current periods, and the unfinished
    actions carried to this meeting for review (a fixed number of queries)."""
    return list(_agenda_items().filter(meeting=meeting).order_by("position"))


def meeting_detail(meeting_id: object) -> Meeting:
    """One meeting with everything its page and its minutes show, in a fixed number of queries."""
    return (
        Meeting.objects.select_related("area", "chair", "minutes_approved_by", "attendance_gaps_confirmed_by")
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=_agenda_items()
                .prefetch_related(
                    "minutes__disclosures",
                    Prefetch("minutes__actions", queryset=RiskAction.objects.select_related("owning_agency")),
                )
                .order_by("position"),
            ),
            Prefetch("attendance", queryset=Attendance.objects.select_related("agency")),
            Prefetch("invitations", queryset=Invitation.objects.select_related("agency")),
            "reschedules",
        )
        .get(pk=meeting_id)
    )


def meeting_page(meeting_id: object) -> Meeting:
    """One meeting with what its page shows (the agenda with each case's decision, disclosures and actions to
    review; attendance, invitations and reschedules), in a fixed number of queries. Lighter than
    :func:`meeting_detail`, which the minutes need: no minutes text, minutes actions or periods."""

    agenda = (
        AgendaItem.objects.select_related("referral__individual", "registration__individual", "minutes")
        .defer(*(f"minutes__{name}" for name in MINUTES_TEXT_FIELDS))
        .prefetch_related(
            "minutes__disclosures",
            Prefetch("actions_to_review", queryset=RiskAction.objects.only("pk", "state", "due_date")),
        )
        .order_by("position")
    )
    return (
        Meeting.objects.select_related("area", "chair", "minutes_approved_by", "attendance_gaps_confirmed_by")
        .prefetch_related(
            Prefetch("agenda_items", queryset=agenda),
            Prefetch("attendance", queryset=Attendance.objects.select_related("agency")),
            Prefetch("invitations", queryset=Invitation.objects.select_related("agency")),
            "reschedules",
        )
        .get(pk=meeting_id)
    )


def count_by_agency(actions: QuerySet[RiskAction]) -> Counter[str]:
    """How many of ``actions`` each agency owns, by the agency's name as shown (one query, no rows read)."""
    counts: Counter[str] = Counter()
    rows = actions.order_by().values_list("owning_agency__name", "owning_agency__short_name").annotate(n=Count("pk"))
    for name, short_name, n in rows:
        counts[short_name or name] += n  # as str(agency)
    return counts


def action_list(
    *,
    area: Area,
    agency: Agency | None = None,
    states: list[str] | None = None,
    overdue_on: dt.date | None = None,
) -> QuerySet[RiskAction]:
    """Risk management actions of an area (or one agency), unfinished by default, soonest due first."""
    actions = (
        RiskAction.objects.filter(area=area)
        .select_related("owning_agency", "officer", "registration__individual", "case_minutes__agenda_item__meeting")
        .annotate(update_count=Count("updates"))
        .order_by("due_date", "created_at")
    )
    actions = actions.filter(state__in=states or [RiskActionState.OPEN, RiskActionState.IN_PROGRESS])
    if agency is not None:
        actions = actions.filter(owning_agency=agency)
    if overdue_on is not None:
        actions = actions.filter(due_date__lt=overdue_on)
    return actions


@dataclass(frozen=True)
class CaseDue:
    """A Level 2/3 case and its next meeting: what is due, when, and whether it is already booked."""

    registration: Registration
    timescale: Timescale | None  # None only for a case found by search that has no due date at all
    booked_on: Meeting | None

    @property
    def level(self) -> int:
        return self.registration.level or 0


def _level_statuses(level: int | None) -> list[RegistrationStatus]:
    if level is not None:
        return [RegistrationStatus(f"level_{level}")]
    return [RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3]


Visible = Callable[[QuerySet[Registration]], QuerySet[Registration]]

# In the model's field order, as Model.from_db takes the values; the state too, which django-fsm reads on load.
_BOOKED_FIELDS = tuple(
    f.attname for f in Meeting._meta.concrete_fields if f.attname in {"id", "starts_at", "meeting_type", "state"}
)


def _with_upcoming_bookings(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """Each case with its next scheduled meeting's fields annotated: one query, issued whether or not any case
    is due (a prefetch would add a second query only when the list is not empty)."""
    booked = AgendaItem.objects.filter(registration=OuterRef("pk"), meeting__state=MeetingState.SCHEDULED).order_by(
        "meeting__starts_at", "meeting_id"
    )
    return registrations.select_related("individual").annotate(
        **{
            f"booked_{name}": Subquery(
                booked.values(f"meeting__{name}")[:1], output_field=Meeting._meta.get_field(name)
            )
            for name in _BOOKED_FIELDS
        }
    )


def _booked_meeting(registration: Registration) -> Meeting | None:
    values = [getattr(registration, f"booked_{name}") for name in _BOOKED_FIELDS]
    if registration.booked_id is None:  # type: ignore[attr-defined]  # annotated by _with_upcoming_bookings
        return None
    # A meeting loaded with the fields the lists show (its name and link); any other field loads on access.
    return Meeting.from_db(registration._state.db, list(_BOOKED_FIELDS), values)


def _as_cases_due(
    registrations: QuerySet[Registration], settings: AreaSettings, today: dt.date, *, undated: bool = False
) -> list[CaseDue]:
    due = []
    for registration in registrations:
        timescale = case_timescale(registration, settings, today)
        if timescale is None and not undated:
            continue
        due.append(CaseDue(registration, timescale, _booked_meeting(registration)))
    return sorted(due, key=lambda c: (c.timescale.due if c.timescale else dt.date.max, str(c.registration.individual)))


def scheduling_window_end(*, area: Area, on: dt.date) -> dt.date:
    """The last due date offered for a panel held ``on``: the area's window, in working days like the
    timescales themselves, so Christmas or Easter inside it never pushes a case out."""
    return add_working_days(on, AreaSettings.for_area(area).scheduling_window_working_days)


def cases_due(
    *,
    area: Area,
    today: dt.date | None = None,
    until: dt.date | None = None,
    level: int | None = None,
    visible: Visible | None = None,
) -> list[CaseDue]:
    """Level 2 and 3 cases whose first meeting or review falls due by ``until`` (by default the area's
    scheduling window from ``today``) or is overdue, with the meeting each is already booked on, if
    any; ``visible`` is the reader's need-to-know rule, applied in the same query. Two queries
    (the area's settings, then the cases), however many cases there are."""
    today = today or timezone.localdate()
    settings = AreaSettings.for_area(area)
    horizon = until or add_working_days(today, settings.scheduling_window_working_days)
    registrations = Registration.objects.filter(area=area, status__in=_level_statuses(level)).filter(
        Q(next_review_due__lte=horizon) | Q(next_review_due__isnull=True, first_meeting_due__lte=horizon)
    )
    registrations = _with_upcoming_bookings(visible(registrations) if visible else registrations)
    return _as_cases_due(registrations, settings, today)


def cases_at_level_matching(
    *,
    visible: Visible,
    area: Area,
    level: int,
    term: str,
    today: dt.date | None = None,
    limit: int = 25,
) -> list[CaseDue]:
    """Any case of the area at ``level`` that ``visible`` keeps whose person's name, alias or reference
    matches ``term``, whenever it falls due: the co-ordinator can always find a case to add to a panel.
    ``visible`` is the reader's need-to-know rule (``need_to_know.selectors.cases_at_level_matching`` passes
    it); it applies before the limit, so hidden matches never crowd out visible ones. Three queries."""
    today = today or timezone.localdate()
    people = Individual.objects.filter(area=area).search(term).values("pk")
    matching = Registration.objects.filter(area=area, status__in=_level_statuses(level), individual__in=people)
    registrations = _with_upcoming_bookings(
        visible(matching).order_by("individual__family_name", "individual__given_names", "pk")[:limit]
    )
    return _as_cases_due(registrations, AreaSettings.for_area(area), today, undated=True)


def cases_by_registration(
    *,
    area: Area,
    level: int,
    registration_ids: Sequence[str],
    today: dt.date | None = None,
    visible: Visible | None = None,
) -> list[CaseDue]:
    """The given cases, as far as they are cases of ``area`` at ``level`` and ``visible`` keeps them (others
    are dropped)."""
    today = today or timezone.localdate()
    registrations = Registration.objects.filter(
        area=area, status__in=_level_statuses(level), pk__in=list(registration_ids)
    )
    registrations = _with_upcoming_bookings(visible(registrations) if visible else registrations)
    return _as_cases_due(registrations, AreaSettings.for_area(area), today, undated=True)


def referrals_to_screen(*, area: Area) -> QuerySet[Referral]:
    """Referrals awaiting screening, oldest first: what a threshold meeting's agenda holds."""
    return (
        Referral.objects.for_area(area)
        .awaiting_screening()
        .select_related("individual", "referring_agency")
        .order_by("submitted_at")
    )


def meetings_with_timescales(
    *, area: Area, today: dt.date | None = None, awaiting_minutes: bool = False
) -> list[tuple[Meeting, Timescale | None]]:
    """Held meetings with whether their minutes are on time, due soon or overdue.

    ``awaiting_minutes`` keeps only meetings whose minutes are not yet approved (the only ones that
    can be overdue): a few rows, where every held meeting of an area grows by a hundred a year.
    """
    settings = AreaSettings.for_area(area)
    meetings = meeting_list(area=area, upcoming=False).exclude(state=MeetingState.CANCELLED)
    if awaiting_minutes:
        meetings = meetings.filter(state__in=[MeetingState.HELD, MeetingState.MINUTES_DRAFTED])
    return [(m, meeting_timescale(m, settings, today)) for m in meetings]


# ---------------------------------------------------------------------------------------------
# Who is invited, and why: one code path for the scheduling preview and the invitations sent
# ---------------------------------------------------------------------------------------------

# Where an area keeps no panel row for a case need, the agency of this type is invited.
CASE_NEED_AGENCY_TYPES = {
    PanelCondition.UNDER_18: AgencyType.YOUTH_JUSTICE,
    PanelCondition.IN_CUSTODY: AgencyType.PRISON,
    PanelCondition.CHILDREN_LINKED: AgencyType.CHILDRENS_SOCIAL_CARE,
}
CASE_NEED_REASONS = {
    PanelCondition.UNDER_18: "Under 18",
    PanelCondition.IN_CUSTODY: "In custody",
    PanelCondition.CHILDREN_LINKED: "Children linked",
}
CORE_PANEL = "Core panel"


@dataclass(frozen=True)
class InvitationPreview:
    """An agency a meeting invites and why: the core panel, or a need of named cases.

    ``reason`` names the cases (for the co-ordinator checking the meeting they are scheduling, who chose
    them); what is stored is ``stored_reason`` and ``need``, which name nobody.
    """

    agency: Agency
    reason: str
    stored_reason: str
    need: str = ""


def _need_reason(need: str, people: Sequence[str]) -> str:
    """ "In custody: SMITH, John; ..." (the need alone when no one the reader may see has it)."""
    label = CASE_NEED_REASONS[PanelCondition(need)]
    return f"{label}: {'; '.join(people)}"[:200] if people else label


def case_needs(
    *, on: dt.date, registrations: Sequence[Registration] = (), referrals: Sequence[Referral] = ()
) -> dict[PanelCondition, list[str]]:
    """For each case need (under 18, in custody, children linked), who among the cases has it on ``on``.

    A referral's location is the one the referrer gave; a registration's is its open period's (one query).
    """
    locations = dict(
        RegistrationPeriod.objects.filter(
            registration_id__in=[r.pk for r in registrations], end_date__isnull=True
        ).values_list("registration_id", "location")
    )
    people = [(r.individual, r.current_location) for r in referrals]
    people += [(r.individual, locations.get(r.pk, "")) for r in registrations]
    needs: dict[PanelCondition, list[str]] = {c: [] for c in CASE_NEED_AGENCY_TYPES}
    for person, location in people:
        if person.age_on(on) < 18:
            needs[PanelCondition.UNDER_18].append(str(person))
        if location == Location.CUSTODY:
            needs[PanelCondition.IN_CUSTODY].append(str(person))
        if person.children_linked:
            needs[PanelCondition.CHILDREN_LINKED].append(str(person))
    return needs


def invitations_preview(
    meeting_type: str,
    area: Area,
    registrations: Sequence[Registration] = (),
    referrals: Sequence[Referral] = (),
    *,
    on: dt.date | None = None,
) -> list[InvitationPreview]:
    """The agencies a meeting of ``meeting_type`` in ``area`` with these cases invites, and why.

    The area's core panel for the meeting type, then the agencies each case need calls for (the
    area's panel rows for that need, or else its agency of the matching type). An agency invited
    for several reasons is listed once, under the first. ``meetings.services`` sends exactly these
    invitations (``_invite`` calls this), so what the co-ordinator checks is what is sent.
    """
    on = on or timezone.localdate()
    memberships = PanelMembership.objects.filter(area=area, meeting_type=meeting_type).select_related("agency")
    by_condition: dict[str, list[Agency]] = {}
    for membership in memberships:
        by_condition.setdefault(membership.condition, []).append(membership.agency)
    wanted: dict[int, InvitationPreview] = {}
    for agency in by_condition.get(PanelCondition.ALWAYS, []):
        wanted[agency.pk] = InvitationPreview(agency, CORE_PANEL, CORE_PANEL)
    for condition, people in case_needs(on=on, registrations=registrations, referrals=referrals).items():
        if not people:
            continue
        agencies = by_condition.get(condition)
        if agencies is None:
            default = (
                Agency.objects.filter(area=area, agency_type=CASE_NEED_AGENCY_TYPES[condition]).order_by("pk").first()
            )
            agencies = [default] if default else []
        for agency in agencies:
            preview = InvitationPreview(
                agency, _need_reason(condition, people), CASE_NEED_REASONS[condition], need=condition
            )
            wanted.setdefault(agency.pk, preview)
    return list(wanted.values())


@dataclass(frozen=True)
class InvitationAsSeen:
    """An invitation with its reason as one reader may see it (``str`` as the minutes print it)."""

    agency: Agency
    reason: str

    def __str__(self) -> str:
        return f"{self.agency} ({self.reason})"


def invitations_as_seen_by(
    meeting: Meeting, visible: Callable[[QuerySet[AgendaItem]], QuerySet[AgendaItem]] | None
) -> list[InvitationAsSeen]:
    """The meeting's invitations, each case need naming the people on the agenda *now* who have it and whom
    the reader may see (``visible``, the reader's need-to-know rule: ``need_to_know.selectors`` passes it).
    ``visible=None`` names nobody: for text every reader of an agency inbox gets (emails, calendar
    invitations). Composed at read time, so a case taken off the agenda, or one that becomes Category 4, is
    never named from a stale copy (three queries)."""
    invitations = list(meeting.invitations.all())
    needs: dict[PanelCondition, list[str]] = {}
    if visible is not None and any(i.need for i in invitations):
        items = list(
            visible(AgendaItem.objects.filter(meeting_id=meeting.pk)).select_related(
                "registration__individual", "referral__individual"
            )
        )
        needs = case_needs(
            on=meeting.meeting_date,
            registrations=[i.registration for i in items if i.registration is not None],
            referrals=[i.referral for i in items if i.referral is not None],
        )
    return [
        InvitationAsSeen(
            invitation.agency,
            _need_reason(invitation.need, needs.get(PanelCondition(invitation.need), []))
            if invitation.need
            else invitation.reason,
        )
        for invitation in invitations
    ]


def area_agencies(area: Area | None) -> QuerySet[Agency]:
    """The agencies of ``area`` by name: those a meeting there can invite, that can attend it or own its actions."""
    return Agency.objects.filter(area=area).order_by("name")


def area_agency(area: Area | None, agency_id: int | str) -> Agency | None:
    """Agency ``agency_id`` if it is one of ``area``'s; None for another area's agency or no such agency."""
    return Agency.objects.filter(area=area, pk=agency_id).first()
