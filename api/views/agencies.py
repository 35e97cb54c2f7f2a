"""The agencies of the user's area, so a client can name them by id (referrals, attendance, filters)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins

from mappa_workflow.models import Agency
from mappa_workflow.signed_in import signed_in_user
from need_to_know import permissions

from ..serializers import AgencySerializer
from .base import ApiMixin, viewsets


@extend_schema(tags=["agencies"])
class AgencyViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Agency.objects.none()  # for the schema; get_queryset applies the rules
    serializer_class = AgencySerializer

    def get_queryset(self) -> QuerySet[Agency]:
        user = signed_in_user(self.request)
        if permissions.has_perm(user, "mappa_workflow.cross_area_access"):
            return Agency.objects.order_by("area__name", "name")
        if user.area_id is None:  # an account without an area sees no agencies
            return Agency.objects.none()
        return Agency.objects.filter(area_id=user.area_id).order_by("name")
