"""Read-only views of the outbox and exports, so operations can see what waits, what failed and why."""

from django.contrib import admin, messages
from django.db.models import Q

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency
from need_to_know.permissions import is_administrator, is_counter_terrorism_cleared
from notifications.models import ExportJob, MessageStatus, OutboxMessage
from notifications.outbox import outbox_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "recipient_email", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient_email", "subject", "dedupe_key")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["try_again"]

    def get_queryset(self, request):
        """A message addressed to a person was composed for what they may see: staff read the messages of
        their own area (administrators, every area), and a cleared recipient's only with clearance."""
        rows = super().get_queryset(request)
        user = request.user
        if not is_counter_terrorism_cleared(user):
            rows = rows.exclude(recipient__counter_terrorism_cleared=True)
        if not is_administrator(user):
            inboxes = Agency.objects.filter(area_id=user.area_id).exclude(email="").values("email")
            rows = rows.filter(
                Q(recipient__area_id=user.area_id) | Q(recipient__isnull=True, recipient_email__in=inboxes)
            )
        return rows

    @admin.action(description="Try the selected failed messages again")
    def try_again(self, request, queryset):
        retried = 0
        for message in queryset.filter(status=MessageStatus.FAILED):
            try:
                outbox_retry(actor=request.user, message=message)
                retried += 1
            except WorkflowError as exc:
                self.message_user(request, f"{message}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{retried} message(s) will be tried again.", messages.SUCCESS)


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "requested_by", "area", "year", "export_format", "status", "progress")
    list_filter = ("status", "export_format", "area")
    readonly_fields = [f.name for f in ExportJob._meta.fields]
