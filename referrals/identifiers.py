"""Synthetic reference formats.

Real ViSOR, PNC and nDelius references are never stored. Every reference carries "SYN" so that
nobody can mistake it for, or match it against, a real one.
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator

VISOR_PATTERN = r"^VSYN-\d{6}$"  # e.g. VSYN-004512
PNC_PATTERN = r"^PSYN/\d{2}/\d{7}[A-Z]$"  # e.g. PSYN/19/0012345K
NDELIUS_PATTERN = r"^CSYN\d{6}$"  # e.g. CSYN004512

visor_validator = RegexValidator(VISOR_PATTERN, "Enter a synthetic ViSOR reference like VSYN-004512")
pnc_validator = RegexValidator(PNC_PATTERN, "Enter a synthetic PNC reference like PSYN/19/0012345K")
ndelius_validator = RegexValidator(NDELIUS_PATTERN, "Enter a synthetic nDelius CRN like CSYN004512")

_PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def visor_reference(n: int) -> str:
    return f"VSYN-{n % 1_000_000:06d}"


def ndelius_reference(n: int) -> str:
    return f"CSYN{n % 1_000_000:06d}"


def pnc_reference(year: int, n: int) -> str:
    serial = n % 10_000_000
    return f"PSYN/{year % 100:02d}/{serial:07d}{_PNC_CHECK_LETTERS[(year * 7 + serial) % 23]}"


def is_synthetic_reference(value: str) -> bool:
    return any(re.match(p, value) for p in (VISOR_PATTERN, PNC_PATTERN, NDELIUS_PATTERN))
