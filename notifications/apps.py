from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Email, reminders and background work"

    def ready(self) -> None:
        # Case apps announce changes through mappa_workflow.changes; the outbox turns them into messages.
        from mappa_workflow.changes import register_announcer

        from .announcements import outbox_enqueue

        register_announcer(outbox_enqueue)
