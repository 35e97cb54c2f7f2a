"""The append-only, hash-chained audit trail.

Every service writes its audit row with :func:`audit_record` inside its own transaction, so the
row exists exactly when the change does. Each row's hash covers its content and the previous
row's hash; ``manage.py verify_audit`` recomputes the chain. ``previous_hash`` is unique, so two
writers can never fork the chain: on PostgreSQL an advisory lock serialises them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Model, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from . import request_context
from .models import AuditAction, AuditEvent, User
from .roles import individual_ids_of

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 7_042_025  # any constant; only this module takes it


def _canonical(event: AuditEvent) -> str:
    return json.dumps(
        {
            "occurred_at": event.occurred_at.isoformat(),
            "actor_id": event.actor_id,
            "actor_label": event.actor_label,
            "ip_address": event.ip_address,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "area_id": event.area_id,
            "transition": event.transition,
            "from_state": event.from_state,
            "to_state": event.to_state,
            "reason": event.reason,
            "details": event.details,
            "previous_hash": event.previous_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event).encode()).hexdigest()


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    area_id: int | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one row. Call inside the transaction of the change it records.

    The client address comes from the request context (set by the middleware) unless given.
    """
    return _append(
        [
            _event(
                actor=actor,
                action=action,
                obj=obj,
                object_type=object_type,
                object_id=object_id,
                area_id=area_id,
                transition=transition,
                from_state=from_state,
                to_state=to_state,
                reason=reason,
                details=details,
                ip_address=ip_address,
            )
        ]
    )[0]


def _event(
    *,
    actor: User | None,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    area_id: int | None = None,
    transition: str = "",
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    details: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """A row not yet chained or saved (see :func:`_append`)."""
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        if area_id is None:
            area_id = getattr(obj, "area_id", None)
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        actor_label=(str(actor) if actor is not None else "system"),
        ip_address=ip_address or request_context.current().ip_address,
        action=action,
        object_type=object_type,
        object_id=object_id,
        area_id=area_id,
        transition=transition,
        from_state=str(from_state) if from_state != "" else "",
        to_state=str(to_state) if to_state != "" else "",
        reason=reason,
        details=json.loads(json.dumps(details or {}, default=str)),
    )


def _append(events: list[AuditEvent]) -> list[AuditEvent]:
    """Chain ``events`` onto the end of the trail in one statement: a page that shows several people
    writes its rows in the same number of queries however many there are."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        previous = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first() or GENESIS_HASH
        for event in events:
            event.previous_hash = previous
            event.row_hash = previous = compute_hash(event)
        return AuditEvent.objects.bulk_create(events)


# ---------------------------------------------------------------------------------------------
# Views and exports: who looked at (or took away) what
# ---------------------------------------------------------------------------------------------


def _actor_and_address(request_or_user: Any) -> tuple[User | None, str | None]:
    if isinstance(request_or_user, HttpRequest):
        from .middleware import client_ip

        user = getattr(request_or_user, "user", None)
        return (user if getattr(user, "is_authenticated", False) else None), client_ip(request_or_user)
    return request_or_user, None


def _subject_ids(obj: Model) -> list[str]:
    """The people a viewed record is about, so a case's viewers include those who read its
    referrals and minutes. A meeting's subjects are the people on its agenda."""
    if type(obj).__name__ == "Meeting" and hasattr(obj, "agenda_items"):
        ids: list[Any] = []
        prefetched = "agenda_items" in getattr(obj, "_prefetched_objects_cache", {})
        # the meeting pages have already read the agenda (meetings.selectors.meeting_page, meeting_detail): use it
        items = obj.agenda_items.all() if prefetched else obj.agenda_items.select_related("referral", "registration")
        for item in items:
            ids.extend(individual_ids_of(item))
    else:
        ids = individual_ids_of(obj)
    return sorted({str(i) for i in ids})


def audit_view(request_or_user: Any, obj: Model, *, what: str = "") -> list[AuditEvent]:
    """Record that someone viewed ``obj`` (a person, referral, registration, meeting or minutes).

    Call it from every page and API endpoint that shows a person's record, after the permission
    check and before rendering. ``request_or_user`` is the request (preferred: the address comes
    from it) or the user. Writes one row per person the record is about (a meeting's minutes name
    several), each with ``details.individual_id`` so :func:`case_viewers` finds it. A view of a
    record outside the viewer's own area (administrators only) is flagged ``cross_area``.
    """
    actor, address = _actor_and_address(request_or_user)
    details: dict[str, Any] = {}
    if what:
        details["what"] = what
    obj_area = getattr(obj, "area_id", None)
    if actor is not None and obj_area is not None and obj_area != getattr(actor, "area_id", None):
        details["cross_area"] = True
    if isinstance(request_or_user, HttpRequest):
        details["path"] = request_or_user.path[:200]
    subjects = _subject_ids(obj) or [""]
    return _append(
        [
            _event(
                actor=actor,
                action=AuditAction.VIEW,
                obj=obj,
                details={**details, "individual_id": subject} if subject else details,
                ip_address=address,
            )
            for subject in subjects
        ]
    )


def _people_listed(obj: Model) -> list[str]:
    """The person a row of a list is about, from what the list has loaded (a list selects its person), so
    auditing a page costs no query per row; anything else is resolved as a view would be."""
    if obj._meta.label == "referrals.Individual":
        return [str(obj.pk)]
    for path in ("individual_id", "registration.individual_id", "referral.individual_id"):
        holder: Any = obj
        for part in path.split(".")[:-1]:
            holder = getattr(holder, f"{part}_id", None) and getattr(holder, part)
        value = getattr(holder, path.rsplit(".", 1)[-1], None) if holder else None
        if value is not None:
            return [str(value)]
    return _subject_ids(obj)


def audit_list(
    request_or_user: Any, *, what: str, shown: Iterable[Model], search: Mapping[str, Any] | None = None
) -> AuditEvent:
    """Record that someone listed or searched records about people: what they asked for (``search``: the
    query string as typed, filters, sort and page) and who was shown (``shown``: the page of records, each
    resolved to the people it is about). One row per page shown, with ``details.individual_ids`` so
    "who saw this person" can include lists, and ``people_shown`` for "how many"."""
    actor, address = _actor_and_address(request_or_user)
    people = sorted({subject for obj in shown for subject in _people_listed(obj)})
    details: dict[str, Any] = {
        "what": what,
        "search": {
            key: str(value)[:200]
            for key, value in (search or {}).items()
            if value not in ("", None) and key != "csrfmiddlewaretoken"
        },
        "people_shown": len(people),
        "individual_ids": people,
    }
    if isinstance(request_or_user, HttpRequest):
        details["path"] = request_or_user.path[:200]
    return audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="list",
        object_id=what[:64],
        area_id=getattr(actor, "area_id", None),
        details=details,
        ip_address=address,
    )


def audit_export(
    request_or_user: Any, *, what: str, area_id: int | None = None, details: dict[str, Any] | None = None
) -> AuditEvent:
    """Record that someone downloaded or exported data (statistics tables, minutes PDF, .ics, CSV)."""
    actor, address = _actor_and_address(request_or_user)
    return audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="export",
        object_id=what[:64],
        area_id=area_id if area_id is not None else getattr(actor, "area_id", None),
        details=details,
        ip_address=address,
    )


class AuditedViewMixin:
    """For class-based views with ``get_object()`` (Django's DetailView/UpdateView, DRF's
    RetrieveAPIView/ViewSets): every object they fetch is audited as viewed.

    Put it first in the bases: ``class CaseDetail(AuditedViewMixin, DetailView)``. The queryset the
    view fetches from must already be a ``permissions.visible_*`` queryset.
    """

    audit_what = ""

    def get_object(self, *args: Any, **kwargs: Any) -> Any:
        obj = super().get_object(*args, **kwargs)  # type: ignore[misc]
        audit_view(self.request, obj, what=self.audit_what)  # type: ignore[attr-defined]
        return obj


def audited_view(get_object: Any) -> Any:
    """Decorator for function views: ``@audited_view(lambda request, pk: Referral.objects.get(pk=pk))``.

    Prefer calling :func:`audit_view` inside the view once it has the object; use this when the
    object can be found from the URL arguments alone. Only a successful (2xx) response is audited.
    """

    def decorator(view: Any) -> Any:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            if 200 <= getattr(response, "status_code", 500) < 300:
                audit_view(request, get_object(request, *args, **kwargs))
            return response

        return wrapped

    return decorator


def case_viewers(individual: Model) -> QuerySet[AuditEvent]:
    """Every recorded view of a person's record, their referrals, registrations and minutes,
    newest first: who (``actor_label``, ``actor``), when (``occurred_at``), what (``object_type``,
    ``details.what``) and from where (``ip_address``). Only co-ordinators of the area (and
    administrators) may see it: check ``mappa_workflow.view_case_viewers`` on the individual."""
    pk = str(individual.pk)
    return (
        AuditEvent.objects.filter(action=AuditAction.VIEW)
        .filter(Q(object_type=individual._meta.label, object_id=pk) | Q(details__individual_id=pk))
        .select_related("actor")
        .order_by("-id")
    )


def case_viewer_summary(individual: Model) -> list[Mapping[str, Any]]:
    """One line per person who viewed the case: name, number of views, first and last view."""
    return list(
        case_viewers(individual)
        .order_by()
        .values("actor_id", "actor_label")
        .annotate(views=Count("id"), first_viewed=Min("occurred_at"), last_viewed=Max("occurred_at"))
        .order_by("-last_viewed")
    )


def audit_trail_for(obj: Model) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).select_related("actor"))


def verify_chain(batch_size: int = 5000) -> tuple[int, AuditEvent | None, str]:
    """Walk the chain in order. Returns (rows checked, first broken row or None, what is wrong)."""
    previous = GENESIS_HASH
    checked = 0
    for event in _iterate(batch_size):
        if event.previous_hash != previous:
            return checked, event, "its previous_hash does not match the row before it (a row was removed or inserted)"
        if compute_hash(event) != event.row_hash:
            return checked, event, "its content does not match its hash (the row was altered)"
        previous = event.row_hash
        checked += 1
    return checked, None, ""


def _iterate(batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id


__all__ = [
    "AuditAction",
    "AuditedViewMixin",
    "audit_export",
    "audit_record",
    "audit_trail_for",
    "audit_view",
    "audited_view",
    "case_viewer_summary",
    "case_viewers",
    "verify_chain",
]
