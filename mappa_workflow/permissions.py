"""Who may see and do what: the one source of access rules for services, pages, API and admin.

Three layers, applied the same way everywhere:

1. **Area isolation.** Every case record belongs to an area; nobody sees or changes another
   area's records. The only exception is a user explicitly given the administrator role, and
   each of their views outside their own area is flagged in the audit trail (``audit_view``).
2. **Role and agency.** Co-ordinators and chairs see every case of their area. An agency
   practitioner sees the cases their agency referred, was invited to (or attended) a meeting
   about, or owns a risk management action for, and updates only their own agency's actions.
   SMB members and lay advisers see statistics only, never a person.
3. **Category 4.** Terrorism and terrorism-risk records (a Category 4 referral or registration
   period, ever) are visible only to users with ``counter_terrorism_cleared``, whatever their role.

Lists filter in the database with the ``visible_*`` queryset helpers below; single objects are
checked with the ``view_*`` permissions, which are defined *through* those helpers so a list and
a detail page can never disagree. :func:`require` (services) and :func:`has_perm` (pages, API)
apply the Category 4 barrier to every permission and, unlike ``user.has_perm``, do not let
Django's superuser flag bypass the rules.
"""

from __future__ import annotations

import logging
from typing import Any

import rules
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet

from .exceptions import NotPermitted
from .models import Area, Role

logger = logging.getLogger(__name__)

CATEGORY_4 = 4


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


# ---------------------------------------------------------------------------------------------
# Role predicates
# ---------------------------------------------------------------------------------------------


@rules.predicate
def is_coordinator(user: Any) -> bool:
    return _signed_in(user) and user.has_role(Role.COORDINATOR)


@rules.predicate
def is_chair(user: Any) -> bool:
    return _signed_in(user) and user.has_role(Role.CHAIR)


@rules.predicate
def is_practitioner(user: Any) -> bool:
    return _signed_in(user) and user.has_role(Role.PRACTITIONER)


@rules.predicate
def is_statistics_reader(user: Any) -> bool:
    return _signed_in(user) and user.has_role(
        Role.SMB_MEMBER, Role.LAY_ADVISER, Role.COORDINATOR, Role.CHAIR, Role.ADMINISTRATOR
    )


@rules.predicate
def is_administrator(user: Any) -> bool:
    return _signed_in(user) and user.has_role(Role.ADMINISTRATOR)


@rules.predicate
def is_counter_terrorism_cleared(user: Any) -> bool:
    return _signed_in(user) and bool(getattr(user, "counter_terrorism_cleared", False))


# People-facing roles. SMB members and lay advisers are deliberately absent.
sees_cases = is_coordinator | is_chair | is_practitioner


# ---------------------------------------------------------------------------------------------
# Object predicates
# ---------------------------------------------------------------------------------------------


def area_id_of(obj: Any) -> int | None:
    """The area a record belongs to (an :class:`Area` is its own area)."""
    if obj is None:
        return None
    if isinstance(obj, Area):
        return obj.pk
    return getattr(obj, "area_id", None)


@rules.predicate
def same_area(user: Any, obj: Any) -> bool:
    """The record is in the user's area (``None`` means "some record of the user's area")."""
    if obj is None:
        return True
    area_id = area_id_of(obj)
    return area_id is not None and area_id == getattr(user, "area_id", None)


@rules.predicate
def referred_by_my_agency(user: Any, referral: Any) -> bool:
    return referral is not None and referral.referring_agency_id == user.agency_id


is_case_manager = (is_coordinator | is_chair) & same_area


def _visible(helper_name: str):  # type: ignore[no-untyped-def]
    """A predicate "``obj`` is in ``visible_<thing>(user)``", so lists and detail pages agree."""

    @rules.predicate(name=f"in_{helper_name}")
    def predicate(user: Any, obj: Any) -> bool:
        if obj is None or getattr(obj, "pk", None) is None:
            return False
        return globals()[helper_name](user).filter(pk=obj.pk).exists()

    return predicate


can_view_individual = _visible("visible_individuals")
can_view_referral = _visible("visible_referrals")
can_view_registration = _visible("visible_registrations")
can_view_meeting = _visible("visible_meetings")
can_view_risk_action = _visible("visible_risk_actions")


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
# meetings.manage_meeting and meetings.update_risk_action live in meetings/permissions.py.


# ---------------------------------------------------------------------------------------------
# Category 4: a barrier in front of every permission
# ---------------------------------------------------------------------------------------------


def _category_4_individuals() -> tuple[QuerySet, QuerySet]:
    """Subqueries of the ids of people with a Category 4 registration period or referral, ever."""
    from referrals.models import Referral, RegistrationPeriod

    return (
        RegistrationPeriod.objects.filter(category=CATEGORY_4).values("individual_id"),
        Referral.objects.filter(category=CATEGORY_4).values("individual_id"),
    )


def _exclude_category_4(qs: QuerySet, individual_path: str) -> QuerySet:
    periods, referrals = _category_4_individuals()
    return qs.exclude(**{f"{individual_path}__in": periods}).exclude(**{f"{individual_path}__in": referrals})


def _individual_ids_of(obj: Any) -> list[Any]:
    """The people a record is about, found by following the usual relations (robust to models
    that have only some of them). An unsaved record answers from its own fields."""
    ids = []
    for attr in ("individual_id",):
        value = getattr(obj, attr, None)
        if value is not None:
            ids.append(value)
    if type(obj).__name__ == "Individual" and getattr(obj, "pk", None) is not None:
        ids.append(obj.pk)
    for relation in ("referral", "registration", "agenda_item", "case_minutes", "action"):
        if getattr(obj, f"{relation}_id", None) is not None:
            ids.extend(_individual_ids_of(getattr(obj, relation)))
    return ids


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
        individual_ids = _individual_ids_of(obj)
        periods, referrals = _category_4_individuals()
        answer = bool(individual_ids) and (
            periods.filter(individual_id__in=individual_ids).exists()
            or referrals.filter(individual_id__in=individual_ids).exists()
        )
    obj.__dict__[_CATEGORY_4_MEMO] = answer
    return answer


def _loaded_individual(obj: Any) -> Any:
    """The person a registration or referral is about, when already loaded (a prefetch sets it), so the
    answer is shared with the person's own instance; anything else is looked up."""
    if type(obj).__name__ not in ("Registration", "Referral"):
        return None
    return obj._state.fields_cache.get("individual")


def has_perm(user: Any, perm: str, obj: Any = None) -> bool:
    """Whether ``user`` holds ``perm`` (on ``obj``). Use this in pages and the API.

    The ``rules`` permission is tested directly, so ``is_superuser`` never bypasses area
    isolation or the Category 4 barrier; Django model permissions not defined with ``rules``
    fall back to ``user.has_perm``.
    """
    if not _signed_in(user):
        return False
    allowed = rules.has_perm(perm, user, obj) if rules.perm_exists(perm) else user.has_perm(perm, obj)
    if allowed and obj is not None and not is_counter_terrorism_cleared(user) and is_category_4(obj):
        return False
    return bool(allowed)


def require(user: Any, perm: str, obj: Any = None) -> None:
    """Raise :class:`NotPermitted` unless ``user`` holds ``perm`` (on ``obj``). ``None`` is the system."""
    if user is None:
        return
    if not has_perm(user, perm, obj):
        raise NotPermitted(f"{user} may not {perm.split('.', 1)[1].replace('_', ' ')}")


def require_category_clearance(user: Any, category: Any) -> None:
    """Refuse to create or change a record into Category 4 without counter-terrorism clearance."""
    if user is None:
        return
    try:
        category = int(category) if category not in (None, "") else None
    except (TypeError, ValueError):
        return  # not a category at all: the service's own validation names the field
    if category == CATEGORY_4 and not is_counter_terrorism_cleared(user):
        raise NotPermitted(f"{user} may not record a Category 4 case without counter-terrorism clearance")


# ---------------------------------------------------------------------------------------------
# Querysets: what lists and the API show, filtered in the database
# ---------------------------------------------------------------------------------------------


def _meetings_models():  # type: ignore[no-untyped-def]
    # Imported when first asked: this module loads before the app registry is ready.
    from meetings import models as meetings_models

    return meetings_models


def _has_fields(model: Any, *names: str) -> bool:
    try:
        for name in names:
            model._meta.get_field(name)
    except FieldDoesNotExist:
        logger.warning("permissions: %s has no field %r; that route to a case is ignored", model.__name__, name)
        return False
    return True


def _my_agency_meeting_ids(user: Any) -> QuerySet | None:
    """Meetings the user's agency was invited to or attended, as a subquery (or None)."""
    m = _meetings_models()
    if user.agency_id is None:
        return None
    sources = []
    if _has_fields(m.Invitation, "meeting", "agency"):
        sources.append(Q(pk__in=m.Invitation.objects.filter(agency_id=user.agency_id).values("meeting_id")))
    if _has_fields(m.Attendance, "meeting", "agency"):
        sources.append(Q(pk__in=m.Attendance.objects.filter(agency_id=user.agency_id).values("meeting_id")))
    if not sources:
        return None
    condition = sources[0]
    for extra in sources[1:]:
        condition |= extra
    return m.Meeting.objects.filter(condition, area_id=user.area_id).values("pk")


def _agency_involvement(user: Any) -> Q:
    """Individuals (by pk) the user's agency referred, met about, or owns actions for."""
    from referrals.models import Referral

    agency_id = user.agency_id
    condition = Q(pk__in=Referral.objects.filter(referring_agency_id=agency_id).values("individual_id"))
    m = _meetings_models()
    meeting_ids = _my_agency_meeting_ids(user)
    if meeting_ids is not None and _has_fields(m.AgendaItem, "meeting", "referral", "registration"):
        items = m.AgendaItem.objects.filter(meeting_id__in=meeting_ids)
        condition |= Q(pk__in=items.filter(registration__isnull=False).values("registration__individual_id"))
        condition |= Q(pk__in=items.filter(referral__isnull=False).values("referral__individual_id"))
    if _has_fields(m.RiskAction, "owning_agency", "registration"):
        condition |= Q(
            pk__in=m.RiskAction.objects.filter(owning_agency_id=agency_id).values("registration__individual_id")
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
        qs = _exclude_category_4(qs, individual_path)
    return qs


def visible_individuals(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """People the user may see (pass ``qs`` to narrow an existing queryset)."""
    from referrals.models import Individual

    qs = Individual.objects.all() if qs is None else qs
    qs = _scoped(qs, user, individual_path="pk")
    if _case_scope(user) == "agency":
        qs = qs.filter(_agency_involvement(user))
    return qs


def visible_referrals(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Referrals: the whole area for co-ordinators and chairs; for a practitioner, those their
    agency made and those on the agenda of a meeting their agency was invited to or attended."""
    from referrals.models import Referral

    qs = Referral.objects.all() if qs is None else qs
    qs = _scoped(qs, user, individual_path="individual_id")
    if _case_scope(user) == "agency":
        condition = Q(referring_agency_id=user.agency_id)
        m = _meetings_models()
        meeting_ids = _my_agency_meeting_ids(user)
        if meeting_ids is not None and _has_fields(m.AgendaItem, "meeting", "referral"):
            condition |= Q(
                pk__in=m.AgendaItem.objects.filter(meeting_id__in=meeting_ids, referral__isnull=False).values(
                    "referral_id"
                )
            )
        qs = qs.filter(condition)
    return qs


def visible_registrations(user: Any, qs: QuerySet | None = None) -> QuerySet:
    from referrals.models import Registration

    qs = Registration.objects.all() if qs is None else qs
    qs = _scoped(qs, user, individual_path="individual_id")
    if _case_scope(user) == "agency":
        qs = qs.filter(individual_id__in=visible_individuals(user).values("pk"))
    return qs


def visible_life_events(user: Any, qs: QuerySet | None = None) -> QuerySet:
    from referrals.models import LifeEvent

    qs = LifeEvent.objects.all() if qs is None else qs
    qs = _scoped(qs, user, individual_path="individual_id")
    if _case_scope(user) == "agency":
        qs = qs.filter(individual_id__in=visible_individuals(user).values("pk"))
    return qs


def visible_meetings(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Meetings: the whole area for co-ordinators and chairs; for a practitioner, the meetings
    their agency was invited to or attended. Category 4 cases on an agenda are filtered by
    :func:`visible_agenda_items`, not by hiding the meeting."""
    m = _meetings_models()
    qs = m.Meeting.objects.all() if qs is None else qs
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
    m = _meetings_models()
    qs = m.AgendaItem.objects.all() if qs is None else qs
    qs = qs.filter(meeting_id__in=visible_meetings(user).values("pk"))
    if not is_counter_terrorism_cleared(user):
        periods, referrals = _category_4_individuals()
        for path in ("registration__individual_id", "referral__individual_id"):
            qs = qs.exclude(**{f"{path}__in": periods}).exclude(**{f"{path}__in": referrals})
    return qs


def visible_minutes(user: Any, qs: QuerySet | None = None) -> QuerySet:
    m = _meetings_models()
    qs = m.CaseMinutes.objects.all() if qs is None else qs
    return qs.filter(agenda_item_id__in=visible_agenda_items(user).values("pk"))


def visible_risk_actions(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Actions of the cases the user may see (a practitioner sees other agencies' actions on
    their cases but may update only their own agency's: ``meetings.update_risk_action``)."""
    m = _meetings_models()
    qs = m.RiskAction.objects.all() if qs is None else qs
    qs = _scoped(qs, user, individual_path="registration__individual_id")
    if _case_scope(user) == "agency":
        qs = qs.filter(registration__individual_id__in=visible_individuals(user).values("pk"))
    return qs


def my_agency_risk_actions(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """The actions a practitioner's agency owns (the "my agency's actions" list)."""
    qs = visible_risk_actions(user, qs)
    if user.agency_id is None:
        return qs.none()
    return qs.filter(owning_agency_id=user.agency_id)


__all__ = [
    "has_perm",
    "is_administrator",
    "is_case_manager",
    "is_category_4",
    "is_chair",
    "is_coordinator",
    "is_counter_terrorism_cleared",
    "is_practitioner",
    "is_statistics_reader",
    "my_agency_risk_actions",
    "require",
    "require_category_clearance",
    "same_area",
    "sees_cases",
    "visible_agenda_items",
    "visible_individuals",
    "visible_life_events",
    "visible_meetings",
    "visible_minutes",
    "visible_referrals",
    "visible_registrations",
    "visible_risk_actions",
]
