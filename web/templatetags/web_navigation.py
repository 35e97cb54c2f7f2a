"""The service navigation: what each role can reach, marked current by URL prefix."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, get_script_prefix, reverse

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


@lru_cache(maxsize=256)
def _href(name: str, urlconf: str, script_prefix: str) -> str | None:
    """A menu entry's address, worked out once per process (every page draws the menu); keyed by the URL
    configuration and script prefix it depends on, so a test that swaps either gets its own."""
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


@register.simple_tag(takes_context=True)
def navigation_items(context: template.Context) -> list[dict]:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    result = []
    urlconf, prefix = str(getattr(request, "urlconf", None) or settings.ROOT_URLCONF), get_script_prefix()
    for text, name in _items(request):
        href = _href(name, urlconf, prefix)
        if href is None:
            continue
        result.append({"text": text, "href": href, "current": request.path.startswith(href) and href != "/"})
    return result
