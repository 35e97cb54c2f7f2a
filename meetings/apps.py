from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings, minutes and risk management actions"

    def ready(self) -> None:
        from . import permissions  # noqa: F401  (registers the rules)
