"""Text that names or identifies a person holds only characters a reader can see.

Control characters, format characters (right-to-left and other bidirectional overrides, zero-width
spaces and joiners, the byte order mark), line and paragraph separators, private-use and unassigned code
points can make one name display as another ("display spoofing"), hide part of a name from a search, or
break a page or an export. Names, aliases and references refuse them everywhere they are written (pages,
API, admin, importer), through the model validators and :func:`refuse_hidden_characters`.
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

# Unicode general categories: Cc control, Cf format (bidi controls, zero-width characters, BOM),
# Zl/Zp line and paragraph separators, Co private use, Cs surrogates, Cn unassigned.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def hidden_character(value: str) -> str | None:
    """The first character of ``value`` a reader cannot see, as "U+202E RIGHT-TO-LEFT OVERRIDE", or None."""
    for character in value:
        if unicodedata.category(character) in HIDDEN_CATEGORIES:
            name = unicodedata.name(character, "a control or unassigned character")
            return f"U+{ord(character):04X} {name}"
    return None


def refuse_hidden_characters(value: str) -> None:
    """Model and form validator: refuse control, format, bidirectional and zero-width characters."""
    found = hidden_character(str(value))
    if found is not None:
        raise ValidationError(
            "Remove the hidden or control character (%(character)s): use only letters, numbers, spaces and "
            "visible punctuation",
            code="hidden_character",
            params={"character": found},
        )
