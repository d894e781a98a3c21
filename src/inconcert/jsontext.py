"""The project's JSON files (findings.json and its later sections, fingerprints) written
faster, byte for byte as
`json.dump(obj, f, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False)` writes them.
STIX bundles stay on the standard library: they are written with NaN allowed.

The standard library encodes with C only without `indent`; with it, it walks the document with
Python generators, one per value: 274 of 449 profiled seconds of writing the detection outputs
of the 10^6 big-network case (a 774 MB findings.json, 1.85 M evidence rows;
docs/benchmarks.md). Here a list of rows (dicts with the same keys) is encoded column by
column, each column through one `map` over the C encoders (`encode_basestring`, `int.__repr__`,
`float.__repr__`), and anything else by one recursive function that builds strings; so the
bytes are the same (tests/test_jsontext.py compares them on every kind of value).

`splice_members` adds or replaces top-level members of a file `dump` wrote, copying the file's
other members as bytes instead of loading it (findings.add_sections, on findings.json files of
1 GB).
"""

from __future__ import annotations

import io
import json
import json.encoder
import math
from typing import IO, Any

_encode_str = json.encoder.encode_basestring


def dumps(obj: Any) -> str:
    """`json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False)`."""
    return _text(obj, 0)


def dump(obj: Any, f: IO[str]) -> None:
    """`json.dump(obj, f, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False)`.
    A top-level dict's large lists are written element by element, so that the document is
    never one string in memory."""
    if type(obj) is not dict or not obj:
        f.write(_text(obj, 0))
        return
    f.write("{")
    for i, (k, v) in enumerate(sorted(obj.items())):
        if i:
            f.write(",")
        dump_member(k, v, f)
    f.write(_INDENT[0] + "}")


def dump_member(key: Any, value: Any, f: IO[str]) -> None:
    """One member of a top-level dict as `dump` writes it, `\\n "key": value`, without the
    comma that separates it from the member before (`splice_members` splices members into an
    existing file with it). A large list is written element by element."""
    f.write(_INDENT[1] + _key(key) + ": ")
    if type(value) is list and value:
        f.write("[")
        for j in range(0, len(value), _BATCH):
            f.write(("," if j else "") + _INDENT[2]
                    + ("," + _INDENT[2]).join(_elements(value[j:j + _BATCH], 2)))
        f.write(_INDENT[1] + "]")
    else:
        f.write(_text(value, 1))


# Where a top-level member starts, in what `dump` writes: at indent 1 only the top-level keys
# are (nested lines are indented by 2 spaces or more, closing brackets of top-level values are
# followed by "]" or "}"), and strings hold no raw newline.
_MEMBER = b'\n "'
# What a value written by `dump` neither starts nor ends with.
_EDGE = b" \t\r\n,"


def splice_members(src: IO[bytes], members: dict[str, Any], out: io.TextIOWrapper, *,
                   chunk_size: int) -> bool:
    """Write to out the document src holds with members added to it or replacing its own, as
    loading src, updating the loaded dict with members and writing it with `dump` + "\\n" would,
    without loading it: src's members are copied as they are, and the new ones are written by
    `dump_member` at their sorted places (findings.add_sections adds later stages' sections to a
    findings.json of 1 GB this way). Return True when done.

    Only done if src is laid out as `dump` + "\\n" writes (its copied bytes are then the ones
    dumping its members again gives) and members' keys are all strings; else return False, with
    out half written (the caller starts over, loading and dumping the document).

    src is read from where it stands, chunk_size bytes at a time. out must have a `buffer` (the
    copied bytes are written there) and be written through (`write_through=True`), so that its
    text and the copied bytes reach out.buffer in order."""
    if not all(type(k) is str for k in members):
        return False
    new = sorted(members.items())
    raw = out.buffer
    written = 0  # members written so far (the ones after the first take a comma)

    def add(key: str, value: Any) -> None:
        nonlocal written
        if written:
            out.write(",")
        dump_member(key, value, out)
        written += 1

    buf = src.read(4)
    if buf not in (b"{}\n", b'{\n "'):
        return False
    more = buf != b"{}\n"  # src has members still to copy
    out.write("{")
    start = 1  # where the current member starts in buf
    last: str | None = None
    while more:
        # The member's key: its string, then ": " and the first byte of the value.
        while (end := _string_end(buf, start + 3)) < 0 or end + 4 > len(buf):
            chunk = src.read(chunk_size)
            if not chunk:
                return False
            buf, start = buf[start:] + chunk, 0
        key = _canonical_key(buf[start + 2:end + 1])
        if (key is None or (last is not None and key <= last)
                or buf[end + 1:end + 3] != b": " or buf[end + 3] in _EDGE):
            return False
        last = key
        while new and new[0][0] < key:
            add(*new.pop(0))
        keep = not (new and new[0][0] == key)
        if keep:
            if written:
                raw.write(b",")
            written += 1
        else:
            add(*new.pop(0))
        # The member's value: up to the comma before the next member, or to the "\n}\n"
        # that ends the file; without space or comma at either end (so never empty: the
        # ": " before it ends with a space).
        search = end + 1
        while True:
            found = buf.find(_MEMBER, search)
            if found >= 0:
                stop, more = found - 1, True
                if buf[stop] != ord(","):
                    return False
                break
            chunk = src.read(chunk_size)
            if not chunk:
                stop, more = len(buf) - 3, False
                if not buf.endswith(b"\n}\n"):
                    return False
                break
            # The last 4 bytes may begin the next member's _MEMBER, with its comma.
            cut = len(buf) - 4
            if keep:
                raw.write(memoryview(buf)[start:cut])
            buf = buf[cut:] + chunk
            start = search = 0
        if buf[stop - 1] in _EDGE:
            return False
        if keep:
            raw.write(memoryview(buf)[start:stop])
        start = found
    for member in new:
        add(*member)
    out.write("\n}\n" if written else "}\n")
    return True


def _string_end(buf: bytes, start: int) -> int:
    """Where the JSON string whose text starts at buf[start] ends (its closing quote), or -1
    if not within buf."""
    end = buf.find(b'"', start)
    while end >= 0:
        slashes = end
        while buf[slashes - 1] == 0x5C:
            slashes -= 1
        if (end - slashes) % 2 == 0:
            return end
        end = buf.find(b'"', end + 1)
    return -1


def _canonical_key(text: bytes) -> str | None:
    """The key a JSON string encodes, if `dumps` writes that key as exactly this text."""
    try:
        key = json.loads(text)
        return key if dumps(key).encode("utf-8") == text else None
    except ValueError:  # also UnicodeDecodeError and UnicodeEncodeError (lone surrogates)
        return None


def _float(o: float) -> str:
    if o != o or o in (float("inf"), float("-inf")):
        raise ValueError("Out of range float values are not JSON compliant: " + repr(o))
    return float.__repr__(o)


def _key(k: Any) -> str:
    # The standard library's key conversion (sort_keys sorts the original keys first).
    if isinstance(k, str):
        return _encode_str(k)
    if isinstance(k, float):
        return _encode_str(_float(k))
    if k is True:
        return '"true"'
    if k is False:
        return '"false"'
    if k is None:
        return '"null"'
    if isinstance(k, int):
        return _encode_str(int.__repr__(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


_BATCH = 20_000


def _elements(items: list, level: int) -> list[str]:
    """The texts of a list's elements. Rows (dicts with the same keys, as every large list of
    the project's documents is) are encoded column by column: each column's values through one
    `map` over its encoder where they are all of one type, then one `str.format` per row."""
    first = items[0]
    if type(first) is not dict or not first or any(
            type(x) is not dict or x.keys() != first.keys() for x in items):
        return [_text(x, level) for x in items]
    keys = sorted(first)
    inner = _indent(level + 1)
    cols = []
    for k in keys:
        col = [x[k] for x in items]
        kinds = set(map(type, col)) - {type(None)}
        enc = (_encode_str if kinds == {str} else int.__repr__ if kinds == {int}
               else _bool if kinds == {bool} else None)
        if kinds == {float}:
            # One test of the column, then the C repr: `_float` per value tests each.
            if not all(map(math.isfinite, (v for v in col if v is not None))):
                raise ValueError("Out of range float values are not JSON compliant")
            enc = float.__repr__
        if kinds == {list} and None not in col and all(
                type(e) is str for v in col for e in v):
            cols.append(_string_lists(col, level + 1))
        elif enc is None:
            cols.append([_text(v, level + 1) for v in col])
        elif len(kinds) == 1 and None not in col:
            cols.append(list(map(enc, col)))
        else:
            cols.append([enc(v) if v is not None else "null" for v in col])
    keys_text = [(_encode_str(k) if type(k) is str else _key(k)) for k in keys]
    fmt = ("{{" + inner + ("," + inner).join(
        t.replace("{", "{{").replace("}", "}}") + ": {}" for t in keys_text)
        + _indent(level) + "}}")
    return [fmt.format(*row) for row in zip(*cols, strict=True)]


def _string_lists(col: list[list[str]], level: int) -> list[str]:
    inner, close = _indent(level + 1), _indent(level) + "]"
    sep = "," + inner
    return ["[" + inner + sep.join(map(_encode_str, v)) + close if v else "[]" for v in col]


def _bool(o: bool) -> str:
    return "true" if o else "false"


def _null(o: None) -> str:
    return "null"


# Exact types first (a dictionary lookup instead of a chain of isinstance tests); subclasses
# take the standard library's chain in `_other`.
_SCALARS: dict[type, Any] = {str: _encode_str, int: int.__repr__, float: _float, bool: _bool,
                             type(None): _null}
_INDENT = ["\n" + " " * n for n in range(64)]


def _indent(level: int) -> str:
    return _INDENT[level] if level < len(_INDENT) else "\n" + " " * level


def _text(o: Any, level: int) -> str:
    enc = _SCALARS.get(type(o))
    if enc is not None:
        return enc(o)
    if type(o) is dict:
        if not o:
            return "{}"
        inner = _indent(level + 1)
        return ("{" + inner + ("," + inner).join([
            (_encode_str(k) if type(k) is str else _key(k)) + ": " + _text(v, level + 1)
            for k, v in sorted(o.items())]) + _indent(level) + "}")
    if type(o) is list or type(o) is tuple:
        if not o:
            return "[]"
        inner = _indent(level + 1)
        return ("[" + inner + ("," + inner).join([_text(x, level + 1) for x in o])
                + _indent(level) + "]")
    return _other(o, level)


def _other(o: Any, level: int) -> str:
    # The order of the standard library's checks: str, None, True, False, int, float, list or
    # tuple, dict (so a bool is never an int, and subclasses encode as their base).
    if isinstance(o, str):
        return _encode_str(o)
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        return _float(o)
    if isinstance(o, (list, tuple)):
        return _text(list(o), level)
    if isinstance(o, dict):
        return _text(dict(o), level)
    raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")
