"""Post times of records: the declared time checked against the Snowflake time of X ids,
record by record or column-wise for a batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..timeutil import (
    MIN_SNOWFLAKE_ID,
    PRECISIONS,
    SNOWFLAKE_EPOCH_MS,
    best_time,
    parse_time,
    precision_ms,
    snowflake_ms,
)
from .csvread import CsvBatch
from .registry import Bad
from .values import BadValue, per_value


@dataclass
class BatchTimes:
    """Post times of the records of a batch that have ids and a usable time (`keep`)."""

    keep: list[int]
    created_ms: list[int]
    precision: list[str]
    source: list[str]
    declared_ms: list[int | None]
    bad: list[Bad]


# Ids as a list of str/None or as an Arrow string array (ingest.values.ident_column).
Ids = Sequence[str | None] | pa.Array


def _pylist(ids: Ids) -> Sequence[str | None]:
    return ids.to_pylist() if isinstance(ids, pa.Array) else ids


def batch_times(cb: CsvBatch, required: Sequence[tuple[str, Ids]], post_ids: Ids,
                time_column: str, snowflake: bool = True) -> BatchTimes:
    """`post_time` of every record of a batch, after checking the record's required ids
    (`(column name, values)` pairs: an empty one makes the record Bad).

    The common cases (Unix seconds or milliseconds, numeric ids) are decided column-wise with
    Arrow and NumPy; every other distinct time cell is parsed once by `parse_time`, and a value
    the arrays cannot hold exactly is decided by the per-record rules (`batch_times_rows`), so
    the result is always exactly theirs.
    """
    n = len(cb)
    try:
        ids = pa.array(post_ids, pa.string()) if snowflake else None
        empty_name = _empty_ids(required, n)
    except (pa.ArrowException, TypeError, ValueError):
        # Ids that are not strings (or not UTF-8): only the per-record rules know them.
        return batch_times_rows(cb, required, post_ids, time_column, snowflake)
    ms, status, prec, slow, declared = _declared_column(cb.column(time_column))
    ok = status == _OK
    sf, sf_ok = _snowflake_column(ids) if ids is not None else (None, None)
    if sf is None or sf_ok is None:
        timed = ok
        use_sf = np.zeros(n, dtype=bool)
        unchecked = use_sf
    else:
        # best_time: the Snowflake time wins when it falls inside the declared unit, with one
        # second of slack each side; alone (unchecked) only when nothing is declared.
        unit = np.maximum(_PREC_MS[prec], 1000)
        agree = sf_ok & ok & (ms - 1000 <= sf) & (sf < ms + unit + 1000)
        unchecked = sf_ok & (status == _NONE)
        use_sf = agree | unchecked
        timed = ok | unchecked
    has_ids = empty_name < 0
    keep_mask = has_ids & ~slow & timed
    bad_mask = ~has_ids | (~slow & ~timed)
    slow_rows = np.flatnonzero(has_ids & slow).tolist()

    created = np.where(use_sf, sf if sf is not None else ms, ms)
    prec_out = np.where(use_sf, _MS_CODE, prec)
    source = np.where(unchecked, 2, np.where(use_sf, 1, 0))
    keep = np.flatnonzero(keep_mask)
    # Python ints (not NumPy scalars) in the lists, as the per-record rules give.
    dms_obj = ms[keep].astype(object)
    dms_obj[unchecked[keep]] = None
    out = BatchTimes(keep.tolist(), created[keep].tolist(), _PREC_NAMES[prec_out[keep]].tolist(),
                     _SOURCE_NAMES[source[keep]].tolist(), dms_obj.tolist(), list(cb.bad))
    bad_rows = np.flatnonzero(bad_mask).tolist()
    if not slow_rows and not bad_rows:
        return out
    # Rare: records the arrays could not decide, and Bad records, in record order.
    lines = cb.lines.tolist()
    names = [name for name, _ in required]
    fixed: dict[int, tuple[int, str, str, int | None]] = {}
    bad: dict[int, str] = {}
    py_ids = _pylist(post_ids) if slow_rows else post_ids
    for i in slow_rows:
        try:
            fixed[i] = _choose(py_ids[i], declared[i], snowflake)
        except ValueError:
            bad[i] = _time_problem(cb, time_column, i)
    for i in bad_rows:
        k = int(empty_name[i])
        bad[i] = f"empty {names[k]}" if k >= 0 else _time_problem(cb, time_column, i)
    for i in sorted(bad):
        out.bad.append(Bad(lines[i], bad[i], cb.raw(i)))
    if fixed:
        _merge(out, fixed)
    return out


def _time_problem(cb: CsvBatch, time_column: str, i: int) -> str:
    return time_reason(time_column, cb.table.column(time_column)[i].as_py())


def time_reason(time_column: str, cell: str) -> str:
    """Why a record whose time cell holds `cell` has no time (its quarantine reason)."""
    if _declared_cached(cell) is _OUT_OF_RANGE:
        return f"{time_column} {cell[:40]!r} is out of range"
    return f"unparseable {time_column} {cell!r}" if cell.strip() else f"empty {time_column}"


def _merge(out: BatchTimes, fixed: dict[int, tuple[int, str, str, int | None]]) -> None:
    """Insert the records decided one by one into the kept ones, in record order."""
    rows = sorted([(i, j) for j, i in enumerate(out.keep)] + [(i, -1) for i in fixed])
    old = (out.created_ms, out.precision, out.source, out.declared_ms)
    new: tuple[list[Any], ...] = ([], [], [], [])
    for i, j in rows:
        vals = fixed[i] if j < 0 else tuple(col[j] for col in old)
        for col, v in zip(new, vals, strict=True):
            col.append(v)
    out.keep = [i for i, _ in rows]
    out.created_ms, out.precision, out.source, out.declared_ms = new


def _empty_ids(required: Sequence[tuple[str, Ids]], n: int) -> np.ndarray:
    """Index into `required` of the first empty id of each record (-1 when none is empty)."""
    first = np.full(n, -1, dtype=np.int64)
    for k in range(len(required) - 1, -1, -1):  # the first required column named wins
        vals = pa.array(required[k][1], pa.string())
        empty = pc.fill_null(pc.equal(pc.binary_length(vals), 0), True)
        first[empty.to_numpy(zero_copy_only=False)] = k
    return first


# Status of a declared time cell.
_OK, _NONE, _BAD = 0, 1, 2
_PREC_NAMES = np.array(PRECISIONS, dtype=object)
_PREC_MS = np.array([precision_ms(p) for p in PRECISIONS], dtype=np.int64)
_PREC_CODE = {p: i for i, p in enumerate(PRECISIONS)}
_MS_CODE = _PREC_CODE["ms"]
_S_CODE = _PREC_CODE["s"]
_SOURCE_NAMES = np.array(["declared", "snowflake", "snowflake-unchecked"], dtype=object)
# Declared values far from the int64 limits, so that the window arithmetic cannot overflow.
_SAFE_MS = 1 << 62
# Cells parse_epoch reads exactly as below. Only ASCII digits (str.isdigit and float also
# take other scripts' digits, which are left to parse_time); the lengths keep every value
# inside int64, and below 2**53 where parse_epoch goes through a float.
#   all digits, 13-18 of them: int(v), "ms"
#   all digits, 1-12 of them, or a minus and 1-12 digits: int(float(v)) * 1000, "s"
#   decimal fraction: round(float(v) * 1000), "ms"
_NEGATIVE = r"^-[0-9]{1,12}$"
_FRACTION = r"^-?[0-9]{1,12}\.[0-9]{1,12}$"


def _np(arr: pa.Array) -> np.ndarray:
    """A boolean Arrow array as NumPy, null counting as False."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def _digits(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(all ASCII digits, length in bytes) of every cell; ascii_is_decimal is far cheaper
    than a regular expression, which is kept for the cells that are not plain digits."""
    length = pc.fill_null(pc.binary_length(col), 0).to_numpy(zero_copy_only=False)
    return _np(pc.ascii_is_decimal(col)), length


def _declared_column(col: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                             dict[int, tuple[int | None, str | None]]]:
    """(ms, status, precision code, slow, declared) of a column of declared time cells.

    Plain Unix seconds and milliseconds are converted column-wise; every other distinct cell
    goes through `_declared` once. `slow` marks records whose value the arrays cannot hold
    (`declared` keeps their (ms, precision) for the per-record rules).
    """
    n = len(col)
    ms = np.zeros(n, dtype=np.int64)
    status = np.full(n, _BAD, dtype=np.int8)
    prec = np.full(n, _S_CODE, dtype=np.int8)
    slow = np.zeros(n, dtype=bool)
    digits, length = _digits(col)
    empty = length == 0
    status[empty] = _NONE

    def convert(rows: np.ndarray, to: pa.DataType) -> np.ndarray:
        return pc.cast(col.take(pa.array(rows)), to).to_numpy()

    rows = np.flatnonzero(digits & (length >= 13) & (length <= 18))
    ms[rows], prec[rows], status[rows] = convert(rows, pa.int64()), _MS_CODE, _OK
    rows = np.flatnonzero(digits & (length <= 12))
    ms[rows], status[rows] = convert(rows, pa.int64()) * 1000, _OK
    rest = np.flatnonzero(~digits & ~empty)
    if len(rest):
        sub = col.take(pa.array(rest))
        rows = rest[_np(pc.match_substring_regex(sub, _NEGATIVE))]
        ms[rows], status[rows] = convert(rows, pa.int64()) * 1000, _OK
        rows = rest[_np(pc.match_substring_regex(sub, _FRACTION))]
        # round() and rint both round halves to even, on the same float64 product.
        ms[rows] = np.rint(convert(rows, pa.float64()) * 1000).astype(np.int64)
        prec[rows], status[rows] = _MS_CODE, _OK
    declared: dict[int, tuple[int | None, str | None]] = {}
    rest = np.flatnonzero(status == _BAD)
    if len(rest):
        parsed = per_value(col.take(pa.array(rest)), _declared_cached)
        for i, d in zip(rest.tolist(), parsed, strict=True):
            st, v, p = _classify(d)
            if st == _SLOW:
                slow[i] = True
                declared[i] = d
            elif st == _OK:
                ms[i], prec[i], status[i] = v, p, _OK
            else:
                status[i] = st
    return ms, status, prec, slow, declared


_SLOW = 3  # a declared time the arrays cannot hold: decided by the per-record rules


def _classify(d: tuple[int | None, str | None]) -> tuple[int, int, int]:
    """(status, ms, precision code) of a parsed declared time (`_declared`)."""
    v, p = d
    if d is _UNPARSEABLE or d is _OUT_OF_RANGE:
        return _BAD, 0, _S_CODE
    if v is None:
        return _NONE, 0, _S_CODE
    if type(v) is int and -_SAFE_MS < v < _SAFE_MS and p in _PREC_CODE:
        return _OK, v, _PREC_CODE[p]
    return _SLOW, 0, _S_CODE


def declared_times(cells: pa.Array, time_column: str) -> pa.Table:
    """Each distinct declared time cell with what `batch_times` makes of it, for joining in
    SQL: `cell`, `ms`, `precision`, `unit_ms` (the width of its precision), `status` (0 a
    time, 1 none, 2 not a time, 3 a value only the per-record rules decide) and `reason`
    (the quarantine reason of a record left without a time)."""
    uniq = pc.unique(cells).to_pylist()
    rows = [_classify(_declared_cached(c)) for c in uniq]
    return pa.table({
        "cell": pa.array(uniq, pa.string()),
        "ms": pa.array([ms for _, ms, _ in rows], pa.int64()),
        "precision": pa.array([PRECISIONS[p] for _, _, p in rows], pa.string()),
        "unit_ms": pa.array([max(int(_PREC_MS[p]), 1000) for _, _, p in rows], pa.int64()),
        "status": pa.array([st for st, _, _ in rows], pa.int8()),
        "reason": pa.array([time_reason(time_column, c) for c in uniq], pa.string())})


def snowflake_column(ids: pa.Array) -> pa.Array:
    """`snowflake_ms` of every id of a string array (null where it is none), as int64."""
    sf, ok = _snowflake_column(ids)
    return pa.array(sf, pa.int64(), mask=~ok)


def _snowflake_column(ids: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(Snowflake ms, is a Snowflake) of every id, by the rules of `snowflake_ms`."""
    n = len(ids)
    sf = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    digits, length = _digits(ids)
    # Up to 19 digits is below 10**19 < 2**64: exact as uint64.
    rows = np.flatnonzero(digits & (length <= 19))
    if len(rows):
        v = pc.cast(ids.take(pa.array(rows)), pa.uint64()).to_numpy()
        sf[rows] = (v >> np.uint64(22)).astype(np.int64) + SNOWFLAKE_EPOCH_MS
        ok[rows] = (v >= MIN_SNOWFLAKE_ID) & (v < np.uint64(1 << 63))
    # Longer digit strings (leading zeros) are left to snowflake_ms itself.
    for i in np.flatnonzero(digits & (length > 19)).tolist():
        s = snowflake_ms(ids[i].as_py())
        if s is not None:
            sf[i], ok[i] = s, True
    return sf, ok


def batch_times_rows(cb: CsvBatch, required: Sequence[tuple[str, Ids]], post_ids: Ids,
                     time_column: str, snowflake: bool = True) -> BatchTimes:
    """`batch_times` decided record by record: the definition the column-wise path keeps to,
    and its fallback for ids that are not strings."""
    post_ids = _pylist(post_ids)
    required = [(name, _pylist(vals)) for name, vals in required]
    out = BatchTimes([], [], [], [], [], list(cb.bad))
    lines = cb.lines.tolist()
    declared = per_value(cb.column(time_column), _declared_cached)
    empty: dict[int, str] = {}
    for name, vals in reversed(required):  # the first required column named wins
        empty.update((i, name) for i, v in enumerate(vals) if not v)
    for i, d in enumerate(declared):
        if empty and i in empty:
            out.bad.append(Bad(lines[i], f"empty {empty[i]}", cb.raw(i)))
            continue
        try:
            ms, prec, source, declared_ms = _choose(post_ids[i], d, snowflake)
        except ValueError:
            out.bad.append(Bad(lines[i], _time_problem(cb, time_column, i), cb.raw(i)))
            continue
        out.keep.append(i)
        out.created_ms.append(ms)
        out.precision.append(prec)
        out.source.append(source)
        out.declared_ms.append(declared_ms)
    return out


_UNPARSEABLE = (None, "unparseable")
# A time no 64-bit millisecond count holds (Unix seconds 1e300): a bad value, not a time.
_OUT_OF_RANGE = (None, "out of range")


def _declared(cell: str | None) -> tuple[int | None, str | None]:
    """(ms, precision) of a declared time cell; (None, None) when empty, _UNPARSEABLE when
    it holds something that is not a time."""
    if cell is None or not cell.strip():
        return None, None
    try:
        ms, precision = parse_time(cell)
    except ValueError:
        return _UNPARSEABLE
    except OverflowError:  # parse_epoch of a float beyond any integer (1e999 is inf)
        return _OUT_OF_RANGE
    return (ms, precision) if -_SAFE_MS < ms < _SAFE_MS else _OUT_OF_RANGE


def _choose(post_id: str | None, declared: tuple[int | None, str | None],
            snowflake: bool) -> tuple[int, str, str, int | None]:
    declared_ms, prec = declared
    if declared is _UNPARSEABLE:
        raise ValueError("unparseable time")
    if declared is _OUT_OF_RANGE:
        raise BadValue("time out of range")
    if not snowflake:
        if declared_ms is None:
            raise ValueError("no time")
        return declared_ms, prec or "s", "declared", declared_ms
    ms, p, source = best_time(post_id, declared_ms, prec)
    if ms is None or p is None:
        raise ValueError("no time")
    return ms, p, source, declared_ms


# Declared times repeat (minute-precision archives have one value per minute); parse each once.
_declared_cached = lru_cache(maxsize=1 << 16)(_declared)


def post_time(post_id: str | None, declared: str | None,
              snowflake: bool = True) -> tuple[int, str, str, int | None]:
    """(created_ms, precision, time source, declared_ms) for a post; ValueError when no time.

    The declared time is the row's own; for X ids, the Snowflake time replaces it when the two
    agree (it is exact to the millisecond), and is used alone only when the row has no time.
    """
    return _choose(post_id, _declared_cached(declared), snowflake)
