"""Referrals (MAPPA A): create, read, change answers, and each transition as a POST action."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from mappa_workflow.exceptions import NON_FIELD, WorkflowError
from mappa_workflow.models import Agency
from mappa_workflow.signed_in import signed_in_user
from need_to_know import permissions
from referrals import services
from referrals.models import Referral

from ..access import require
from ..filters import ReferralFilter
from ..serializers import (
    DecideSerializer,
    ReferralAnswersSerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    RequestMoreInformationSerializer,
    SubmitSerializer,
    WithdrawSerializer,
)
from .base import CaseViewSet, record_view


@extend_schema(tags=["referrals"])
class ReferralViewSet(mixins.ListModelMixin, CaseViewSet):
    """MAPPA A referrals the user may see: the area's for co-ordinators and chairs; for an agency
    practitioner, those their agency made or was invited to a meeting about."""

    queryset = Referral.objects.none()  # for the schema; get_queryset applies the rules
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def get_queryset(self) -> QuerySet[Referral]:
        return permissions.visible_referrals(
            self.request.user, Referral.objects.select_related("area", "individual", "referring_agency")
        )

    def _respond(self, referral: Referral, code: int = status.HTTP_200_OK) -> Response:
        return Response(ReferralSerializer(referral).data, status=code)

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        referral = self.get_object()
        record_view(request, referral)
        return self._respond(referral)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request: Request) -> Response:
        """Start a draft referral about a person already recorded (``individual``) or a new one (``person``)."""
        require(request, "referrals.create_referral")
        serializer = ReferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = dict(serializer.validated_data)
        user = signed_in_user(request)
        individual_id = answers.pop("individual", None)
        person = answers.pop("person", None)
        agency = None
        if (agency_id := answers.pop("referring_agency", None)) is not None:
            agency = Agency.objects.filter(pk=agency_id).first()
            if agency is None:
                raise WorkflowError({"referring_agency": "There is no agency with this id"})
        with transaction.atomic():  # a new person is recorded only if their referral is
            if individual_id is not None:
                individual = permissions.visible_individuals(user).filter(pk=individual_id).first()
                if individual is None:
                    raise WorkflowError({"individual": "There is no person you can see with this id"})
            else:
                if user.area is None:
                    raise WorkflowError({"person": "Your account has no MAPPA area to record the person in"})
                aliases = person.pop("aliases", [])
                try:
                    individual = services.individual_create(actor=user, area=user.area, aliases=aliases, **person)
                except WorkflowError as exc:  # name the fields as the request did: person-<field>
                    raise WorkflowError(
                        {name if name == NON_FIELD else f"person-{name}": msgs for name, msgs in exc.errors.items()}
                    ) from exc
            referral = services.referral_create(actor=user, individual=individual, referring_agency=agency, **answers)
        return self._respond(referral, status.HTTP_201_CREATED)

    @extend_schema(request=ReferralAnswersSerializer, responses={200: ReferralSerializer})
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Change a draft's answers, or answer a request for more information."""
        referral = self.get_object()
        require(request, "referrals.edit_referral", referral)
        serializer = ReferralAnswersSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        referral = services.referral_update(
            actor=signed_in_user(request), referral=referral, **serializer.validated_data
        )
        return self._respond(referral)

    @extend_schema(request=SubmitSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        """Send a complete draft to the co-ordinator (400 names every missing MAPPA A answer)."""
        referral = self.get_object()
        require(request, "referrals.edit_referral", referral)
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.referral_submit(actor=signed_in_user(request), referral=referral, **serializer.validated_data)
        )

    @extend_schema(request=RequestMoreInformationSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"], url_path="request-more-information")
    def request_more_information(self, request: Request, pk: Any = None) -> Response:
        """Ask the referrer for more before screening (co-ordinators and chairs)."""
        referral = self.get_object()
        require(request, "referrals.screen_referral", referral)
        serializer = RequestMoreInformationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.referral_request_more_information(
                actor=signed_in_user(request), referral=referral, request=serializer.validated_data["request"]
            )
        )

    @extend_schema(request=None, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def resubmit(self, request: Request, pk: Any = None) -> Response:
        """Send the referral back for screening once the more information asked for is added."""
        referral = self.get_object()
        require(request, "referrals.edit_referral", referral)
        return self._respond(services.referral_resubmit(actor=signed_in_user(request), referral=referral))

    @extend_schema(request=DecideSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        """Record the screening decision; accepting registers the case and sets the first meeting's due date."""
        referral = self.get_object()
        require(request, "referrals.screen_referral", referral)
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.referral_decide(actor=signed_in_user(request), referral=referral, **serializer.validated_data)
        )

    @extend_schema(request=WithdrawSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        referral = self.get_object()
        require(request, "referrals.edit_referral", referral)
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            services.referral_withdraw(
                actor=signed_in_user(request), referral=referral, reason=serializer.validated_data["reason"]
            )
        )
