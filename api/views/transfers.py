"""Transfers between areas: the area's transfers in and out, one with its handover pack, request one,
and accept, decline, withdraw or complete it (docs/transfers.md). Co-ordinators and chairs only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Area
from mappa_workflow.signed_in import signed_in_user
from need_to_know import permissions
from referrals.models import Registration
from transfers import selectors, services
from transfers.models import Transfer

from ..access import require
from ..serializers_transfers import (
    TransferAcceptSerializer,
    TransferCompleteSerializer,
    TransferDetailSerializer,
    TransferReasonSerializer,
    TransferRequestSerializer,
    TransferSerializer,
)
from .base import CaseViewSet, record_view


@extend_schema(tags=["transfers"])
class TransferViewSet(mixins.ListModelMixin, CaseViewSet):
    """Transfers into and out of the user's area (an empty list for anyone but its co-ordinators and chairs)."""

    queryset = Transfer.objects.none()  # for the schema; get_queryset applies the rules
    serializer_class = TransferSerializer

    def get_queryset(self) -> QuerySet[Transfer]:
        return selectors.visible_transfers(
            self.request.user,
            Transfer.objects.select_related("individual", "registration", "sending_area", "receiving_area"),
        )

    def _respond(self, request: Request, transfer: Transfer, code: int = status.HTTP_200_OK) -> Response:
        transfer = self.get_queryset().get(pk=transfer.pk)
        pack = (
            selectors.handover_pack(transfer)
            if permissions.has_perm(request.user, "transfers.view_handover_pack", transfer)
            else None
        )
        return Response(TransferDetailSerializer(transfer, context={"pack": pack}).data, status=code)

    @extend_schema(responses={200: TransferDetailSerializer})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        transfer = self.get_object()
        record_view(request, transfer)
        return self._respond(request, transfer)

    @extend_schema(request=TransferRequestSerializer, responses={201: TransferDetailSerializer})
    def create(self, request: Request) -> Response:
        """The sending area's co-ordinator asks another area to take over a case it manages."""
        serializer = TransferRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = signed_in_user(request)
        registration = (
            permissions.visible_registrations(user, Registration.objects.all()).filter(pk=data["registration"]).first()
        )
        if registration is None:
            raise WorkflowError({"registration": "There is no registration you can see with this id"})
        area = Area.objects.filter(slug=data["receiving_area"]).first()
        if area is None:
            raise WorkflowError({"receiving_area": "There is no area with this slug"})
        require(request, "transfers.request_transfer", registration)
        transfer = services.transfer_request(
            actor=user,
            registration=registration,
            receiving_area=area,
            reason=data["reason"],
            proposed_date=data["proposed_date"],
        )
        return self._respond(request, transfer, status.HTTP_201_CREATED)

    @extend_schema(request=TransferAcceptSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: Any = None) -> Response:
        """The receiving area's co-ordinator accepts, with the date it takes over and its lead agency."""
        transfer = self.get_object()
        require(request, "transfers.decide_transfer", transfer)
        serializer = TransferAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        agency = Agency.objects.filter(pk=serializer.validated_data["lead_agency"]).first()
        if agency is None:
            raise WorkflowError({"lead_agency": "There is no agency with this id"})
        services.transfer_accept(
            actor=signed_in_user(request),
            transfer=transfer,
            transfer_date=serializer.validated_data["transfer_date"],
            lead_agency=agency,
        )
        return self._respond(request, transfer)

    def _closing(self, request: Request, perm: str, service: Any) -> Response:
        transfer = self.get_object()
        require(request, perm, transfer)
        serializer = TransferReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=signed_in_user(request), transfer=transfer, reason=serializer.validated_data["reason"])
        return self._respond(request, transfer)

    @extend_schema(request=TransferReasonSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: Any = None) -> Response:
        """The receiving area's co-ordinator declines a request that is not theirs, saying why."""
        return self._closing(request, "transfers.decide_transfer", services.transfer_decline)

    @extend_schema(request=TransferReasonSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        """The sending area's co-ordinator withdraws the request, saying why."""
        return self._closing(request, "transfers.withdraw_transfer", services.transfer_withdraw)

    @extend_schema(request=TransferCompleteSerializer, responses={200: TransferDetailSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        """The sending area's co-ordinator hands over on or after the accepted date, deciding each open action."""
        transfer = self.get_object()
        require(request, "transfers.complete_transfer", transfer)
        serializer = TransferCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decisions = {
            str(d["action"]): services.ActionDecision(d["outcome"], d["reason"])
            for d in serializer.validated_data["actions"]
        }
        services.transfer_complete(actor=signed_in_user(request), transfer=transfer, actions=decisions)
        return self._respond(request, transfer)
