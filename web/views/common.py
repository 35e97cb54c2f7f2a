"""What list pages share: search, sort and pagination from the query string (works without JavaScript)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from mappa_workflow.audit import audit_list

PAGE_SIZE = 25


def sort_queryset(
    request: HttpRequest, qs: QuerySet, options: Mapping[str, tuple[str, ...]], default: str
) -> tuple[QuerySet, str]:
    """Order by the ``sort`` parameter if it names one of ``options`` (a leading '-' reverses)."""
    sort = request.GET.get("sort", default)
    key = sort.lstrip("-")
    if key not in options:
        sort, key = default, default.lstrip("-")
    fields = options[key]
    if sort.startswith("-"):
        fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
    return qs.order_by(*fields), sort


def paginate(request: HttpRequest, qs: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def paginate_people(request: HttpRequest, qs: Any, *, what: str) -> Page:
    """A page of a list of records about people, audited: who asked for what, and who was shown."""
    page_obj = paginate(request, qs)
    audit_list(request, what=what, shown=page_obj.object_list, search=request.GET)
    return page_obj


def sort_links(request: HttpRequest, current: str, columns: Mapping[str, str]) -> list[dict[str, Any]]:
    """Header cells for a sortable table: each links to sorting by it, toggling direction."""
    params = {k: v for k, v in request.GET.items() if k not in ("sort", "page")}
    cells = []
    for key, label in columns.items():
        active = current.lstrip("-") == key
        descending = current.startswith("-")
        next_sort = f"-{key}" if active and not descending else key
        cells.append(
            {
                "label": label,
                "href": "?" + urlencode({**params, "sort": next_sort}),
                "aria_sort": ("descending" if descending else "ascending") if active else "none",
            }
        )
    return cells


def page_links(request: HttpRequest, page: Page) -> dict[str, Any]:
    params = {k: v for k, v in request.GET.items() if k != "page"}

    def href(number: int | str) -> str:  # get_elided_page_range also yields its ellipsis
        return "?" + urlencode({**params, "page": number})

    return {
        "previous": href(page.previous_page_number()) if page.has_previous() else "",
        "next": href(page.next_page_number()) if page.has_next() else "",
        "numbers": [
            {"number": n, "href": href(n), "current": n == page.number}
            for n in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ],
    }
