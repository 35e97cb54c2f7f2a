from django.apps import AppConfig


class ReleasePlanningConfig(AppConfig):
    name = "release_planning"
    verbose_name = "Release planning and third-party notifications"
