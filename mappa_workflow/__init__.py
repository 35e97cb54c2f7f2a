"""MAPPA case workflow: the Django project package and the app every other app shares.

It holds the settings, URLs and Celery app, and the shared records: areas, agencies,
users and roles, and the audit trail.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
