"""XML text for attacker-written strings: escaped for attributes and stripped of characters XML
1.0 cannot carry (control characters, lone surrogates), so a hostile name never breaks the file."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import text_column

# Everything outside XML 1.0's Char production.
_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;",
            "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_SPECIAL = re.compile("[&<>\"'\n\r\t]")


def xml_attr(value: object) -> str:
    """A value as the text of a double-quoted XML attribute (newlines and tabs kept as
    character references so parsers do not normalise them away)."""
    s = _INVALID.sub("", str(value))
    return _SPECIAL.sub(lambda m: _ESCAPES[m.group(0)], s)


def xml_text(value: object) -> str:
    """A value as XML element content."""
    s = _INVALID.sub("", str(value))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# The same sets for RE2: the invalid characters, and every character `xml_attr` changes.
_INVALID_RE2 = "[^\\x{9}\\x{a}\\x{d}\\x{20}-\\x{d7ff}\\x{e000}-\\x{fffd}\\x{10000}-\\x{10ffff}]"
_CHANGED_RE2 = _INVALID_RE2 + "|[&<>\"'\\n\\r\\t]"


def xml_attr_column(col: pa.Array) -> pa.Array:
    """`xml_attr` of every text of a column (null stays null), escaped by Arrow for the whole
    column. Arrow strings are UTF-8, so they hold no lone surrogate: `_INVALID` and
    `_INVALID_RE2` remove the same characters. Only the texts that change are rewritten
    (most ids, dates and names hold nothing to escape)."""
    changed = pc.fill_null(pc.match_substring_regex(col, _CHANGED_RE2), False)
    if not pc.any(changed).as_py():
        return col
    sub = pc.replace_substring_regex(col.filter(changed), _INVALID_RE2, "")
    for ch, ref in _ESCAPES.items():  # "&" first, so no reference is escaped twice
        sub = pc.replace_substring(sub, ch, ref)
    return pc.replace_with_mask(col, changed, sub)


def attr_texts(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`xml_attr(str(value))` of every value of a column (null stays null). Numbers and
    booleans are written as they are: their text holds nothing to escape."""
    text = text_column(col)
    kind = col.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
        return text
    return xml_attr_column(text)


def lines(parts: Sequence[pa.Array | str]) -> pa.Array:
    """One text per row: the parts (columns, or a text repeated on every row) joined, a null
    part left out."""
    return pc.binary_join_element_wise(*parts, "", null_handling="replace",
                                       null_replacement="")
