"""The column-wise `batch_times` against its per-record definition (`batch_times_rows`): every
field of BatchTimes equal, Bad records included, on random and edge-case batches."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from inconcert.ingest.csvread import CsvBatch
from inconcert.ingest.registry import Bad
from inconcert.ingest.times import BatchTimes, batch_times, batch_times_rows
from inconcert.timeutil import MIN_SNOWFLAKE_ID, SNOWFLAKE_EPOCH_MS, parse_time

NAMES = ["id", "user", "t"]
DECLARED = 1_600_483_592_000  # 2020-09-19T02:46:32Z

EDGE_TIMES = [
    "", " ", "\t", "  \u00a0", "1600483592", " 1600483592 ", "1600483592\n", "0", "-0", "00",
    "-1", "-0.0", "-0.0005", "0.0005", "0.0015", "0.0025", "1600483592.5", "1600483592.123",
    "1600483592.1234567", "1600483592123", "0001600483592", "000000000001", "999999999999",
    "9999999999999", "999999999999999999", "9999999999999999999", "99999999999999999999",
    "123456789012345678901234567890", "-123456789012345", "-1234567890123456789",
    "1600483592.", ".5", "+5", "1e9", "1_000", "nan", "inf", "-inf", "abc", "12a", "--1",
    "1.2.3", "\u0661\u0662\u0663", "\uff11\uff12\uff13", "2020-09-19T02:46:32Z",
    "2020-09-19T02:46:32.123+02:00", "2020-09-19 02:46", "2020-09-19", "2020-13-01",
    "9/19/2020 2:46", "Sat Sep 19 02:46:32 +0000 2020", "Sat Foo 19 02:46:32 +0000 2020",
    "1969-12-31T23:59:59.5", "1600483592.000000000000",
]


def _sf_id(ms: int, low: int = 0) -> str:
    """A Snowflake id whose time is `ms`."""
    return str(((ms - SNOWFLAKE_EPOCH_MS) << 22) | low)


def _batch(rows: list[tuple[str, str, str]]) -> CsvBatch:
    cols = list(zip(*rows, strict=True)) if rows else [(), (), ()]
    table = pa.Table.from_arrays([pa.array(c, pa.string()) for c in cols], names=NAMES)
    lines = np.arange(2, 2 + 2 * len(rows), 2, dtype=np.int64)  # records on every other line
    return CsvBatch(NAMES, table, lines, [Bad(1, "earlier", "x")])


def _random_time(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return str(rng.randint(0, 2_000_000_000))
    if r < 0.45:
        return str(rng.randint(0, 2_000_000_000_000))
    if r < 0.6:
        whole = rng.randint(-10**rng.randint(1, 13), 10**rng.randint(1, 13))
        return f"{whole}.{rng.randint(0, 10**rng.randint(1, 13))}"
    if r < 0.65:
        return "-" + str(rng.randint(0, 10**rng.randint(1, 19)))
    if r < 0.7:
        return str(rng.randint(0, 10**rng.randint(1, 25)))
    return rng.choice(EDGE_TIMES)


def _random_id(rng: random.Random, cell: str) -> str | None:
    """Ids of every kind, many of them Snowflakes near the window of the row's declared time."""
    r = rng.random()
    if r < 0.05:
        return None
    if r < 0.08:
        return ""
    if r < 0.15:
        return str(rng.randint(1, 10**13))
    if r < 0.2:
        return rng.choice(["abc", "12a", "-5", str(MIN_SNOWFLAKE_ID - 1), str(MIN_SNOWFLAKE_ID),
                           str((1 << 63) - 1), str(1 << 63), str(10**19), "0" * 5 + str(
                               MIN_SNOWFLAKE_ID), "0" * 3 + _sf_id(DECLARED), "\u0661" * 20])
    try:
        base = parse_time(cell)[0]
    except ValueError:
        base = DECLARED
    if not -10**15 < base < 10**15:
        base = DECLARED
    # The boundaries of the agreement window for second, minute, hour and day units.
    delta = rng.choice([-1001, -1000, -999, -1, 0, 1, 999, 1000, 1999, 2000, 2001, 59_999,
                        60_999, 61_000, 3_601_000, 86_400_999, 86_401_000, 87_000_000,
                        rng.randint(-10**7, 10**8)])
    ms = max(base + delta, SNOWFLAKE_EPOCH_MS + 7_081_000_000)
    return _sf_id(ms, rng.randint(0, (1 << 22) - 1))


def _same(a: BatchTimes, b: BatchTimes) -> None:
    assert a.keep == b.keep
    assert a.created_ms == b.created_ms
    assert a.precision == b.precision
    assert a.source == b.source
    assert a.declared_ms == b.declared_ms
    assert a.bad == b.bad
    for x, y in zip(a.created_ms + a.declared_ms, b.created_ms + b.declared_ms, strict=True):
        assert type(x) is type(y)


def _both(rows: list[tuple[str, str, str]], ids: list[Any], users: list[Any],
          snowflake: bool) -> tuple[BatchTimes, BatchTimes]:
    cb = _batch(rows)
    req = (("id", ids), ("user", users))
    return (batch_times(cb, req, ids, "t", snowflake),
            batch_times_rows(cb, req, ids, "t", snowflake))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("snowflake", [True, False])
def test_vectorised_times_equal_the_per_record_rules(seed: int, snowflake: bool) -> None:
    rng = random.Random(seed)
    rows = []
    ids: list[str | None] = []
    users: list[str | None] = []
    for _ in range(3000):
        t = _random_time(rng)
        pid = _random_id(rng, t)
        user = rng.choice([None, "", "u1", "42"]) if rng.random() < 0.05 else "7"
        rows.append((pid or "", user or "", t))
        ids.append(pid)
        users.append(user)
    fast, slow = _both(rows, ids, users, snowflake)
    _same(fast, slow)
    assert fast.keep and len(fast.bad) > 1  # the batch exercised both outcomes


@pytest.mark.parametrize("snowflake", [True, False])
def test_every_edge_time_with_every_kind_of_id(snowflake: bool) -> None:
    rows = []
    ids: list[str | None] = []
    for t in EDGE_TIMES:
        for pid in (None, "", "123", _sf_id(DECLARED), _sf_id(DECLARED - 1001),
                    _sf_id(DECLARED + 1999), _sf_id(DECLARED + 2000), "0" + _sf_id(DECLARED)):
            rows.append((pid or "", "u", t))
            ids.append(pid)
    users = ["u"] * len(rows)
    _same(*_both(rows, ids, users, snowflake))


def test_agreement_window_edges_by_hand() -> None:
    """The rules themselves, so that both paths being wrong in the same way fails too."""
    ids = [_sf_id(DECLARED - 1000), _sf_id(DECLARED - 1001), _sf_id(DECLARED + 1999),
           _sf_id(DECLARED + 2000), _sf_id(DECLARED), "123", None]
    times = ["1600483592"] * 4 + ["", "", "1600483592"]
    rows = [(i or "", "u", t) for i, t in zip(ids, times, strict=True)]
    got, want = _both(rows, ids, ["u"] * len(rows), True)
    _same(got, want)
    assert got.keep == [0, 1, 2, 3, 4]
    assert got.source == ["snowflake", "declared", "snowflake", "declared",
                          "snowflake-unchecked"]
    assert got.created_ms == [DECLARED - 1000, DECLARED, DECLARED + 1999, DECLARED, DECLARED]
    assert got.precision == ["ms", "s", "ms", "s", "ms"]
    assert got.declared_ms == [DECLARED] * 4 + [None]
    assert [(b.line, b.reason) for b in got.bad] == [(1, "earlier"), (12, "empty t"),
                                                      (14, "empty id")]


def test_numbers_and_their_precision() -> None:
    cells = ["1600483592", "1600483592123", "1600483592.5", "-2", "0.0025", " 7 "]
    ids = ["1"] * len(cells)
    rows = [("1", "u", c) for c in cells]
    got, want = _both(rows, ids, ["u"] * len(rows), False)
    _same(got, want)
    assert got.created_ms == [DECLARED, 1_600_483_592_123, 1_600_483_592_500, -2000, 2, 7000]
    assert got.precision == ["s", "ms", "ms", "s", "ms", "s"]


def test_ids_that_are_not_strings_take_the_per_record_rules() -> None:
    rows = [("1", "u", "1600483592"), ("2", "u", "1600483592")]
    ids: list[Any] = [_sf_id(DECLARED), 0]  # a falsy non-string id is an empty id
    got, want = _both(rows, ids, ["u", "u"], True)
    _same(got, want)
    assert got.keep == [0] and got.bad[-1].reason == "empty id"
    ids = [_sf_id(DECLARED), 5]
    with pytest.raises(AttributeError):  # what the per-record rules do with an int id
        batch_times_rows(_batch(rows), (("id", ids),), ids, "t")
    with pytest.raises(AttributeError):
        batch_times(_batch(rows), (("id", ids),), ids, "t")


def test_empty_batch() -> None:
    _same(*_both([], [], [], True))
