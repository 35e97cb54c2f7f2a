"""Each area's settings for the work between meetings: release planning lead times and the Level 1 review
interval. The records about people (plans, notifications, reviews) are kept through the pages and the API
only, where the need-to-know rules apply; the admin holds no list of them."""

from django.contrib import admin

from level_one.models import LevelOneSettings
from release_planning.models import ReleasePlanningSettings


@admin.register(ReleasePlanningSettings)
class ReleasePlanningSettingsAdmin(admin.ModelAdmin):
    list_display = ("area", "level_decision_weeks", "mappa_j_weeks", "prison_report_working_days", "horizon_weeks")


@admin.register(LevelOneSettings)
class LevelOneSettingsAdmin(admin.ModelAdmin):
    list_display = ("area", "review_interval_months")
