"""Rarity weights and the null model that decides which candidate edges are kept.

Raw co-action counts make viral items, fandoms and hyperactive accounts look coordinated. Two
corrections, both documented in docs/traces.md:

* **Weight.** Each shared item counts `1 / log2(1 + n)`, n = accounts that acted on it (before the
  hot-item cap): an item only two accounts touched weighs 0.63, one touched by a thousand 0.10.
* **Null model.** Keep every account's activity (d_u, the distinct items it acted on) and every
  item's popularity (n_i) and timing (q_i, the share of its account pairs that fell within the
  window), and break their alignment: under a degree-preserving bipartite null in its Chung-Lu
  form, u acts on item i with probability min(1, d_u n_i / M), M = sum_i n_i, and two accounts on
  the same item fall within the window with probability q_i (time shuffling among the item's
  actions). The expected number of items u and v co-act on is therefore

      lambda_uv = sum_i min(1, d_u n_i / M) min(1, d_v n_i / M) q_i,

  and the count is approximately Poisson (a sum of many rare Bernoulli events). `p_value` =
  P(X >= count | lambda_uv) and `z` = (count - lambda_uv) / sqrt(lambda_uv). Hyperactive accounts
  (large d) and viral items (large n, and q near 1 when the burst is short) raise lambda, so
  volume alone is expected. Since every pair of active accounts is a test, p-values are corrected
  for multiple testing (Benjamini-Hochberg over all N(N-1)/2 pairs of the N accounts active on
  at least `min_count` items) before comparing with `alpha`. lambda depends on the pair only
  through (d_u, d_v), so it is computed once per distinct degree pair and popularity, not per
  pair and item.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from scipy.special import gammainc

from .. import config


@config.section("significance")
@dataclass
class SignificanceParams:
    """How candidate edges are tested against the null model."""

    alpha: float = config.param(0.01, "false discovery rate: an edge is kept when its p-value "
                                      "passes Benjamini-Hochberg at this level")
    correction: str = config.param("bh", "multiple-testing correction over all account pairs: "
                                         "'bh' (Benjamini-Hochberg) or 'none' (p <= alpha)")


CANDIDATES_DDL = """
CREATE OR REPLACE TABLE trace_candidates (
    source VARCHAR, target VARCHAR, trace VARCHAR, weight DOUBLE, count BIGINT,
    expected DOUBLE, p_value DOUBLE, z DOUBLE, significant BOOLEAN, first_ms BIGINT,
    last_ms BIGINT, examples VARCHAR)
"""


@dataclass
class Tested:
    """Counts of one trace's significance test, for `trace_runs`."""

    n_candidates: int
    n_significant: int


def assess_edges(con: duckdb.DuckDBPyConnection, trace: str, min_count: int,
                 params: SignificanceParams, universe_sql: str | None = None) -> Tested:
    """Weight and test the candidate pairs; append rows to `trace_candidates`.

    Reads the temp tables the engine left (`_tr_actions`, `_tr_acc`, `_tr_item`,
    `_tr_item_pairs`, and `_tr_pair_items`: the (pair, item) rows of the candidate pairs, those
    with at least `min_count` shared items). Activity (d_u) and popularity (n_i) come from
    `universe_sql` (account, item) when given, else from the actions.
    """
    universe = "SELECT account, item FROM _tr_actions"
    if universe_sql:
        universe += f" UNION SELECT account, item FROM ({universe_sql}) AS u"
    con.execute(f"CREATE OR REPLACE TEMP TABLE _tr_universe AS "
                f"SELECT DISTINCT account, item FROM ({universe}) AS u "
                f"WHERE account IS NOT NULL AND item IS NOT NULL").fetchall()
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _tr_items AS
        WITH n AS (SELECT item, count(*) AS n FROM _tr_universe GROUP BY item)
        SELECT n.item AS name, it.iid AS item, n.n, COALESCE(wp.wp, 0) AS wp,
               1.0 / log2(1 + n.n) AS rarity
        FROM n LEFT JOIN _tr_item AS it ON it.item = n.item
        LEFT JOIN _tr_item_pairs AS wp ON wp.item = it.iid
    """).fetchall()
    # q_i summed per popularity n: the expectation depends on an item only through (n_i, q_i).
    # Sums run over ordered lists so that parallel aggregation cannot change a bit.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _tr_popularity AS
        SELECT n, list_sum(list(2.0 * wp / (n * (n - 1)) ORDER BY item)) AS q
        FROM _tr_items WHERE n > 1 AND wp > 0 GROUP BY n
    """).fetchall()
    # Only accounts with at least min_count items can ever reach min_count shared items: pairs
    # of the others are tests that cannot reject, and do not count towards the correction
    # (Tarone 1990; Gilbert 2005 for the false discovery rate).
    m_total, n_accounts = con.execute(f"""
        SELECT (SELECT sum(n) FROM _tr_items), count(*)
        FROM (SELECT account FROM _tr_universe GROUP BY account
              HAVING count(*) >= {int(min_count)}) AS a""").fetchall()[0]
    if not m_total:
        return Tested(0, 0)
    m = float(m_total)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _tr_cand AS
        WITH deg AS (
            SELECT acc.aid, count(*) AS d
            FROM _tr_universe AS u JOIN _tr_acc AS acc ON acc.account = u.account
            GROUP BY acc.aid
        ),
        e AS (
            SELECT p.source, p.target, count(*) AS cnt,
                   list_sum(list(i.rarity ORDER BY p.item)) AS weight,
                   min(p.first_ms) AS first_ms, max(p.last_ms) AS last_ms,
                   min_by(p.item, {{'t': p.first_ms, 'i': p.item}}, 5) AS ex
            FROM _tr_pair_items AS p JOIN _tr_items AS i ON i.item = p.item
            GROUP BY p.source, p.target
        ),
        ed AS (
            SELECT e.*, ds.d AS d1, dt.d AS d2
            FROM e JOIN deg AS ds ON ds.aid = e.source JOIN deg AS dt ON dt.aid = e.target
        ),
        lam AS (
            SELECT dp.d1, dp.d2,
                   list_sum(list(g.q * least(1.0, dp.d1 * g.n / {m!r})
                                     * least(1.0, dp.d2 * g.n / {m!r}) ORDER BY g.n)) AS expected
            FROM (SELECT DISTINCT d1, d2 FROM ed) AS dp CROSS JOIN _tr_popularity AS g
            GROUP BY dp.d1, dp.d2
        ),
        ex AS (
            SELECT x.source, x.target,
                   to_json(list(it.item ORDER BY x.k)) AS examples
            FROM (SELECT source, target, unnest(ex) AS iid, generate_subscripts(ex, 1) AS k
                  FROM ed) AS x
            JOIN _tr_item AS it ON it.iid = x.iid
            GROUP BY x.source, x.target
        )
        SELECT sa.account AS source, ta.account AS target, ed.cnt, ed.weight, ed.first_ms,
               ed.last_ms, ex.examples, lam.expected
        FROM ed JOIN lam ON lam.d1 = ed.d1 AND lam.d2 = ed.d2
        JOIN ex ON ex.source = ed.source AND ex.target = ed.target
        JOIN _tr_acc AS sa ON sa.aid = ed.source JOIN _tr_acc AS ta ON ta.aid = ed.target
        ORDER BY source, target
    """).fetchall()
    cand = con.sql("SELECT cnt, expected FROM _tr_cand ORDER BY source, target").to_arrow_table()
    counts = cand.column("cnt").to_numpy().astype(np.float64)
    lam = cand.column("expected").to_numpy().astype(np.float64)
    # P(X >= c) for X ~ Poisson(lam) is the regularised lower incomplete gamma P(c, lam).
    p = gammainc(counts, lam) if len(counts) else np.zeros(0)
    z = (counts - lam) / np.sqrt(lam)
    keep = _significant(p, params, n_accounts * (n_accounts - 1) // 2)
    con.register("_tr_test", pa.table({
        "rn": np.arange(len(p), dtype=np.int64), "p_value": p, "z": z, "significant": keep}))
    try:
        con.execute("""
            INSERT INTO trace_candidates
            SELECT c.source, c.target, ?, c.weight, c.cnt, c.expected, t.p_value, t.z,
                   t.significant, c.first_ms, c.last_ms, c.examples
            FROM (SELECT *, row_number() OVER (ORDER BY source, target) - 1 AS rn
                  FROM _tr_cand) AS c
            JOIN _tr_test AS t ON t.rn = c.rn
            ORDER BY c.source, c.target
        """, [trace]).fetchall()
    finally:
        con.unregister("_tr_test")
    return Tested(len(p), int(keep.sum()))


def _significant(p: np.ndarray, params: SignificanceParams, n_tests: int) -> np.ndarray:
    """Which p-values pass the configured test; ties are broken by the (sorted) row order."""
    if params.correction == "none":
        return p <= params.alpha
    if params.correction != "bh":
        from ..errors import InputError

        raise InputError(f"unknown significance.correction {params.correction!r}; "
                         "use 'bh' or 'none'")
    if not len(p):
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    ranks = np.arange(1, len(p) + 1, dtype=np.float64)
    passing = p[order] <= params.alpha * ranks / max(n_tests, len(p))
    keep = np.zeros(len(p), dtype=bool)
    if passing.any():
        last = int(np.nonzero(passing)[0].max())
        keep[order[: last + 1]] = True
    return keep
