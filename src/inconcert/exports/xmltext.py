"""XML text for attacker-written strings: escaped for attributes and stripped of characters XML
1.0 cannot carry (control characters, lone surrogates), so a hostile name never breaks the file."""

from __future__ import annotations

import re

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
