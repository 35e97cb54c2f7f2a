"""Admin for referrals and registrations. Every change goes through referrals.services,
so the admin obeys the same rules and writes the same audit rows as the pages and the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from administration.scoping import ScopedAdminMixin, ScopedInlineMixin, scoped
from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import Agency
from need_to_know import permissions
from referrals import services
from referrals.models import (
    Alias,
    Category,
    ExitReason,
    Individual,
    LifeEvent,
    Location,
    Referral,
    Registration,
    RegistrationPeriod,
)


class AliasInline(ScopedInlineMixin, admin.TabularInline):
    model = Alias
    extra = 0


@admin.register(Individual)
class IndividualAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope = scoped(permissions.visible_individuals)
    list_display = ("__str__", "date_of_birth", "area", "visor_reference", "ndelius_reference")
    list_filter = ("area", "gender")
    search_fields = ("family_name", "given_names", "visor_reference", "pnc_reference", "ndelius_reference")
    inlines = [AliasInline]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.INDIVIDUAL_FIELDS if name in form.cleaned_data}
        # The form has already run the model's validation, so the service will not refuse these values.
        if change:
            saved = services.individual_update(actor=request.user, individual=obj, **fields)
        else:
            saved = services.individual_create(actor=request.user, area=form.cleaned_data["area"], **fields)
        obj.pk = saved.pk


class PeriodInline(ScopedInlineMixin, admin.TabularInline):
    model = RegistrationPeriod
    extra = 0
    can_delete = False
    fields = ("start_date", "end_date", "category", "level", "location", "lead_agency", "change_reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class TransitionForm(forms.Form):
    """The extra answers a transition needs; fields not needed are removed per transition."""

    decision = forms.ChoiceField(choices=services.ScreeningDecision.CHOICES, required=False)
    level = forms.TypedChoiceField(choices=[(1, "Level 1"), (2, "Level 2"), (3, "Level 3")], coerce=int, required=False)
    exit_reason = forms.ChoiceField(choices=ExitReason.choices, required=False)
    category = forms.TypedChoiceField(
        choices=[("", "No change"), *Category.choices], coerce=int, required=False, empty_value=None
    )
    location = forms.ChoiceField(choices=[("", "No change"), *Location.choices], required=False)
    lead_agency = forms.ModelChoiceField(queryset=Agency.objects.select_related("area"), required=False)
    effective_date = forms.DateField(required=False, help_text="YYYY-MM-DD")
    text = forms.CharField(widget=forms.Textarea, required=False, label="Reason, rationale or request")


class TransitionAdminMixin:
    """Adds buttons on the change page that open a small form and call one service."""

    transitions: dict[str, tuple[str, tuple[str, ...]]] = {}

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path(
                "<uuid:pk>/transition/<str:name>/",
                self.admin_site.admin_view(self.transition_view),
                name="{}_{}_transition".format(*info),
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        info = self.model._meta.app_label, self.model._meta.model_name
        extra_context = extra_context or {}
        extra_context["transition_links"] = [
            (label, reverse("admin:{}_{}_transition".format(*info), args=[object_id, name]))
            for name, (label, _) in self.transitions.items()
        ]
        return super().change_view(request, object_id, form_url, extra_context)

    def transition_view(self, request, pk, name):
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if name not in self.transitions:
            raise PermissionDenied
        label, needed = self.transitions[name]
        form = TransitionForm(request.POST or None)
        for field in list(form.fields):
            if field not in needed:
                del form.fields[field]
        if request.method == "POST" and form.is_valid():
            try:
                self.run_transition(request, obj, name, form.cleaned_data)
            except WorkflowError as exc:
                for field, msgs in exc.errors.items():
                    for msg in msgs:
                        form.add_error(field if field in form.fields else None, msg)
            except NotPermitted as exc:
                raise PermissionDenied(str(exc)) from exc
            else:
                self.message_user(request, f"{label}: done", messages.SUCCESS)
                info = self.model._meta.app_label, self.model._meta.model_name
                return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{label}: {obj}",
            "form": form,
            "opts": self.model._meta,
            "original": obj,
        }
        return TemplateResponse(request, "admin/referrals/transition_form.html", context)


@admin.register(Referral)
class ReferralAdmin(ScopedAdminMixin, TransitionAdminMixin, admin.ModelAdmin):
    scope = scoped(permissions.visible_referrals)
    change_form_template = "admin/referrals/change_form_with_transitions.html"
    list_display = ("reference", "individual", "state", "level_requested", "category", "referring_agency", "created_at")
    list_filter = ("state", "area", "level_requested", "category")
    search_fields = ("reference", "individual__family_name", "individual__given_names")
    readonly_fields = (
        "reference", "state", "submitted_at", "decided_on", "decision_rationale", "decided_by",
        "registration", "first_meeting_due", "more_information_request", "withdrawal_reason",
    )  # fmt: skip
    transitions = {
        "submit": ("Submit", ()),
        "request_more_information": ("Ask for more information", ("text",)),
        "resubmit": ("Resubmit", ()),
        "decide": ("Record the screening decision", ("decision", "effective_date", "text")),
        "withdraw": ("Withdraw", ("text",)),
    }

    def has_add_permission(self, request):
        return False  # referrals start in the MAPPA A form, which calls referral_create

    def save_model(self, request, obj, form, change):
        answers = {k: form.cleaned_data[k] for k in services.REFERRAL_ANSWER_FIELDS if k in form.changed_data}
        try:
            services.referral_update(actor=request.user, referral=obj, **answers)
        except WorkflowError as exc:
            self.message_user(request, exc.message, messages.ERROR)

    def run_transition(self, request, referral, name, data):
        actor = request.user
        if name == "submit":
            services.referral_submit(actor=actor, referral=referral)
        elif name == "request_more_information":
            services.referral_request_more_information(actor=actor, referral=referral, request=data["text"])
        elif name == "resubmit":
            services.referral_resubmit(actor=actor, referral=referral)
        elif name == "decide":
            services.referral_decide(
                actor=actor,
                referral=referral,
                decision=data["decision"],
                rationale=data["text"],
                decided_on=data.get("effective_date"),
            )
        elif name == "withdraw":
            services.referral_withdraw(actor=actor, referral=referral, reason=data["text"])


@admin.register(Registration)
class RegistrationAdmin(ScopedAdminMixin, TransitionAdminMixin, admin.ModelAdmin):
    scope = scoped(permissions.visible_registrations)
    change_form_template = "admin/referrals/change_form_with_transitions.html"
    list_display = ("individual", "area", "status", "started_on", "ended_on", "first_meeting_due", "next_review_due")
    list_filter = ("status", "area")
    search_fields = ("individual__family_name", "individual__visor_reference")
    readonly_fields = ("individual", "area", "status", "started_on", "ended_on", "exit_reason", "exit_notes")
    inlines = [PeriodInline]
    transitions = {
        "change_level": ("Change level", ("level", "effective_date", "text")),
        "change_circumstances": (
            "Change category, location or lead agency",
            ("category", "location", "lead_agency", "effective_date", "text"),
        ),
        "exit": ("Record an exit from MAPPA", ("exit_reason", "effective_date", "text")),
    }

    def has_add_permission(self, request):
        return False

    def run_transition(self, request, registration, name, data):
        if name == "change_level":
            services.registration_change_level(
                actor=request.user,
                registration=registration,
                level=data["level"],
                effective_date=data["effective_date"],
                reason=data["text"],
            )
        elif name == "change_circumstances":
            services.registration_change_circumstances(
                actor=request.user,
                registration=registration,
                effective_date=data["effective_date"],
                reason=data["text"],
                category=data.get("category"),
                location=data.get("location") or None,
                lead_agency=data.get("lead_agency"),
            )
        elif name == "exit":
            services.registration_exit(
                actor=request.user,
                registration=registration,
                reason=data["exit_reason"],
                effective_date=data["effective_date"],
                notes=data["text"],
            )


@admin.register(LifeEvent)
class LifeEventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    scope = scoped(permissions.visible_life_events)
    list_display = ("occurred_on", "event_type", "individual", "area")
    list_filter = ("event_type", "area")
    search_fields = ("individual__family_name",)

    def has_add_permission(self, request):
        return False  # recorded on the case page or through the API, which call life_event_record

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
