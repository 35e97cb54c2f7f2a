"""Filters for the lists of cases, meetings and actions: GET forms (no JavaScript needed) built with
django-filter, rendered by ``web/includes/filters.html`` in the GOV.UK style.

A filter only narrows a list the user may already see: each view hands its FilterSet the queryset
from ``permissions.visible_*``, so no choice here can show a record the rules keep from the user.
An invalid value (a hand-edited address) is ignored and shown against its field, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from mappa_workflow.models import Agency
from meetings.models import MeetingType, RiskActionState
from need_to_know.permissions import is_counter_terrorism_cleared
from referrals.models import Category, Location, Registration, RegistrationPeriod

from .forms_base import GovukForm

REVIEW_SOON_DAYS = 28
ANY = ("", "Any")


class DateInput(forms.DateInput):
    """A date box the browser helps with (a native date picker, no script of ours); the value is ISO."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class FilterForm(GovukForm):
    """Messages in plain English for a filter a user typed or edited wrongly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = f"Select one of the options for {str(field.label).lower()}"
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"Enter {str(field.label).lower()} as a real date"


def _area_agencies(user: Any) -> QuerySet[Agency]:
    area_id = getattr(user, "area_id", None)
    return Agency.objects.filter(area_id=area_id).order_by("name") if area_id else Agency.objects.none()


def _open_period(**conditions: Any) -> Exists:
    """The person's current MAPPA management (an active registration's open period) matches ``conditions``."""
    return Exists(
        RegistrationPeriod.objects.filter(
            individual=OuterRef("pk"), end_date__isnull=True, registration__ended_on__isnull=True, **conditions
        )
    )


class CaseFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(
        label="Level",
        choices=[(1, "Level 1"), (2, "Level 2"), (3, "Level 3")],
        method="filter_period",
        empty_label=ANY[1],
    )
    category = django_filters.ChoiceFilter(label="Category", choices=[], method="filter_period", empty_label=ANY[1])
    location = django_filters.ChoiceFilter(
        label="Location", choices=Location.choices, method="filter_period", empty_label=ANY[1]
    )
    lead_agency = django_filters.ChoiceFilter(
        label="Lead agency", choices=[], method="filter_period", empty_label=ANY[1]
    )
    review = django_filters.ChoiceFilter(
        label="Review due",
        choices=[
            ("overdue", "Overdue"),
            ("soon", f"In the next {REVIEW_SOON_DAYS} days"),
            ("none", "No review date set"),
        ],
        method="filter_review",
        empty_label=ANY[1],
    )

    class Meta:
        form = FilterForm
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, user: Any, today: dt.date) -> None:
        super().__init__(data, queryset=queryset)
        self.today = today
        categories = [(v, label) for v, label in Category.choices]
        if not is_counter_terrorism_cleared(user):
            categories = [(v, label) for v, label in categories if v != Category.TERRORISM]
        self.filters["category"].extra["choices"] = categories
        agencies = _area_agencies(user)
        self.filters["lead_agency"].extra["choices"] = [(a.pk, a.name) for a in agencies]

    def filter_period(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        field = {"lead_agency": "lead_agency_id"}.get(name, name)
        return queryset.filter(_open_period(**{field: value}))

    def filter_review(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        active = Registration.objects.filter(individual=OuterRef("pk"), ended_on__isnull=True)
        if value == "overdue":
            condition = active.filter(next_review_due__lt=self.today)
        elif value == "soon":
            condition = active.filter(
                next_review_due__gte=self.today,
                next_review_due__lte=self.today + dt.timedelta(days=REVIEW_SOON_DAYS),
            )
        else:
            condition = active.filter(next_review_due__isnull=True)
        return queryset.filter(Exists(condition))


class MeetingFilter(django_filters.FilterSet):
    meeting_type = django_filters.ChoiceFilter(label="Type", choices=MeetingType.choices, empty_label=ANY[1])
    date_from = django_filters.DateFilter(
        label="From", field_name="starts_at", lookup_expr="date__gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(label="To", field_name="starts_at", lookup_expr="date__lte", widget=DateInput())

    class Meta:
        form = FilterForm
        fields: list[str] = []


DUE_CHOICES = [
    ("overdue", "Overdue"),
    ("week", "In the next 7 days"),
    ("month", "In the next 28 days"),
    ("later", "Later than 28 days"),
]


class ActionFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(label="Status", choices=RiskActionState.choices, empty_label=ANY[1])
    owning_agency = django_filters.ChoiceFilter(label="Owning agency", choices=[], empty_label=ANY[1])
    due = django_filters.ChoiceFilter(label="Due", choices=DUE_CHOICES, method="filter_due", empty_label=ANY[1])

    class Meta:
        form = FilterForm
        fields: list[str] = []

    def __init__(self, data: Any = None, queryset: QuerySet | None = None, *, user: Any, today: dt.date) -> None:
        super().__init__(data, queryset=queryset)
        self.today = today
        agencies = _area_agencies(user)
        self.filters["owning_agency"].extra["choices"] = [(a.pk, a.name) for a in agencies]

    def filter_due(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        today = self.today
        if value == "overdue":
            return queryset.filter(due_date__lt=today, state__in=[RiskActionState.OPEN, RiskActionState.IN_PROGRESS])
        if value == "week":
            return queryset.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=7))
        if value == "month":
            return queryset.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=28))
        return queryset.filter(~Q(due_date__lte=today + dt.timedelta(days=28)))


def filtered(filterset: django_filters.FilterSet) -> QuerySet:
    """The filtered queryset; with an invalid value, the valid filters still apply and the form shows the error."""
    form = filterset.form
    if not form.is_bound or form.is_valid():
        return filterset.qs
    queryset = filterset.queryset
    for name, value in form.cleaned_data.items():
        if name not in form.errors:
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def active_filters(filterset: django_filters.FilterSet) -> list[str]:
    """What the list is filtered by, in words ("Level: Level 2"), for the caption and the result count."""
    form = filterset.form
    if not form.is_valid():
        return []
    shown = []
    for name, value in form.cleaned_data.items():
        if value in (None, ""):
            continue
        field = form.fields[name]
        if isinstance(field, forms.ChoiceField):
            labels = {str(k): v for k, v in field.choices}  # type: ignore[union-attr,misc]  # a list here
            value = labels.get(str(value), value)
        elif isinstance(value, dt.date):
            value = f"{value:%-d %B %Y}"
        shown.append(f"{field.label}: {value}")
    return shown
