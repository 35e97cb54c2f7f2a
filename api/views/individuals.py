"""Individuals: read only, within the user's permissions (changes go through referrals and pages)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from need_to_know import permissions
from referrals.models import Individual, Registration, RegistrationPeriod

from ..filters import IndividualFilter
from ..serializers import IndividualSerializer
from .base import CaseViewSet, record_view


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


@extend_schema(tags=["individuals"])
class IndividualViewSet(mixins.ListModelMixin, CaseViewSet):
    """People the user may see: the area's for co-ordinators and chairs; for an agency practitioner,
    those their agency referred, met about or owns actions for. Category 4 needs clearance."""

    queryset = Individual.objects.none()  # for the schema; get_queryset applies the rules
    serializer_class = IndividualSerializer
    filterset_class = IndividualFilter

    def get_queryset(self) -> QuerySet[Individual]:
        return permissions.visible_individuals(self.request.user, individuals_with_registration())

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        individual = self.get_object()
        record_view(request, individual)
        return Response(IndividualSerializer(individual).data)
