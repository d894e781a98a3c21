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
"""

from __future__ import annotations

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
    comma that separates it from the member before (findings.add_sections splices members into
    an existing file with it). A large list is written element by element."""
    f.write(_INDENT[1] + _key(key) + ": ")
    if type(value) is list and value:
        f.write("[")
        for j in range(0, len(value), _BATCH):
            f.write(("," if j else "") + _INDENT[2]
                    + ("," + _INDENT[2]).join(_elements(value[j:j + _BATCH], 2)))
        f.write(_INDENT[1] + "]")
    else:
        f.write(_text(value, 1))


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
