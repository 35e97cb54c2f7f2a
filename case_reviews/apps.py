from django.apps import AppConfig


class CaseReviewsConfig(AppConfig):
    name = "case_reviews"
    verbose_name = "Serious further offences and serious case reviews"
