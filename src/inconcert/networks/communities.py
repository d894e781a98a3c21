"""Networks: Leiden communities of the fused account graph, each scored, with stable ids.

Leiden (leidenalg, RB-configuration partition = modularity at resolution 1) runs with a fixed seed
on a graph whose vertices are the account ids in sorted order and whose edges come in sorted
order, so the same fused graph always gives the same partition. Communities smaller than
`network.min_size` are dropped (a pair or a triangle is not a network). Each network's score is a
weighted mean of components in [0, 1] (density, edge strength, significance, trace diversity,
synchrony, size — see `NetworkParams`); components that cannot be measured (synchrony without
reshares with a known latency) are left out of the mean rather than counted as zero. Ids `N001`,
`N002`, ... follow the score (highest first), ties broken by the smallest member id.
"""

from __future__ import annotations

import dataclasses
import math

import duckdb
import pyarrow as pa

from .. import config
from ..config import Config
from ..leiden import partition_by_platform
from ..samegroup import same_group
from ..store import table_exists
from .fusion import FusionParams

NETWORKS_DDL = """
CREATE OR REPLACE TABLE networks (
    network_id VARCHAR, size BIGINT, n_core BIGINT, n_seeders BIGINT, n_amplifiers BIGINT,
    n_hybrid BIGINT, score DOUBLE, density DOUBLE, strength DOUBLE, significance DOUBLE,
    diversity DOUBLE, synchrony DOUBLE, traces VARCHAR, n_edges BIGINT, first_ms BIGINT,
    last_ms BIGINT, top_hashtags VARCHAR, top_domains VARCHAR)
"""
MEMBERSHIPS_DDL = """
CREATE OR REPLACE TABLE memberships (
    account_id VARCHAR, network_id VARCHAR, joined_by VARCHAR, strength DOUBLE,
    attachment DOUBLE, role VARCHAR, reshares_received BIGINT, amplifiers BIGINT,
    reshares_made BIGINT, fast_made BIGINT, first_posts BIGINT)
"""


@config.section("network")
@dataclasses.dataclass
class NetworkParams:
    """Community detection on the fused graph and the network score."""

    seed: int = config.param(42, "Leiden random seed (fixed: same graph, same networks)")
    resolution: float = config.param(
        1.0, "Leiden resolution (RB-configuration; 1.0 is modularity; higher splits more)")
    iterations: int = config.param(
        -1, "Leiden iterations (-1: until the partition stops improving)")
    min_size: int = config.param(
        3, "smallest community kept as a network (a pair is not a network)")
    strength_full: float = config.param(
        2.0, "mean internal fused edge weight at which the strength component is 1 (two "
             "traces agreeing fully)")
    diversity_full: int = config.param(
        3, "number of distinct traces inside a network at which diversity is 1")
    size_scale: float = config.param(
        10.0, "members at which the size component reaches 63% (bigger is more evidence)")
    w_density: float = config.param(1.0, "weight of density in the network score")
    w_strength: float = config.param(1.0, "weight of mean edge strength in the network score")
    w_significance: float = config.param(
        1.0, "weight of mean edge significance in the network score")
    w_diversity: float = config.param(1.0, "weight of trace diversity in the network score")
    w_synchrony: float = config.param(
        1.0, "weight of synchrony (share of the members' reshares made within synchrony_s)")
    synchrony_s: int = config.param(
        300, "a reshare made at most this many seconds after its original is synchronised "
             "(people reshare over hours; an amplification crew within minutes)")
    w_size: float = config.param(0.5, "weight of the size component in the network score")
    attach_scale: float = config.param(
        1.0, "internal fused weight at which a member's attachment reaches 63%")
    top_items: int = config.param(5, "hashtags and domains listed per network")


@dataclasses.dataclass(frozen=True)
class Components:
    """The measured parts of a network's score (None: not measurable for this network)."""

    density: float
    strength: float
    significance: float
    diversity: float
    synchrony: float | None
    size: float

    def score(self, p: NetworkParams) -> float:
        """Weighted mean of the measurable components."""
        parts = [(p.w_density, self.density), (p.w_strength, self.strength),
                 (p.w_significance, self.significance), (p.w_diversity, self.diversity),
                 (p.w_size, self.size)]
        if self.synchrony is not None:
            parts.append((p.w_synchrony, self.synchrony))
        total = sum(w for w, _ in parts)
        return sum(w * x for w, x in parts) / total if total > 0 else 0.0


def significance(p_value: float | None, full: float) -> float:
    """An edge's significance in [0, 1]: -log10(p) / full, capped (1 when untested)."""
    if p_value is None:
        return 1.0
    return min(1.0, max(0.0, -math.log10(max(p_value, 1e-300))) / full)


def saturating(x: float, scale: float) -> float:
    """1 - exp(-x / scale): 0 at 0, 63% at `scale`, approaching 1."""
    return 1.0 - math.exp(-x / scale) if scale > 0 else 1.0


def account_platforms(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The platform of each account id seen on exactly one (profile, posts, interactions)."""
    parts = [f"SELECT platform, {col} AS account_id FROM {table}"
             for table, col in (("accounts", "account_id"), ("posts", "author_id"),
                                ("interactions", "actor_id")) if table_exists(con, table)]
    if not parts:
        return {}
    return dict(con.execute(f"""
        SELECT account_id, min(platform) FROM ({" UNION ".join(parts)})
        WHERE account_id IS NOT NULL GROUP BY account_id
        HAVING count(DISTINCT platform) = 1 ORDER BY account_id
    """).fetchall())


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[list]) -> None:
    # Through Arrow: row-by-row inserts cost about a millisecond each in DuckDB.
    names = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
    con.register("_rows", pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)}))
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _rows").fetchall()
    finally:
        con.unregister("_rows")


def find_networks(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)create `networks` and `memberships` from `fused_edges`; returns the network count.

    Members found here have `joined_by = 'community'`; `roles.assign_roles` adds the seeders the
    networks amplify and fills the role columns.
    """
    p: NetworkParams = cfg.section("network")
    fp: FusionParams = cfg.section("fusion")
    con.execute(NETWORKS_DDL).fetchall()
    con.execute(MEMBERSHIPS_DDL).fetchall()
    edges = [(s, t, float(w)) for s, t, w in con.execute(
        "SELECT source, target, weight FROM fused_edges ORDER BY source, target").fetchall()]
    nodes = sorted({a for s, t, _ in edges for a in (s, t)})
    groups = [g for g in partition_by_platform(nodes, edges, account_platforms(con), p)
              if len(g) >= p.min_size]
    if not groups:
        return 0
    rows = [(a, i) for i, g in enumerate(groups) for a in g]
    members = pa.table({"account_id": [a for a, _ in rows],
                        "community": pa.array([i for _, i in rows], pa.int64())})
    has_reshares = table_exists(con, "reshares")
    con.register("_members", members)
    try:
        internal = con.execute(f"""
            SELECT _group, source, target, weight, traces, p_value, first_ms, last_ms
            FROM {same_group("fused_edges", "_members", "source", "target", group="community")}
            ORDER BY _group, source, target
        """).fetchall()
        sync = {}
        if has_reshares:
            sync = {c: (int(r), int(f)) for c, r, f in con.execute("""
                SELECT m.community, count(*), count(*) FILTER (WHERE r.latency_ms <= ?)
                FROM reshares r JOIN _members m ON m.account_id = r.amplifier
                WHERE r.latency_ms >= 0
                GROUP BY m.community
            """, [p.synchrony_s * 1000]).fetchall()}
    finally:
        con.unregister("_members")
    per: dict[int, list[tuple]] = {}
    for row in internal:
        per.setdefault(row[0], []).append(row[1:])
    scored = []
    for i, g in enumerate(groups):
        es = per.get(i, [])
        strength: dict[str, float] = dict.fromkeys(g, 0.0)
        traces: set[str] = set()
        for s, t, w, tr, _, _, _ in es:
            strength[s] += w
            strength[t] += w
            traces.update(tr.split(";"))
        n = len(g)
        reshares, fast = sync.get(i, (0, 0))
        comp = Components(
            density=len(es) / (n * (n - 1) / 2),
            strength=min(1.0, sum(e[2] for e in es) / len(es) / p.strength_full) if es else 0.0,
            significance=(sum(significance(e[4], fp.significance_full) for e in es) / len(es)
                          if es else 0.0),
            diversity=min(1.0, (len(traces) - 1) / max(1, p.diversity_full - 1)) if traces
            else 0.0,
            synchrony=fast / reshares if reshares else None,
            size=saturating(n, p.size_scale))
        scored.append((round(comp.score(p), 6), g, es, comp, traces, strength))
    scored.sort(key=lambda x: (-x[0], x[1][0]))
    width = max(3, len(str(len(scored))))
    net_rows, mem_rows = [], []
    for k, (score, g, es, comp, traces, strength) in enumerate(scored, start=1):
        nid = f"N{k:0{width}d}"
        net_rows.append([nid, len(g), len(g), 0, 0, 0, score, comp.density, comp.strength,
                         comp.significance, comp.diversity, comp.synchrony,
                         ";".join(sorted(traces)), len(es),
                         min((e[5] for e in es if e[5] is not None), default=None),
                         max((e[6] for e in es if e[6] is not None), default=None), None, None])
        for a in g:
            mem_rows.append([a, nid, "community", strength[a],
                             saturating(strength[a], p.attach_scale), None, 0, 0, 0, 0, 0])
    _insert(con, "networks", net_rows)
    _insert(con, "memberships", mem_rows)
    return len(net_rows)


def describe_networks(con: duckdb.DuckDBPyConnection, cfg: Config) -> None:
    """Fill each network's size and role counts from `memberships`, and its top hashtags and
    domains (by the number of distinct members who posted them, then by name)."""
    p: NetworkParams = cfg.section("network")
    con.execute("""
        UPDATE networks SET size = m.size, n_seeders = m.s, n_amplifiers = m.a, n_hybrid = m.h
        FROM (SELECT network_id, count(*) AS size,
                     count(*) FILTER (WHERE role = 'seeder') AS s,
                     count(*) FILTER (WHERE role = 'amplifier') AS a,
                     count(*) FILTER (WHERE role = 'hybrid') AS h
              FROM memberships GROUP BY network_id) m
        WHERE networks.network_id = m.network_id
    """).fetchall()
    # Domains come from normalised URLs (host before the first '/', without a port) and from
    # sources that give the domain as its own entity.
    con.execute("""
        UPDATE networks SET top_hashtags = t.hashtags, top_domains = t.domains
        FROM (
            WITH items AS (
                SELECT m.network_id, e.entity = 'hashtag' AS is_tag,
                       CASE WHEN e.entity = 'url'
                            THEN split_part(split_part(e.normalized, '/', 1), ':', 1)
                            ELSE coalesce(e.normalized, e.value) END AS item,
                       m.account_id
                FROM memberships m
                JOIN posts po ON po.author_id = m.account_id
                JOIN post_entities e ON e.platform = po.platform AND e.post_id = po.post_id
                WHERE e.entity IN ('hashtag', 'url', 'domain')
            ),
            ranked AS (
                SELECT network_id, is_tag, item,
                       row_number() OVER (PARTITION BY network_id, is_tag
                                          ORDER BY count(DISTINCT account_id) DESC, item) AS r
                FROM items WHERE item IS NOT NULL AND item <> ''
                GROUP BY network_id, is_tag, item
            )
            SELECT network_id,
                   string_agg(item, ';' ORDER BY r) FILTER (WHERE is_tag) AS hashtags,
                   string_agg(item, ';' ORDER BY r) FILTER (WHERE NOT is_tag) AS domains
            FROM ranked WHERE r <= ? GROUP BY network_id
        ) t
        WHERE networks.network_id = t.network_id
    """, [p.top_items]).fetchall()
