"""Synthetic reference formats.

Real ViSOR, PNC and nDelius references are never stored. Every reference carries "SYN" so that
nobody can mistake it for, or match it against, a real one.
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator

VISOR_PATTERN = r"^VSYN-\d{6}$"
PNC_PATTERN = r"^PSYN/\d{2}/\d{7}[A-Z]$"
NDELIUS_PATTERN = r"^CSYN\d{6}$"
# The one example of each format that hints and messages show (a test checks each passes its validator).
VISOR_EXAMPLE = "VSYN-004512"
PNC_EXAMPLE = "PSYN/19/0012345K"
NDELIUS_EXAMPLE = "CSYN004512"

visor_validator = RegexValidator(VISOR_PATTERN, f"Enter a synthetic ViSOR reference like {VISOR_EXAMPLE}")
pnc_validator = RegexValidator(PNC_PATTERN, f"Enter a synthetic PNC reference like {PNC_EXAMPLE}")
ndelius_validator = RegexValidator(NDELIUS_PATTERN, f"Enter a synthetic nDelius CRN like {NDELIUS_EXAMPLE}")

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
