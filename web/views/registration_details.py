"""The named officer and team of a case's registration: shown on the case page, changed here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions
from referrals.models import Registration
from referrals.registration_details import registration_details_update

from ..access import can_manage_cases, page
from ..forms_base import apply_workflow_error
from ..forms_transfers import RegistrationDetailsForm


@page(can_manage_cases)
def case_officer(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    individual = get_object_or_404(permissions.visible_individuals(request.user), pk=pk)
    registration = Registration.objects.active().filter(individual=individual).first()
    if registration is None:
        raise Http404("This person has no active MAPPA registration")
    if not permissions.has_perm(request.user, "referrals.manage_registration", registration):
        raise PermissionDenied("Only the area's co-ordinators and chairs can change this")
    form = RegistrationDetailsForm(
        request.POST if request.method == "POST" else None,
        initial={"officer_name": registration.officer_name, "team": registration.team},
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration_details_update(
                actor=request.user,
                registration=registration,
                officer_name=form.cleaned_data["officer_name"],
                team=form.cleaned_data["team"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, "Named officer and team saved")
            return redirect("web:case_detail", pk=individual.pk)
    return render(request, "web/cases/officer.html", {"form": form, "individual": individual})
