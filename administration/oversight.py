from django.contrib import admin

from oversight.models import IndicatorTarget


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(admin.ModelAdmin):
    """An area's own targets; an indicator without a row uses the defaults in docs/indicators.md."""

    list_display = ("area", "indicator", "green_percent", "amber_percent", "working_days")
    list_filter = ("area", "indicator")
