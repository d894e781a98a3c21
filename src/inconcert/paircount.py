"""Counting account pairs: how many times each (u1, u2) occurs in an enumeration of window pairs.

The enumeration is SQL (the join on (item, time bucket), see `engine`); counting its rows per
pair is a GROUP BY that Spark runs as written. On one machine that GROUP BY is the dominant cost:
almost every pair of a large collection occurs once (at 10^7 messages, 131 M window pairs are
130 M distinct account pairs, of which 1 M occur twice or more), so a hash aggregation builds a
group for every row to keep one in a hundred, and DuckDB does that at ~8 M rows/s on two cores.
Sorting the pairs packed into one 64-bit key and reading off the runs of equal keys gives the
same counts four to five times faster (NumPy's vectorised sort), so the DuckDB path counts
that way.

Memory stays bounded (8 bytes per window pair): an upper bound on the pairs, from the sizes of
the (item, bucket) cells, decides whether the keys are sorted in memory or, above
`MEMORY_KEYS`, spilled to files by u1 modulo a number of slices and each slice sorted on its
own. Either way the enumeration runs once.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

MEMORY_KEYS = 192_000_000  # 1.5 GB of keys sorted in memory; beyond, slices spill to disk
SLICE_KEYS = 64_000_000  # keys per spilled slice (512 MB while it is sorted)
BATCH_ROWS = 1 << 22

# An upper bound on the window pairs of a bucketed action table: every pair within a cell plus
# every pair across neighbouring cells of one item (the window keeps only some of the latter).
BOUND_SQL = """
WITH cell AS (SELECT item, b, count(*) AS k FROM {table} GROUP BY item, b)
SELECT COALESCE(sum(c.k * (c.k - 1) // 2 + c.k * COALESCE(n.k, 0)), 0)
FROM cell AS c LEFT JOIN cell AS n ON n.item = c.item AND n.b = c.b + 1
"""

# What a counted table is, in SQL (Spark runs this; DuckDB counts by sorting, `Counted.run`).
GROUP_SQL = """
WITH pairs AS ({pairs}),
counted AS (SELECT u1, u2, count(*) AS n FROM pairs GROUP BY u1, u2){keep_cte}
SELECT c.u1, c.u2, c.n FROM counted AS c
WHERE c.n >= {min_count}{keep_or}
"""
KEEP_CTE = ",\nkeep AS ({keep})"
KEEP_OR = "\n   OR EXISTS (SELECT 1 FROM keep AS k WHERE k.u1 = c.u1 AND k.u2 = c.u2)"

_SHIFT = np.uint64(32)


@dataclass(frozen=True)
class Counted:
    """A table (u1, u2, n) of the pairs an enumeration yields at least `min_count` times, or
    that `keep_sql` (u1, u2) lists, with their number of rows. `pairs_sql` selects two
    non-negative INTEGER columns u1, u2; `bound_sql` returns an upper bound on its rows."""

    pairs_sql: str
    min_count: int
    bound_sql: str
    keep_sql: str | None = None

    def sql(self) -> str:
        """The table as one SELECT (a GROUP BY), for engines that aggregate well."""
        keep = self.keep_sql is not None
        return GROUP_SQL.format(pairs=self.pairs_sql, min_count=int(self.min_count),
                                keep_cte=KEEP_CTE.format(keep=self.keep_sql) if keep else "",
                                keep_or=KEEP_OR if keep else "")

    def run(self, con: duckdb.DuckDBPyConnection) -> pa.Table:
        """The table, counted by sorting in this process (`count_pairs`)."""
        keep = None
        if self.keep_sql is not None:
            rows = con.sql(f"SELECT u1, u2 FROM ({self.keep_sql}) AS k").fetchnumpy()
            keep = pack(rows["u1"], rows["u2"])
        bound = int(con.execute(self.bound_sql).fetchall()[0][0] or 0)
        return count_pairs(con, self.pairs_sql, bound, self.min_count, keep)


def bound_sql(table: str) -> str:
    """A query for an upper bound on the window pairs of `table` (columns item, b: its time
    bucket)."""
    return BOUND_SQL.format(table=table)


def pack(u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """(u1, u2) non-negative 32-bit numbers as one sortable 64-bit key per pair."""
    return (np.asarray(u1).astype(np.uint64) << _SHIFT) | np.asarray(u2).astype(np.uint64)


def unpack(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of `pack`."""
    return (keys >> _SHIFT).astype(np.int32), (keys & np.uint64(0xFFFFFFFF)).astype(np.int32)


def _batches(con: duckdb.DuckDBPyConnection, pairs_sql: str):  # noqa: ANN202 - a generator
    packed = (f"SELECT (CAST(u1 AS UBIGINT) << 32) | CAST(u2 AS UBIGINT) AS k "
              f"FROM ({pairs_sql}) AS p")
    for batch in con.sql(packed).to_arrow_reader(BATCH_ROWS):
        yield batch.column(0).to_numpy()


def _in_memory(con: duckdb.DuckDBPyConnection, pairs_sql: str, bound: int) -> np.ndarray:
    # Filled in place up to the bound: pages past the real number of pairs are never touched.
    keys = np.empty(bound, np.uint64)
    n = 0
    for chunk in _batches(con, pairs_sql):
        keys[n:n + chunk.size] = chunk
        n += chunk.size
    return keys[:n]


def _runs(keys: np.ndarray, min_count: int, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted `keys` -> (key, count) for every key that occurs at least `min_count` times or is
    in `keep` (sorted, unique)."""
    if keys.size == 0:
        return keys, np.empty(0, np.int64)
    if min_count <= 1:
        return _run_lengths(keys)
    # Only repeated keys can reach the minimum, and they are usually few: find them where a key
    # equals its predecessor rather than measuring every run. (Still sorted: no second sort.)
    often, extra = _run_lengths(keys[np.flatnonzero(keys[1:] == keys[:-1])])
    counts = extra + 1
    chosen, n = often[counts >= min_count], counts[counts >= min_count]
    if keep.size == 0:
        return chosen, n
    lo = np.searchsorted(keys, keep, side="left")
    hi = np.searchsorted(keys, keep, side="right")
    # Kept keys already chosen are not added twice (chosen is sorted: no hashing needed).
    at = np.minimum(np.searchsorted(chosen, keep), max(chosen.size - 1, 0))
    already = (chosen[at] == keep) if chosen.size else np.zeros(keep.size, bool)
    found = (hi > lo) & ~already
    return np.concatenate((chosen, keep[found])), np.concatenate((n, (hi - lo)[found]))


def _run_lengths(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys -> (distinct key, its number of occurrences)."""
    if keys.size == 0:
        return keys, np.empty(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return keys[starts], np.diff(np.append(starts, keys.size)).astype(np.int64)


def _spilled(con: duckdb.DuckDBPyConnection, pairs_sql: str, parts: int, directory: Path,
             min_count: int, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    files = [open(directory / f"slice{p}.u64", "wb") for p in range(parts)]  # noqa: SIM115
    try:
        for chunk in _batches(con, pairs_sql):
            part = (chunk >> _SHIFT) % np.uint64(parts)
            for p, f in enumerate(files):
                chunk[part == p].tofile(f)
    finally:
        for f in files:
            f.close()
    found_keys, found_n = [], []
    for p in range(parts):
        path = directory / f"slice{p}.u64"
        keys = np.fromfile(path, np.uint64)
        path.unlink()
        keys.sort()
        mine = keep[(keep >> _SHIFT) % np.uint64(parts) == p]
        k, n = _runs(keys, min_count, mine)
        del keys
        found_keys.append(k)
        found_n.append(n)
    return np.concatenate(found_keys), np.concatenate(found_n)


def count_pairs(con: duckdb.DuckDBPyConnection, pairs_sql: str, bound: int, min_count: int,
                keep: np.ndarray | None = None) -> pa.Table:
    """Count the rows of an enumeration per pair: `pairs_sql` is a SELECT of two non-negative
    INTEGER columns (u1, u2) with at most `bound` rows. Returns (u1, u2, n) for the pairs that
    occur at least `min_count` times or whose packed key (`pack`) is in `keep` — what
    `SELECT u1, u2, count(*) AS n ... GROUP BY u1, u2` with that HAVING gives, in key order
    within each slice."""
    keep = np.unique(keep) if keep is not None else np.empty(0, np.uint64)
    if bound <= MEMORY_KEYS:
        keys = _in_memory(con, pairs_sql, bound)
        keys.sort()
        found, n = _runs(keys, min_count, keep)
    else:
        parts = -(-bound // SLICE_KEYS)
        with tempfile.TemporaryDirectory(prefix="inconcert-pairs-", dir=_spill_dir(con)) as d:
            found, n = _spilled(con, pairs_sql, parts, Path(d), min_count, keep)
    u1, u2 = unpack(found)
    return pa.table({"u1": u1, "u2": u2, "n": n})


def _spill_dir(con: duckdb.DuckDBPyConnection) -> str | None:
    """DuckDB's own spill directory (next to the case database), else the system's."""
    setting = con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
    if setting:
        Path(setting).mkdir(parents=True, exist_ok=True)
        return setting
    return None
