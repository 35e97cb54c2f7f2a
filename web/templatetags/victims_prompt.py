"""The chair's prompt on a case's minutes page: victims' views recorded since the case's last meeting."""

from __future__ import annotations

from typing import Any

from django import template

from need_to_know.permissions import is_chair, is_coordinator
from victims.selectors import views_new_since_last_meeting

register = template.Library()


@register.inclusion_tag("web/victims/_prompt.html", takes_context=True)
def victim_views_prompt(context: template.Context, item: Any, meeting: Any) -> dict[str, Any]:
    """Shown to the area's chairs and co-ordinators only (who may read every view of their area's cases)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    registration_id = getattr(item, "registration_id", None)
    if user is None or registration_id is None or not (is_chair(user) or is_coordinator(user)):
        return {"views": []}
    views = views_new_since_last_meeting(user, registration_id=registration_id, meeting=meeting)
    return {"views": views, "individual_id": item.registration.individual_id}
