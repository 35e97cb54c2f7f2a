"""Admin for serious further offences, serious case reviews and the actions of their plans (docs/serious-case-reviews.md).

Read-only, like the meeting records and the audits: every change is a state change of the review, made on the review
pages through ``oversight.services.reviews`` (which lock the row, check who may, and write the audit row), so here
nothing is added, changed or deleted, not even a record made in error (as with meetings, minutes and actions: the
audit trail keeps them). These records name the person: the lists and pages show only what the reader may see with
the person (``administration.scoping``: the area's co-ordinators and chairs, administrators; Category 4 needs
clearance), and an SMB member or lay adviser with staff access is refused them outright, since they may read a
review only without whom it is about, on its own pages. Opening one writes a view row, as the pages do.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from administration.scoping import ScopedAdminMixin
from case_reviews.models import ReviewAction, SeriousCaseReview, SeriousFurtherOffence
from need_to_know import permissions

from .meetings import ReadOnlyAdmin, ReadOnlyInline


class WithTheSubjectOnly:
    """Only for readers who may see whom a review is about: to anyone else the admin does not offer these records."""

    def has_module_permission(self, request: Any) -> bool:
        return super().has_module_permission(request) and permissions.sees_review_subject(request.user)  # type: ignore[misc]

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and permissions.sees_review_subject(request.user)  # type: ignore[misc]


@admin.register(SeriousFurtherOffence)
class SeriousFurtherOffenceAdmin(WithTheSubjectOnly, ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("reference", "area", "individual", "offence_date", "charged_on", "category", "level")
    list_filter = ("area", "category", "level")
    search_fields = ("reference", "individual__family_name")
    date_hierarchy = "charged_on"
    fields = ("reference", "area", "individual", "registration", "offence", "offence_date", "charged_on",
              "category", "level", "recorded_by", "recorded_at")  # fmt: skip


class ReviewActionInline(ReadOnlyInline):
    model = ReviewAction
    fields = ("description", "owning_agency", "due_date", "state", "completed_on", "completed_by", "added_by")


@admin.register(SeriousCaseReview)
class SeriousCaseReviewAdmin(WithTheSubjectOnly, ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("reference", "area", "state", "decision_due", "decided_on", "decided_late", "lay_adviser")
    list_filter = ("area", "state", "decided_late")
    search_fields = ("reference",)
    date_hierarchy = "decision_due"
    fields = ("reference", "area", "serious_further_offence", "individual", "state", "decision_due", "criteria_met",
              "decision_reasons", "decided_by", "decided_on", "decided_late", "remit", "lay_adviser", "background",
              "chronology", "findings", "learning_points", "report_drafted_on", "report_approved_on",
              "report_approved_by", "closed_on")  # fmt: skip
    inlines = [ReviewActionInline]


@admin.register(ReviewAction)
class ReviewActionAdmin(WithTheSubjectOnly, ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("description", "review", "owning_agency", "due_date", "state", "completed_on")
    list_filter = ("review__area", "state")
    search_fields = ("description", "review__reference")
    date_hierarchy = "due_date"
