"""The need-to-know rules: which person, meeting, minutes and action each user may see and change.

Above the case apps (it reads them), below web, api and administration (they ask it). See
``need_to_know.permissions`` and docs/security.md.
"""
