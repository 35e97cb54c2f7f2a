"""Defaults loaded by migration 0002: Northamptonshire's panels and the national attendance rule.

Both are data an administrator can change in the admin; nothing here is a hard-coded rule.
"""

from __future__ import annotations

# (agency short name, meeting type, condition), from the 2021/22 and 2024/25 annual reports: the core
# panel at every Level 2 and 3 meeting, NYJS at all Level 3 meetings and at Level 2 for under-18s.
# Prison and the Children's Trust sit on every Level 3 panel and join a Level 2 panel for a person in
# custody or with children linked; the responsible authority screens referrals at threshold meetings.
_CORE_BOTH_LEVELS = ["Police", "Probation", "NNC housing", "WNC housing", "Adult social care", "NHFT"]
NORTHAMPTONSHIRE_PANEL = [
    *[(name, "threshold", "always") for name in ("Police", "Probation", "Prison")],
    *[(name, "level_2", "always") for name in _CORE_BOTH_LEVELS],
    ("NYJS", "level_2", "under_18"),
    ("Prison", "level_2", "in_custody"),
    ("Children's Trust", "level_2", "children_linked"),
    *[(name, "level_3", "always") for name in [*_CORE_BOTH_LEVELS, "Prison", "Children's Trust", "NYJS"]],
]

# (meeting type, agency type, minimum seniority): police and probation at every Level 2 and 3
# meeting, at senior manager (chief inspector equivalent) or above at Level 3.
DEFAULT_ATTENDANCE_REQUIREMENTS = [
    ("level_2", "police", 1),
    ("level_2", "probation", 1),
    ("level_3", "police", 3),
    ("level_3", "probation", 3),
]
