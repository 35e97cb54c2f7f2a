"""Pages of a list: ``?page=2&page_size=100``. A page or page size that is not a whole number in range is a
400 naming it (not silently the first page of 50); a page beyond the last is a 404."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


def _whole_number(request: Request, name: str, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        limit = f"from 1 to {maximum}" if maximum is not None else "of 1 or more"
        raise ValidationError({name: [f"Enter a whole number {limit}"]})
    return int(raw)


class Pagination(PageNumberPagination):
    """50 a page; an agency's nightly sync may ask for up to 200 at a time."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # ?page=last is not documented: a page is a number

    def get_page_size(self, request: Request) -> int:
        return _whole_number(request, self.page_size_query_param, self.max_page_size) or self.page_size

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list | None:
        _whole_number(request, self.page_query_param, maximum=2**31 - 1)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            parameter["schema"]["maximum"] = (
                self.max_page_size if parameter["name"] == self.page_size_query_param else 2**31 - 1
            )
        return parameters
