"""Meeting audits (MAPPA L) and case audits: the quarter's sample, one audit's form, and the SMB's results.

Who opens what (docs/audits.md): co-ordinators, SMB members and lay advisers of the area audit meetings;
only co-ordinators draw samples and audit cases. An auditor reads a meeting's arrangements (date, level,
number of cases, chair, attendance by agency) and counts from its records, never who was discussed. The
results page and its downloads, for every statistics reader, are in ``audit_results``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Role
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from meetings.models import Meeting
from need_to_know import permissions
from oversight import services
from oversight.audits import selectors
from oversight.audits.models import AuditState, QualityAudit
from oversight.audits.questions import QUESTIONS, AuditKind, Score, TimelinessBand
from oversight.audits.sampling import quarter_of
from oversight.services.audits import MAX_SAMPLE

from ..access import can_audit_meetings, page
from ..forms_base import GovukForm, apply_workflow_error
from .statistics import recent_years, year_label


def _year_and_quarter(request: AuthenticatedHttpRequest) -> tuple[int, int]:
    current = quarter_of(timezone.localdate())
    try:
        year = int(request.GET.get("year", current[0]))
        quarter = int(request.GET.get("quarter", current[1] if year == current[0] else 4))
    except ValueError as exc:
        raise Http404("No such quarter") from exc
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= current[0]:
        raise Http404("No such quarter")
    return year, quarter


class SampleForm(GovukForm):
    size = forms.IntegerField(
        label="How many to sample",
        min_value=1,
        max_value=MAX_SAMPLE,
        help_text=f"From 1 to {MAX_SAMPLE}. If fewer were held, all of them are offered.",
        error_messages={
            "required": "Enter how many to sample",
            "invalid": "Enter how many to sample as a number, like 4",
            "min_value": f"The sample size must be from 1 to {MAX_SAMPLE}",
            "max_value": f"The sample size must be from 1 to {MAX_SAMPLE}",
        },
    )


@page(can_audit_meetings)
def audit_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The quarter's samples: the meetings (and, for co-ordinators, the cases) offered for audit."""
    user = request.user
    area = user.area
    assert area is not None  # page() refuses an account without an area
    year, quarter = _year_and_quarter(request)
    coordinator = user.has_role(Role.COORDINATOR)
    # One form per kind of sample, each with its own prefix, so an error shows against the box typed in.
    forms_ = {kind: SampleForm(prefix=kind) for kind in AuditKind.values} if coordinator else {}
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if not coordinator:
            raise PermissionDenied("Only MAPPA co-ordinators draw audit samples")
        if kind not in forms_:
            raise Http404("No such kind of audit")
        form = forms_[kind] = SampleForm(request.POST, prefix=kind)
        if form.is_valid():
            try:
                services.audit_sample_draw(
                    actor=user, area=area, kind=kind, year=year, quarter=quarter, size=form.cleaned_data["size"]
                )
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                messages.success(request, "Sample drawn")
                return redirect(reverse("web:audits") + f"?year={year}&quarter={quarter}")
    meeting_sample = selectors.sample_for(area, AuditKind.MEETING, year, quarter)
    case_sample = selectors.sample_for(area, AuditKind.CASE, year, quarter) if coordinator else None
    return render(
        request,
        "web/audits/list.html",
        {
            "area": area,
            "year": year,
            "quarter": quarter,
            "year_label": year_label(year),
            "years": recent_years(),
            "quarters": [1, 2, 3, 4],
            "coordinator": coordinator,
            "meeting_form": forms_.get(AuditKind.MEETING),
            "case_form": forms_.get(AuditKind.CASE),
            "meeting_sample": meeting_sample,
            "meetings": selectors.sampled_meetings(meeting_sample, user) if meeting_sample else [],
            "case_sample": case_sample,
            "cases": (
                selectors.sampled_cases(case_sample, permissions.visible_registrations(user), user)
                if case_sample
                else []
            ),
            "max_sample": MAX_SAMPLE,
        },
    )


@require_POST
@page(can_audit_meetings)
def meeting_audit_start(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk, area=request.user.area)
    try:
        audit = services.quality_audit_start(actor=request.user, meeting=meeting)
    except WorkflowError as exc:
        messages.error(request, exc.message.split(": ", 1)[-1])
        return redirect("web:audits")
    return redirect("web:audit_detail", pk=audit.pk)


@require_POST
@page(can_audit_meetings)
def case_audit_start(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    registration = get_object_or_404(permissions.visible_registrations(request.user), pk=pk)
    try:
        audit = services.quality_audit_start(actor=request.user, registration=registration)
    except WorkflowError as exc:
        messages.error(request, exc.message.split(": ", 1)[-1])
        return redirect("web:audits")
    return redirect("web:audit_detail", pk=audit.pk)


class AuditForm(GovukForm):
    """One radios field per question (``<item>-score``), a band for timeliness questions, a note each."""

    comment = forms.CharField(label="Overall comments", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, data: Any, *, audit: QualityAudit) -> None:
        initial: dict[str, Any] = {"comment": audit.comment}
        for answer in audit.answers.all():
            initial |= {f"{answer.item}-score": answer.score, f"{answer.item}-band": answer.band}
            initial[f"{answer.item}-note"] = answer.note
        super().__init__(data, initial=initial)
        self.audit_kind = audit.kind
        evidence = {answer.item: answer.evidence for answer in audit.answers.all()}
        self.questions: list[dict[str, Any]] = []
        for q in QUESTIONS[audit.kind]:
            score = forms.ChoiceField(
                label=q.text,
                choices=Score.choices,
                required=False,
                widget=forms.RadioSelect,
                help_text=evidence.get(q.key, ""),
                error_messages={"invalid_choice": "Choose a score from 1 (poor) to 4 (excellent)"},
            )
            self.fields[f"{q.key}-score"] = score
            names = [f"{q.key}-score"]
            if q.timeliness:
                self.fields[f"{q.key}-band"] = forms.ChoiceField(
                    label=f"Timeliness: {q.text.lower()}",
                    choices=[("", "Not chosen"), *TimelinessBand.choices],
                    required=False,
                )
                names.append(f"{q.key}-band")
            self.fields[f"{q.key}-note"] = forms.CharField(
                label=f"Note on {q.text.lower()} (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            names.append(f"{q.key}-note")
            self.stack(f"{q.key}-score")
            self.questions.append({"section": q.section, "fields": [self[name] for name in names]})
        self.fields["comment"] = self.fields.pop("comment")  # last on the page

    def answers(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        return {
            q.key: {
                "score": data.get(f"{q.key}-score") or None,
                "band": data.get(f"{q.key}-band", ""),
                "note": data.get(f"{q.key}-note", ""),
            }
            for q in QUESTIONS[self.audit_kind]
        }


def _readable(user: Any, audit: QualityAudit) -> bool:
    """The auditor reads and changes their audit; a co-ordinator of the area reads every audit of it."""
    if audit.auditor_id == user.pk:
        return True
    return bool(user.has_role(Role.COORDINATOR) and user.area_id == audit.area_id)


@page(can_audit_meetings)
def audit_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    try:
        audit = selectors.audit_page(pk)
    except QualityAudit.DoesNotExist as exc:
        raise Http404("No such audit") from exc
    if not _readable(request.user, audit):
        raise Http404("No such audit")
    if audit.registration_id is not None and not permissions.has_perm(
        request.user, "referrals.view_registration", audit.registration
    ):
        raise Http404("No such audit")
    editable = audit.auditor_id == request.user.pk and audit.state == AuditState.DRAFT
    form = AuditForm(request.POST if request.method == "POST" else None, audit=audit)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Only the auditor can change this audit, until it is submitted")
        if form.is_valid():
            try:
                services.quality_audit_answer(
                    actor=request.user, audit=audit, answers=form.answers(), comment=form.cleaned_data["comment"]
                )
                if request.POST.get("submit") == "submit":
                    services.quality_audit_submit(actor=request.user, audit=audit)
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                submitted = request.POST.get("submit") == "submit"
                messages.success(request, "Audit submitted" if submitted else "Audit saved")
                return redirect("web:audit_detail", pk=audit.pk)
    return render(
        request,
        "web/audits/detail.html",
        {"audit": audit, "form": form, "editable": editable, "answers": list(audit.answers.all())},
    )
