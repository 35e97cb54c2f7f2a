"""Transfers between areas: request one from a case, the area's transfers in and out, one transfer with
its handover pack, and accepting, declining, withdrawing and completing it. Thin: the rules are in
``transfers.rules`` and ``transfers.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from mappa_workflow.audit import audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Area
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions
from referrals.models import Registration
from transfers import selectors, services
from transfers.models import Transfer, TransferState

from ..access import can_manage_cases, page
from ..forms_base import apply_workflow_error
from ..forms_transfers import TransferAcceptForm, TransferCompleteForm, TransferReasonForm, TransferRequestForm


def _transfer(request: AuthenticatedHttpRequest, pk: Any, perm: str = "transfers.view_transfer") -> Transfer:
    transfer = get_object_or_404(
        selectors.visible_transfers(request.user).select_related(
            "individual", "registration", "sending_area", "receiving_area", "receiving_lead_agency", "new_registration"
        ),
        pk=pk,
    )
    if not permissions.has_perm(request.user, perm, transfer):
        raise PermissionDenied("Only the co-ordinators of the area concerned can do this")
    return transfer


@page(can_manage_cases)
def transfer_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "web/transfers/list.html", selectors.transfer_list(request.user))


@page(can_manage_cases)
def case_transfer(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Request a transfer of the case's current registration to another area."""
    individual = get_object_or_404(permissions.visible_individuals(request.user), pk=pk)
    registration = Registration.objects.active().filter(individual=individual).first()
    if registration is None:
        raise Http404("This person has no active MAPPA registration")
    if not permissions.has_perm(request.user, "transfers.request_transfer", registration):
        raise PermissionDenied("Only the area's co-ordinators can request a transfer")
    areas = [(str(a.pk), a.name) for a in Area.objects.exclude(pk=registration.area_id).order_by("name")]
    form = TransferRequestForm(request.POST if request.method == "POST" else None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.transfer_request(
                actor=request.user,
                registration=registration,
                receiving_area=Area.objects.get(pk=data["receiving_area"]),
                reason=data["reason"],
                proposed_date=data["proposed_date"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(
                request, f"Transfer {transfer.reference} requested: {transfer.receiving_area} has been told"
            )
            return redirect("web:transfer_detail", pk=transfer.pk)
    return render(request, "web/transfers/request.html", {"form": form, "individual": individual})


@page(can_manage_cases)
def transfer_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    transfer = _transfer(request, pk)
    user = request.user
    pack = (
        selectors.handover_pack(transfer)
        if permissions.has_perm(user, "transfers.view_handover_pack", transfer)
        else None
    )
    audit_view(request, transfer, what="transfer" + (" and handover pack" if pack else ""))
    return render(
        request,
        "web/transfers/detail.html",
        {
            "transfer": transfer,
            "pack": pack,
            "sending": transfer.sending_area_id == user.area_id,
            "can_decide": transfer.state == TransferState.REQUESTED
            and permissions.has_perm(user, "transfers.decide_transfer", transfer),
            "can_withdraw": transfer.state in (TransferState.REQUESTED, TransferState.ACCEPTED)
            and permissions.has_perm(user, "transfers.withdraw_transfer", transfer),
            "can_complete": transfer.state == TransferState.ACCEPTED
            and permissions.has_perm(user, "transfers.complete_transfer", transfer),
        },
    )


@page(can_manage_cases)
def transfer_accept(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    transfer = _transfer(request, pk, "transfers.decide_transfer")
    agencies = Agency.objects.filter(area_id=transfer.receiving_area_id).order_by("name")
    choices = [(str(a.pk), a.name) for a in agencies if a.is_responsible_authority]
    default = selectors.receiving_lead_agency_default(transfer)
    form = TransferAcceptForm(
        request.POST if request.method == "POST" else None,
        agencies=choices,
        initial={"lead_agency": str(default.pk) if default else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer_accept(
                actor=request.user,
                transfer=transfer,
                transfer_date=data["transfer_date"],
                lead_agency=agencies.get(pk=data["lead_agency"]),
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Transfer {transfer.reference} accepted: the handover pack is below")
            return redirect("web:transfer_detail", pk=transfer.pk)
    return render(request, "web/transfers/accept.html", {"form": form, "transfer": transfer})


def _closing(request: AuthenticatedHttpRequest, pk: Any, *, perm: str, service: Any, verb: str) -> HttpResponse:
    transfer = _transfer(request, pk, perm)
    form = TransferReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"])
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Transfer {transfer.reference} {verb}")
            return redirect("web:transfer_detail", pk=transfer.pk)
    return render(request, "web/transfers/reason.html", {"form": form, "transfer": transfer, "verb": verb})


@page(can_manage_cases)
def transfer_decline(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    return _closing(request, pk, perm="transfers.decide_transfer", service=services.transfer_decline, verb="declined")


@page(can_manage_cases)
def transfer_withdraw(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    return _closing(
        request, pk, perm="transfers.withdraw_transfer", service=services.transfer_withdraw, verb="withdrawn"
    )


@page(can_manage_cases)
def transfer_complete(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The sending co-ordinator decides each open action (moves or closes, with a reason) and hands over."""
    transfer = _transfer(request, pk, "transfers.complete_transfer")
    actions = selectors.handover_pack(transfer).open_actions
    form = TransferCompleteForm(request.POST if request.method == "POST" else None, actions=actions)
    if request.method == "POST" and form.is_valid():
        decisions = {
            str(a.pk): services.ActionDecision(
                form.cleaned_data[f"action-{a.pk}"], form.cleaned_data[f"action-{a.pk}-reason"]
            )
            for a in actions
        }
        try:
            services.transfer_complete(actor=request.user, transfer=transfer, actions=decisions)
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(
                request, f"Transfer {transfer.reference} completed: {transfer.receiving_area} manages the case"
            )
            return redirect("web:transfer_detail", pk=transfer.pk)
    return render(request, "web/transfers/complete.html", {"form": form, "transfer": transfer})
