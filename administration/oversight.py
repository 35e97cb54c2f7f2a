from typing import Any

from django.contrib import admin

from oversight.models import BoardMeeting, BoardSeats, BoardTenure, IndicatorTarget


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(admin.ModelAdmin):
    """An area's own targets; an indicator without a row uses the defaults in docs/indicators.md."""

    list_display = ("area", "indicator", "green_percent", "amber_percent", "working_days")
    list_filter = ("area", "indicator")


@admin.register(BoardSeats)
class BoardSeatsAdmin(admin.ModelAdmin):
    """An area's lay adviser seats where it differs from the Guidance's two (docs/smb.md)."""

    list_display = ("area", "lay_advisers")
    list_filter = ("area",)


class RecordedOnTheGovernancePage(admin.ModelAdmin):
    """Read here; recorded on the governance page, whose services check the dates, overlaps and the one chair
    and write the audit row. Staff may delete a record made in error."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(BoardMeeting)
class BoardMeetingAdmin(RecordedOnTheGovernancePage):
    """The SMB's meetings."""

    list_display = ("meeting_date", "area", "status", "members_present")
    list_filter = ("area", "status")
    date_hierarchy = "meeting_date"


@admin.register(BoardTenure)
class BoardTenureAdmin(RecordedOnTheGovernancePage):
    """SMB members and lay advisers with their tenures."""

    list_display = ("name", "area", "role", "agency", "starts_on", "ends_on")
    list_filter = ("area", "role")
    search_fields = ("name",)
