"""``|day``: Django's ``|date`` filter, with each formatted date kept for the next page that shows it.

A case page shows a date on every timeline entry, action and viewer (some ninety ``|date`` calls), and
Django formats each from scratch (format lookup, translated month names, one call per format character):
about a tenth of the case page's CPU (docs/performance.md). The same dates are shown again and again, so
each process keeps the last few thousand formatted strings, keyed by the value, the format and the active
language: the output is exactly ``|date``'s.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django import template
from django.template.defaultfilters import date as django_date
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=4096)
def _formatted(value: dt.date, zone: str, arg: str | None, language: str | None) -> str:
    # ``zone``: two aware datetimes of the same instant in different zones are equal (and hash alike)
    return django_date(value, arg)


@register.filter(expects_localtime=True, is_safe=False)
def day(value: Any, arg: str | None = None) -> str:
    """``{{ value|day:"j F Y" }}`` renders as ``{{ value|date:"j F Y" }}`` does."""
    if not isinstance(value, dt.date):  # None, "" or anything else: as |date treats it
        return django_date(value, arg)
    return _formatted(value, str(getattr(value, "tzinfo", None)), arg, get_language())
