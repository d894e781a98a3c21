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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import duckdb

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


@dataclass
class AccountGraph:
    """Nodes and edges as plain dicts, sorted (nodes by id, edges by source then target)."""

    nodes: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)

    def color(self, network_id: str | None) -> str:
        """The hex colour of a network (grey outside every network)."""
        if not network_id or network_id not in self.networks:
            return OUTSIDE
        return PALETTE[self.networks.index(network_id) % len(PALETTE)]


def hex_rgb(color: str) -> tuple[int, int, int]:
    """(r, g, b) of `#rrggbb`."""
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


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
SELECT ids.id, acc.platform, COALESCE(acc.handle, v.handle), acc.display_name, acc.created_ms,
       {created}, acc.followers, COALESCE(act.n_posts, 0), COALESCE(act.n_reshares, 0),
       m.network_id, m.role, COALESCE(v.flagged, false), v.score, v.coordination_score,
       v.inauthenticity_score, v.signals
FROM ids
LEFT JOIN acc ON acc.account_id = ids.id
LEFT JOIN act ON act.author_id = ids.id
LEFT JOIN memberships m ON m.account_id = ids.id
LEFT JOIN verdicts v ON v.account_id = ids.id
ORDER BY ids.id
""".format(created=iso_sql("acc.created_ms"))

_EDGES_SQL = """
SELECT f.source, f.target, f.weight, f.traces, f.n_traces, f.p_value, f.first_ms, f.last_ms,
       {first}, {last}, e.n_items, e.examples,
       CASE WHEN ms.network_id = mt.network_id THEN ms.network_id END
FROM fused_edges f
LEFT JOIN (SELECT source, target, sum(count) AS n_items,
                  list(examples ORDER BY trace) AS examples
           FROM fused_evidence GROUP BY source, target) e
       ON e.source = f.source AND e.target = f.target
LEFT JOIN memberships ms ON ms.account_id = f.source
LEFT JOIN memberships mt ON mt.account_id = f.target
ORDER BY f.source, f.target
""".format(first=iso_sql("f.first_ms"), last=iso_sql("f.last_ms"))


# Members that joined a network by amplifying its seeders (or by being amplified) may share no
# fused edge; their amplification links them to it, so the graph shows them in place.
_AMPLIFY_SQL = """
SELECT least(a.amplifier, a.seeder) AS s, greatest(a.amplifier, a.seeder) AS t,
       sum(a.n_reshares), min(a.first_ms), max(a.last_ms), {first}, {last},
       list(a.examples ORDER BY a.amplifier), m1.network_id
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


def _examples(lists: list[str] | None, limit: int = 5) -> list[str]:
    out: list[str] = []
    for raw in lists or []:
        for x in example_items(raw):
            if x not in out:
                out.append(x)
    return out[:limit]


def build_graph(con: duckdb.DuckDBPyConnection) -> AccountGraph:
    """The account graph of a detected case (positions at 0 until `report.layout` places
    the nodes)."""
    g = AccountGraph()
    if not table_exists(con, "fused_edges") or not table_exists(con, "memberships"):
        return g
    g.networks = [r[0] for r in con.execute(
        "SELECT network_id FROM networks ORDER BY network_id").fetchall()]
    for r in con.execute(_NODES_SQL).fetchall():
        (aid, platform, handle, name, created, created_iso, followers, n_posts, n_reshares, net,
         role, flagged, score, coord, inauth, signals) = r
        g.nodes.append({
            "id": aid, "label": handle or aid, "account_id": aid, "platform": platform or "",
            "display_name": name or "", "created_at": iso_text(created_iso, created)[:10],
            "followers": followers, "n_posts": int(n_posts), "n_reshares": int(n_reshares),
            "network": net or "", "role": role or "", "flagged": bool(flagged),
            "score": num(score), "coordination_score": num(coord),
            "inauthenticity_score": num(inauth), "signals": signals or "",
            "color": g.color(net), "size": node_size(n_posts), "x": 0.0, "y": 0.0})
    amplify = (con.execute(_AMPLIFY_SQL).fetchall() if table_exists(con, "amplification")
               else [])
    for src, dst, n, first, last, first_iso, last_iso, examples, net in amplify:
        g.edges.append({
            "source": src, "target": dst, "weight": num(n / (n + 2)), "kind": "amplification",
            "n_traces": 0, "n_shared_items": int(n), "p_value": None,
            "first_ts": iso_text(first_iso, first), "last_ts": iso_text(last_iso, last),
            "example_item_ids": ";".join(_examples([str(x) for x in examples])),
            "network": net})
    for r in con.execute(_EDGES_SQL).fetchall():
        (src, dst, w, traces, n_traces, p, first, last, first_iso, last_iso, n_items, examples,
         net) = r
        g.edges.append({
            "source": src, "target": dst, "weight": num(w), "kind": traces or "",
            "n_traces": int(n_traces or 0), "n_shared_items": int(n_items or 0),
            "p_value": sig_digits(p), "first_ts": iso_text(first_iso, first),
            "last_ts": iso_text(last_iso, last),
            "example_item_ids": ";".join(_examples(examples)), "network": net or ""})
    g.edges.sort(key=lambda e: (e["source"], e["target"]))
    return g
