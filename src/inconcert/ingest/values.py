"""Value parsers for cells and JSON values: text, ids, integers, booleans and list cells.

Every reader parses values with these, so one rule (and one range check) holds for every format."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .limits import INT64_MAX, INT64_MIN

NULLS = frozenset({"", "absent", "none", "null", "nan", "n/a"})


def text(v: str | None) -> str | None:
    """A cell as text, or None when it holds nothing."""
    if v is None:
        return None
    s = v.strip()
    return None if s.lower() in NULLS else s


def ident(v: Any) -> str | None:  # noqa: ANN401 - cells and JSON values alike
    """An id as a string, never through a float. Integers keep all their digits."""
    if type(v) is str:
        s = v.strip()
        if s.isascii() and s.isdigit():  # the common case, decided without more work
            return s
    elif v is None or isinstance(v, bool):
        return None
    elif isinstance(v, int):
        return str(v)
    elif isinstance(v, float):
        # Never key on a float: it has already lost digits (the "Death to Excel" trap).
        return None
    else:
        s = str(v).strip()
    if s.lower() in NULLS:
        return None
    if s.endswith(".0") and s[:-2].isdigit():
        return s[:-2]
    return s


def idents(cells: Iterable[str]) -> list[str | None]:
    """`ident` of every cell of a column (empty cells, the common case, cost nothing)."""
    return [ident(v) if v else None for v in cells]


def ident_column(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`ident` of every cell of a string column, as an Arrow string array (null for no id).

    Plain ASCII-digit cells, the common case, are their own id and cost no call; every other
    distinct cell goes through `ident` once, so the result is exactly `ident`'s."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    col = pc.fill_null(col, "")  # `ident` gives no id for both
    plain = pc.fill_null(pc.ascii_is_decimal(col), False)
    other = pc.invert(plain)
    rest = pc.filter(col, other)
    if not len(rest):
        return col
    return pc.replace_with_mask(col, other, pa.array(per_value(rest, ident), pa.string()))


class BadValue(ValueError):
    """A value of the right kind outside the range the case store holds (an integer beyond 64
    bits, a time before `--limit earliest`, an id longer than `--limit max_id` ...). Its text
    is the quarantine reason of the row that holds it."""


def to_int(v: Any) -> int | None:  # noqa: ANN401 - cells and JSON values alike
    """An integer count from a cell (`1,234`, `12.0`, empty, `absent`), or None when it holds
    no number. Raises BadValue for a number outside the signed 64-bit range (a 20-digit
    follower count, `1e300`), which the store cannot hold."""
    if type(v) is str and v.isascii() and v.isdigit() and len(v) <= 18:
        return int(v)
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return _int64(v, v)
    s = str(v).strip().replace(",", "")
    if s.lower() in NULLS:
        return None
    try:
        # Only short strings go to int(): a 5,000-digit one would raise Python's own limit.
        if len(s) <= 24:
            return _int64(int(s), v)
    except ValueError:
        pass
    try:
        f = float(s)
    except ValueError:
        return None
    if f != f:
        return None
    if not abs(f) < 2**63:
        raise BadValue(f"{shown_value(v)} is outside the 64-bit integer range")
    return int(f)


def _int64(n: int, v: Any) -> int:  # noqa: ANN401 - the value as given, for the reason
    if not INT64_MIN <= n <= INT64_MAX:
        raise BadValue(f"{shown_value(v)} is outside the 64-bit integer range")
    return n


def shown_value(v: Any) -> str:  # noqa: ANN401 - any value
    """A value as a quarantine reason quotes it: short, and never a 5,000-digit number."""
    s = str(v) if not isinstance(v, int) or v.bit_length() < 10_000 else "a huge integer"
    return repr(s if len(s) <= 40 else s[:20] + f"...({len(s)} characters)")


def to_bool(v: Any) -> bool | None:  # noqa: ANN401 - cells and JSON values alike
    """A boolean from `true`/`True`/`1`/`yes` (and their negatives), or None."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("true", "t", "1", "yes", "y"):
        return True
    if s in ("false", "f", "0", "no", "n"):
        return False
    return None


def parse_list(cell: str | None) -> list[str]:
    """A list cell: `['a', 'b']`, `[a, b]`, a JSON array, or space/comma-separated text."""
    if cell is None:
        return []
    s = cell.strip()
    if not s or s in ("[]", "''") or s.lower() in NULLS:
        return []
    if s.startswith("['") and s.endswith("']") and "\\" not in s and '"' not in s:
        # The IO-archive form ['a', 'b'] (the common case, parsed without an evaluator).
        parts = s[2:-2].split("', '")
        if all("'" not in p for p in parts):
            return [p.strip() for p in parts if p.strip()]
    if s.startswith("["):
        try:
            val = json.loads(s)
        except ValueError:
            try:
                val = ast.literal_eval(s)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                val = [p.strip().strip("'\"").strip() for p in s[1:-1].split(",")]
        if isinstance(val, list | tuple):
            return [str(x).strip() for x in val if x is not None and str(x).strip()]
        return [str(val)]
    return [p for p in s.replace(",", " ").split() if p]


def per_value(values: pa.Array | pa.ChunkedArray, fn: Callable[[str], Any]) -> list[Any]:
    """`fn` of every cell of a column, computed once per distinct value (times, languages and
    clients repeat across rows, so this costs a fraction of a call per row)."""
    enc = pc.dictionary_encode(values)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    mapped = [fn(v) for v in enc.dictionary.to_pylist()]
    return list(map(mapped.__getitem__, enc.indices.to_numpy(zero_copy_only=False).tolist()))


def is_hashed(account_id: str) -> bool:
    """IO archives mix numeric and pseudonymous ids; test each value, never the follower count."""
    return not (account_id.isascii() and account_id.isdigit())
