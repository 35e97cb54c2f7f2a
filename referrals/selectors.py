"""Reads of people, registrations and referrals for pages and the API. Each does a fixed number of queries.

A read that must honour a reader's need-to-know takes the people the reader may see as a queryset
(``need_to_know`` passes it); referrals never imports the rules themselves (docs/architecture.md, "Layers").
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet

from .models import Individual, Registration, RegistrationPeriod

PEOPLE_FOUND_LIMIT = 20


def individuals_with_registration() -> QuerySet[Individual]:
    """People with their aliases and active registration's open period: four queries for any page."""
    return Individual.objects.select_related("area").prefetch_related(
        "aliases",
        Prefetch(
            "registrations",
            queryset=Registration.objects.active().prefetch_related(
                Prefetch(
                    "periods", queryset=RegistrationPeriod.objects.filter(end_date__isnull=True), to_attr="open_periods"
                )
            ),
            to_attr="active_registrations",
        ),
    )


def people_matching(
    visible: QuerySet[Individual], *, q: str = "", date_of_birth: dt.date | None = None
) -> list[Individual]:
    """The people of ``visible`` matching a name, another name they use, a ViSOR, PNC or nDelius
    reference, and/or a date of birth: at most :data:`PEOPLE_FOUND_LIMIT`, each with its current
    registration and periods (three queries)."""
    qs = visible
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
