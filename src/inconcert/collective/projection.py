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
from scipy import sparse

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

    Each view's dot products are one sparse matrix product of its idf²-weighted incidence with
    its incidence, in integer millionths (exact, so independent of the order of additions);
    the cosine is then `weight · dot / sqrt(norm_u · norm_v)`, computed by the same SQL
    expression as before (`_cosines`). The weight adds the
    views' cosines one view at a time in name order (`x_a + x_b + ...`, a view the pair lacks
    adding nothing), the same sum, bit for bit, as a list of them ordered by view."""
    used = [name for name, w in sorted(weights.items()) if w > 0]
    con.execute("CREATE OR REPLACE TEMP TABLE _cv_pairs (u BIGINT, v BIGINT, weight DOUBLE, "
                "n_items HUGEINT, views VARCHAR)").fetchall()
    if not used:
        return 0
    summed = _summed_cosines(con, weights, used)
    if summed is None:
        return 0
    u, v, weight, n_items, mask = summed
    keep = _top_pairs(u, v, weight, top_k)
    names = {m: ";".join(name for j, name in enumerate(used) if m >> j & 1)
             for m in np.unique(mask[keep]).tolist()}
    con.register("_cv_pairs_arrow", pa.table({
        "u": pa.array(u[keep], pa.int64()), "v": pa.array(v[keep], pa.int64()),
        "weight": pa.array(weight[keep], pa.float64()),
        "n_items": pa.array(n_items[keep], pa.int64()),
        "views": pa.array([names[m] for m in mask[keep].tolist()], pa.string())}))
    try:
        # Already in (u, v) order: the sparse matrices are row-major with sorted columns.
        con.execute("INSERT INTO _cv_pairs SELECT u, v, weight, n_items, views "
                    "FROM _cv_pairs_arrow ORDER BY u, v").fetchall()
    finally:
        con.unregister("_cv_pairs_arrow")
    return int(keep.sum())


def _summed_cosines(con: duckdb.DuckDBPyConnection, weights: dict[str, float], used: list[str]
                    ) -> tuple[np.ndarray, ...] | None:
    """Every pair (u < v) that shares a kept item in one of the `used` views, in (u, v) order:
    (u, v, summed weighted cosine, shared items over the views, bit mask of the views)."""
    names = ", ".join(f"('{name}', {j})" for j, name in enumerate(used))
    kept = con.sql(f"""
        WITH w(view, j) AS (VALUES {names})
        SELECT w.j, k.aid, k.iid, k.idf2_u FROM _cv_kept AS k JOIN w USING (view)
    """).to_arrow_table()
    acc = con.sql(f"""
        WITH w(view, j) AS (VALUES {names})
        SELECT w.j, a.aid, CAST(a.norm_u AS BIGINT) AS norm_u FROM _cv_acc AS a JOIN w USING (view)
    """).to_arrow_table()
    # The weights' SQL type as the cosine query always had it (the VALUES list of the used
    # views' weights: DECIMAL(2,1) for weights like 0.7, DOUBLE for 1e-05): a DECIMAL weight
    # times the integer dot product is exact, and only then rounded to a double, so the
    # cosine's last bit depends on this type.
    w_values = ", ".join(f"('{name}', {float(weights[name])!r}, {j})"
                         for j, name in enumerate(used))
    w_type = con.execute(f"SELECT typeof(vw) FROM (VALUES {w_values}) AS w(view, vw, j) "
                         "LIMIT 1").fetchall()[0][0]
    if not kept.num_rows:
        return None
    j_k, aid_k, iid_k, idf2_k = (kept.column(c).to_numpy().astype(np.int64)
                                 for c in ("j", "aid", "iid", "idf2_u"))
    j_a, aid_a = (acc.column(c).to_numpy().astype(np.int64) for c in ("j", "aid"))
    norm_a = acc.column("norm_u").to_numpy().astype(np.int64)
    span = int(max(aid_k.max(), aid_a.max())) + 1
    # Shared items and the views' bits summed as one integer, n_items << len(used) | mask
    # (each view adds its own bit once): exact, and one sparse sum per view instead of two.
    shift = len(used)
    weight = packed = None
    for j, name in enumerate(used):
        on = j_k == j
        if not on.any():
            continue
        norm = np.zeros(span, dtype=np.int64)
        on_a = j_a == j
        norm[aid_a[on_a]] = norm_a[on_a]
        dot, cnt = _dots(aid_k[on], iid_k[on], idf2_k[on], span, int(norm.max()))
        if not dot.nnz:
            continue
        rows = np.repeat(np.arange(span), np.diff(dot.indptr))
        x = _cosines(con, float(weights[name]), w_type, dot.data, norm[rows],
                     norm[dot.indices])
        xs = sparse.csr_array((x, dot.indices, dot.indptr), shape=dot.shape)
        cm = sparse.csr_array(((cnt << shift) | (1 << j), dot.indices, dot.indptr),
                              shape=dot.shape)
        # One view at a time in name order: float addition is not associative, and this is
        # the order the weights were always summed in. A pair the view lacks gets nothing added.
        if weight is None:
            weight, packed = xs, cm
        else:
            weight, packed = weight + xs, packed + cm
    if weight is None:
        return None
    for m in (weight, packed):
        m.sort_indices()
    if not (np.array_equal(weight.indptr, packed.indptr)
            and np.array_equal(weight.indices, packed.indices)):
        raise AssertionError("pair patterns differ between the summed matrices")
    u = np.repeat(np.arange(span, dtype=np.int64), np.diff(weight.indptr))
    v = weight.indices.astype(np.int64)
    packed_data = packed.data.astype(np.int64)
    return u, v, weight.data, packed_data >> shift, packed_data & ((1 << shift) - 1)


def _dots(aid: np.ndarray, iid: np.ndarray, idf2: np.ndarray, span: int, max_norm: int
          ) -> tuple[sparse.csr_array, np.ndarray]:
    """One view's pairs (u < v) as a CSR matrix of their idf² dot products (columns sorted in
    each row), and their shared items in the same order.

    Integer products: every dot product and count is exact whatever the order of its
    additions. Both come from one product when they fit one int64 (dot << 21 | count: a
    dot product is at most either account's norm, a count at most either's items);
    otherwise from two."""
    iid = iid - iid.min()
    shape = (span, int(iid.max()) + 1)
    inc = sparse.csr_array((np.ones(len(aid), dtype=np.int64), (aid, iid)), shape=shape)
    if max_norm < 2**41 and int(np.bincount(aid).max()) < 2**21:
        wtd = sparse.csr_array(((idf2 << 21) | 1, (aid, iid)), shape=shape)
        both = _upper(wtd @ inc.T)
        dot = sparse.csr_array((both.data >> 21, both.indices, both.indptr), shape=both.shape)
        return dot, both.data & (2**21 - 1)
    wtd = sparse.csr_array((idf2, (aid, iid)), shape=shape)
    dot, cnt = _upper(wtd @ inc.T), _upper(inc @ inc.T)
    if not (np.array_equal(dot.indptr, cnt.indptr) and np.array_equal(dot.indices, cnt.indices)):
        raise AssertionError("dot products and counts of different pairs")
    return dot, cnt.data


def _upper(m: sparse.csr_array) -> sparse.csr_array:
    """The strict upper triangle (u < v) of a square-indexed CSR matrix, columns sorted in each
    row (`sparse.triu` goes through COO and back: half the products' time at 3 × 10^5
    messages)."""
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    on = m.indices > rows
    indptr = np.zeros(m.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows[on], minlength=m.shape[0]), out=indptr[1:])
    out = sparse.csr_array((m.data[on], m.indices[on], indptr), shape=m.shape)
    out.sort_indices()
    return out


def _cosines(con: duckdb.DuckDBPyConnection, vw: float, w_type: str, dot: np.ndarray,
             norm_u: np.ndarray, norm_v: np.ndarray) -> np.ndarray:
    """`vw · dot / sqrt(norm_u · norm_v)` per pair, by the SQL expression (and operand types)
    that computed the cosines when the dot products came from a self-join in SQL: with a
    DECIMAL weight the product is exact and DuckDB's rounding of it to a double is not numpy's
    two roundings, so numpy's arithmetic differs in the last bit. A projection of one scanned
    table keeps the rows' order."""
    con.register("_cv_dot_arrow", pa.table({"dot": dot, "nu": norm_u, "nv": norm_v}))
    try:
        return con.sql(f"""
            SELECT CAST({vw!r} AS {w_type}) * CAST(dot AS HUGEINT)
                   / sqrt(CAST(CAST(nu AS HUGEINT) AS DOUBLE) * CAST(nv AS HUGEINT)) AS x
            FROM _cv_dot_arrow
        """).to_arrow_table().column("x").to_numpy().astype(np.float64)
    finally:
        con.unregister("_cv_dot_arrow")


def _top_pairs(u: np.ndarray, v: np.ndarray, weight: np.ndarray, top_k: int) -> np.ndarray:
    """Which pairs some end keeps among its `top_k` heaviest (weight descending, then the other
    end's id).

    Without sorting every account's pairs: each account's `top_k`-th largest weight is found by
    selection (`np.partition`); its pairs above it are kept, and of those equal to it the ones
    with the smallest other ends, as many as are left. The same pairs as sorting each account's
    pairs (by weight descending, then the other end) and keeping the first `top_k`, which was
    most of `build_pairs` (2.3 s of sorting per projection at 3 × 10^5 messages)."""
    n = len(u)
    top_k = int(top_k)
    span = int(max(u.max(), v.max())) + 1
    # Both ends of every pair, by end then other end: the symmetric matrix of pair numbers
    # (1-based, so that none is a zero the sparse sum would drop).
    half = sparse.csr_array((np.arange(1, n + 1), (u, v)), shape=(span, span))
    full = half + half.T
    full.sort_indices()
    pair = full.data - 1
    wt = weight[pair]
    indptr = full.indptr
    deg = np.diff(indptr)
    row = np.repeat(np.arange(span), deg)
    kth = np.full(span, -np.inf)
    heavy = np.flatnonzero(deg > top_k)
    if len(heavy):
        # Accounts in blocks of similar degree, each row padded to a power of two with -inf,
        # so the padding stays below twice the pairs.
        width_of = 1 << np.ceil(np.log2(deg[heavy])).astype(np.int64)
        for width in np.unique(width_of).tolist():
            rows = heavy[width_of == width]
            cols = np.arange(width)
            inside = cols[None, :] < deg[rows][:, None]
            idx = np.minimum(indptr[rows][:, None] + cols[None, :], len(wt) - 1)
            block = np.where(inside, wt[idx], -np.inf)
            kth[rows] = np.partition(block, width - top_k, axis=1)[:, width - top_k]
    at = kth[row]
    top = wt > at
    n_above = np.bincount(row, weights=top, minlength=span).astype(np.int64)
    # Ties at the threshold: in row order they are already by the other end's id.
    tie = np.flatnonzero(wt == at)
    rt = row[tie]
    rank = np.arange(len(tie)) - np.searchsorted(rt, rt)
    top[tie[rank < top_k - n_above[rt]]] = True
    keep = np.zeros(n, dtype=bool)
    keep[pair[top]] = True
    return keep
