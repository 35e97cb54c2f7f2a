"""The Django admin obeys the same visibility rules as the pages and the API, and audits what it shows.

Staff reach the admin, but being staff is not a permission to see a case: every list and change
page of a record about a person is filtered through ``need_to_know.permissions.visible_*``
(area isolation, agency involvement, Category 4 clearance; administrators see other areas, and
each such view is flagged ``cross_area`` in the audit trail), and opening a record writes the same
view row as opening it in the service's own pages.

The same selectors reach every corner of a page, by model rather than by each admin remembering to:
:func:`person_scope` knows which selector filters each model about people, so an inline of such a model
is filtered whatever admin shows it (:class:`ScopedInlineMixin`), and a foreign key or many-to-many to
such a model is read-only on every admin page (never a ``<select>`` of every person), its choices
scoped too in case a form ever needs one (:meth:`ScopedAdminMixin.formfield_for_foreignkey`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from mappa_workflow.audit import audit_list, audit_view
from need_to_know import permissions


@dataclass(frozen=True)
class Scope:
    """What a user may see of a model's queryset: ``scope(user, queryset) -> queryset``."""

    apply: Callable[[Any, QuerySet], QuerySet]

    def __call__(self, user: Any, queryset: QuerySet) -> QuerySet:
        return self.apply(user, queryset)


def _person_scopes() -> dict[str, Scope]:
    """Each model about people (by label) and the selector that filters it for a user."""
    return {
        "referrals.Individual": scoped(permissions.visible_individuals),
        "referrals.Referral": scoped(permissions.visible_referrals),
        "referrals.Registration": scoped(permissions.visible_registrations),
        "referrals.LifeEvent": scoped(permissions.visible_life_events),
        "referrals.Alias": via("individual", permissions.visible_individuals),
        "referrals.RegistrationPeriod": via("registration", permissions.visible_registrations),
        "meetings.Meeting": scoped(permissions.visible_meetings),
        "meetings.AgendaItem": scoped(permissions.visible_agenda_items),
        "meetings.CaseMinutes": scoped(permissions.visible_minutes),
        "meetings.DisclosureDecision": via("case_minutes", permissions.visible_minutes),
        "meetings.RiskAction": scoped(permissions.visible_risk_actions),
        "meetings.RiskActionUpdate": via("action", permissions.visible_risk_actions),
        # An audit is of a meeting or of a case: visible with the one it is of.
        "oversight.QualityAudit": Scope(
            lambda user, queryset: queryset.filter(
                Q(meeting__in=permissions.visible_meetings(user).values("pk"))
                | Q(registration__in=permissions.visible_registrations(user).values("pk"))
            )
        ),
        "oversight.AuditAnswer": via("audit", _visible_audits),
        # Serious further offences and reviews name the person: in the admin, only for those who may see whom a
        # review is about (the area's co-ordinators and chairs, administrators), never the SMB or lay advisers,
        # who read a review without the person on its own pages only (docs/serious-case-reviews.md).
        "case_reviews.SeriousFurtherOffence": scoped(permissions.visible_serious_further_offences),
        "case_reviews.SeriousCaseReview": scoped(reviews_with_their_subject),
        "case_reviews.ReviewAction": via("review", reviews_with_their_subject),
    }


def reviews_with_their_subject(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """The serious case reviews ``user`` may read together with whom they are about: none for a reader who may read
    a review only without the person (an SMB member, a lay adviser)."""
    from case_reviews.models import SeriousCaseReview

    queryset = SeriousCaseReview.objects.all() if queryset is None else queryset
    if not permissions.sees_review_subject(user):
        return queryset.none()
    return permissions.visible_case_reviews(user, queryset)


def _visible_audits(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    from oversight.audits.models import QualityAudit

    return _person_scopes()["oversight.QualityAudit"](
        user, QualityAudit.objects.all() if queryset is None else queryset
    )


def person_scope(model: Any) -> Scope | None:
    """The scope of a model about people (``None`` for reference data: areas, agencies, panels)."""
    return _person_scopes().get(model._meta.label)


def person_relations(model: Any, *, parent: Any = None) -> tuple[str, ...]:
    """The foreign keys and many-to-manys of ``model`` that lead to a record about people (but not to an
    inline's ``parent``, which the page is about)."""
    return tuple(
        f.name
        for f in model._meta.get_fields()
        if (f.many_to_one or f.many_to_many or f.one_to_one)
        and f.concrete
        and f.related_model is not None
        and f.related_model is not parent
        and person_scope(f.related_model) is not None
    )


class _ScopedFormFields:
    """Person relations are read-only, and any choice of such a record is scoped to what the user may see."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        relations = person_relations(self.model, parent=getattr(self, "parent_model", None))  # type: ignore[attr-defined]
        return readonly + tuple(name for name in relations if name not in readonly)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scope = person_scope(db_field.related_model)
        if scope is not None:
            kwargs["queryset"] = scope(request.user, db_field.related_model._default_manager.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        scope = person_scope(db_field.related_model)
        if scope is not None:
            kwargs["queryset"] = scope(request.user, db_field.related_model._default_manager.all())
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


class ScopedInlineMixin(_ScopedFormFields):
    """An inline of records about people shows only those the user may see (by its model's scope)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        scope = person_scope(self.model)  # type: ignore[attr-defined]
        return queryset if scope is None else scope(request.user, queryset)


class ScopedAdminMixin(_ScopedFormFields):
    """Set ``scope`` to a :class:`Scope` of what the user may see (see :func:`scoped` and :func:`via`);
    without one, the model's :func:`person_scope` applies."""

    scope: Scope | None = None

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        scope = self.scope or person_scope(self.model)  # type: ignore[attr-defined]
        return queryset if scope is None else scope(request.user, queryset)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", {}).get("cl") if response.status_code == 200 else None
        if request.method == "GET" and changelist is not None and person_scope(self.model) is not None:  # type: ignore[attr-defined]
            what = f"admin {self.model._meta.verbose_name_plural}"  # type: ignore[attr-defined]
            audit_list(request, what=what, shown=changelist.result_list, search=request.GET)
        return response

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        inlines = super().get_inline_instances(request, obj)  # type: ignore[misc]
        unscoped = [i for i in inlines if person_scope(i.model) is not None and not isinstance(i, ScopedInlineMixin)]
        if unscoped:  # a programming error, refused loudly rather than shown
            raise TypeError(f"{type(self).__name__}: inline(s) of people not scoped: {unscoped}")
        return inlines

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
            if obj is not None:
                audit_view(request, obj, what="admin")
        return response


def via(path: str, visible: Callable[..., QuerySet]) -> Scope:
    """Scope records that belong to a visible parent, e.g. ``via("meeting", permissions.visible_meetings)``."""

    def scope(user: Any, queryset: QuerySet) -> QuerySet:
        return queryset.filter(**{f"{path}__in": visible(user).values("pk")})

    return Scope(scope)


def scoped(visible: Callable[..., QuerySet]) -> Scope:
    def scope(user: Any, queryset: QuerySet) -> QuerySet:
        return visible(user, queryset)

    return Scope(scope)


__all__ = [
    "Scope",
    "ScopedAdminMixin",
    "ScopedInlineMixin",
    "admin",
    "permissions",
    "person_relations",
    "person_scope",
    "reviews_with_their_subject",
    "scoped",
    "via",
]
