from django.apps import AppConfig


class LevelOneConfig(AppConfig):
    name = "level_one"
    verbose_name = "Level 1 oversight"
