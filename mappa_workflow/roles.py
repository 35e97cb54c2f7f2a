"""Who someone is: the role predicates, area isolation and the one permission check services call.

This is the base app's half of the access rules. It knows roles, areas and agencies, nothing of cases:
the rules that read case records (who may see which person, meeting, minutes or action; the Category 4
barrier) are in ``need_to_know.permissions``, one layer above the case apps. That module registers them
here when Django starts: every permission with ``rules.add_perm``, and the Category 4 barrier with
:func:`add_object_barrier`. So a case app's service can call :func:`require` without importing the
rules that read it, and the check still applies every rule (it refuses to run if they were never loaded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.core.exceptions import ImproperlyConfigured

from .exceptions import NotPermitted
from .models import Area, Role

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
def is_smb_member(user: Any) -> bool:
    return _signed_in(user) and user.has_role(Role.SMB_MEMBER)


@rules.predicate
def is_lay_adviser(user: Any) -> bool:
    return _signed_in(user) and user.has_role(Role.LAY_ADVISER)


@rules.predicate
def is_administrator(user: Any) -> bool:
    return _signed_in(user) and user.has_role(Role.ADMINISTRATOR)


@rules.predicate
def is_counter_terrorism_cleared(user: Any) -> bool:
    return _signed_in(user) and bool(getattr(user, "counter_terrorism_cleared", False))


# People-facing roles. SMB members and lay advisers are deliberately absent.
sees_cases = is_coordinator | is_chair | is_practitioner


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


is_case_manager = (is_coordinator | is_chair) & same_area


def individual_ids_of(obj: Any) -> list[Any]:
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
            ids.extend(individual_ids_of(getattr(obj, relation)))
    return ids


# ---------------------------------------------------------------------------------------------
# The check services, pages and the API call
# ---------------------------------------------------------------------------------------------

ObjectBarrier = Callable[[Any, Any], bool]
_object_barriers: list[ObjectBarrier] = []


def add_object_barrier(barrier: ObjectBarrier) -> None:
    """Register ``barrier(user, obj)``: True when ``user`` may not touch ``obj`` whatever permission they hold
    (the Category 4 barrier of ``need_to_know.permissions``). Registered once, at start-up."""
    if barrier not in _object_barriers:
        _object_barriers.append(barrier)


def _barred(user: Any, obj: Any) -> bool:
    if not _object_barriers:
        raise ImproperlyConfigured("The need-to-know rules are not loaded: add need_to_know to INSTALLED_APPS")
    return any(barrier(user, obj) for barrier in _object_barriers)


def has_perm(user: Any, perm: str, obj: Any = None) -> bool:
    """Whether ``user`` holds ``perm`` (on ``obj``). Use this in pages and the API.

    The ``rules`` permission is tested directly, so ``is_superuser`` never bypasses area
    isolation or the Category 4 barrier; Django model permissions not defined with ``rules``
    fall back to ``user.has_perm``.
    """
    if not _signed_in(user):
        return False
    allowed = rules.has_perm(perm, user, obj) if rules.perm_exists(perm) else user.has_perm(perm, obj)
    if allowed and obj is not None and _barred(user, obj):
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
