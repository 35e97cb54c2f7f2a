"""The service navigation: what each role can reach, marked current by URL prefix."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from need_to_know.permissions import is_lay_adviser, is_practitioner, is_smb_member
from web.access import (
    can_audit_meetings,
    can_manage_cases,
    can_read_board_governance,
    can_read_statistics,
    can_see_cases,
)

register = template.Library()


def _items(request: HttpRequest) -> list[tuple[str, str]]:
    user = request.user
    items: list[tuple[str, str]] = []
    if can_manage_cases(user):
        items += [
            ("Dashboard", "web:dashboard"),
            ("Referrals", "web:referral_list"),
            ("Meetings", "web:meeting_list"),
            ("Cases", "web:case_list"),
            ("Transfers", "web:transfer_list"),
            ("Releases", "web:release_list"),
            ("Level 1", "web:level_one_register"),
        ]
    elif is_practitioner(user):
        items += [
            ("Referrals", "web:referral_list"),
            ("My meetings", "web:my_meetings"),
            ("Actions", "web:action_list"),
            ("Cases", "web:case_list"),
            ("Releases", "web:release_list"),
            ("Level 1", "web:level_one_register"),
        ]
    if can_read_statistics(user):
        items.append(("Statistics", "web:statistics"))
        items.append(("Performance", "web:indicators"))
        items.append(("Audits", "web:audits") if can_audit_meetings(user) else ("Audit results", "web:audit_results"))
    if can_read_board_governance(user):
        items.append(("SMB governance", "web:smb_governance"))
    if can_see_cases(user) and can_manage_cases(user):
        items.append(("Actions", "web:action_list"))
    if can_manage_cases(user) or is_smb_member(user) or is_lay_adviser(user):
        items.append(("Reviews", "web:review_register"))
    return items


@register.simple_tag(takes_context=True)
def navigation_items(context: template.Context) -> list[dict]:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    result = []
    for text, name in _items(request):
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue
        result.append({"text": text, "href": href, "current": request.path.startswith(href) and href != "/"})
    return result
