"""Exact compatibility with coordination-network-toolkit 1.5.2 ("the peer").

Computes, on the canonical case store, the peer's co_retweet, co_tweet, co_link and co_reply
networks with its semantics (read from its source, see docs/compat-cnt.md):

- an edge u -> v has weight = the number of distinct messages of u with at least one matching
  message of v whose time differs by at most `time_window` seconds (inclusive); edges are
  directed and may be asymmetric; only weights >= `min_edge_weight` are kept;
- co_retweet matches reshares of the same post; co_reply non-reshare replies to the same post;
  co_link non-reshare messages sharing a URL string (exactly as written, not normalised);
  co_tweet non-reshare messages whose texts are equal after the peer's normalisation
  (`peer_text`: lower-case, @mentions stripped, whitespace collapsed);
- the peer compares every message with itself, so it stores self-loops, and its export drops
  them unless asked (`include_self_loops`); its pre-filter of users with fewer than
  `min_edge_weight` relevant messages changes nothing (an edge's weight counts distinct messages
  of its source, so a source below the minimum can never reach it) and is not repeated here.

Times are integer milliseconds (the peer compares float seconds; on times given to the
millisecond both agree, the window boundary included). The pair enumeration is set-based DuckDB
SQL, an equi-join on (item, time bucket of width W) and the neighbouring bucket, in statements
SQLGlot transpiles to Spark (`statements`).

The weight counts distinct messages, which costs an aggregation over every matching pair; in the
common case (an account acts once on an item and a message has one item) the weight is the same
in both directions, so those pairs are enumerated and counted once, unordered, and only the rest
(repeated actions, messages with several URLs) go through the directed distinct count. On
DuckDB the unordered pairs are counted by sorting them (`paircount`) rather than by the GROUP BY
that `statements` states and Spark runs; both give the same table (tested).
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import paircount
from ..engine import ORIGIN, encode_sql
from ..errors import InputError
from ..safecsv import write_csv
from ..store import Store

NETWORKS = ("co_retweet", "co_tweet", "co_link", "co_reply")
HEADER = ("source", "target", "weight", "edge_type")
CLOCKS = ("declared", "canonical")
TEXT_UDF = "cnt_text"

# The peer strips a mention with `@.*?(?=(?:\s|$))` (module `regex`: \s is Unicode White_Space)
# and then collapses whitespace with str.split(), whose notion of whitespace also includes the
# separators U+001C..U+001F. So a mention runs up to the next White_Space character only.
_WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_MENTION = re.compile(f"@[^{_WHITE_SPACE}]*")


def peer_text(text: str) -> str:
    """The peer's co_tweet key for a message: `message_preprocessor` of 1.5.2 (lower-case with
    Python's `str.lower`, @mentions removed, whitespace runs collapsed to one space)."""
    return " ".join(_MENTION.sub("", text.lower()).split())


def _peer_text_arrow(texts: pa.Array) -> pa.Array:
    return pa.array([peer_text(t) for t in texts.to_pylist()], pa.string())


@dataclass(frozen=True)
class CntParams:
    """The peer's parameters: the window in seconds and the minimum edge weight (its CLI
    defaults are 1 s and 2; inconcert's are 60 s and 2), plus what its export and its defects
    would do."""

    time_window: float = 60.0
    min_edge_weight: int = 2
    include_self_loops: bool = False
    # Reproduce 1.5.2's empty-URL defect: every non-reshare message without a URL shares the
    # URL '' (an empty `urls` cell). Off by default: it links unrelated accounts.
    empty_url_defect: bool = False
    # Which time: "declared" (the source's own timestamp, what the peer reads from its CSV) or
    # "canonical" (`created_ms`, the Snowflake clock the peer uses for Twitter JSON).
    clock: str = "declared"

    @property
    def window_ms(self) -> int:
        """The window in integer milliseconds."""
        return round(self.time_window * 1000)

    def check(self) -> None:
        """Raise InputError for values the peer's semantics cannot take."""
        w = self.time_window
        if not math.isfinite(w) or w < 0:
            raise InputError(f"time window must be a non-negative number of seconds, not {w}")
        if abs(w * 1000 - self.window_ms) > 1e-6:
            raise InputError(f"time window {w} s is not a whole number of milliseconds")
        if self.min_edge_weight < 1:
            raise InputError(f"minimum edge weight must be at least 1, not "
                             f"{self.min_edge_weight}")
        if self.clock not in CLOCKS:
            raise InputError(f"unknown clock {self.clock!r}; use one of {', '.join(CLOCKS)}")


def actions_sql(network: str, params: CntParams) -> str:
    """The messages a network matches, from the canonical tables, as rows
    (item, user_id, message_id, t_ms): one per message and matched value."""
    t = "COALESCE(p.declared_ms, p.created_ms)" if params.clock == "declared" else "p.created_ms"
    cols = f"p.author_id AS user_id, p.post_id AS message_id, {t} AS t_ms"
    if network == "co_retweet":
        return (f"SELECT p.ref_post_id AS item, {cols} FROM posts AS p "
                "WHERE p.kind = 'reshare' AND p.ref_post_id IS NOT NULL")
    if network == "co_reply":
        return (f"SELECT p.reply_to_post_id AS item, {cols} FROM posts AS p "
                "WHERE p.kind <> 'reshare' AND p.reply_to_post_id IS NOT NULL")
    if network == "co_tweet":
        return (f"SELECT {TEXT_UDF}(COALESCE(p.text, '')) AS item, {cols} FROM posts AS p "
                "WHERE p.kind <> 'reshare'")
    if network == "co_link":
        urls = ("SELECT 1 FROM post_entities AS e WHERE e.platform = p.platform "
                "AND e.post_id = p.post_id AND e.entity = 'url'")
        sql = (f"SELECT DISTINCT e.value AS item, {cols} FROM posts AS p "
               "JOIN post_entities AS e ON e.platform = p.platform AND e.post_id = p.post_id "
               "WHERE e.entity = 'url' AND p.kind <> 'reshare'")
        if params.empty_url_defect:
            sql += (f" UNION ALL SELECT '' AS item, {cols} FROM posts AS p "
                    f"WHERE p.kind <> 'reshare' AND NOT EXISTS ({urls})")
        return sql
    raise InputError(f"unknown network {network!r}; known: {', '.join(NETWORKS)}")


# Actions with numbered users and items and their time bucket (shifted by ORIGIN so that
# integer division floors in both engines).
NUMBERED_SQL = """
SELECT it.iid AS item, us.aid AS uk, a.message_id, a.t_ms AS t, (a.t_ms + {origin}) // {w} AS b
FROM _cnt_actions AS a
JOIN _cnt_users AS us ON us.user_id = a.user_id
JOIN _cnt_items AS it ON it.item = a.item
"""
# (item, user) acting more than once on it, counted (`_cnt_rep`).
USER_ITEMS_SQL = "SELECT item AS u1, uk AS u2 FROM _cnt_numbered"

# `rep`: the user acts on the item more than once, or the message has several items. Only pairs
# involving such a row can have different weights in the two directions.
KEYED_SQL = """
SELECT n.item, n.uk, n.message_id, n.t, n.b, r.u1 IS NOT NULL{multi_item} AS rep
FROM _cnt_numbered AS n
LEFT JOIN _cnt_rep AS r ON r.u1 = n.item AND r.u2 = n.uk{multi_join}
"""
MULTI_ITEM = " OR m.message_id IS NOT NULL"
MULTI_JOIN = """
LEFT JOIN (SELECT message_id FROM _cnt_numbered GROUP BY message_id HAVING count(*) > 1) AS m
    ON m.message_id = n.message_id"""

# Directed weights from pairs involving a repeated row, on the items that have one: for every
# message of the source, the distinct target users with a message within the window.
ASYM_SQL = """
WITH r AS (
    SELECT * FROM _cnt_keyed WHERE item IN (SELECT item FROM _cnt_keyed WHERE rep)
),
probe AS (
    SELECT r.item, r.uk, r.message_id, r.t, r.rep, r.b + s.shift AS b
    FROM r CROSS JOIN (VALUES (-1), (0), (1)) AS s(shift)
),
hits AS (
    SELECT DISTINCT p.uk AS src, q.uk AS dst, p.message_id
    FROM probe AS p JOIN r AS q ON q.item = p.item AND q.b = p.b
    WHERE q.uk <> p.uk AND (p.rep OR q.rep) AND abs(q.t - p.t) <= {window}
)
SELECT src, dst, count(*) AS n FROM hits GROUP BY src, dst
"""

# Single rows (the user acts once on the item, the message has one item): pairs of them have
# the same weight in both directions. Stored in (item, bucket) order, which the result does not
# depend on, because the self-join below then probes its hash table in order and runs 2-3x
# faster than on rows in the order they were collected.
SINGLE_SQL = "SELECT item, uk, t, b FROM _cnt_keyed WHERE NOT rep ORDER BY item, b"

# Unordered pairs of single rows (u1 < u2), each enumerated once: within a bucket two times are
# less than W apart; across neighbouring buckets x is the earlier one.
PAIRS_SQL = """
SELECT x.uk AS u1, y.uk AS u2
FROM _cnt_single AS x JOIN _cnt_single AS y ON x.item = y.item AND x.b = y.b
WHERE x.uk < y.uk
UNION ALL
SELECT least(x.uk, y.uk) AS u1, greatest(x.uk, y.uk) AS u2
FROM _cnt_single AS x JOIN _cnt_single AS y ON x.item = y.item AND y.b = x.b + 1
WHERE x.uk <> y.uk AND y.t - x.t <= {window}
"""
# Symmetric weights (u1 < u2) from the pairs of single rows, counted (`_cnt_sym`). Pairs below
# the minimum are kept only where a directed weight may add to them.
ASYM_PAIRS_SQL = ("SELECT DISTINCT least(src, dst) AS u1, greatest(src, dst) AS u2 "
                  "FROM _cnt_asym")

# Every message matches itself in the peer's join: a self-loop's weight is the user's number of
# distinct messages.
LOOPS_SQL = """
    UNION ALL
    SELECT uk AS src, uk AS dst, count(DISTINCT message_id) AS n FROM _cnt_keyed GROUP BY uk"""

EDGES_SQL = """
WITH weights AS (
    SELECT src, dst, sum(n) AS weight FROM (
        SELECT u1 AS src, u2 AS dst, n FROM _cnt_sym
        UNION ALL
        SELECT u2 AS src, u1 AS dst, n FROM _cnt_sym
        UNION ALL
        SELECT src, dst, n FROM _cnt_asym{loops}
    ) AS w
    GROUP BY src, dst
    HAVING sum(n) >= {min_weight}
)
SELECT s.user_id AS source, t.user_id AS target, CAST(w.weight AS BIGINT) AS weight
FROM weights AS w
JOIN _cnt_users AS s ON s.aid = w.src
JOIN _cnt_users AS t ON t.aid = w.dst
"""


def _steps(network: str, params: CntParams) -> list[tuple[str, str | paircount.Counted]]:
    params.check()
    window = params.window_ms
    multi = network == "co_link"
    return [
        ("_cnt_actions", actions_sql(network, params)),
        ("_cnt_users", encode_sql("_cnt_actions", "user_id", "aid")),
        ("_cnt_items", encode_sql("_cnt_actions", "item", "iid")),
        ("_cnt_numbered", NUMBERED_SQL.format(origin=ORIGIN, w=max(window, 1))),
        ("_cnt_rep", paircount.Counted(USER_ITEMS_SQL, 2, "SELECT count(*) FROM _cnt_numbered")),
        ("_cnt_keyed", KEYED_SQL.format(multi_item=MULTI_ITEM if multi else "",
                                        multi_join=MULTI_JOIN if multi else "")),
        ("_cnt_asym", ASYM_SQL.format(window=window)),
        ("_cnt_single", SINGLE_SQL),
        ("_cnt_sym", paircount.Counted(PAIRS_SQL.format(window=window), params.min_edge_weight,
                                       paircount.bound_sql("_cnt_single"), ASYM_PAIRS_SQL)),
        ("_cnt_edges", EDGES_SQL.format(min_weight=params.min_edge_weight,
                                        loops=LOOPS_SQL if params.include_self_loops else "")),
    ]


def statements(network: str, params: CntParams) -> list[tuple[str, str]]:
    """The (temp table, SELECT) steps that compute a network, in DuckDB's dialect; the last
    table, `_cnt_edges`, holds (source, target, weight). co_tweet calls the `cnt_text` function
    (`peer_text`), which the engine must provide."""
    return [(table, step.sql() if isinstance(step, paircount.Counted) else step)
            for table, step in _steps(network, params)]


def _ensure_text_udf(con: duckdb.DuckDBPyConnection) -> None:
    # DuckDB refuses a second registration of the name on a connection: the first one stands.
    with contextlib.suppress(duckdb.NotImplementedException):
        con.create_function(TEXT_UDF, _peer_text_arrow, ["VARCHAR"], "VARCHAR", type="arrow",
                            side_effects=False)


def compute(store: Store, network: str, params: CntParams, sort_count: bool = True) -> int:
    """Compute one network into the temp table `_cnt_edges` (source, target, weight) of the
    store's connection; returns its number of edges. The counted steps are counted by sorting
    (`paircount`); `sort_count=False` runs every step as the SQL of `statements` instead (what
    Spark runs; the same tables)."""
    steps = _steps(network, params)
    if network == "co_tweet":
        _ensure_text_udf(store.con)
    for table, step in steps:
        if isinstance(step, paircount.Counted) and sort_count:
            _store_arrow(store, table, step.run(store.con))
        else:
            sql = step.sql() if isinstance(step, paircount.Counted) else step
            store.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}")
        if table == "_cnt_keyed":  # the strings are no longer needed: free their memory
            store.execute("DROP TABLE _cnt_actions")
            store.execute("DROP TABLE _cnt_numbered")
    for table, _ in steps[:-1]:
        store.execute(f"DROP TABLE IF EXISTS {table}")
    return store.count("_cnt_edges")


def _store_arrow(store: Store, table: str, data: pa.Table) -> None:
    store.con.register("_cnt_arrow_in", data)
    try:
        store.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM _cnt_arrow_in")
    finally:
        store.con.unregister("_cnt_arrow_in")


def edges(store: Store, network: str, params: CntParams) -> list[tuple[str, str, int]]:
    """A network's edges (source, target, weight), sorted."""
    compute(store, network, params)
    return store.execute("SELECT source, target, weight FROM _cnt_edges ORDER BY source, target")


def _rows(store: Store, network: str, batch: int = 100_000) -> Iterator[tuple[str, str, int, str]]:
    cur = store.con.execute("SELECT source, target, weight FROM _cnt_edges "
                            "ORDER BY source, target")
    while rows := cur.fetchmany(batch):
        for source, target, weight in rows:
            yield source, target, weight, network


def write_networks(store: Store, out_dir: Path, networks: Sequence[str],
                   params: CntParams) -> dict[str, tuple[Path, int]]:
    """Write each network as `<network>.csv` in the peer's edge layout
    (source,target,weight,edge_type), rows sorted by source then target; returns
    {network: (path, edges)}."""
    for network in networks:
        if network not in NETWORKS:
            raise InputError(f"unknown network {network!r}; known: {', '.join(NETWORKS)}")
    params.check()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for network in networks:
        compute(store, network, params)
        path = out_dir / f"{network}.csv"
        written[network] = (path, write_csv(path, HEADER, _rows(store, network)))
    return written
