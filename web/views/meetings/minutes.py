"""The minutes of each case on a held meeting's agenda (MAPPA C), their amendment while in draft, the
actions of its risk management plan and its disclosure decisions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from mappa_workflow.audit import audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings import selectors as meeting_selectors
from meetings import services as meeting_services
from meetings.models import (
    LEVEL_DECISIONS,
    SCREENING_DECISIONS,
    AgendaItem,
    AgendaItemKind,
    CaseDecision,
    CaseMinutes,
    MeetingState,
)

from ...access import can_manage_cases, page
from ...forms_base import GovukForm, apply_workflow_error
from ...forms_meetings import (
    CaseMinutesForm,
    DisclosureForm,
    RiskActionForm,
)
from ._common import DRAFT_STATES, _agency_choices, _agenda_item, _meeting


def _minutes_input(data: dict[str, Any]) -> meeting_services.MinutesInput:
    return meeting_services.MinutesInput(
        risk_summary=data["risk_summary"],
        decision=data["decision"],
        rationale=data["rationale"],
        differing_views=data["differing_views"],
        exit_reason=data["exit_reason"],
        why_level_2_cannot_manage=data["why_level_2_cannot_manage"],
        plan=meeting_services.RiskManagementPlan(
            supervision=data["rmp_supervision"],
            monitoring_and_control=data["rmp_monitoring_and_control"],
            interventions_and_treatment=data["rmp_interventions_and_treatment"],
            victim_safety_planning=data["rmp_victim_safety_planning"],
            contingency=data["contingency"],
        ),
        next_review_date=data["next_review_date"],
    )


def _decision_choices(item: AgendaItem) -> list[tuple[str, str]]:
    allowed = SCREENING_DECISIONS if item.kind == AgendaItemKind.SCREENING else LEVEL_DECISIONS
    return [("", "Select a decision"), *((d, CaseDecision(d).label) for d in allowed)]


@page(can_manage_cases)
def case_minutes(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """Minutes for one case on the agenda, then its actions."""
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    minutes = getattr(item, "minutes", None)
    form: GovukForm | None = None
    if minutes is None:
        form = CaseMinutesForm(request.POST if request.method == "POST" else None)
        form.choice_field("decision").choices = _decision_choices(item)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                meeting_services.case_minutes_record(actor=request.user, item=item, minutes=_minutes_input(data))
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                messages.success(request, f"Minutes recorded for {item.individual}")
                return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    action_form = None
    if (
        minutes is not None
        and item.registration_id
        and meeting.state in (MeetingState.HELD, MeetingState.MINUTES_DRAFTED)
    ):
        action_form = RiskActionForm(agencies=_agency_choices(meeting))
    audit_view(request, minutes or item, what="case minutes")
    return render(
        request,
        "web/meetings/case_minutes.html",
        {
            "meeting": meeting,
            "item": item,
            "minutes": minutes,
            "form": form,
            "action_form": action_form,
            "minutes_in_draft": meeting.state in DRAFT_STATES,
        },
    )


@page(can_manage_cases)
def case_action_add(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    minutes = getattr(item, "minutes", None)
    if minutes is None:
        return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    action_form = RiskActionForm(request.POST or None, agencies=_agency_choices(meeting))
    if request.method == "POST" and action_form.is_valid():
        data = action_form.cleaned_data
        try:
            meeting_services.risk_action_create(
                actor=request.user,
                case_minutes=minutes,
                heading=data["heading"],
                description=data["description"],
                owning_agency=meeting_selectors.area_agency(meeting.area, data["owning_agency"]),
                officer_name=data["officer_name"],
                due_date=data["due_date"],
            )
        except WorkflowError as exc:
            apply_workflow_error(action_form, exc)
        else:
            messages.success(request, "Action added to the risk management plan")
            return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    audit_view(request, minutes, what="case minutes")
    return render(
        request,
        "web/meetings/case_minutes.html",
        {
            "meeting": meeting,
            "item": item,
            "minutes": minutes,
            "form": None,
            "action_form": action_form,
            "minutes_in_draft": meeting.state in DRAFT_STATES,
        },
    )


def _minutes_initial(minutes: CaseMinutes) -> dict[str, Any]:
    return {name: getattr(minutes, name) for name in CaseMinutesForm.base_fields}


@page(can_manage_cases)
def case_minutes_amend(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """Correct a case's minutes while they are a draft. The decision was applied when they were
    recorded and is not applied again, so the page says so and the service refuses a change to it."""
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    minutes = getattr(item, "minutes", None)
    if minutes is None or meeting.state not in DRAFT_STATES:
        return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    form = CaseMinutesForm(request.POST if request.method == "POST" else None, initial=_minutes_initial(minutes))
    form.choice_field("decision").choices = _decision_choices(item)
    form.fields["decision"].help_text = "Already applied: it cannot be changed here"
    if request.method == "POST" and form.is_valid():
        try:
            meeting_services.case_minutes_amend(
                actor=request.user, case_minutes=minutes, minutes=_minutes_input(form.cleaned_data)
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Minutes amended for {item.individual}")
            return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    audit_view(request, minutes, what="amending the minutes")
    return render(
        request,
        "web/meetings/case_minutes_amend.html",
        {"meeting": meeting, "item": item, "minutes": minutes, "form": form},
    )


@page(can_manage_cases)
def disclosure_add(request: AuthenticatedHttpRequest, pk: Any, item_id: Any) -> HttpResponse:
    """Record a decision to disclose to a third party (MAPPA C): to whom, what, why, the
    recipient's undertaking, and whether the individual was told or why not."""
    meeting = _meeting(request, pk)
    item = _agenda_item(request, meeting, item_id)
    minutes = getattr(item, "minutes", None)
    if minutes is None:
        messages.info(request, "Record the case's minutes before its disclosure decisions")
        return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting_services.disclosure_decision_record(
                actor=request.user,
                case_minutes=minutes,
                recipient=data["recipient"],
                what_is_disclosed=data["what_is_disclosed"],
                why=data["why"],
                recipient_undertaking=data["recipient_undertaking"],
                individual_told=form.told(),
                why_individual_not_told=data["why_individual_not_told"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(request, f"Disclosure decision recorded for {item.individual}")
            return redirect("web:meeting_case_minutes", pk=meeting.pk, item_id=item.pk)
    return render(request, "web/meetings/disclosure_add.html", {"meeting": meeting, "item": item, "form": form})
