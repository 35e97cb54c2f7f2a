"""Who may ask for a statistics export and watch it (autodiscovered by ``rules``)."""

from __future__ import annotations

from typing import Any

import rules

from mappa_workflow.roles import is_statistics_reader, same_area


@rules.predicate
def requested_it(user: Any, job: Any) -> bool:
    return job is not None and job.requested_by_id == user.pk


rules.add_perm("notifications.request_export", is_statistics_reader & same_area)
rules.add_perm("notifications.view_export", requested_it)
