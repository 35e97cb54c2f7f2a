from django.apps import AppConfig


class NeedToKnowConfig(AppConfig):
    name = "need_to_know"
    verbose_name = "Need-to-know rules"

    def ready(self) -> None:
        # Registers every permission and the Category 4 barrier with mappa_workflow.roles.
        from . import permissions  # noqa: F401
