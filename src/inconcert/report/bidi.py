"""Bidirectional isolation of text from the data.

A display name holding U+202E (right-to-left override), or text in a right-to-left script,
reorders the characters printed after it: the report's own words and the ids beside it would
read backwards. Such text is printed inside a Unicode first-strong isolate (FSI ... PDI, what
HTML's `<bdi>` does), which confines its direction to itself; it works in text, attributes and
SVG alike.
"""

from __future__ import annotations

import re
from typing import Any

# Characters that can reorder text around them: right-to-left scripts (Hebrew to NKo, Syriac,
# Thaana, Arabic presentation forms, RTL historic scripts) and the bidirectional controls.
_BIDI = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff"
                   "\U0001e800-\U0001efff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FSI, _PDI = "\u2068", "\u2069"


def isolate(value: Any) -> Any:  # noqa: ANN401 - whatever a template prints
    """A string from the data inside a first-strong isolate (FSI ... PDI) when it holds text
    that could reorder its surroundings; anything else (numbers, our own Markup) unchanged.

    The template engine applies it to every printed value (Jinja's `finalize`). A PDI of the
    text's own that closes no isolate of its own would end ours early, so it is dropped.
    """
    if type(value) is not str or not _BIDI.search(value):
        return value
    depth = 0
    kept = []
    for ch in value:
        if ch in "\u2066\u2067\u2068":
            depth += 1
        elif ch == _PDI:
            if not depth:
                continue
            depth -= 1
        kept.append(ch)
    return _FSI + "".join(kept) + _PDI
