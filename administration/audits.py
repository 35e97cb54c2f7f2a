"""Admin for the quality-assurance audits (MAPPA L meeting audits and case audits) and their samples.

Read-only, like the meeting records: audits are started, scored and submitted on the pages (``oversight.services``).
An audit is about a meeting or a case, so the list shows only the audits of meetings and cases the user may see
(``administration.scoping``); a sample shows how many it drew and from how many, never the cases it drew (those
are listed, with the need-to-know rules, on the audits pages).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from administration.scoping import ScopedAdminMixin
from oversight.audits.models import AuditAnswer, AuditSample, QualityAudit

from .meetings import ReadOnlyAdmin, ReadOnlyInline


class AuditAnswerInline(ReadOnlyInline):
    model = AuditAnswer
    fields = ("position", "item", "evidence", "suggested_score", "score", "suggested_band", "band", "note")


@admin.register(QualityAudit)
class QualityAuditAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ("__str__", "area", "kind", "state", "period_date", "submitted_at")
    list_filter = ("area", "kind", "state", "capacity")
    date_hierarchy = "period_date"
    fields = ("area", "kind", "meeting", "registration", "sample", "auditor", "capacity", "state", "period_date",
              "comment", "started_at", "submitted_at")  # fmt: skip
    inlines = [AuditAnswerInline]


@admin.register(AuditSample)
class AuditSampleAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "area", "kind", "year", "quarter", "drawn", "candidates", "drawn_by", "drawn_at")
    list_filter = ("area", "kind", "year", "quarter")
    fields = ("area", "kind", "year", "quarter", "seed", "size_asked", "candidates", "drawn", "drawn_by", "drawn_at")

    @admin.display(description="Drawn")
    def drawn(self, sample: Any) -> int:
        return sample.meetings.count() + sample.registrations.count()
