from django.apps import AppConfig


class MappaWorkflowConfig(AppConfig):
    name = "mappa_workflow"
    verbose_name = "MAPPA areas, agencies, people and audit"
