"""The project package: settings, URLs, the Celery app and WSGI, and nothing else.

The apps sit in layers under it (see docs/architecture.md and the import-linter contracts in pyproject.toml).
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
