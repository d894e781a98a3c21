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
from ..engine import Engine


@config.section("significance")
@dataclass
class SignificanceParams:
    """How candidate edges are tested against the null model."""

    alpha: float = config.param(0.05, "false discovery rate: an edge is kept when its p-value "
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


# What the null model needs from a trace's actions, computed where the actions are (the engine:
# DuckDB, or a Spark cluster). Only the last three tables reach the case database: popularity
# levels, the degrees of the candidates' accounts and the candidates' (pair, item) rows — sizes
# bounded by the candidate edges, never by the actions.
UNIVERSE_SQL = """
SELECT DISTINCT account, item FROM ({universe}) AS u
WHERE account IS NOT NULL AND item IS NOT NULL
"""
# Weights in integer millionths: integer sums do not depend on the summation order.
ITEMS_SQL = """
WITH n AS (SELECT item, count(*) AS n FROM _tr_universe GROUP BY item)
SELECT it.iid AS item, n.n, COALESCE(wp.wp, 0) AS wp,
       CAST(round(1000000 / log2(1 + n.n)) AS BIGINT) AS rarity_u
FROM n LEFT JOIN _tr_item AS it ON it.item = n.item
LEFT JOIN _tr_item_pairs AS wp ON wp.item = it.iid
"""
# The expectation depends on an item only through (n_i, q_i), q_i = 2 wp_i / (n_i (n_i - 1)):
# per popularity n the integer sum of wp, exact in any summation order (and on any engine).
POP_SQL = "SELECT n, sum(wp) AS wp FROM _tr_items WHERE n > 1 AND wp > 0 GROUP BY n"
# Only accounts with at least min_count items can ever reach min_count shared items: pairs of
# the others are tests that cannot reject, and do not count towards the correction (Tarone 1990;
# Gilbert 2005 for the false discovery rate).
TOTALS_SQL = """
SELECT (SELECT sum(n) FROM _tr_items) AS m, count(*) AS k
FROM (SELECT account FROM _tr_universe GROUP BY account HAVING count(*) >= {min_count}) AS a
"""
DEG_SQL = """
WITH ends AS (SELECT source AS aid FROM _tr_pairs UNION SELECT target FROM _tr_pairs)
SELECT acc.aid, acc.account, count(*) AS d
FROM _tr_universe AS u JOIN _tr_acc AS acc ON acc.account = u.account
JOIN ends ON ends.aid = acc.aid
GROUP BY acc.aid, acc.account
"""
CAND_ITEMS_SQL = """
SELECT p.source, p.target, p.item, it.item AS item_name, p.first_ms, p.last_ms, i.rarity_u
FROM _tr_pair_items AS p JOIN _tr_items AS i ON i.item = p.item
JOIN _tr_item AS it ON it.iid = p.item
"""
# Every aggregate below has a fixed-size state, so DuckDB can spill it to disk: millions of
# candidates must not exhaust memory.
CAND_SQL = """
CREATE OR REPLACE TEMP TABLE _tr_cand AS
WITH ranked AS (
    SELECT source, target, item, item_name, first_ms, last_ms, rarity_u,
           row_number() OVER (PARTITION BY source, target ORDER BY first_ms, item) AS k
    FROM _tr_cand_items
),
e AS (
    SELECT source, target, count(*) AS cnt, sum(rarity_u) AS weight_u,
           min(first_ms) AS first_ms, max(last_ms) AS last_ms,
           max(CASE WHEN k = 1 THEN item_name END) AS e1,
           max(CASE WHEN k = 2 THEN item_name END) AS e2,
           max(CASE WHEN k = 3 THEN item_name END) AS e3,
           max(CASE WHEN k = 4 THEN item_name END) AS e4,
           max(CASE WHEN k = 5 THEN item_name END) AS e5
    FROM ranked GROUP BY source, target
)
SELECT ds.account AS source, dt.account AS target, e.cnt,
       e.weight_u / 1000000.0 AS weight, e.first_ms, e.last_ms,
       to_json([e1, e2, e3, e4, e5][1:least(e.cnt, 5)]) AS examples,
       ds.d AS d1, dt.d AS d2
FROM e JOIN _tr_deg AS ds ON ds.aid = e.source JOIN _tr_deg AS dt ON dt.aid = e.target
"""
# The tables `null_model_inputs` leaves in the case database.
RETURNED = ("_tr_pop", "_tr_deg", "_tr_cand_items")


def null_model_inputs(eng: Engine, con: duckdb.DuckDBPyConnection, min_count: int,
                      universe_sql: str | None = None) -> tuple[int, int]:
    """Compute, on the engine, what the test needs from the tables `Engine.enumerate` made;
    leave `RETURNED` in `con` and return (M: actions in the universe, N: accounts active on at
    least `min_count` items). Activity (d_u) and popularity (n_i) come from `universe_sql`
    (account, item) when given, else from the actions."""
    universe = "SELECT account, item FROM _tr_actions"
    if universe_sql:
        universe += f" UNION SELECT account, item FROM ({universe_sql}) AS u"
    eng.table(con, "_tr_universe", UNIVERSE_SQL.format(universe=universe))
    eng.table(con, "_tr_items", ITEMS_SQL)
    for name, sql in zip(RETURNED, (POP_SQL, DEG_SQL, CAND_ITEMS_SQL), strict=True):
        eng.table(con, name, sql, driver=True)
    m_total, n_accounts = eng.row(con, TOTALS_SQL.format(min_count=int(min_count)))
    return int(m_total or 0), int(n_accounts)


def assess_edges(con: duckdb.DuckDBPyConnection, trace: str, min_count: int,
                 params: SignificanceParams, eng: Engine,
                 universe_sql: str | None = None) -> Tested:
    """Weight and test the candidate pairs; append rows to `trace_candidates`.

    The engine left its temp tables (see `Engine.enumerate`); `null_model_inputs` reduces them
    where they are, and the test itself runs here on what comes back.
    """
    m_total, n_accounts = null_model_inputs(eng, con, min_count, universe_sql)
    if not m_total:
        return Tested(0, 0)
    # Integer sums per popularity, divided once: the same q on every engine.
    pop = con.sql("SELECT n, 2.0 * wp / (n * (n - 1)) AS q FROM _tr_pop ORDER BY n")\
        .to_arrow_table()
    con.execute(CAND_SQL).fetchall()
    cand = con.sql("SELECT cnt, d1, d2 FROM _tr_cand ORDER BY source, target").to_arrow_table()
    counts = cand.column("cnt").to_numpy().astype(np.float64)
    lam = expected(cand.column("d1").to_numpy(), cand.column("d2").to_numpy(),
                   pop.column("n").to_numpy(), pop.column("q").to_numpy(), int(m_total))
    # P(X >= c) for X ~ Poisson(lam) is the regularised lower incomplete gamma P(c, lam).
    p = gammainc(counts, lam) if len(counts) else np.zeros(0)
    z = (counts - lam) / np.sqrt(lam)
    keep = _significant(p, params, n_accounts * (n_accounts - 1) // 2)
    con.register("_tr_test", pa.table({
        "rn": np.arange(len(p), dtype=np.int64), "expected": lam, "p_value": p, "z": z,
        "significant": keep}))
    try:
        con.execute("""
            INSERT INTO trace_candidates
            SELECT c.source, c.target, ?, c.weight, c.cnt, t.expected, t.p_value, t.z,
                   t.significant, c.first_ms, c.last_ms, c.examples
            FROM (SELECT *, row_number() OVER (ORDER BY source, target) - 1 AS rn
                  FROM _tr_cand) AS c
            JOIN _tr_test AS t ON t.rn = c.rn
            ORDER BY c.source, c.target
        """, [trace]).fetchall()
    finally:
        con.unregister("_tr_test")
    return Tested(len(p), int(keep.sum()))


def expected(d1: np.ndarray, d2: np.ndarray, n: np.ndarray, q: np.ndarray,
             m: int) -> np.ndarray:
    """lambda = sum_g q_g min(1, d1 n_g / m) min(1, d2 n_g / m) for each (d1, d2), where q_g is
    the summed q of the items of popularity n_g (n ascending).

    With a = min(d1, d2) and b = max: items with n <= m/b count a b n^2 q / m^2, those with
    m/b < n <= m/a count a n q / m, the rest q — three prefix sums and two binary searches per
    pair instead of a sum over every popularity level.
    """
    a = np.minimum(d1, d2).astype(np.float64)
    b = np.maximum(d1, d2).astype(np.float64)
    n = n.astype(np.float64)
    zero = np.zeros(1)
    s2 = np.concatenate((zero, np.cumsum(q * n * n)))
    s1 = np.concatenate((zero, np.cumsum(q * n)))
    s0 = np.concatenate((zero, np.cumsum(q)))
    # items with n * b <= m, and with n * a <= m (n is sorted)
    ib = np.searchsorted(n, m / b, side="right")
    ia = np.searchsorted(n, m / a, side="right")
    return (a * b / m**2 * s2[ib] + a / m * (s1[ia] - s1[ib]) + (s0[-1] - s0[ia]))


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
