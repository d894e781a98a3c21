"""Pair enumeration: which distinct accounts acted on the same item within a window.

One SQL definition, run by DuckDB (default, out of core) or by Spark (the same text transpiled by
SQLGlot). The cost is the number of window pairs, not the number of actions (see
docs/traces.md), so the join is an equi-join on (item, time bucket of width W) and on the
neighbouring bucket, filtered to |dt| <= W — never a plain join on the item with the window as a
filter, and never a Python loop over pairs.

A hot item (thousands of accounts on one item in one bucket) would make the pairs quadratic:
each (item, bucket) cell keeps at most `cap` actions, chosen by the MD5 of the action id, which
both engines compute identically, and the number of capped cells is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import sqlglot

from . import paircount

# Accounts and items are numbered (in string order, so the numbers compare as the names do):
# the joins and aggregations below then run on integers, several times faster than on text.
ENCODE_SQL = """
SELECT {col}, CAST(row_number() OVER (ORDER BY {col}) AS INTEGER) AS {id_col}
FROM (SELECT DISTINCT {col} FROM {actions}) AS d
"""

# Actions whose (item, bucket) cell is over the cap keep a deterministic hash sample. MD5 is the
# same in DuckDB and Spark, so a capped run gives the same pairs on both engines. Stored in
# (item, bucket) order, which no result depends on, because the self-join of the window pairs
# then probes its hash table in order (2-3x faster than in the order the actions came).
CAP_SQL = """
WITH a0 AS (
    SELECT acc.aid AS account, it.iid AS item, a.t, a.action_id, (a.t + {origin}) // {w} AS b
    FROM {actions} AS a
    JOIN {accounts} AS acc ON acc.account = a.account
    JOIN {items} AS it ON it.item = a.item
),
cell AS (
    SELECT item, b, count(*) AS k FROM a0 GROUP BY item, b
),
a1 AS (
    SELECT a0.account, a0.item, a0.t, a0.action_id, a0.b, cell.k
    FROM a0 JOIN cell ON a0.item = cell.item AND a0.b = cell.b
),
hot AS (
    SELECT account, item, t, b,
           row_number() OVER (PARTITION BY item, b ORDER BY md5(action_id), action_id) AS rn
    FROM a1 WHERE k > {cap}
)
SELECT * FROM (
    SELECT account, item, t, b, b + 1 AS b1 FROM a1 WHERE k <= {cap}
    UNION ALL
    SELECT account, item, t, b, b + 1 AS b1 FROM hot WHERE rn <= {cap}
) AS capped
ORDER BY item, b
"""

# Window pairs. Buckets are floor(t / W) (times are shifted by ORIGIN first, so that integer
# division, which truncates in both engines, floors even before 1970): two actions in one bucket
# are always less than W apart and need no time filter — a per-match predicate in the join costs
# more than the join itself. Same bucket: each unordered pair once (x.account < y.account);
# neighbouring bucket: x is always in the earlier bucket, so both account orders occur and none
# twice. With `repeats` (an account may act twice on one item), pairs are first reduced to one
# row per (pair, item).
WINDOW_PAIRS_SQL = """
c0 AS (
    SELECT x.account AS source, y.account AS target, x.item AS item,
           least(x.t, y.t) AS t1, greatest(x.t, y.t) AS t2
    FROM {capped} AS x JOIN {capped} AS y ON x.item = y.item AND x.b = y.b
    WHERE x.account < y.account
    UNION ALL
    SELECT least(x.account, y.account) AS source, greatest(x.account, y.account) AS target,
           x.item AS item, x.t AS t1, y.t AS t2
    FROM {capped} AS x JOIN {capped} AS y ON x.item = y.item AND y.b = x.b1
    WHERE x.account <> y.account AND y.t - x.t <= {w}
),
c AS ({reduce})
"""
_REDUCE = ("SELECT source, target, item, count(*) AS n_pairs, min(t1) AS t1, max(t2) AS t2 "
           "FROM c0 GROUP BY source, target, item")
_KEEP = "SELECT source, target, item, 1 AS n_pairs, t1, t2 FROM c0"

# The window pairs, one row per (account pair, item) — the only table as large as the pairs.
WINDOW_SQL = """
WITH {pairs}
SELECT source, target, item, n_pairs, t1, t2 FROM c
"""
# Per item: distinct account pairs within the window (wp, for the null model) and window pairs.
ITEM_PAIRS_SQL = """
SELECT item, count(*) AS wp, sum(n_pairs) AS n_pairs FROM {window} GROUP BY item
"""
# Account pairs with at least `min_count` shared items: the candidates (counted, `paircount`).
PAIR_ROWS_SQL = "SELECT source AS u1, target AS u2 FROM {window}"
PAIRS_COLUMNS = "u1 AS source, u2 AS target, n AS cnt"
# The (pair, item) rows of the candidates.
DETAIL_SQL = """
SELECT w.source, w.target, w.item, w.n_pairs, w.t1 AS first_ms, w.t2 AS last_ms
FROM {window} AS w JOIN {candidates} AS p ON p.source = w.source AND p.target = w.target
"""
# In one query, because each query is a job with a fixed cost on Spark (seconds on a busy
# machine): whether any account acts more than once on an item (then pairs need reducing per
# item), the distinct actions and items, the (item, bucket) cells over the cap and the actions
# the cap left out.
SUMMARY_SQL = """
SELECT r.n, a.n, a.i, c.n, c.dropped
FROM (SELECT count(*) AS n FROM (
          SELECT account, item FROM {capped} GROUP BY account, item HAVING count(*) > 1) AS r0
     ) AS r,
     (SELECT count(*) AS n, count(DISTINCT item) AS i FROM _tr_actions) AS a,
     (SELECT count(*) AS n, COALESCE(sum(k - {cap}), 0) AS dropped FROM (
          SELECT count(*) AS k FROM _tr_actions GROUP BY item, (t + {origin}) // {w}) AS c0
      WHERE k > {cap}) AS c
"""
ORIGIN = 1 << 62  # far below any epoch-ms time; t + ORIGIN still fits in 63 bits


def encode_sql(actions: str, col: str, id_col: str) -> str:
    """Number the distinct values of an actions column, in their sort order."""
    return ENCODE_SQL.format(actions=actions, col=col, id_col=id_col)


def cap_sql(actions: str, window_ms: int, cap: int, accounts: str = "_tr_acc",
            items: str = "_tr_item") -> str:
    """The hot-item guard over an actions relation (columns account, item, t, action_id),
    with accounts and items replaced by their numbers."""
    return CAP_SQL.format(actions=actions, w=int(window_ms), cap=int(cap), accounts=accounts,
                          items=items, origin=ORIGIN)


def window_sql(capped: str, window_ms: int, repeats: bool = True) -> str:
    """Window pairs per (source, target, item) over a capped actions relation; `repeats`:
    whether an account may act more than once on an item."""
    return WINDOW_SQL.format(pairs=WINDOW_PAIRS_SQL.format(
        capped=capped, w=int(window_ms), reduce=_REDUCE if repeats else _KEEP))


def to_spark(sql: str) -> str:
    """The same statement in Spark SQL."""
    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


@dataclass
class Enumerated:
    """What one enumeration produced (tables are left where the engine keeps them)."""

    n_actions: int  # distinct actions the trace produced
    n_items: int  # distinct items among them
    n_capped_cells: int  # (item, bucket) cells over the cap
    n_dropped: int  # actions left out of pair enumeration by the cap
    n_window_pairs: int  # account pairs within the window, summed over items


class Engine:
    """The enumeration steps, in order; a subclass says how to materialise one table and where
    it is kept."""

    def table(self, con: duckdb.DuckDBPyConnection, name: str, sql: str,
              driver: bool = False) -> None:
        """Materialise `sql` as the temp table `name` in the engine; `driver`: the case
        database (`con`) must hold it too (it is read there next)."""
        raise NotImplementedError

    def row(self, con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
        """The one row of an aggregate query, run by the engine."""
        raise NotImplementedError

    def _counted(self, con: duckdb.DuckDBPyConnection, name: str, counted: paircount.Counted,
                 columns: str) -> None:
        """Materialise a counted table (`paircount.Counted`), its columns renamed by
        `columns`; by default as its GROUP BY."""
        self.table(con, name, f"SELECT {columns} FROM ({counted.sql()}) AS c")

    def _drop(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        con.execute(f"DROP TABLE IF EXISTS {name}").fetchall()

    def enumerate(self, con: duckdb.DuckDBPyConnection, actions_sql: str, window_ms: int,
                  cap: int, min_count: int, tables: tuple[str, ...] = ()) -> Enumerated:
        """Make, in the engine, the temp tables `_tr_actions` (the trace's actions), `_tr_acc`
        and `_tr_item` (accounts and items numbered), `_tr_capped` (after the hot-item guard),
        `_tr_item_pairs` (item, wp: distinct account pairs within the window, n_pairs: window
        pairs), `_tr_pairs` (source, target, cnt: pairs with at least `min_count` shared items)
        and `_tr_pair_items` (their items). Accounts and items in the last four are numbers.
        `tables` are the canonical or helper tables `actions_sql` reads."""
        self.table(con, "_tr_actions",
                   f"SELECT DISTINCT account, item, t, action_id FROM ({actions_sql}) AS s "
                   f"WHERE account IS NOT NULL AND item IS NOT NULL AND t IS NOT NULL")
        self.table(con, "_tr_acc", encode_sql("_tr_actions", "account", "aid"))
        self.table(con, "_tr_item", encode_sql("_tr_actions", "item", "iid"))
        self.table(con, "_tr_capped", cap_sql("_tr_actions", window_ms, cap))
        n_repeats, n_actions, n_items, cells, dropped = self.row(con, SUMMARY_SQL.format(
            capped="_tr_capped", cap=int(cap), w=int(window_ms), origin=ORIGIN))
        repeats = n_repeats > 0
        self.table(con, "_tr_window", window_sql("_tr_capped", window_ms, repeats))
        self.table(con, "_tr_item_pairs", ITEM_PAIRS_SQL.format(window="_tr_window"))
        self._counted(con, "_tr_pairs", paircount.Counted(
            PAIR_ROWS_SQL.format(window="_tr_window"), int(min_count),
            "SELECT count(*) FROM _tr_window"), PAIRS_COLUMNS)
        self.table(con, "_tr_pair_items", DETAIL_SQL.format(window="_tr_window",
                                                            candidates="_tr_pairs"))
        self._drop(con, "_tr_window")
        n_pairs = self.row(con, "SELECT COALESCE(sum(n_pairs), 0) FROM _tr_item_pairs")[0]
        return Enumerated(int(n_actions), int(n_items), int(cells), int(dropped), int(n_pairs))


class DuckDBEngine(Engine):
    """Runs a trace's actions query and the pair enumeration in the case's DuckDB."""

    name = "duckdb"

    def table(self, con: duckdb.DuckDBPyConnection, name: str, sql: str,
              driver: bool = False) -> None:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}").fetchall()

    def row(self, con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
        return tuple(con.execute(sql).fetchall()[0])

    def _counted(self, con: duckdb.DuckDBPyConnection, name: str, counted: paircount.Counted,
                 columns: str) -> None:
        # Counting by sorting: DuckDB's GROUP BY is the slow step on pairs that are nearly all
        # distinct (see paircount).
        con.register("_tr_counted", counted.run(con))
        try:
            self.table(con, name, f"SELECT {columns} FROM _tr_counted")
        finally:
            con.unregister("_tr_counted")


class SparkEngine(Engine):
    """Runs the same SQL on Spark (for data that outgrows one machine).

    With a `dataset` (a Parquet dataset written by `inconcert ingest --to-parquet`, see
    `inconcert.scale.dataset`), the canonical tables are read by Spark from it, where they are;
    without, they are shipped from the case database through Arrow (small cases, tests). Tables
    a trace builds on the driver (`Trace.prepare`: text keys, image-hash clusters) are shipped
    too. Every enumeration table stays in Spark; only those asked for with `driver=True`
    (bounded by the candidate edges and the accounts) and one-row aggregates are collected.
    """

    name = "spark"

    def __init__(self, spark=None, dataset: str | None = None) -> None:  # noqa: ANN001
        if spark is None:  # pyspark is an optional extra: imported only when asked for
            from .scale.spark import session

            spark = session("local[2]")
        self.spark = spark
        self.dataset = dataset
        self._registered: set[str] = set()
        self._cached: dict[str, object] = {}

    def enumerate(self, con: duckdb.DuckDBPyConnection, actions_sql: str, window_ms: int,
                  cap: int, min_count: int, tables: tuple[str, ...] = ()) -> Enumerated:
        for name in list(self._cached):  # the previous trace's tables: free the cluster's memory
            self._drop(con, name)
        self.register(con, tables)
        return super().enumerate(con, actions_sql, window_ms, cap, min_count, tables)

    def register(self, con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> None:
        """Make `tables` queryable in Spark: canonical tables (and `reshares`, derived from
        them) from the dataset when there is one, anything else from the case database."""
        from . import model

        for table in tables:
            if self.dataset and table in model.TABLES:
                if table not in self._registered:
                    from .scale.dataset import spark_table

                    spark_table(self.spark, self.dataset, table).createOrReplaceTempView(table)
                    self._registered.add(table)
            elif self.dataset and table == "reshares":
                from .traces.reshares import RESHARES_SELECT

                self.register(con, ("posts", "accounts", "interactions"))
                self.spark.sql(to_spark(RESHARES_SELECT)).createOrReplaceTempView(table)
            else:
                data = con.sql(f"SELECT * FROM {table}").to_arrow_table()
                self.spark.createDataFrame(data).createOrReplaceTempView(table)

    def table(self, con: duckdb.DuckDBPyConnection, name: str, sql: str,
              driver: bool = False) -> None:
        df = self.spark.sql(to_spark(sql)).cache()
        df.createOrReplaceTempView(name)
        self._cached[name] = df
        if driver:
            self.to_driver(con, name, df)

    def to_driver(self, con: duckdb.DuckDBPyConnection, name: str, df: object) -> None:
        """Copy a Spark table into the case database: the only way rows leave the cluster."""
        con.register("_spark_in", df.toArrow())  # type: ignore[attr-defined]
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _spark_in")\
                .fetchall()
        finally:
            con.unregister("_spark_in")

    def row(self, con: duckdb.DuckDBPyConnection, sql: str) -> tuple:
        return tuple(self.spark.sql(to_spark(sql)).collect()[0])

    def _drop(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        df = self._cached.pop(name, None)
        if df is not None:
            df.unpersist()  # type: ignore[attr-defined]
        self.spark.catalog.dropTempView(name)


def engine(name: str) -> Engine:
    """The engine called `name` ('duckdb' or 'spark')."""
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    from .errors import InputError

    raise InputError(f"unknown trace engine {name!r}; use 'duckdb' or 'spark'")
