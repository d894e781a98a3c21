"""Rarity-weighted projections of the bipartite views onto accounts.

Each view's (account, item) incidences become TF-IDF vectors: an item acted on by n of the view's
N active accounts weighs idf = ln(N / n), so a post three accounts reshared says much more than
one a thousand reshared. Two accounts' similarity in a view is the cosine of their vectors, and
their projected weight the sum of their cosines over the views (times each view's weight). There
is no per-pair significance gate: a pair that shares one rare item keeps its small weight, and it
is the *group* that is tested later (`grouptest`). This is the co-retweet TF-IDF projection that
reaches F1 ~0.9 on slow, random-squad amplification where pair tests find nothing
(shared/reference/detection-methods.md), generalised to every view.

Cost is bounded by `max_item_accounts`: items acted on by more accounts are left out of the pairs
(their idf is small and their pairs are most of the cost), but still count in each account's
vector norm and in the null model's activity and popularity.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from .views import View, available


def build_actions(con: duckdb.DuckDBPyConnection, views: list[View]) -> list[str]:
    """(Re)create temp `_cv_actions(view, aid, account, item, iid, t)`: the distinct incidences
    of every available view with the first time each account acted on each item. Returns the
    names of the views that had data."""
    parts = [f"SELECT '{v.name}' AS view, account, item, t FROM ({v.sql}) AS q"
             for v in views if available(con, v)]
    if not parts:
        con.execute("CREATE OR REPLACE TEMP TABLE _cv_actions (view VARCHAR, aid BIGINT, "
                    "account VARCHAR, item VARCHAR, iid BIGINT, t BIGINT)").fetchall()
        return []
    union = " UNION ALL ".join(parts)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cv_actions AS
        WITH r AS (
            SELECT view, account, item, min(t) AS t FROM ({union}) AS u
            WHERE account IS NOT NULL AND account <> '' AND item IS NOT NULL AND t IS NOT NULL
            GROUP BY view, account, item
        )
        SELECT view, dense_rank() OVER (ORDER BY account) AS aid, account, item,
               dense_rank() OVER (ORDER BY view, item) AS iid, t
        FROM r
        ORDER BY view, iid, t, aid
    """).fetchall()
    return [r[0] for r in con.execute(
        "SELECT DISTINCT view FROM _cv_actions ORDER BY view").fetchall()]


def build_incidence(con: duckdb.DuckDBPyConnection, max_item_accounts: int) -> None:
    """(Re)create `_cv_items(view, iid, n, kept)`, `_cv_acc(view, aid, d, norm_u)` and
    `_cv_kept(view, iid, aid, t, idf2_u)`.

    idf² is stored in integer millionths so that sums do not depend on summation order (same
    input, same bytes). `d` is an account's number of distinct items in the view (its activity in
    the null model); `norm_u` its vector norm in millionths of idf².
    """
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cv_items AS
        WITH n AS (SELECT view, iid, count(*) AS n FROM _cv_actions GROUP BY view, iid),
        tot AS (SELECT view, count(DISTINCT aid) AS big_n FROM _cv_actions GROUP BY view)
        SELECT n.view, n.iid, n.n, n.n BETWEEN 2 AND {int(max_item_accounts)} AS kept,
               CAST(round(1000000 * pow(ln(tot.big_n / n.n), 2)) AS BIGINT) AS idf2_u
        FROM n JOIN tot USING (view)
    """).fetchall()
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _cv_acc AS
        SELECT a.view, a.aid, count(*) AS d, sum(i.idf2_u) AS norm_u
        FROM _cv_actions AS a JOIN _cv_items AS i USING (view, iid)
        GROUP BY a.view, a.aid
    """).fetchall()
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _cv_kept AS
        SELECT a.view, a.iid, a.aid, a.t, i.idf2_u
        FROM _cv_actions AS a JOIN _cv_items AS i USING (view, iid)
        WHERE i.kept AND i.idf2_u > 0
        ORDER BY a.view, a.iid, a.aid
    """).fetchall()


def build_pairs(con: duckdb.DuckDBPyConnection, weights: dict[str, float],
                top_k: int) -> int:
    """(Re)create `_cv_pairs(u, v, weight, n_items, views)` (u < v, account ids as `aid`): the
    summed cosine over views, each view's cosine times its weight, keeping for every account its
    `top_k` heaviest pairs (a pair stays when either end keeps it; ties by the other end's id),
    so the graph handed to Leiden grows with the accounts, not with their pairs. Returns the
    number of pairs.

    The cosines come from SQL; summing them per pair and choosing each account's top pairs are
    array operations: as grouped aggregates and a window over both ends of every pair they were
    most of the group test (5 s of 7 s per projection at 10^5 messages, three or more
    projections per run). The weight adds the views' cosines one view at a time in name order
    (`0.0 + x_a + x_b ...`, a view the pair lacks adding 0.0), the same sum, bit for bit, as a
    list of them ordered by view."""
    used = [name for name, w in sorted(weights.items()) if w > 0]
    con.execute("CREATE OR REPLACE TEMP TABLE _cv_pairs (u BIGINT, v BIGINT, weight DOUBLE, "
                "n_items HUGEINT, views VARCHAR)").fetchall()
    if not used:
        return 0
    w_values = ", ".join(f"('{name}', {float(weights[name])!r}, {j})"
                         for j, name in enumerate(used))
    cos = con.sql(f"""
        WITH w(view, vw, j) AS (VALUES {w_values}),
        s AS (
            SELECT a.view, a.aid AS u, b.aid AS v, sum(a.idf2_u) AS dot_u, count(*) AS c
            FROM _cv_kept AS a JOIN _cv_kept AS b
                ON b.view = a.view AND b.iid = a.iid AND b.aid > a.aid
            WHERE a.view IN (SELECT view FROM w)
            GROUP BY a.view, a.aid, b.aid
        )
        SELECT s.u, s.v, w.j, s.c,
               w.vw * s.dot_u / sqrt(CAST(na.norm_u AS DOUBLE) * nb.norm_u) AS x
        FROM s JOIN w USING (view)
        JOIN _cv_acc AS na ON na.view = s.view AND na.aid = s.u
        JOIN _cv_acc AS nb ON nb.view = s.view AND nb.aid = s.v
    """).to_arrow_table()
    if not cos.num_rows:
        return 0
    u_c, v_c = (cos.column(c).to_numpy().astype(np.int64) for c in ("u", "v"))
    j_c = cos.column("j").to_numpy().astype(np.int64)
    c_c = cos.column("c").to_numpy().astype(np.int64)
    x_c = cos.column("x").to_numpy().astype(np.float64)
    span = int(max(u_c.max(), v_c.max())) + 1
    keys, pair = np.unique(u_c * span + v_c, return_inverse=True)
    u, v = keys // span, keys % span
    weight = np.zeros(len(keys))
    mask = np.zeros(len(keys), dtype=np.int64)
    for j in range(len(used)):
        x = np.zeros(len(keys))
        on = j_c == j
        x[pair[on]] = x_c[on]
        weight = weight + x
        mask[pair[on]] |= 1 << j
    n_items = np.zeros(len(keys), dtype=np.int64)
    np.add.at(n_items, pair, c_c)
    # Both ends of every pair, each end's pairs by weight (descending) then the other end.
    a, b = np.concatenate([u, v]), np.concatenate([v, u])
    levels, rank = np.unique(weight, return_inverse=True)
    desc = np.concatenate([rank, rank]).astype(np.int64)
    desc = len(levels) - 1 - desc
    if span * len(levels) * span < 2**62:
        # One int64 key sorts several times faster than lexsort's three passes.
        order = np.argsort((a * len(levels) + desc) * span + b, kind="stable")
    else:
        order = np.lexsort((b, desc, a))
    sa = a[order]
    first = np.searchsorted(sa, sa, side="left")
    top = np.zeros(len(a), dtype=bool)
    top[order] = np.arange(len(a)) - first < int(top_k)
    keep = top[:len(keys)] | top[len(keys):]
    names = {m: ";".join(name for j, name in enumerate(used) if m >> j & 1)
             for m in np.unique(mask[keep]).tolist()}
    con.register("_cv_pairs_arrow", pa.table({
        "u": pa.array(u[keep], pa.int64()), "v": pa.array(v[keep], pa.int64()),
        "weight": pa.array(weight[keep], pa.float64()),
        "n_items": pa.array(n_items[keep], pa.int64()),
        "views": pa.array([names[m] for m in mask[keep].tolist()], pa.string())}))
    try:
        con.execute("INSERT INTO _cv_pairs SELECT u, v, weight, n_items, views "
                    "FROM _cv_pairs_arrow ORDER BY u, v").fetchall()
    finally:
        con.unregister("_cv_pairs_arrow")
    return int(keep.sum())
