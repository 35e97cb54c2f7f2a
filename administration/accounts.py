from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q

from mappa_workflow.models import Agency, Area, AreaPopulation, AreaSettings, AuditEvent, RoleAssignment, User
from need_to_know.permissions import has_perm, is_counter_terrorism_cleared


class AgencyInline(admin.TabularInline):
    model = Agency
    extra = 0
    fields = ("name", "short_name", "agency_type", "email")


class AreaPopulationInline(admin.TabularInline):
    model = AreaPopulation
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "slug")
    list_filter = ("country",)
    search_fields = ("name",)
    inlines = [AgencyInline, AreaPopulationInline]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "agency_type", "area")
    list_filter = ("agency_type", "area")
    search_fields = ("name", "short_name")


@admin.register(AreaPopulation)
class AreaPopulationAdmin(admin.ModelAdmin):
    list_display = ("area", "year", "population_aged_10_and_over", "source")
    list_filter = ("area",)


@admin.register(AreaSettings)
class AreaSettingsAdmin(admin.ModelAdmin):
    list_display = (
        "area",
        "first_meeting_working_days_level_2",
        "first_meeting_working_days_level_3",
        "review_weeks_level_2",
        "review_weeks_level_3",
        "minutes_due_working_days",
        "due_soon_days",
        "scheduling_window_working_days",
        "suppression_threshold",
    )


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ("username", "first_name", "last_name", "area", "agency", "is_active")
    list_filter = ("area", "role_assignments__role", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            "MAPPA",
            {"fields": ("area", "agency", "job_title", "seniority", "counter_terrorism_cleared", "is_synthetic")},
        ),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ("occurred_at", "actor_label", "action", "object_type", "object_id", "transition", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor_label")

    def get_queryset(self, request):
        # A list row keeps the search as typed, which may be a person's name: staff of an area read their
        # area's trail (and their own rows); only administrators read every area's. What a cleared user
        # searched for may be a Category 4 name: only the cleared read those rows.
        rows = super().get_queryset(request)
        user = request.user
        if not has_perm(user, "mappa_workflow.cross_area_access"):
            rows = rows.filter(Q(area_id=user.area_id, area__isnull=False) | Q(actor=user))
        if is_counter_terrorism_cleared(user):
            return rows
        return rows.exclude(object_type="list", actor__counter_terrorism_cleared=True)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
