"""Counting pairs by sorting gives exactly what the SQL GROUP BY gives, in memory and spilled."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from inconcert import paircount


@pytest.fixture
def con():
    c = duckdb.connect()
    rng = np.random.default_rng(3)
    n = 20_000
    # Few distinct values so that many pairs repeat; numbers up to 2^31 - 1 pack losslessly.
    u1 = rng.integers(0, 60, n).astype(np.int32)
    u2 = rng.integers(0, 60, n).astype(np.int32)
    u1[:5] = 2**31 - 1
    c.register("raw", {"u1": u1, "u2": u2})
    c.execute("CREATE TABLE p AS SELECT * FROM raw").fetchall()
    c.execute("CREATE TABLE keep AS SELECT * FROM (VALUES (1, 2), (2147483647, 0), (59, 59), "
              "(1000, 1000)) AS k(u1, u2)").fetchall()
    yield c
    c.close()


def _sql(con, counted: paircount.Counted) -> list[tuple]:
    return sorted(con.execute(counted.sql()).fetchall())


def _sorted(con, counted: paircount.Counted) -> list[tuple]:
    return sorted(zip(*counted.run(con).to_pydict().values(), strict=True))


@pytest.mark.parametrize("min_count", [1, 2, 5, 9])
@pytest.mark.parametrize("keep", [None, "SELECT u1, u2 FROM keep"])
def test_sorting_counts_what_the_group_by_counts(con, min_count, keep):
    counted = paircount.Counted("SELECT u1, u2 FROM p", min_count, "SELECT count(*) FROM p",
                                keep)
    want = _sql(con, counted)
    assert want and len(want) < 3600  # some pairs are filtered, some kept
    assert _sorted(con, counted) == want


def test_kept_pairs_below_the_minimum_come_with_their_count(con):
    counted = paircount.Counted("SELECT u1, u2 FROM p", 10**6, "SELECT count(*) FROM p",
                                "SELECT u1, u2 FROM keep")
    got = _sorted(con, counted)
    # (1000, 1000) never occurs, so it is not invented; the others occur and keep their count.
    assert {(u1, u2) for u1, u2, _ in got} <= {(1, 2), (2147483647, 0), (59, 59)}
    assert got == _sql(con, counted)
    assert all(n >= 1 for *_, n in got)


@pytest.mark.parametrize("min_count", [1, 3, 9])
def test_spilled_slices_count_the_same(con, monkeypatch, tmp_path, min_count):
    """Above MEMORY_KEYS the keys go to slice files; every slice must hold all occurrences of
    its keys and find the kept pairs that fall in it (at 9 the kept pairs are below the
    minimum, so only that lookup returns them)."""
    counted = paircount.Counted("SELECT u1, u2 FROM p", min_count, "SELECT count(*) FROM p",
                                "SELECT u1, u2 FROM keep")
    con.execute(f"SET temp_directory = '{tmp_path / 'spill'}'").fetchall()
    monkeypatch.setattr(paircount, "MEMORY_KEYS", 1000)
    monkeypatch.setattr(paircount, "SLICE_KEYS", 3000)  # 7 slices
    slices = []
    spilled = paircount._spilled
    monkeypatch.setattr(paircount, "_spilled",
                        lambda *a: slices.append(a[2]) or spilled(*a))
    want = _sql(con, counted)
    assert _sorted(con, counted) == want
    assert slices == [7]
    if min_count == 9:  # the kept pairs that occur come back with counts below the minimum
        assert {(u1, u2) for u1, u2, n in want if n < 9} >= {(1, 2), (59, 59)}
    assert list((tmp_path / "spill").iterdir()) == []  # the slice files are gone


def test_no_pairs_count_to_an_empty_table(con):
    counted = paircount.Counted("SELECT u1, u2 FROM p WHERE u1 < 0", 1,
                                "SELECT count(*) FROM p WHERE u1 < 0", "SELECT u1, u2 FROM keep")
    assert counted.run(con).num_rows == 0
    assert _sql(con, counted) == []


def test_bound_is_an_upper_bound_on_window_pairs():
    c = duckdb.connect()
    rng = np.random.default_rng(5)
    t = rng.integers(0, 600_000, 3000)
    c.register("raw", {"item": rng.integers(0, 30, 3000), "t": t, "b": t // 60_000})
    pairs = c.execute("SELECT count(*) FROM raw AS x JOIN raw AS y ON x.item = y.item "
                      "AND x.t < y.t AND y.t - x.t <= 60000").fetchall()[0][0]
    bound = c.execute(paircount.bound_sql("raw")).fetchall()[0][0]
    assert pairs <= bound <= 3 * pairs


def test_pack_round_trips():
    u1 = np.array([0, 1, 2**31 - 1], np.int32)
    u2 = np.array([2**31 - 1, 0, 7], np.int32)
    keys = paircount.pack(u1, u2)
    assert np.all(np.diff(keys.astype(np.float64)) > 0)  # key order is (u1, u2) order
    back = paircount.unpack(keys)
    assert back[0].tolist() == u1.tolist() and back[1].tolist() == u2.tolist()
