"""The base app every other app shares: MAPPA areas, agencies, users and roles, area settings, the audit
trail, working days, and the narrow interfaces through which case apps announce changes.

It imports no other app of the project (the import-linter contracts in pyproject.toml hold it to that).
Its name is the project's original package name, kept so that the app label, its migrations and its
table names stay as they were; the project package (settings, URLs, Celery, WSGI) is ``config``.
"""
