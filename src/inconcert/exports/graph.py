"""The account graph every network export writes: the accounts of the fused graph and the
network members, with their verdicts; the fused edges with their trace evidence, and (kind
`amplification`) the reshares linking an amplifier to a seeder of its own network where no
fused edge does.

One builder for GEXF, GraphML, Gephi CSV and the report's map, so the files agree with each
other and with the report (same colours, sizes and positions). Attribute names follow
`shared/reference/reporting.md` §5; `account_id` is always text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import per_distinct
from ..outputs.accounts import num, sig_digits
from ..store import table_exists
from ..timeutil import iso_utc

# Colour-blind-friendly qualitative palette (Okabe-Ito first, then Tableau), cycled for more
# networks; accounts outside every network are grey.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#8C564B", "#56B4E9",
           "#BCBD22", "#7F7F7F", "#17BECF", "#9467BD", "#D62728", "#2CA02C", "#FF7F0E",
           "#1F77B4", "#E377C2")
OUTSIDE = "#B8BEC6"

# (name, type) in file order; types are GEXF's (GraphML and the CSVs map them).
NODE_ATTRS: tuple[tuple[str, str], ...] = (
    ("account_id", "string"), ("platform", "string"), ("display_name", "string"),
    ("created_at", "string"), ("followers", "long"), ("n_posts", "long"),
    ("n_reshares", "long"), ("network", "string"), ("role", "string"), ("flagged", "boolean"),
    ("score", "double"), ("coordination_score", "double"), ("inauthenticity_score", "double"),
    ("signals", "string"),
)
EDGE_ATTRS: tuple[tuple[str, str], ...] = (
    ("kind", "string"), ("n_traces", "long"), ("n_shared_items", "long"), ("p_value", "double"),
    ("first_ts", "string"), ("last_ts", "string"), ("example_item_ids", "string"),
    ("network", "string"),
)


NODE_SCHEMA = pa.schema([
    ("id", pa.string()), ("label", pa.string()), ("account_id", pa.string()),
    ("platform", pa.string()), ("display_name", pa.string()), ("created_at", pa.string()),
    ("followers", pa.int64()), ("n_posts", pa.int64()), ("n_reshares", pa.int64()),
    ("network", pa.string()), ("role", pa.string()), ("flagged", pa.bool_()),
    ("score", pa.float64()), ("coordination_score", pa.float64()),
    ("inauthenticity_score", pa.float64()), ("signals", pa.string()), ("color", pa.string()),
    ("size", pa.float64()), ("x", pa.float64()), ("y", pa.float64())])
EDGE_SCHEMA = pa.schema([
    ("source", pa.string()), ("target", pa.string()), ("weight", pa.float64()),
    ("kind", pa.string()), ("n_traces", pa.int64()), ("n_shared_items", pa.int64()),
    ("p_value", pa.float64()), ("first_ts", pa.string()), ("last_ts", pa.string()),
    ("example_item_ids", pa.string()), ("network", pa.string())])


@dataclass
class AccountGraph:
    """Nodes and edges as Arrow tables (`NODE_SCHEMA`, `EDGE_SCHEMA`; nodes by id, edges by
    source then target), kept as columns from the case's queries to the writers: the big
    case's 600,000 edges cost seconds per writer as Python dicts."""

    nodes: pa.Table = field(default_factory=NODE_SCHEMA.empty_table)
    edges: pa.Table = field(default_factory=EDGE_SCHEMA.empty_table)
    networks: list[str] = field(default_factory=list)

    def color(self, network_id: str | None) -> str:
        """The hex colour of a network (grey outside every network)."""
        return self._colors.get(network_id or "", OUTSIDE)

    @cached_property
    def _colors(self) -> dict[str, str]:
        return {nid: PALETTE[i % len(PALETTE)] for i, nid in enumerate(self.networks)}

    def place(self, positions: dict[str, tuple[float, float]]) -> None:
        """Set every node's map position (x, y) from `positions` (by node id)."""
        xy = [positions[a] for a in self.nodes["id"].to_pylist()]
        for i, name in enumerate(("x", "y")):
            self.nodes = self.nodes.set_column(
                self.nodes.schema.get_field_index(name), name,
                pa.array([p[i] for p in xy], pa.float64()))


def hex_rgb(color: str) -> tuple[int, int, int]:
    """(r, g, b) of `#rrggbb`."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def rgb_texts(colors: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array, pa.Array]:
    """The red, green and blue of every `#rrggbb` colour of a column, as decimal text."""
    return tuple(per_distinct(colors, lambda c, i=i: str(hex_rgb(c)[i]), pa.string())
                 for i in range(3))


def node_size(n_posts: int | None) -> float:
    """Display size of an account from its activity (posts in the data), log-scaled so the most
    active account does not hide the rest."""
    return round(2.0 + 2.0 * math.log1p(n_posts or 0), 3)


def iso_sql(ms: str) -> str:
    """SQL formatting an epoch-ms expression as `iso_utc` does, for years 1000-9999 (NULL
    outside them and for NULL; `iso_text` completes), so times are formatted in bulk."""
    return (f"CASE WHEN ({ms}) BETWEEN -30610224000000 AND 253402300799999 "
            f"THEN strftime(epoch_ms({ms}), '%Y-%m-%dT%H:%M:%S.%gZ') END")


def iso_text(text: str | None, ms: int | None) -> str:
    """The SQL-formatted time, or `iso_utc` where SQL left it out ('' for no time)."""
    return text if text is not None else iso_utc(ms)


_NODES_SQL = """
WITH ids AS (
    SELECT source AS id FROM fused_edges UNION SELECT target FROM fused_edges
    UNION SELECT account_id FROM memberships
), acc AS (
    SELECT * FROM accounts
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY platform) = 1
), act AS (
    SELECT author_id, count(*) AS n_posts, count(*) FILTER (WHERE kind = 'reshare') AS n_reshares
    FROM posts WHERE author_id IN (SELECT id FROM ids) GROUP BY author_id
)
SELECT ids.id, COALESCE(NULLIF(COALESCE(acc.handle, v.handle), ''), ids.id) AS label,
       ids.id AS account_id, COALESCE(acc.platform, '') AS platform,
       COALESCE(acc.display_name, '') AS display_name, {created} AS created_at,
       acc.created_ms, acc.followers, COALESCE(act.n_posts, 0) AS n_posts,
       COALESCE(act.n_reshares, 0) AS n_reshares, COALESCE(m.network_id, '') AS network,
       COALESCE(m.role, '') AS role, COALESCE(v.flagged, false) AS flagged, v.score,
       v.coordination_score, v.inauthenticity_score, COALESCE(v.signals, '') AS signals
FROM ids
LEFT JOIN acc ON acc.account_id = ids.id
LEFT JOIN act ON act.author_id = ids.id
LEFT JOIN memberships m ON m.account_id = ids.id
LEFT JOIN verdicts v ON v.account_id = ids.id
ORDER BY ids.id
""".format(created=iso_sql("acc.created_ms"))

_EDGES_SQL = """
SELECT f.source, f.target, f.weight, COALESCE(f.traces, '') AS kind,
       COALESCE(f.n_traces, 0) AS n_traces, CAST(COALESCE(e.n_items, 0) AS BIGINT) AS n_items,
       f.p_value, {first} AS first_ts, f.first_ms, {last} AS last_ts, f.last_ms, e.examples,
       COALESCE(CASE WHEN ms.network_id = mt.network_id THEN ms.network_id END, '') AS network
FROM fused_edges f
LEFT JOIN (SELECT source, target, sum(count) AS n_items,
                  list(COALESCE(examples, '[]') ORDER BY trace) AS examples
           FROM fused_evidence GROUP BY source, target) e
       ON e.source = f.source AND e.target = f.target
LEFT JOIN memberships ms ON ms.account_id = f.source
LEFT JOIN memberships mt ON mt.account_id = f.target
ORDER BY f.source, f.target
""".format(first=iso_sql("f.first_ms"), last=iso_sql("f.last_ms"))


# Members that joined a network by amplifying its seeders (or by being amplified) may share no
# fused edge; their amplification links them to it, so the graph shows them in place.
_AMPLIFY_SQL = """
SELECT least(a.amplifier, a.seeder) AS source, greatest(a.amplifier, a.seeder) AS target,
       CAST(sum(a.n_reshares) AS BIGINT) AS n_items, {first} AS first_ts,
       min(a.first_ms) AS first_ms, {last} AS last_ts, max(a.last_ms) AS last_ms,
       list(COALESCE(a.examples, '[]') ORDER BY a.amplifier) AS examples,
       m1.network_id AS network
FROM amplification a
JOIN memberships m1 ON m1.account_id = a.amplifier
JOIN memberships m2 ON m2.account_id = a.seeder AND m2.network_id = m1.network_id
WHERE a.amplifier <> a.seeder
  AND NOT EXISTS (SELECT 1 FROM fused_edges f
                  WHERE f.source = least(a.amplifier, a.seeder)
                    AND f.target = greatest(a.amplifier, a.seeder))
GROUP BY ALL
""".format(first=iso_sql("min(a.first_ms)"), last=iso_sql("max(a.last_ms)"))


@lru_cache(maxsize=1 << 16)
def example_items(raw: str | None) -> tuple[str, ...]:
    """The item ids of an `examples` cell (a JSON array), as text. Cached: the cells repeat
    across edges (3,429 distinct among 1.1 million evidence rows of the big-network bench)."""
    return tuple(str(x) for x in json.loads(raw or "[]"))


def _examples(cells: list[str], limit: int = 5) -> str:
    """The first `limit` distinct items of an edge's `examples` cells, joined by ';'."""
    out: list[str] = []
    for raw in cells:
        for x in example_items(raw):
            if x not in out:
                out.append(x)
    return ";".join(out[:limit])


def _per_value(col: pa.ChunkedArray, fn: Callable[[Any], Any], kind: pa.DataType) -> pa.Array:
    # The exact rounding of scores (`num`, `sig_digits`) is Python's: Arrow and DuckDB round
    # ties such as 0.5703125 away from zero.
    return pa.array([fn(v) for v in col.to_pylist()], kind)


def _example_ids(examples: pa.ChunkedArray) -> pa.Array:
    """Each edge's example item ids from its list of `examples` cells, parsed once per
    distinct list (JSON text holds no raw NUL, so NUL joins a list into one key)."""
    keys = pc.binary_join(examples, "\x00")
    return per_distinct(keys, lambda k: _examples(k.split("\x00") if k else []), pa.string())


def _iso(t: pa.Table, name: str, ms: str, chars: int | None = None) -> pa.Array:
    """A time column as SQL formatted it, completed by `iso_text` where SQL could not (years
    outside 1000-9999) and cut to its first `chars` characters."""
    texts = t[name].to_pylist()
    out = [iso_text(x, m) if x is None else x for x, m in zip(texts, t[ms].to_pylist(),
                                                               strict=True)]
    return pa.array([x[:chars] for x in out] if chars else out, pa.string())


def _nodes(con: duckdb.DuckDBPyConnection, g: AccountGraph) -> pa.Table:
    t = con.sql(_NODES_SQL).to_arrow_table()
    cols = {name: t[name] for name in NODE_SCHEMA.names if name in t.column_names}
    cols["created_at"] = _iso(t, "created_at", "created_ms", 10)
    for name in ("score", "coordination_score", "inauthenticity_score"):
        cols[name] = _per_value(t[name], num, pa.float64())
    cols["color"] = per_distinct(t["network"], g.color, pa.string())
    cols["size"] = per_distinct(t["n_posts"], node_size, pa.float64())
    zeros = pa.array([0.0] * len(t), pa.float64())
    cols["x"] = cols["y"] = zeros
    return pa.table(cols, schema=NODE_SCHEMA)


def _edges(con: duckdb.DuckDBPyConnection) -> pa.Table:
    f = con.sql(_EDGES_SQL).to_arrow_table()
    parts = [pa.table({
        "source": f["source"], "target": f["target"],
        "weight": _per_value(f["weight"], num, pa.float64()), "kind": f["kind"],
        "n_traces": f["n_traces"], "n_shared_items": f["n_items"],
        "p_value": _per_value(f["p_value"], sig_digits, pa.float64()),
        "first_ts": _iso(f, "first_ts", "first_ms"), "last_ts": _iso(f, "last_ts", "last_ms"),
        "example_item_ids": _example_ids(f["examples"]), "network": f["network"]},
        schema=EDGE_SCHEMA)]
    if table_exists(con, "amplification"):
        a = con.sql(_AMPLIFY_SQL).to_arrow_table()
        n = a["n_items"].to_pylist()
        parts.insert(0, pa.table({
            "source": a["source"], "target": a["target"],
            "weight": pa.array([num(k / (k + 2)) for k in n], pa.float64()),
            "kind": pa.array(["amplification"] * len(a), pa.string()),
            "n_traces": pa.array([0] * len(a), pa.int64()), "n_shared_items": a["n_items"],
            "p_value": pa.nulls(len(a), pa.float64()),
            "first_ts": _iso(a, "first_ts", "first_ms"), "last_ts": _iso(a, "last_ts", "last_ms"),
            "example_item_ids": _example_ids(a["examples"]), "network": a["network"]},
            schema=EDGE_SCHEMA))
    # Arrow's sort is stable, as the sort of the rows was: amplification links first on a tie.
    return pa.concat_tables(parts).sort_by([("source", "ascending"), ("target", "ascending")])


def build_graph(con: duckdb.DuckDBPyConnection) -> AccountGraph:
    """The account graph of a detected case (positions at 0 until `report.layout` places
    the nodes)."""
    if not table_exists(con, "fused_edges") or not table_exists(con, "memberships"):
        return AccountGraph()
    g = AccountGraph(networks=[r[0] for r in con.execute(
        "SELECT network_id FROM networks ORDER BY network_id").fetchall()])
    g.nodes, g.edges = _nodes(con, g), _edges(con)
    return g
