from django.apps import AppConfig


class VictimsConfig(AppConfig):
    name = "victims"
    verbose_name = "Victims' views, recorded by victim liaison officers"
