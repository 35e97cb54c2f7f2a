"""Query-string filters for the lists (django-filter). A value that is not valid, a parameter the list does
not have, or a single-valued one given twice is a 400 naming it: a client's typo must never quietly return
the whole unfiltered list."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from meetings.models import UNFINISHED, Meeting, MeetingState, MeetingType, RiskAction, RiskActionState
from referrals.models import Category, Individual, IndividualQuerySet, Referral, ReferralState, RegistrationStatus


class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number the database can hold (anything else is a 400, not a crash)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """``true`` or ``false``, as the schema says: django-filter's own field reads anything else as "not given"."""

    def to_python(self, value: object) -> bool | None:
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError("Enter true or false")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, held in UTC: PostgreSQL refuses offsets beyond 16 hours, which ISO allows."""

    def to_python(self, value: object) -> dt.datetime | None:
        moment = super().to_python(value)
        if moment is None or moment.tzinfo is None:
            return moment
        try:
            return moment.astimezone(dt.UTC)
        except OverflowError as exc:
            raise forms.ValidationError("Enter a date and time between the years 1 and 9999") from exc


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class QueryParameterBackend(DjangoFilterBackend):
    """django-filter's backend, refusing any query parameter that is not one of the list's filters or
    page parameters, and a repeat of one that takes a single value (``state`` may repeat)."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        filters = dict(filterset_class.base_filters) if filterset_class is not None else {}
        known = set(filters)
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            known |= {paginator.page_query_param, getattr(paginator, "page_size_query_param", None) or ""}
        errors: dict[str, list[str]] = {}
        for name, values in request.query_params.lists():
            if name not in known:
                listed = ", ".join(sorted(known - {""})) or "none"
                errors[name] = [f"This list has no parameter '{name}'. Its parameters are: {listed}"]
            elif len(values) > 1 and not isinstance(filters.get(name), django_filters.MultipleChoiceFilter):
                errors[name] = [f"Give '{name}' once"]
            elif any(value == "" for value in values):
                errors[name] = [f"Give a value for '{name}', or leave it out"]
        if errors:
            raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


class ReferralFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ReferralState.choices)
    category = django_filters.TypedChoiceFilter(choices=Category.choices, coerce=int)
    level_requested = django_filters.TypedChoiceFilter(choices=[(2, "Level 2"), (3, "Level 3")], coerce=int)
    individual = django_filters.UUIDFilter(field_name="individual_id")
    referring_agency = IdFilter(field_name="referring_agency_id")
    submitted_after = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__gte")
    submitted_before = django_filters.DateFilter(field_name="submitted_at", lookup_expr="date__lte")
    updated_since = UtcDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="For a sync: changed at or after this moment."
    )

    class Meta:
        model = Referral
        fields = ["state", "category", "level_requested", "individual", "referring_agency"]


class IndividualFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(
        method="filter_search", max_length=100, help_text="Part of a name or alias, or an exact reference."
    )
    registration_status = django_filters.ChoiceFilter(
        choices=RegistrationStatus.choices, method="filter_registration_status"
    )

    class Meta:
        model = Individual
        fields = ["search", "registration_status"]

    def filter_search(self, queryset: IndividualQuerySet, name: str, value: str) -> IndividualQuerySet:
        return queryset.search(value)

    def filter_registration_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(registrations__status=value).distinct()


class MeetingFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=MeetingState.choices)
    meeting_type = django_filters.ChoiceFilter(choices=MeetingType.choices)
    starts_after = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__gte")
    starts_before = django_filters.DateFilter(field_name="starts_at", lookup_expr="date__lte")

    class Meta:
        model = Meeting
        fields = ["state", "meeting_type"]


class ActionFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=RiskActionState.choices)
    unfinished = StrictBooleanFilter(method="filter_unfinished", help_text="Open or in progress.")
    overdue = StrictBooleanFilter(method="filter_overdue", help_text="Unfinished and due before today.")
    owning_agency = IdFilter(field_name="owning_agency_id")
    individual = django_filters.UUIDFilter(field_name="registration__individual_id")
    registration = django_filters.UUIDFilter(field_name="registration_id")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = RiskAction
        fields = ["state", "owning_agency", "individual", "registration"]

    def filter_unfinished(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(state__in=UNFINISHED) if value else queryset.exclude(state__in=UNFINISHED)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        overdue = Q(state__in=UNFINISHED, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)
