"""MAPPA A referrals: the question pages, check your answers, the referral list and screening."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from mappa_workflow.audit import audit_list, audit_view
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions
from need_to_know.permissions import is_coordinator, is_practitioner, visible_referrals
from referrals import services
from referrals.models import OPEN_FOR_EDITING, Referral, ReferralQuerySet, ReferralState

from ..access import can_see_cases, page
from ..forms import (
    MORE_INFORMATION,
    NEW_PERSON,
    ChoosePersonForm,
    FindPersonForm,
    LevelForm,
    LocationForm,
    OffendingForm,
    PersonForm,
    ReferrerForm,
    RiskForm,
    ScreeningForm,
)
from ..forms_base import GovukForm, apply_workflow_error
from ..selectors import find_people
from .common import page_links, paginate_people, sort_links, sort_queryset

can_refer = is_practitioner | is_coordinator


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type[GovukForm]
    needs_user: bool = False  # the form's choices depend on who is answering

    def form(self, user: Any, *args: Any, **kwargs: Any) -> GovukForm:
        if self.needs_user:
            kwargs["user"] = user
        return self.form_class(*args, **kwargs)


STEPS = (
    Step("person", "About the person", PersonForm),
    Step("level", "Level and category", LevelForm, needs_user=True),
    Step("location", "Where the person is", LocationForm),
    Step("offending", "Offending and sentence", OffendingForm),
    Step("risk", "Risk and reason for referral", RiskForm),
    Step("referrer", "Referring officer", ReferrerForm),
)
STEP_BY_SLUG = {step.slug: step for step in STEPS}
STEP_FOR_FIELD = {name: step.slug for step in STEPS for name in step.form_class.base_fields}


def _initial(step: Step, referral: Referral | None) -> dict[str, Any]:
    if referral is None:
        return {}
    source: Any = referral.individual if step.slug == "person" else referral
    initial: dict[str, Any] = {}
    for name in step.form_class.base_fields:
        if name == "aliases":
            initial[name] = "\n".join(alias.name for alias in referral.individual.aliases.all())
        elif hasattr(source, name):
            value = getattr(source, name)
            initial[name] = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return initial


def _editable_referral(request: AuthenticatedHttpRequest, pk: Any) -> Referral:
    referral = get_object_or_404(visible_referrals(request.user).select_related("individual", "area"), pk=pk)
    if not permissions.has_perm(request.user, "referrals.edit_referral", referral):
        raise PermissionDenied("Only the referring agency can change this referral")
    return referral


def _next_url(referral: Referral, step: Step, change: bool) -> str:
    if change:
        return reverse("web:referral_check", args=[referral.pk])
    index = STEPS.index(step)
    if index + 1 < len(STEPS):
        return reverse("web:referral_step", args=[referral.pk, STEPS[index + 1].slug])
    return reverse("web:referral_check", args=[referral.pk])


def _save_step(request: AuthenticatedHttpRequest, step: Step, form: GovukForm, referral: Referral | None) -> Referral:
    """Save one page's answers as a draft through the services (raises WorkflowError)."""
    user = request.user
    if step.slug == "person":
        fields, aliases = form.cleaned_individual()  # type: ignore[attr-defined]
        if referral is None:
            assert user.area is not None  # referral_start refused an account without one (_require_referrer_account)
            # One transaction: a refused referral must not leave a person behind.
            with transaction.atomic():
                individual = services.individual_create(actor=user, area=user.area, aliases=aliases, **fields)
                return services.referral_create(actor=user, individual=individual)
        services.individual_update(actor=user, individual=referral.individual, aliases=aliases, **fields)
        return referral
    assert referral is not None
    answers = form.answers() if hasattr(form, "answers") else dict(form.cleaned_data)
    return services.referral_update(actor=user, referral=referral, **answers)


def _require_referrer_account(request: AuthenticatedHttpRequest) -> None:
    if request.user.area_id is None or request.user.agency_id is None:
        raise PermissionDenied("Your account has no area or agency: ask an administrator")


def _person_choice(individual: Any) -> dict[str, str]:
    registration = individual.active_registrations[0] if individual.active_registrations else None
    period = registration.periods.all()[0] if registration and registration.periods.all() else None
    status = f"MAPPA Level {period.level}, Category {period.category}" if period else "Not registered with MAPPA"
    references = ", ".join(
        f"{label} {value}"
        for label, value in (
            ("ViSOR", individual.visor_reference),
            ("PNC", individual.pnc_reference),
            ("nDelius", individual.ndelius_reference),
        )
        if value
    )
    hint = f"Born {individual.date_of_birth:%-d %B %Y}. {status}." + (f" {references}." if references else "")
    return {"value": str(individual.pk), "label": str(individual), "hint": hint}


@page(can_refer)
def referral_find(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Before the questions: find the person if they are already known (most are, at Level 1),
    choose them, or add someone new. Works as plain GET search and POST choice, without JavaScript."""
    _require_referrer_account(request)
    source = request.POST if request.method == "POST" else request.GET
    searched = any(key in source for key in ("q", "date_of_birth_day", "date_of_birth_month", "date_of_birth_year"))
    search = FindPersonForm(source if searched else None)
    people: list[Any] = []
    if searched and search.is_valid():
        people = find_people(
            request.user, q=search.cleaned_data["q"], date_of_birth=search.cleaned_data["date_of_birth"]
        )
    if searched and search.is_valid():
        audit_list(request, what="find a person to refer", shown=people, search=source)
    rows = [_person_choice(p) for p in people]
    choose = ChoosePersonForm(
        request.POST if request.method == "POST" else None, people=[(r["value"], r["label"]) for r in rows]
    )
    if request.method == "POST" and choose.is_valid():
        chosen = choose.cleaned_data["person"]
        if chosen == NEW_PERSON:
            return redirect("web:referral_start")
        individual = next(p for p in people if str(p.pk) == chosen)
        try:
            referral = services.referral_create(actor=request.user, individual=individual)
        except WorkflowError as exc:
            apply_workflow_error(choose, exc, aliases={"referring_agency": "person"})
        else:
            messages.success(
                request, f"Referral {referral.reference} started for {individual}: check their details are up to date"
            )
            return redirect("web:referral_step", pk=referral.pk, step="person")
    return render(
        request,
        "web/referrals/find.html",
        {
            "search": search,
            "choose": choose,
            "searched": searched and search.is_valid(),
            "rows": rows,
            "chosen": choose["person"].value() or "",
            "q": search.cleaned_data.get("q", "") if searched and search.is_valid() else "",
            "dob": search.cleaned_data.get("date_of_birth") if searched and search.is_valid() else None,
        },
    )


@page(can_refer)
def referral_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The first question page for someone new: creating the person and the draft together."""
    _require_referrer_account(request)
    return _step_page(request, STEPS[0], None)


@page(can_refer)
def referral_step(request: AuthenticatedHttpRequest, pk: Any, step: str) -> HttpResponse:
    if step not in STEP_BY_SLUG:
        return render(request, "404.html", status=404)
    referral = _editable_referral(request, pk)
    if referral.state not in OPEN_FOR_EDITING:
        messages.info(request, "This referral has been sent and can no longer be changed.")
        return redirect("web:referral_detail", pk=referral.pk)
    return _step_page(request, STEP_BY_SLUG[step], referral)


def _step_page(request: AuthenticatedHttpRequest, step: Step, referral: Referral | None) -> HttpResponse:
    change = request.GET.get("change") == "1"
    if request.method == "POST":
        form = step.form(request.user, request.POST)
        if form.is_valid():
            try:
                referral = _save_step(request, step, form, referral)
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                return redirect(_next_url(referral, step, change))
    else:
        form = step.form(request.user, initial=_initial(step, referral))
    index = STEPS.index(step)
    if referral is None:
        back = reverse("web:referral_find")
    elif change:
        back = reverse("web:referral_check", args=[referral.pk])
    elif index == 0:
        back = reverse("web:referral_list")
    else:
        back = reverse("web:referral_step", args=[referral.pk, STEPS[index - 1].slug])
    return render(
        request,
        "web/referrals/step.html",
        {"form": form, "step": step, "referral": referral, "back": back, "number": index + 1, "total": len(STEPS)},
    )


def _summary_sections(referral: Referral, *, editable: bool, user: Any) -> list[dict[str, Any]]:
    sections = []
    for step in STEPS:
        rows = []
        form = step.form(user, initial=_initial(step, referral))
        for name, field in form.fields.items():
            value = form.initial.get(name)
            if hasattr(field, "choices") and value not in (None, ""):
                value = {str(k): v for k, v in field.choices}.get(str(value), value)
            if isinstance(value, bool):
                value = "Yes" if value else "No"
            rows.append(
                {
                    "key": field.label,
                    "value": value if value not in (None, "") else "",
                    "href": reverse("web:referral_step", args=[referral.pk, step.slug]) + f"?change=1#id_{name}"
                    if editable
                    else "",
                    "name": name,
                }
            )
        sections.append({"title": step.title, "rows": rows, "slug": step.slug})
    return sections


@page(can_refer)
def referral_check(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """Check your answers, then submit (or resubmit after a request for more information)."""
    referral = _editable_referral(request, pk)
    if referral.state not in OPEN_FOR_EDITING:
        return redirect("web:referral_detail", pk=referral.pk)
    error_items: list[tuple[str, str]] = []
    if request.method == "POST":
        try:
            if referral.state == ReferralState.MORE_INFORMATION_REQUESTED:
                services.referral_resubmit(actor=request.user, referral=referral)
            else:
                services.referral_submit(actor=request.user, referral=referral)
        except WorkflowError as exc:
            for field, field_messages in exc.errors.items():
                step = STEP_FOR_FIELD.get(field)
                anchor = (
                    reverse("web:referral_step", args=[referral.pk, step]) + f"?change=1#id_{field}" if step else ""
                )
                error_items += [(anchor, message) for message in field_messages]
        else:
            return redirect("web:referral_sent", pk=referral.pk)
    audit_view(request, referral, what="check your answers")
    return render(
        request,
        "web/referrals/check.html",
        {
            "referral": referral,
            "sections": _summary_sections(referral, editable=True, user=request.user),
            "error_items": error_items,
            "forms_have_errors": bool(error_items),
        },
    )


@page(can_refer)
def referral_sent(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    referral = get_object_or_404(visible_referrals(request.user), pk=pk)
    return render(request, "web/referrals/sent.html", {"referral": referral})


@page(can_see_cases)
def referral_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs = visible_referrals(request.user).select_related("individual", "referring_agency")
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(
            Q(reference__icontains=q)
            | Q(individual__family_name__icontains=q)
            | Q(individual__given_names__icontains=q)
        )
    state = request.GET.get("state", "")
    if state == "awaiting":
        # visible_referrals keeps the queryset's class; Referral's manager makes a ReferralQuerySet.
        qs = cast(ReferralQuerySet, qs).awaiting_screening()
    elif state in ReferralState.values:
        qs = qs.filter(state=state)
    qs, sort = sort_queryset(
        request,
        qs,
        {
            "reference": ("reference",),
            "name": ("individual__family_name", "individual__given_names"),
            "agency": ("referring_agency__name", "reference"),
            "state": ("state", "reference"),
            "updated": ("updated_at", "reference"),
        },
        "-updated",
    )
    page_obj = paginate_people(request, qs, what="referral list")
    return render(
        request,
        "web/referrals/list.html",
        {
            "page_obj": page_obj,
            "pages": page_links(request, page_obj),
            "q": q,
            "state": state,
            "keep_params": [("state", state)] if state else [],
            "sort_cells": sort_links(
                request,
                sort,
                {
                    "reference": "Reference",
                    "name": "Name",
                    "agency": "Referring agency",
                    "state": "Status",
                    "updated": "Last changed",
                },
            ),
            "can_refer": can_refer(request.user),
            "state_choices": [("", "All"), ("awaiting", "Awaiting screening"), *ReferralState.choices],
        },
    )


@page(can_see_cases)
def referral_detail(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    referral = get_object_or_404(
        visible_referrals(request.user).select_related("individual", "referring_agency", "decided_by", "registration"),
        pk=pk,
    )
    audit_view(request, referral, what="referral page")
    return render(
        request,
        "web/referrals/detail.html",
        {
            "referral": referral,
            "sections": _summary_sections(referral, editable=False, user=request.user),
            "can_edit": referral.state in OPEN_FOR_EDITING
            and permissions.has_perm(request.user, "referrals.edit_referral", referral),
            "can_screen": referral.is_awaiting_screening
            and permissions.has_perm(request.user, "referrals.screen_referral", referral),
        },
    )


@page(can_see_cases)
def referral_screen(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponse:
    """The co-ordinator's screening decision: Level 2, Level 3, Level 1, or ask for more."""
    referral = get_object_or_404(
        visible_referrals(request.user).select_related("individual", "referring_agency"), pk=pk
    )
    if not permissions.has_perm(request.user, "referrals.screen_referral", referral):
        raise PermissionDenied("Only the area's co-ordinator or chair can screen referrals")
    if not referral.is_awaiting_screening:
        messages.info(request, f"This referral is {referral.get_state_display().lower()}: there is nothing to screen.")
        return redirect("web:referral_detail", pk=referral.pk)
    if request.method == "POST":
        form = ScreeningForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == MORE_INFORMATION:
                    services.referral_request_more_information(
                        actor=request.user, referral=referral, request=data["rationale"]
                    )
                else:
                    services.referral_decide(
                        actor=request.user,
                        referral=referral,
                        decision=data["decision"],
                        rationale=data["rationale"],
                        decided_on=data["decided_on"],
                        why_level_2_cannot_manage=data["why_level_2_cannot_manage"] or None,
                    )
            except WorkflowError as exc:
                apply_workflow_error(form, exc)
            else:
                referral.refresh_from_db()
                messages.success(request, f"Referral {referral.reference}: {referral.get_state_display()}")
                return redirect("web:referral_detail", pk=referral.pk)
    else:
        form = ScreeningForm()
    audit_view(request, referral, what="screening page")
    return render(
        request,
        "web/referrals/screen.html",
        {
            "referral": referral,
            "form": form,
            "sections": _summary_sections(referral, editable=False, user=request.user),
        },
    )


def safe_next(request: AuthenticatedHttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default
