"""The need-to-know rules: who may see and do what with the case records, for services, pages, API and admin.

This layer sits above the case apps (it reads referrals and meetings) and below web, api and
administration. Role predicates and the check itself (``require``, ``has_perm``) are in
:mod:`mappa_workflow.roles`; this module registers the rules and the Category 4 barrier there when
the app starts, and re-exports them so pages and the API have one module to ask.

Three layers, applied the same way everywhere:

1. **Area isolation.** Every case record belongs to an area; nobody sees or changes another
   area's records. The only exception is a user explicitly given the administrator role, and
   each of their views outside their own area is flagged in the audit trail (``audit_view``).
2. **Role and agency.** Co-ordinators and chairs see every case of their area. An agency
   practitioner sees the cases their agency referred, leads now, was invited to (or attended) a
   meeting about, or owns a risk management action for, and updates only their own agency's actions.
   SMB members and lay advisers see statistics only, never a person; of a serious case review they
   read the review (reference, dates, state, criteria, the report written without names), never whom it is about.
3. **Category 4.** Terrorism and terrorism-risk records (a Category 4 referral or registration
   period, ever) are visible only to users with ``counter_terrorism_cleared``, whatever their role.

Lists filter in the database with the ``visible_*`` queryset helpers below; single objects are
checked with the ``view_*`` permissions, which are defined *through* those helpers so a list and
a detail page can never disagree. :func:`require` (services) and :func:`has_perm` (pages, API)
apply the Category 4 barrier to every permission and, unlike ``user.has_perm``, do not let
Django's superuser flag bypass the rules.

One module on purpose, at about 560 lines: each rule is registered beside the list helper it is defined
through, so that a list and a detail page cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.db.models import F, Model, Q, QuerySet

from case_reviews.models import SeriousCaseReview, SeriousFurtherOffence
from mappa_workflow.models import Role
from mappa_workflow.roles import (
    CATEGORY_4,
    _signed_in,
    add_object_barrier,
    area_id_of,
    has_perm,
    individual_ids_of,
    is_administrator,
    is_case_manager,
    is_chair,
    is_coordinator,
    is_counter_terrorism_cleared,
    is_lay_adviser,
    is_practitioner,
    is_smb_member,
    is_statistics_reader,
    require,
    require_category_clearance,
    same_area,
    sees_cases,
)
from meetings.models import AgendaItem, Attendance, CaseMinutes, Invitation, Meeting, RiskAction
from referrals.models import Individual, LifeEvent, Referral, Registration, RegistrationPeriod

# ---------------------------------------------------------------------------------------------
# Object predicates
# ---------------------------------------------------------------------------------------------


@rules.predicate
def referred_by_my_agency(user: Any, referral: Any) -> bool:
    return referral is not None and referral.referring_agency_id == user.agency_id


@rules.predicate
def action_owned_by_my_agency(user: Any, action: Any) -> bool:
    return action is not None and action.owning_agency_id == user.agency_id


@rules.predicate
def reads_board_governance(user: Any) -> bool:
    """The SMB's own records (docs/smb.md): its members, lay advisers and the co-ordinators and administrators
    who keep them. Not chairs or practitioners as such; a board record names board members, never a case."""
    return _signed_in(user) and user.has_role(Role.SMB_MEMBER, Role.LAY_ADVISER, Role.COORDINATOR, Role.ADMINISTRATOR)


# ---------------------------------------------------------------------------------------------
# Category 4: a barrier in front of every permission
# ---------------------------------------------------------------------------------------------


_MEMO = "_need_to_know_memo"


def _per_request(user: Any, key: str, build: Callable[[], Any]) -> Any:
    """``build()``, once per user instance: a page's ``request.user`` lives for one request, and a page asks
    the same rule of several lists (the dashboard: referrals, cases due, actions). What is kept are unevaluated
    subqueries (no rows), keyed by the user's area and agency so a changed account never reuses them."""
    if user is None or not hasattr(user, "__dict__"):
        return build()
    memo = user.__dict__.setdefault(_MEMO, {})
    full_key = (key, getattr(user, "area_id", None), getattr(user, "agency_id", None))
    if full_key not in memo:
        memo[full_key] = build()
    return memo[full_key]


def _category_4_individuals(user: Any = None) -> tuple[QuerySet, QuerySet]:
    """Subqueries of the ids of people with a Category 4 registration period or referral, ever."""
    return _per_request(
        user,
        "category_4",
        lambda: (
            RegistrationPeriod.objects.filter(category=CATEGORY_4).values("individual_id"),
            Referral.objects.filter(category=CATEGORY_4).values("individual_id"),
        ),
    )


def _exclude_category_4(qs: QuerySet, individual_path: str, user: Any = None) -> QuerySet:
    periods, referrals = _category_4_individuals(user)
    return qs.exclude(**{f"{individual_path}__in": periods}).exclude(**{f"{individual_path}__in": referrals})


_CATEGORY_4_MEMO = "_mappa_is_category_4"


def is_category_4(obj: Any) -> bool:
    """Whether ``obj`` is (or is about someone with) a Category 4 record.

    The answer is kept on the instance (a page asks several permissions of one case). It cannot go stale
    in a way that opens a door: only a user with counter-terrorism clearance, whom this check does not
    restrict, can record a Category 4 period or referral.
    """
    if obj is None or not isinstance(obj, Model):
        return False
    if getattr(obj, "category", None) == CATEGORY_4:
        return True
    if _CATEGORY_4_MEMO in obj.__dict__:
        return obj.__dict__[_CATEGORY_4_MEMO]
    individual = _loaded_individual(obj)
    if individual is not None:
        answer = is_category_4(individual)
    else:
        individual_ids = individual_ids_of(obj)
        periods, referrals = _category_4_individuals()
        answer = bool(individual_ids) and (
            periods.filter(individual_id__in=individual_ids).exists()
            or referrals.filter(individual_id__in=individual_ids).exists()
        )
    obj.__dict__[_CATEGORY_4_MEMO] = answer
    return answer


def category_4_barrier_passed(user: Any, obj: Any) -> None:
    """``obj`` was just read through a ``visible_*`` queryset of ``user``. For a user without clearance that
    query excluded everyone with a Category 4 record, so the barrier's answer for ``obj`` is already known:
    it is kept on the instance, and the page's later permission checks of the record (and of a registration
    or referral prefetched with it) do not ask the database again. For a cleared user nothing is kept (the
    barrier does not apply to them; the query said nothing about Category 4)."""
    if obj is not None and not is_counter_terrorism_cleared(user):
        obj.__dict__[_CATEGORY_4_MEMO] = False


_VISIBLE_TO_MEMO = "_mappa_visible_to"


def _viewer(user: Any) -> tuple:
    """Everything ``visible_individuals`` reads of a user: a changed account never matches an older mark."""
    return (
        getattr(user, "pk", None),
        getattr(user, "area_id", None),
        getattr(user, "agency_id", None),
        getattr(user, "is_active", None),
        getattr(user, "counter_terrorism_cleared", None),
        getattr(user, "role_set", None),
    )


def individual_read_as_visible(user: Any, individual: Any) -> None:
    """``individual`` was just read through ``visible_individuals(user)``: the case page's later questions
    "may this user see the person?" (release planning, Level 1 review) have that query's answer, kept on
    the instance with the user as they stand now, and do not ask the database again. Implies
    ``category_4_barrier_passed``."""
    if individual is None or not _signed_in(user):
        return
    category_4_barrier_passed(user, individual)
    individual.__dict__[_VISIBLE_TO_MEMO] = _viewer(user)


def _loaded_individual(obj: Any) -> Any:
    """The person a registration or referral is about, when already loaded (a prefetch sets it), so the
    answer is shared with the person's own instance; anything else is looked up."""
    if type(obj).__name__ not in ("Registration", "Referral"):
        return None
    return obj._state.fields_cache.get("individual")


def category_4_barrier(user: Any, obj: Any) -> bool:
    """The Category 4 barrier in front of every permission (registered with ``roles.add_object_barrier``)."""
    return not is_counter_terrorism_cleared(user) and is_category_4(obj)


add_object_barrier(category_4_barrier)


# ---------------------------------------------------------------------------------------------
# Querysets: what lists and the API show, filtered in the database
# ---------------------------------------------------------------------------------------------


def _my_agency_meeting_ids(user: Any) -> QuerySet | None:
    """Meetings the user's agency was invited to or attended, as a subquery (or None)."""
    if user.agency_id is None:
        return None
    return _per_request(user, "agency_meetings", lambda: _agency_meetings(user))


def _agency_meetings(user: Any) -> QuerySet:
    invited = Invitation.objects.filter(agency_id=user.agency_id).values("meeting_id")
    attended = Attendance.objects.filter(agency_id=user.agency_id).values("meeting_id")
    return Meeting.objects.filter(Q(pk__in=invited) | Q(pk__in=attended), area_id=user.area_id).values("pk")


def _agency_involvement(user: Any) -> Q:
    """Individuals (by pk) the user's agency referred, leads now, met about, or owns actions for."""
    return _per_request(user, "agency_involvement", lambda: _build_agency_involvement(user))


def _build_agency_involvement(user: Any) -> Q:
    agency_id = user.agency_id
    condition = Q(pk__in=Referral.objects.filter(referring_agency_id=agency_id).values("individual_id"))
    meeting_ids = _my_agency_meeting_ids(user)
    if meeting_ids is not None:
        items = AgendaItem.objects.filter(meeting_id__in=meeting_ids)
        condition |= Q(pk__in=items.filter(registration__isnull=False).values("registration__individual_id"))
        condition |= Q(pk__in=items.filter(referral__isnull=False).values("referral__individual_id"))
    condition |= Q(pk__in=RiskAction.objects.filter(owning_agency_id=agency_id).values("registration__individual_id"))
    # The lead agency manages the case between meetings (its Level 1 register, the release plan), even where
    # another agency referred it: its current period names the agency.
    condition |= Q(
        pk__in=RegistrationPeriod.objects.filter(end_date__isnull=True, lead_agency_id=agency_id).values(
            "individual_id"
        )
    )
    return condition


def _case_scope(user: Any) -> str:
    """How far a user sees cases: "all" (administrator), "area", "agency" or "none"."""
    if is_administrator(user):
        return "all"
    if not _signed_in(user) or getattr(user, "area_id", None) is None:
        return "none"
    if is_coordinator(user) or is_chair(user):
        return "area"
    if is_practitioner(user) and user.agency_id is not None:
        return "agency"
    return "none"


def _scoped(qs: QuerySet, user: Any, *, individual_path: str, area_path: str = "area_id") -> QuerySet:
    """Area isolation, then Category 4, for a queryset of records about individuals."""
    scope = _case_scope(user)
    if scope == "none":
        return qs.none()
    if scope != "all":
        qs = qs.filter(**{area_path: user.area_id})
    if not is_counter_terrorism_cleared(user):
        qs = _exclude_category_4(qs, individual_path, user)
    return qs


def visible_individuals(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """People the user may see (pass ``qs`` to narrow an existing queryset)."""
    qs = Individual.objects.all() if qs is None else qs
    qs = _scoped(qs, user, individual_path="pk")
    if _case_scope(user) == "agency":
        qs = qs.filter(_agency_involvement(user))
    return qs


def records_of_visible_people(user: Any, qs: QuerySet) -> QuerySet:
    """Records about a person (``individual`` and ``area`` fields: release plans, notifications, Level 1 reviews)
    of people the user may see, kept by the area that manages the person now: what another area recorded
    before a transfer stays with that area (docs/transfers.md)."""
    return qs.filter(individual_id__in=visible_individuals(user).values("pk"), area_id=F("individual__area_id"))


def visible_referrals(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Referrals: the whole area for co-ordinators and chairs; for a practitioner, those their
    agency made and those on the agenda of a meeting their agency was invited to or attended."""
    qs = Referral.objects.all() if qs is None else qs
    qs = _scoped(qs, user, individual_path="individual_id")
    if _case_scope(user) == "agency":
        condition = Q(referring_agency_id=user.agency_id)
        meeting_ids = _my_agency_meeting_ids(user)
        if meeting_ids is not None:
            condition |= Q(
                pk__in=AgendaItem.objects.filter(meeting_id__in=meeting_ids, referral__isnull=False).values(
                    "referral_id"
                )
            )
        qs = qs.filter(condition)
    return qs


def _visible_about_individuals(user: Any, qs: QuerySet) -> QuerySet:
    """Records that each belong to one person (``individual_id``): visible when the person is."""
    qs = _scoped(qs, user, individual_path="individual_id")
    if _case_scope(user) == "agency":
        qs = qs.filter(individual_id__in=visible_individuals(user).values("pk"))
    return qs


def visible_registrations(user: Any, qs: QuerySet | None = None) -> QuerySet:
    return _visible_about_individuals(user, Registration.objects.all() if qs is None else qs)


def visible_life_events(user: Any, qs: QuerySet | None = None) -> QuerySet:
    return _visible_about_individuals(user, LifeEvent.objects.all() if qs is None else qs)


def visible_meetings(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Meetings: the whole area for co-ordinators and chairs; for a practitioner, the meetings
    their agency was invited to or attended. Category 4 cases on an agenda are filtered by
    :func:`visible_agenda_items`, not by hiding the meeting."""
    qs = Meeting.objects.all() if qs is None else qs
    scope = _case_scope(user)
    if scope == "none":
        return qs.none()
    if scope == "all":
        return qs
    qs = qs.filter(area_id=user.area_id)
    if scope == "agency":
        meeting_ids = _my_agency_meeting_ids(user)
        return qs.none() if meeting_ids is None else qs.filter(pk__in=meeting_ids)
    return qs


def visible_agenda_items(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Cases on agendas, and so their minutes: the meeting must be visible, and a Category 4
    case needs clearance."""
    qs = AgendaItem.objects.all() if qs is None else qs
    qs = qs.filter(meeting_id__in=visible_meetings(user).values("pk"))
    if not is_counter_terrorism_cleared(user):
        periods, referrals = _category_4_individuals(user)
        for path in ("registration__individual_id", "referral__individual_id"):
            qs = qs.exclude(**{f"{path}__in": periods}).exclude(**{f"{path}__in": referrals})
    return qs


def visible_minutes(user: Any, qs: QuerySet | None = None) -> QuerySet:
    qs = CaseMinutes.objects.all() if qs is None else qs
    return qs.filter(agenda_item_id__in=visible_agenda_items(user).values("pk"))


def visible_risk_actions(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Actions of the cases the user may see (a practitioner sees other agencies' actions on
    their cases but may update only their own agency's: ``meetings.update_risk_action``)."""
    qs = RiskAction.objects.all() if qs is None else qs
    qs = _scoped(qs, user, individual_path="registration__individual_id")
    if _case_scope(user) == "agency":
        qs = qs.filter(registration__individual_id__in=visible_individuals(user).values("pk"))
    return qs


def visible_serious_further_offences(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """SFOs: the area's co-ordinators and chairs only (they are about a person; practitioners, the SMB and lay
    advisers read the review, not the SFO record)."""
    qs = SeriousFurtherOffence.objects.all() if qs is None else qs
    if _case_scope(user) == "agency":
        return qs.none()
    return _scoped(qs, user, individual_path="individual_id")


def visible_case_reviews(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Serious case reviews: the area's co-ordinators and chairs (with the person), and the area's SMB members and
    lay advisers (the review without the person: :func:`sees_review_subject` says which). Category 4 needs
    clearance, whoever reads."""
    qs = SeriousCaseReview.objects.all() if qs is None else qs
    if _case_scope(user) in ("all", "area"):
        return _scoped(qs, user, individual_path="individual_id")
    if (is_smb_member(user) or is_lay_adviser(user)) and getattr(user, "area_id", None) is not None:
        qs = qs.filter(area_id=user.area_id)
        return qs if is_counter_terrorism_cleared(user) else _exclude_category_4(qs, "individual_id", user)
    return qs.none()


def sees_review_subject(user: Any) -> bool:
    """Whether a reader of a review may also see whom it is about (name, references, the SFO's details)."""
    return _case_scope(user) in ("all", "area")


def my_agency_risk_actions(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """The actions a practitioner's agency owns (the "my agency's actions" list)."""
    qs = visible_risk_actions(user, qs)
    if user.agency_id is None:
        return qs.none()
    return qs.filter(owning_agency_id=user.agency_id)


# ---------------------------------------------------------------------------------------------
# Seeing one record: "it is in the list the user may see", so a list and a detail page agree
# ---------------------------------------------------------------------------------------------


def _in(visible: Callable[[Any], QuerySet], name: str) -> Any:
    @rules.predicate(name=name)
    def predicate(user: Any, obj: Any) -> bool:
        if obj is None or getattr(obj, "pk", None) is None:
            return False
        return visible(user).filter(pk=obj.pk).exists()

    return predicate


_in_visible_individuals = _in(visible_individuals, "in_visible_individuals_query")


@rules.predicate(name="in_visible_individuals")
def can_view_individual(user: Any, individual: Any) -> bool:
    """The person is among those the user may see: the mark left by ``individual_read_as_visible`` for this
    user as they stand now, or else the query."""
    if individual is not None and individual.__dict__.get(_VISIBLE_TO_MEMO) == _viewer(user):
        return True
    return bool(_in_visible_individuals(user, individual))


can_view_referral = _in(visible_referrals, "in_visible_referrals")
can_view_registration = _in(visible_registrations, "in_visible_registrations")
can_view_meeting = _in(visible_meetings, "in_visible_meetings")
can_view_risk_action = _in(visible_risk_actions, "in_visible_risk_actions")
can_view_serious_further_offence = _in(visible_serious_further_offences, "in_visible_serious_further_offences")
can_view_case_review = _in(visible_case_reviews, "in_visible_case_reviews")


def _review_of(obj: Any) -> Any:
    """A review, or the review an action of its plan belongs to."""
    return getattr(obj, "review", None) if type(obj).__name__ == "ReviewAction" else obj


@rules.predicate
def in_visible_review(user: Any, obj: Any) -> bool:
    return obj is not None and can_view_case_review(user, _review_of(obj))


@rules.predicate
def review_in_my_area(user: Any, obj: Any) -> bool:
    review = _review_of(obj)
    return review is not None and review.area_id == getattr(user, "area_id", None)


@rules.predicate
def can_view_minutes(user: Any, obj: Any) -> bool:
    """Minutes of one case at one meeting (an agenda item, or its CaseMinutes)."""
    if obj is None:
        return False
    item_id = getattr(obj, "agenda_item_id", None) or getattr(obj, "pk", None)
    return item_id is not None and visible_agenda_items(user).filter(pk=item_id).exists()


@rules.predicate
def involved_with_individual(user: Any, individual: Any) -> bool:
    return individual is not None and can_view_individual(user, individual)


# ---------------------------------------------------------------------------------------------
# Permissions (names are "<app>.<verb>_<thing>", checked with require()/has_perm())
# ---------------------------------------------------------------------------------------------

# Seeing records. ``obj=None`` asks "may this user see any such records at all" (menus, API roots).
rules.add_perm("referrals.view_individual", can_view_individual)
rules.add_perm("referrals.view_referral", can_view_referral)
rules.add_perm("referrals.view_registration", can_view_registration)
rules.add_perm("meetings.view_meeting", can_view_meeting)
rules.add_perm("meetings.view_minutes", can_view_minutes)
rules.add_perm("meetings.view_risk_action", can_view_risk_action)
rules.add_perm("reporting.view_statistics", is_statistics_reader & same_area)
rules.add_perm("oversight.view_board_governance", reads_board_governance & same_area)
rules.add_perm("oversight.manage_board_governance", (is_coordinator | is_administrator) & same_area)
rules.add_perm("mappa_workflow.view_case_viewers", (is_coordinator & same_area) | is_administrator)
rules.add_perm("mappa_workflow.cross_area_access", is_administrator)

# Changing records.
rules.add_perm("referrals.create_individual", ((is_practitioner | is_coordinator) & same_area) | is_administrator)
rules.add_perm(
    "referrals.edit_individual", is_case_manager | (is_practitioner & involved_with_individual) | is_administrator
)
rules.add_perm("referrals.create_referral", is_practitioner | is_coordinator)
rules.add_perm("referrals.edit_referral", (is_practitioner & same_area & referred_by_my_agency) | is_case_manager)
rules.add_perm("referrals.screen_referral", is_case_manager)
rules.add_perm("referrals.manage_registration", is_case_manager)
rules.add_perm("referrals.record_life_event", is_case_manager | (is_practitioner & involved_with_individual))
rules.add_perm("meetings.manage_meeting", is_case_manager)
# Serious further offences and serious case reviews (docs/serious-case-reviews.md). The co-ordinator records the
# SFO (on a registration they may see); the SMB's chair in tenure decides (``case_reviews.decide_case_review``, in
# ``oversight/rules.py`` beside the board's tenures it reads); the SMB approves and closes; the report and its
# action plan are kept by the SMB and the co-ordinators; lay advisers and the SMB read the review without the person.
rules.add_perm("case_reviews.view_serious_further_offence", can_view_serious_further_offence)
# (a co-ordinator sees every registration of the area: the Category 4 barrier in front of every permission does the rest)
rules.add_perm("case_reviews.record_serious_further_offence", is_coordinator & same_area)
rules.add_perm("case_reviews.view_case_review", can_view_case_review)
rules.add_perm("case_reviews.view_case_review_subject", can_view_case_review & is_case_manager)
rules.add_perm(
    "case_reviews.write_case_review_report", (is_smb_member | is_coordinator) & same_area & can_view_case_review
)
rules.add_perm("case_reviews.approve_case_review_report", is_smb_member & same_area & can_view_case_review)
rules.add_perm("case_reviews.close_case_review", is_smb_member & same_area & can_view_case_review)
rules.add_perm(
    "case_reviews.manage_case_review_actions", (is_smb_member | is_coordinator) & review_in_my_area & in_visible_review
)
rules.add_perm(
    "meetings.update_risk_action", is_case_manager | (is_practitioner & same_area & action_owned_by_my_agency)
)


__all__ = [
    "CATEGORY_4",
    "area_id_of",
    "can_view_case_review",
    "can_view_individual",
    "category_4_barrier_passed",
    "has_perm",
    "individual_read_as_visible",
    "is_administrator",
    "is_case_manager",
    "is_category_4",
    "is_chair",
    "is_coordinator",
    "is_counter_terrorism_cleared",
    "is_practitioner",
    "is_smb_member",
    "is_statistics_reader",
    "my_agency_risk_actions",
    "reads_board_governance",
    "records_of_visible_people",
    "require",
    "require_category_clearance",
    "same_area",
    "sees_cases",
    "sees_review_subject",
    "visible_agenda_items",
    "visible_case_reviews",
    "visible_individuals",
    "visible_life_events",
    "visible_meetings",
    "visible_minutes",
    "visible_referrals",
    "visible_registrations",
    "visible_risk_actions",
    "visible_serious_further_offences",
]
