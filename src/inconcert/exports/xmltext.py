"""XML text for attacker-written strings: escaped for attributes and stripped of characters XML
1.0 cannot carry (control characters, lone surrogates), so a hostile name never breaks the file."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import pyarrow as pa
import pyarrow.compute as pc

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


# The same set for RE2 (Arrow strings are UTF-8, so they hold no lone surrogate).
_INVALID_RE2 = "[^\\x{9}\\x{a}\\x{d}\\x{20}-\\x{d7ff}\\x{e000}-\\x{fffd}\\x{10000}-\\x{10ffff}]"


def xml_attr_column(values: Sequence[str | None]) -> pa.Array:
    """`xml_attr` of every text (None stays null), escaped by Arrow for the whole column; a
    column Arrow cannot hold (a lone surrogate) is escaped value by value."""
    try:
        col = pa.array(values, pa.string())
    except (pa.ArrowException, UnicodeError):
        return pa.array([None if v is None else xml_attr(v) for v in values], pa.string())
    col = pc.replace_substring_regex(col, _INVALID_RE2, "")
    for ch, ref in _ESCAPES.items():  # "&" first, so no reference is escaped twice
        col = pc.replace_substring(col, ch, ref)
    return col


def lines(parts: Sequence[pa.Array | str]) -> pa.Array:
    """One text per row: the parts (columns, or a text repeated on every row) joined, a null
    part left out."""
    return pc.binary_join_element_wise(*parts, "", null_handling="replace",
                                       null_replacement="")


def chunks(rows: pa.Array, size: int = 65_536) -> Iterator[str]:
    """The rows' texts, joined by newlines, a slice at a time (for writing a large file)."""
    for start in range(0, len(rows), size):
        yield "\n".join(rows.slice(start, size).to_pylist())
