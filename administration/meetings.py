"""Admin for meetings, minutes and actions. Records are read-only here: every change, including
the transition actions below, goes through meetings.services, so the admin obeys the same rules
and writes the same audit rows as the pages and the API. Panels and attendance rules are data
an administrator edits directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db import models
from django.http import HttpResponse

from administration.scoping import ScopedAdminMixin, ScopedInlineMixin, scoped, via
from mappa_workflow.exceptions import NotPermitted, WorkflowError
from meetings import services
from meetings.ics import ics_filename, meeting_ics
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceConfirmation,
    AttendanceRequirement,
    CaseMinutes,
    DisclosureDecision,
    Invitation,
    Meeting,
    MeetingReschedule,
    PanelMembership,
    ReportChase,
    RiskAction,
    RiskActionState,
    RiskActionUpdate,
)
from need_to_know import permissions


class ReasonActionForm(ActionForm):
    """The reason or note a transition needs, and the explicit confirmation some ask for."""

    reason = forms.CharField(required=False, label="Reason or note", widget=forms.TextInput(attrs={"size": 60}))
    confirm = forms.BooleanField(required=False, label="I confirm (e.g. approve despite missing attendance)")


def _run_each(
    modeladmin: admin.ModelAdmin, request: Any, queryset: Any, label: str, call: Callable[[Any], Any]
) -> None:
    done = 0
    for obj in queryset:
        try:
            call(obj)
        except (WorkflowError, NotPermitted) as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, f"{label}: {done} done", messages.SUCCESS)


class ReadOnlyInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class InvitationInline(ReadOnlyInline):
    model = Invitation


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = ("position", "kind", "referral", "registration")


class AttendanceInline(ReadOnlyInline):
    model = Attendance


class RescheduleInline(ReadOnlyInline):
    model = MeetingReschedule


class AttendanceConfirmationInline(ReadOnlyInline):
    """Each agency's answer to its invitation (attending, apologies with a report, apologies)."""

    model = AttendanceConfirmation
    fields = ("agency", "intention", "name", "confirmed_by", "confirmed_at")


class ReportChaseInline(ReadOnlyInline):
    """Who chased which agency for missing written reports. The reports themselves are read on the meeting's
    pages only, where the rule is narrower than the meeting's (the co-ordinators, the chairs and the agency
    that wrote each)."""

    model = ReportChase
    fields = ("agency", "cases_missing", "chased_by", "chased_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    scope = scoped(permissions.visible_meetings)
    list_display = ("__str__", "area", "chair", "state", "ics_sequence")
    list_filter = ("area", "meeting_type", "state")
    date_hierarchy = "starts_at"
    inlines = [
        AgendaItemInline,
        InvitationInline,
        AttendanceConfirmationInline,
        ReportChaseInline,
        AttendanceInline,
        RescheduleInline,
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # video links, as on the pages
    action_form = ReasonActionForm
    actions = ["record_held", "draft_minutes", "approve_minutes", "cancel", "download_ics"]

    @admin.action(description="Record as held")
    def record_held(self, request: Any, queryset: Any) -> None:
        _run_each(
            self,
            request,
            queryset,
            "Recorded as held",
            lambda m: services.meeting_record_held(actor=request.user, meeting=m),
        )

    @admin.action(description="Mark the minutes drafted")
    def draft_minutes(self, request: Any, queryset: Any) -> None:
        _run_each(
            self,
            request,
            queryset,
            "Minutes drafted",
            lambda m: services.meeting_draft_minutes(actor=request.user, meeting=m),
        )

    @admin.action(description="Approve and circulate the minutes (tick 'I confirm' to accept missing attendance)")
    def approve_minutes(self, request: Any, queryset: Any) -> None:
        confirm = request.POST.get("confirm") in ("on", "true", "1")
        _run_each(
            self,
            request,
            queryset,
            "Minutes approved",
            lambda m: services.meeting_approve_minutes(actor=request.user, meeting=m, confirm_attendance_gaps=confirm),
        )

    @admin.action(description="Cancel (give the reason)")
    def cancel(self, request: Any, queryset: Any) -> None:
        reason = request.POST.get("reason", "")
        _run_each(
            self,
            request,
            queryset,
            "Cancelled",
            lambda m: services.meeting_cancel(actor=request.user, meeting=m, reason=reason),
        )

    @admin.action(description="Download the calendar invitation (.ics) of one meeting")
    def download_ics(self, request: Any, queryset: Any) -> HttpResponse | None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one meeting", messages.ERROR)
            return None
        meeting = queryset.get()
        response = HttpResponse(meeting_ics(meeting), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{ics_filename(meeting)}"'
        return response


class DisclosureInline(ReadOnlyInline):
    model = DisclosureDecision


@admin.register(CaseMinutes)
class CaseMinutesAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    scope = scoped(permissions.visible_minutes)
    list_display = ("__str__", "decision", "next_review_date", "recorded_at")
    list_filter = ("decision",)
    inlines = [DisclosureInline]


class RiskActionUpdateInline(ReadOnlyInline):
    model = RiskActionUpdate


@admin.register(RiskAction)
class RiskActionAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    scope = scoped(permissions.visible_risk_actions)
    list_display = ("__str__", "owning_agency", "officer_name", "due_date", "state")
    list_filter = ("area", "state", "heading", "owning_agency")
    search_fields = ("description", "officer_name")
    inlines = [RiskActionUpdateInline]
    action_form = ReasonActionForm
    actions = ["start", "complete", "close_not_possible", "close_not_done"]

    @admin.action(description="Start (optional note)")
    def start(self, request: Any, queryset: Any) -> None:
        note = request.POST.get("reason", "")
        _run_each(
            self,
            request,
            queryset,
            "Started",
            lambda a: services.risk_action_start(actor=request.user, action=a, note=note),
        )

    @admin.action(description="Complete (say what was done)")
    def complete(self, request: Any, queryset: Any) -> None:
        note = request.POST.get("reason", "")
        _run_each(
            self,
            request,
            queryset,
            "Completed",
            lambda a: services.risk_action_complete(actor=request.user, action=a, note=note),
        )

    def _close(self, request: Any, queryset: Any, outcome: str) -> None:
        reason = request.POST.get("reason", "")
        _run_each(
            self,
            request,
            queryset,
            "Closed",
            lambda a: services.risk_action_close(actor=request.user, action=a, outcome=outcome, reason=reason),
        )

    @admin.action(description="Close: not possible, circumstances changed (give the reason)")
    def close_not_possible(self, request: Any, queryset: Any) -> None:
        self._close(request, queryset, RiskActionState.CLOSED_NOT_POSSIBLE)

    @admin.action(description="Close: not done by the agency (give the reason)")
    def close_not_done(self, request: Any, queryset: Any) -> None:
        self._close(request, queryset, RiskActionState.CLOSED_NOT_DONE)


# The records inside a meeting are seen through the meeting, minutes or action they belong to.
for _model, _scope in (
    (AgendaItem, scoped(permissions.visible_agenda_items)),
    (MeetingReschedule, via("meeting", permissions.visible_meetings)),
    (Invitation, via("meeting", permissions.visible_meetings)),
    (Attendance, via("meeting", permissions.visible_meetings)),
    (DisclosureDecision, via("case_minutes", permissions.visible_minutes)),
    (RiskActionUpdate, via("action", permissions.visible_risk_actions)),
):
    admin.site.register(_model, type(f"{_model.__name__}Admin", (ScopedAdminMixin, ReadOnlyAdmin), {"scope": _scope}))


@admin.register(PanelMembership)
class PanelMembershipAdmin(admin.ModelAdmin):
    list_display = ("agency", "area", "meeting_type", "condition")
    list_filter = ("area", "meeting_type", "condition")


@admin.register(AttendanceRequirement)
class AttendanceRequirementAdmin(admin.ModelAdmin):
    list_display = ("__str__", "area", "meeting_type", "agency_type", "minimum_seniority")
    list_filter = ("meeting_type", "agency_type")
