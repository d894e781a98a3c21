"""Collective coordination: groups of accounts that co-act far more than chance.

Pair tests need each pair to share several items inside one window, so they miss slow
amplification (hours, not seconds), random squads (each post amplified by a few accounts drawn
from hundreds, so a pair shares one post) and operations that are the whole data set. This stage
works on groups:

1. every bipartite view (`views`: reshared post, reshared author, replied/liked post, link,
   hashtag, mention, copied text, semantic copy) is projected onto accounts with rarity (TF-IDF)
   weights and no per-pair gate (`projection`);
2. Leiden (seeded) finds communities of the summed projection;
3. each community is tested as a whole (`grouptest`): against the degree-preserving
   configuration null in each view, and against within-account time shuffling at several
   scales, which also says at which time scale the group coordinates;
4. the communities that pass become evidence for the fused account graph: every projected pair
   inside a coordinated group is an evidence row of trace `collective` whose p-value is the
   group's.

Tables: `group_runs` (one row per view: incidences, items, accounts), `groups` (one row per tested
community with every statistic and the decision), `group_members`, `group_evidence`.
"""

from __future__ import annotations

import dataclasses
import json
import math
from concurrent.futures import Future

import duckdb
import numpy as np
import pyarrow as pa
from scipy.stats import norm, poisson

from .. import config
from ..config import Config
from ..leiden import Partitioner
from ..networks.communities import NetworkParams
from ..samegroup import same_group
from ..store import table_exists
from .grouptest import ConfigTest, TimeTest, configuration_moments, member_time_excess, time_shuffle
from .projection import build_actions, build_incidence, build_pairs
from .views import views


@config.section("collective")
@dataclasses.dataclass
class CollectiveParams:
    """The group test (see `inconcert.collective`)."""

    enabled: bool = config.param(True, "run the group test")
    view_weights: dict = config.param(
        {"reshared_post": 1.0, "reshared_author": 1.0, "replied_post": 0.7, "liked_post": 0.7,
         "link": 0.7, "text": 1.0, "semantic": 0.0, "hashtag": 0.3, "mention": 0.3},
        "weight of each view's cosine in the projection; 0 leaves a view out of the projection "
        "(it is still tested). Hashtags and mentions are shared by whole publics, so they weigh "
        "less (fusion weights of docs/detection.md). The semantic view is tested, not projected: "
        "projected, it moved Leiden's cut of an organic public into a part that passed the time "
        "test (docs/detection.md)")
    max_item_accounts: int = config.param(
        200, "items acted on by more accounts than this are left out of the pairs (their idf is "
             "small; same bound as the pair traces' hot-item guard)")
    top_k: int = config.param(
        25, "each account keeps its heaviest projected pairs, this many, for community detection")
    resolution: float = config.param(1.0, "Leiden resolution (RB configuration, 1 = modularity)")
    iterations: int = config.param(
        2, "Leiden iterations, the same on the data and on the rewired copies (leidenalg's "
           "default; iterating until nothing improves took 88 passes and 57 s of a 66 s group "
           "test on a 14,000-account platform, most of them on the copies, whose random graphs "
           "converge slowly)")
    seed: int = config.param(42, "Leiden and shuffle seed (fixed: same input, same groups)")
    min_size: int = config.param(3, "smallest community tested")
    absorbed_share: float = config.param(
        0.5, "a group whose members make at least this share of a view's actions is judged "
             "member by member on timing too: the configuration null's popularities are then "
             "mostly the group's own behaviour")
    member_views: list = config.param(
        ["reshared_post", "reshared_author", "replied_post", "liked_post", "link", "text",
         "semantic"],
        "views in which a member must show its own excess: hashtags and mentions are shared by "
        "whole publics (everyone who names a campaign's target is not in the campaign)")
    min_items: int = config.param(
        3, "a group must co-act on at least this many distinct items in one view: one viral post "
           "or one hashtag day is not coordination")
    alpha: float = config.param(
        0.01, "family-wise error rate over the tested communities (Bonferroni over communities, "
              "views and scales)")
    min_lift: float = config.param(
        3.0, "both tests also need observed co-action at least this many times the expected "
             "(configuration) or the shuffles' mean (timing): an effect size, so a huge organic "
             "community with a mild excess is not called coordinated")
    scales_s: list = config.param(
        [60, 600, 3600],
        "time scales of the shuffle test: a minute, ten minutes, an hour. Not longer: on "
        "platforms without a campaign, shuffling latencies still found 'coordination' at six "
        "hours and a day (items differ in how fast everyone reshares them), never at an hour "
        "or less; slower coordination is the configuration test's")
    replicates: int = config.param(60, "within-account time shuffles per community")
    null_graphs: int = config.param(
        2, "rewired copies of the views (each account keeps its activity, each item its "
           "popularity) on which the projection and Leiden are run again: a community passes the "
           "configuration test only with a lift above every comparable community found in them "
           "(Kojaku and Masuda 2018), since Leiden chose it from the data the test judges. "
           "0 turns the correction off")
    max_shuffle_actions: int = config.param(
        200000, "communities with more member actions than this are shuffle-tested on a "
                "deterministic sample of their items (bounded time)")
    own_partition_views: list = config.param(
        ["semantic"],
        "views whose projection is also partitioned on its own, beside the weighted sum, and "
        "its communities tested like the others (Pacheco et al. 2021, ICWSM, build one "
        "coordination network per trace). An operation that copies talking points but whose "
        "other activity is cover (resharing what everyone reshares) is otherwise cut along its "
        "cover into mostly organic communities. Each partition has its own post-selection null "
        "(the same Leiden run on the rewired copies with the same weights)")


# View -> the view whose actions include its actions (a reshare is also an action on its
# author; a near-duplicate text also joins a semantic-copy cluster, near_text's 4-gram Jaccard
# >= 0.5 being stricter than semantic_copy's n-gram cosine >= 0.6): when both are present, only
# the second is timed.
RETIMED_BY = {"reshared_author": "reshared_post", "text": "semantic"}

# Leiden worker processes at most: each holds a projection (about 150 bytes an edge as Python
# objects and an igraph graph), and the partitions come in pairs (the sum and the semantic view).
MAX_LEIDEN_WORKERS = 2

# The data's actions and incidence (`projection`), set aside while the rewired copies use the
# same names.
_DATA_TABLES = ("_cv_actions", "_cv_items", "_cv_acc", "_cv_kept")

GROUPS_DDL = """
CREATE OR REPLACE TABLE groups (
    group_id BIGINT, size BIGINT, coordinated BOOLEAN, null_model VARCHAR, p_value DOUBLE,
    best_view VARCHAR, observed DOUBLE, expected DOUBLE, lift DOUBLE, z DOUBLE, n_items BIGINT,
    scale_s BIGINT, time_z VARCHAR, views VARCHAR, null_lift DOUBLE)
"""


def run_collective(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)create the group tables; returns the number of coordinated groups."""
    p: CollectiveParams = cfg.section("collective")
    con.execute(GROUPS_DDL).fetchall()
    con.execute("CREATE OR REPLACE TABLE group_members (group_id BIGINT, account_id VARCHAR, "
                "core BOOLEAN, shared BIGINT, strength DOUBLE)").fetchall()
    con.execute("CREATE OR REPLACE TABLE group_evidence (source VARCHAR, target VARCHAR, "
                "trace VARCHAR, weight DOUBLE, count BIGINT, p_value DOUBLE, significant BOOLEAN, "
                "first_ms BIGINT, last_ms BIGINT, examples VARCHAR)").fetchall()
    con.execute("CREATE OR REPLACE TABLE group_runs (view VARCHAR, n_actions BIGINT, "
                "n_items BIGINT, n_accounts BIGINT, n_kept_items BIGINT)").fetchall()
    try:
        return _run(con, p) if p.enabled else 0
    finally:
        copies = [f"{t}_null{r}" for t in _DATA_TABLES for r in range(max(0, p.null_graphs))]
        for tmp in (*_DATA_TABLES, *(f"{t}_real" for t in _DATA_TABLES), *copies, "_cv_pairs",
                    "_cv_part_pairs", "_trace_near_text"):
            con.execute(f"DROP TABLE IF EXISTS {tmp}").fetchall()


def _run(con: duckdb.DuckDBPyConnection, p: CollectiveParams) -> int:
    present = build_actions(con, list(views().values()))
    if not present:
        return 0
    build_incidence(con, p.max_item_accounts)
    con.execute("""
        INSERT INTO group_runs
        SELECT i.view, sum(i.n), count(*), (SELECT count(*) FROM _cv_acc a WHERE a.view = i.view),
               count(*) FILTER (WHERE i.kept)
        FROM _cv_items i GROUP BY i.view ORDER BY i.view
    """).fetchall()
    groups: list[list[int]] = []
    parts: list[int] = []
    seen: set[tuple[int, ...]] = set()
    partitions = _partitions(present, p)
    threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    with Partitioner(min(threads, MAX_LEIDEN_WORKERS)) as leiden:
        found = []
        for part, weights in enumerate(partitions):
            build_pairs(con, weights, p.top_k)
            # Each partition's pairs are its groups' evidence and members' strength.
            into = ("INSERT INTO _cv_part_pairs" if part
                    else "CREATE OR REPLACE TEMP TABLE _cv_part_pairs AS")
            con.execute(f"{into} SELECT {part} AS part, * FROM _cv_pairs").fetchall()
            found.append(_submit_communities(con, p, leiden))
        # The rewired copies are built while the data's partitions run, and the data's groups
        # are measured while the copies' partitions run.
        copies = _start_copies(con, partitions, p, leiden)
        for part, job in enumerate(found):
            for g in _communities(job, p):
                # The same community found by two partitions is one test, judged once.
                if tuple(g) not in seen:
                    seen.add(tuple(g))
                    groups.append(g)
                    parts.append(part)
        if not groups:
            return 0
        measured = _measure_groups(con, groups, present, p)
        part_nulls = _null_lifts(con, present, partitions, p, copies)
    results = _judge_groups(measured, groups, present, p,
                            [part_nulls[part] for part in parts])
    _store(con, groups, parts, results)
    return sum(1 for r in results if r["coordinated"])


def _partitions(present: list[str], p: CollectiveParams) -> list[dict[str, float]]:
    """The view weights of each projection Leiden partitions: the weighted sum of every view,
    then each of `own_partition_views` that has data, alone."""
    combined = {v: float(p.view_weights.get(v, 0.5)) for v in present}
    alone = [{v: 1.0 if v == own else 0.0 for v in present}
             for own in p.own_partition_views if own in present]
    return [combined, *(w for w in alone if w != combined)]


def _submit_communities(con: duckdb.DuckDBPyConnection, p: CollectiveParams,
                        leiden: Partitioner) -> Future:
    """Leiden on the projection in `_cv_pairs`, started (see `_communities`)."""
    edges = con.sql("SELECT u, v, weight FROM _cv_pairs WHERE weight > 0 ORDER BY u, v"
                    ).fetchnumpy()
    params = NetworkParams(resolution=p.resolution, seed=p.seed, iterations=p.iterations)
    # Every item id starts with its platform (`views`), so each account's items tell its
    # platform; each platform is partitioned apart (leiden.partition_by_platform).
    platform_of = dict(con.execute(
        "SELECT aid, min(split_part(item, ':', 1)) FROM _cv_actions GROUP BY aid "
        "HAVING count(DISTINCT split_part(item, ':', 1)) = 1").fetchall())
    return leiden.submit(np.asarray(edges["u"], dtype=np.int64),
                         np.asarray(edges["v"], dtype=np.int64),
                         np.asarray(edges["weight"], dtype=np.float64), platform_of, params)


def _communities(job: Future, p: CollectiveParams) -> list[list[int]]:
    """The communities a `_submit_communities` job found, large enough to test, largest
    first."""
    found = [g for g in job.result() if len(g) >= p.min_size]
    return sorted(found, key=lambda g: (-len(g), g[0]))


def _power_sums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, float, float]]:
    """Per view, the sums of the kept items' shares of the view's incidences to the powers 2, 3
    and 4. Summed exactly (math.fsum) rather than by a parallel SQL sum: floating-point addition
    in whatever order DuckDB's threads finish changed the last digits of `expected`, `lift` and
    `z` between two runs of the same case, and on a tie the group's `best_view`."""
    out: dict[str, tuple[float, float, float]] = {}
    for view, n, total in con.execute("""
        WITH m AS (SELECT view, sum(n) AS m FROM _cv_items GROUP BY view)
        SELECT i.view, list(i.n), any_value(m.m)
        FROM _cv_items i JOIN m USING (view) WHERE i.kept GROUP BY i.view ORDER BY i.view
    """).fetchall():
        share = np.asarray(n, dtype=np.float64) / float(total)
        out[view] = tuple(math.fsum((share ** k).tolist()) for k in (2, 3, 4))
    return out


_Copy = tuple[dict[str, tuple[float, float, float]], dict[str, float], list[Future]]


def _start_copies(con: duckdb.DuckDBPyConnection, partitions: list[dict[str, float]],
                  p: CollectiveParams, leiden: Partitioner) -> list[_Copy]:
    """Build the `null_graphs` rewired copies of the views (`_null_lifts`), each kept as the
    `_null{r}` tables, and start their partitions; the data's tables are as before."""
    if p.null_graphs <= 0:
        return []
    # The data's actions and incidence are set aside, not rebuilt after the copies.
    for t in _DATA_TABLES:
        con.execute(f"ALTER TABLE {t} RENAME TO {t}_real").fetchall()
    try:
        return [_rewired_copy(con, r, partitions, p, leiden) for r in range(int(p.null_graphs))]
    finally:
        for t in _DATA_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {t}").fetchall()
            con.execute(f"ALTER TABLE {t}_real RENAME TO {t}").fetchall()


def _null_lifts(con: duckdb.DuckDBPyConnection, present: list[str],
                partitions: list[dict[str, float]], p: CollectiveParams, copies: list[_Copy]
                ) -> list[list[tuple[int, float]]]:
    """For each partition (its view weights), (size, best lift) of every community Leiden finds
    in `null_graphs` rewired copies of the views: the post-selection null of the configuration
    test (Kojaku and Masuda 2018, "A generalised significance test for individual communities in
    networks", Sci. Rep. 8:7351).

    Each copy permutes, within each view, which item every incidence points at (a seeded hash
    order, so the same input gives the same copy): accounts keep their activity and times, items
    their popularity, and any structure among accounts is gone. The copies do not depend on the
    weights, so each is built once and projected with every partition's weights
    (`_start_copies`, which starts their partitions beside the rest of the test). The best lift
    of a community is over the views where it co-acted on at least `min_items` items, as in the
    real test.
    """
    found: list[list[tuple[int, float]]] = [[] for _ in partitions]
    for r, (sums, totals, jobs) in enumerate(copies):
        for part, job in enumerate(jobs):
            groups = _communities(job, p)
            if not groups:
                continue
            arrays = _group_arrays(con, groups, f"_null{r}")
            for g, members in enumerate(groups):
                tests, _ = _view_tests(arrays, g, present, sums, totals)
                lifts = [t.lift for t in tests.values() if t.n_items >= p.min_items]
                if lifts:
                    found[part].append((len(members), max(lifts)))
        for t in _DATA_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {t}_null{r}").fetchall()
    return found


def _rewired_copy(con: duckdb.DuckDBPyConnection, r: int, partitions: list[dict[str, float]],
                  p: CollectiveParams, leiden: Partitioner) -> _Copy:
    """Rewired copy `r` of the data's actions (`_null_lifts`) and its incidence, kept as the
    `_null{r}` tables; its power sums, its views' totals and its partitions, started."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _cv_actions AS
        WITH a AS (
            SELECT view, aid, account, t,
                   row_number() OVER (PARTITION BY view
                                      ORDER BY hash(aid, iid, {r}), aid, iid) AS k
            FROM _cv_actions_real),
        b AS (
            SELECT view, iid, item,
                   row_number() OVER (PARTITION BY view
                                      ORDER BY hash(iid, aid, {r} + 1000003), iid, aid) AS k
            FROM _cv_actions_real)
        SELECT a.view, a.aid, any_value(a.account) AS account, any_value(b.item) AS item,
               b.iid, min(a.t) AS t
        FROM a JOIN b USING (view, k)
        GROUP BY a.view, a.aid, b.iid
        ORDER BY a.view, b.iid, t, a.aid
    """).fetchall()
    build_incidence(con, p.max_item_accounts)
    sums = _power_sums(con)
    totals = dict(con.execute("SELECT view, sum(n) FROM _cv_items GROUP BY view").fetchall())
    jobs = []
    for weights in partitions:
        build_pairs(con, weights, p.top_k)
        jobs.append(_submit_communities(con, p, leiden))
    for t in _DATA_TABLES:
        con.execute(f"ALTER TABLE {t} RENAME TO {t}_null{r}").fetchall()
    return sums, totals, jobs


def _null_lift(null: list[tuple[int, float]], size: int, n_tests: int, alpha: float) -> float:
    """The lift a community of `size` members must reach to beat the rewired copies: their
    comparable communities (at least half as large; all of them when fewer than five are) give
    the mean and sd of log lift, and the threshold is the one-sided normal quantile at
    `alpha / n_tests` (the same Bonferroni as the closed-form test; Kojaku and Masuda fit the
    null communities' quality with a Gaussian kernel). Never below the largest null lift seen.
    0 when the copies held no community."""
    comparable = [lift for n, lift in null if 2 * n >= size and lift > 0]
    if len(comparable) < 5:
        comparable = [lift for _, lift in null if lift > 0]
    if not comparable:
        return 0.0
    logs = np.log(np.asarray(comparable, dtype=np.float64))
    sd = float(logs.std(ddof=1)) if len(logs) > 1 else 0.0
    tail = float(np.exp(logs.mean() + sd * norm.isf(alpha / max(1, n_tests))))
    return max(tail, float(np.exp(logs.max())))


@dataclasses.dataclass(frozen=True)
class _GroupArrays:
    """Every tested community's member incidences (kept items) and member activities, sorted by
    community, with the bounds of each community's slice."""

    view_a: np.ndarray
    aid_a: np.ndarray
    iid_a: np.ndarray
    t_a: np.ndarray
    x_a: np.ndarray
    dd_a: np.ndarray
    view_d: np.ndarray
    d_d: np.ndarray
    a_bounds: np.ndarray
    d_bounds: np.ndarray


def _group_arrays(con: duckdb.DuckDBPyConnection, groups: list[list[int]],
                  suffix: str = "") -> _GroupArrays:
    """The groups' arrays from the data's tables, or a rewired copy's (`suffix` `_null{r}`)."""
    member = pa.table({"aid": pa.array([a for g in groups for a in g], pa.int64()),
                       "gid": pa.array([i for i, g in enumerate(groups) for _ in g], pa.int64())})
    con.register("_cv_member", member)
    try:
        act = con.sql(f"""
            WITH m_v AS (SELECT view, sum(n) AS m FROM _cv_items{suffix} GROUP BY view)
            SELECT m.gid, k.view, k.aid, k.iid, k.t, i.n / m_v.m AS x, a.d
            FROM _cv_kept{suffix} k JOIN _cv_member m USING (aid)
            JOIN _cv_items{suffix} i USING (view, iid) JOIN m_v USING (view)
            JOIN _cv_acc{suffix} a USING (view, aid)
            ORDER BY m.gid, k.view, k.iid, k.aid
        """).to_arrow_table()
        deg = con.sql(f"""
            SELECT m.gid, a.view, a.d FROM _cv_acc{suffix} a JOIN _cv_member m USING (aid)
            ORDER BY m.gid, a.view, a.aid
        """).to_arrow_table()
    finally:
        con.unregister("_cv_member")
    gid_a = act.column("gid").to_numpy()
    gid_d = deg.column("gid").to_numpy()
    return _GroupArrays(
        view_a=np.asarray(act.column("view").to_pylist(), dtype=object),
        aid_a=act.column("aid").to_numpy(), iid_a=act.column("iid").to_numpy(),
        t_a=act.column("t").to_numpy(), x_a=act.column("x").to_numpy(),
        dd_a=act.column("d").to_numpy(),
        view_d=np.asarray(deg.column("view").to_pylist(), dtype=object),
        d_d=deg.column("d").to_numpy(),
        a_bounds=np.searchsorted(gid_a, np.arange(len(groups) + 1)),
        d_bounds=np.searchsorted(gid_d, np.arange(len(groups) + 1)))


def _view_tests(arr: _GroupArrays, g: int, present: list[str],
                sums: dict[str, tuple[float, float, float]], totals: dict[str, float]
                ) -> tuple[dict[str, ConfigTest], float]:
    """Community `g`'s configuration test in every view, and the largest share of a view's
    actions that its members make."""
    lo, hi = arr.a_bounds[g], arr.a_bounds[g + 1]
    dl, dh = arr.d_bounds[g], arr.d_bounds[g + 1]
    tests: dict[str, ConfigTest] = {}
    coverage = 0.0
    for view in present:
        iids = arr.iid_a[lo:hi][arr.view_a[lo:hi] == view]
        _, counts = np.unique(iids, return_counts=True) if len(iids) else (None, np.zeros(0))
        observed = float(np.sum(counts * (counts - 1) / 2))
        d = arr.d_d[dl:dh][arr.view_d[dl:dh] == view]
        if view not in sums or not len(d):
            continue
        coverage = max(coverage, float(np.sum(d)) / max(1.0, float(totals[view])))
        mean, var = configuration_moments(d, *sums[view])
        tests[view] = ConfigTest(observed, mean, var, int(np.sum(counts >= 2)))
    return tests, coverage


@dataclasses.dataclass
class _Measured:
    """What the test of one community finds before the rewired copies' floor is known."""

    tests: dict[str, ConfigTest]
    coverage: float
    core: list[int]
    shared: dict[int, int]
    eligible: dict[str, ConfigTest]
    best: tuple[str | None, ConfigTest | None]
    tt: TimeTest | None
    time_p: list[float]
    sig_scales: list[int]
    own: np.ndarray
    timed: np.ndarray


@dataclasses.dataclass
class _Measurements:
    arr: _GroupArrays
    groups: list[_Measured]


def _measure_groups(con: duckdb.DuckDBPyConnection, groups: list[list[int]], present: list[str],
                    p: CollectiveParams) -> _Measurements:
    """Every community's configuration tests, core members and time shuffles: all of its test
    that does not depend on the rewired copies (`_judge_groups` applies their floor), so it runs
    while their partitions do."""
    arr = _group_arrays(con, groups)
    sums = _power_sums(con)
    totals = dict(con.execute("SELECT view, sum(n) FROM _cv_items GROUP BY view").fetchall())
    view_a, aid_a, iid_a, t_a, x_a, dd_a = (arr.view_a, arr.aid_a, arr.iid_a, arr.t_a,
                                            arr.x_a, arr.dd_a)
    n_time_tests = max(1, len(groups) * len(p.scales_s))
    untimed = [v for v, by in RETIMED_BY.items() if by in present]
    out = []
    for g in range(len(groups)):
        lo, hi = arr.a_bounds[g], arr.a_bounds[g + 1]
        tests, coverage = _view_tests(arr, g, present, sums, totals)
        own = np.isin(view_a[lo:hi], list(p.member_views))
        core = _core_members(view_a[lo:hi][own], aid_a[lo:hi][own], iid_a[lo:hi][own],
                             x_a[lo:hi][own], dd_a[lo:hi][own], groups[g], p)
        shared = _member_shared(view_a[lo:hi], aid_a[lo:hi], iid_a[lo:hi])
        eligible = {v: t for v, t in tests.items() if t.n_items >= p.min_items}
        best = min(eligible.items(), key=lambda kv: (kv[1].p_value, -kv[1].lift, kv[0]),
                   default=(None, None))
        # A reshare is an action in the post view and again in the author view, a copied text
        # one in the text view and again in the semantic view: timed twice, one co-action would
        # count as two (the shuffles break the pair apart, so the excess doubles too). Each is
        # timed once, in the view that re-times it.
        timed = ~np.isin(view_a[lo:hi], untimed)
        tt = _shuffle(view_a[lo:hi][timed], aid_a[lo:hi][timed], iid_a[lo:hi][timed],
                      t_a[lo:hi][timed], p, g)
        time_p = tt.p_values() if tt else [1.0] * len(p.scales_s)
        # Significance alone is not enough for timing either: items have lifetimes, so an
        # organic public co-acts within an hour somewhat more than its shuffled clock times
        # predict (1.4x for 220 accounts around a viral post, z = 4). The same effect size as
        # the configuration test; Thailand's archive groups co-act 5-11x their shuffles.
        time_lift = tt.lifts() if tt else [0.0] * len(p.scales_s)
        sig_scales = [s for s, pv, lift in zip(p.scales_s, time_p, time_lift, strict=True)
                      if pv * n_time_tests <= p.alpha and lift >= p.min_lift]
        out.append(_Measured(tests, coverage, core, shared, eligible, best, tt, time_p,
                             sig_scales, own, timed))
    return _Measurements(arr, out)


def _judge_groups(measured: _Measurements, groups: list[list[int]], present: list[str],
                  p: CollectiveParams, null_lifts: list[list[tuple[int, float]]]) -> list[dict]:
    """Every community's decision (`null_lifts[g]`: the null communities of the partition that
    found community `g`); Bonferroni runs over all communities of all partitions."""
    arr = measured.arr
    view_a, aid_a, iid_a, t_a = arr.view_a, arr.aid_a, arr.iid_a, arr.t_a
    n_tests = max(1, len(groups) * len(present))
    n_time_tests = max(1, len(groups) * len(p.scales_s))
    out = []
    for g, m in enumerate(measured.groups):
        lo, hi = arr.a_bounds[g], arr.a_bounds[g + 1]
        best, core, sig_scales, tt = m.best, m.core, m.sig_scales, m.tt
        floor = max(p.min_lift, _null_lift(null_lifts[g], len(groups[g]), n_tests, p.alpha))
        config_ok = bool(best[1] is not None and best[1].p_value * n_tests <= p.alpha
                         and best[1].lift >= floor)
        time_ok = bool(sig_scales) and bool(m.eligible)
        if time_ok and (not config_ok or m.coverage >= p.absorbed_share):
            # The configuration null cannot see this group, or its members one by one: its
            # popularities are mostly the group's own behaviour (a takedown archive, an operation
            # that fills most of the case, a squad Leiden joined with its audience). Their
            # timing still can.
            own_timed = m.own & m.timed
            core = core + _core_by_time(view_a[lo:hi][own_timed], aid_a[lo:hi][own_timed],
                                        iid_a[lo:hi][own_timed], t_a[lo:hi][own_timed],
                                        sig_scales, len(groups[g]), p, g)
            core = sorted(set(core))
        null = ("configuration" if config_ok else "time shuffle" if time_ok else "none")
        # The p-value of the test that passed: a configuration p-value whose lift fell below
        # the post-selection floor is no evidence.
        pv = min(1.0, best[1].p_value * n_tests) if config_ok else 1.0
        if time_ok:
            pv = min(pv, min(pv_ for s, pv_ in zip(p.scales_s, m.time_p, strict=True)
                             if s in sig_scales) * n_time_tests)
        out.append({
            "core": core, "shared": m.shared,
            "coordinated": (config_ok or time_ok) and len(core) >= p.min_size, "null": null,
            "p_value": min(1.0, pv),
            "best_view": best[0], "observed": best[1].observed if best[1] else None,
            "expected": best[1].expected if best[1] else None,
            "lift": best[1].lift if best[1] else None, "z": best[1].z if best[1] else None,
            "n_items": best[1].n_items if best[1] else 0,
            "scale_s": min(sig_scales) if sig_scales else None,
            "time_z": json.dumps({str(s): round(z, 3) if np.isfinite(z) else "inf"
                                  for s, z in zip(p.scales_s, tt.z(), strict=True)})
            if tt else None,
            "null_lift": floor,
            "views": json.dumps({v: {"observed": t.observed, "expected": round(t.expected, 6),
                                     "z": round(t.z, 3) if np.isfinite(t.z) else "inf",
                                     "n_items": t.n_items} for v, t in sorted(m.tests.items())}),
        })
    return out


def _core_members(view: np.ndarray, aid: np.ndarray, iid: np.ndarray, x: np.ndarray,
                  d: np.ndarray, members: list[int], p: CollectiveParams) -> list[int]:
    """The members that co-act with the rest of their group beyond chance, each on its own.

    For member u in a view, O_u = Σ (k_i − 1) over its items (how many other members acted on
    each), and under the configuration null E_u = Σ (D1 − d_u) x_i, D1 the members' summed
    activity in the view. A member is core when, in some view, it shares at least `min_items`
    items with other members, O_u ≥ `min_lift` · E_u and the Poisson tail P(X ≥ O_u | E_u)
    passes Bonferroni over the members and views. Accounts that touched a campaign's viral post
    or mentioned its target once are Leiden neighbours of a squad, not members of it.
    """
    if not len(iid):
        return []
    _, iinv = np.unique(iid, return_inverse=True)
    _, vinv = np.unique(view, return_inverse=True)
    accounts, ainv = np.unique(aid, return_inverse=True)
    n_views = int(vinv.max()) + 1
    cell = ainv * n_views + vinv
    size = len(accounts) * n_views
    first = np.unique(cell, return_index=True)[1]
    keep = np.ones(len(accounts), dtype=bool)
    # Peel: Leiden may join a squad with hundreds of ordinary accounts around it, whose activity
    # inflates every member's expectation. Members co-acting below chance (lift < 1) are set
    # aside and the rest re-measured among themselves, until nothing changes.
    for _ in range(20):
        ok, lift = _member_tests(iinv, vinv, ainv, cell, size, first, x, d, keep, n_views,
                                 len(members), p)
        weak = keep & ~(lift >= 1.0)
        if not weak.any():
            break
        keep &= ~weak
    return sorted(int(a) for a in accounts[ok & keep])


def _member_tests(iinv: np.ndarray, vinv: np.ndarray, ainv: np.ndarray, cell: np.ndarray,
                  size: int, first: np.ndarray, x: np.ndarray, d: np.ndarray, keep: np.ndarray,
                  n_views: int, n_members: int, p: CollectiveParams
                  ) -> tuple[np.ndarray, np.ndarray]:
    """One round of `_core_members` over the members in `keep`: which pass, and each member's
    best lift over the views."""
    act = keep[ainv]
    k = np.bincount(iinv, weights=act.astype(np.float64))[iinv]
    d1 = np.bincount(vinv[first], weights=np.where(act[first], d[first], 0).astype(np.float64),
                     minlength=n_views)
    e = (d1[vinv] - d) * x
    observed = np.bincount(cell, weights=np.where(act, k - 1, 0), minlength=size)
    expected = np.bincount(cell, weights=np.where(act, e, 0), minlength=size)
    shared = np.bincount(cell, weights=(act & (k >= 2)).astype(np.float64), minlength=size)
    pv = poisson.sf(observed - 1, np.maximum(expected, 1e-12))
    ok = ((shared >= p.min_items) & (observed >= p.min_lift * expected)
          & (pv * max(1, n_members) * n_views <= p.alpha))
    lift = np.divide(observed, expected, out=np.zeros_like(observed), where=expected > 0)
    return (ok.reshape(-1, n_views).any(axis=1), lift.reshape(-1, n_views).max(axis=1))


def _member_shared(view: np.ndarray, aid: np.ndarray, iid: np.ndarray) -> dict[int, int]:
    """Per member, the most items it shares with other members in any one view."""
    if not len(iid):
        return {}
    _, inv, counts = np.unique(iid, return_inverse=True, return_counts=True)
    _, vinv = np.unique(view, return_inverse=True)
    accounts, ainv = np.unique(aid, return_inverse=True)
    per = _shared_in_one_view(ainv, vinv, counts[inv])
    return {int(a): int(n) for a, n in zip(accounts, per, strict=True)}


def _shared_in_one_view(ainv: np.ndarray, vinv: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per account (ainv codes), the most items it shares with other members in any one view:
    two reshares count twice across the post and author views, but are still two reshares."""
    n_views = int(vinv.max()) + 1
    per = np.bincount(ainv * n_views + vinv, weights=(k >= 2).astype(np.float64),
                      minlength=(int(ainv.max()) + 1) * n_views)
    return per.reshape(-1, n_views).max(axis=1)


def _core_by_time(view: np.ndarray, aid: np.ndarray, iid: np.ndarray, t: np.ndarray,
                  scales_s: list[int], n_members: int, p: CollectiveParams, g: int) -> list[int]:
    """Members whose co-actions with other members within one of the group's significant scales
    exceed their own time-shuffled expectation (same rules as `_core_members`: co-actions
    within the scale on at least `min_items` items, `min_lift`, Poisson tail with Bonferroni over
    the members and scales). Each
    scale is tested: a slow squad inside a group that also holds fast fans co-acts at hours."""
    _, vcode = np.unique(view, return_inverse=True)
    accounts, observed, mean, items = member_time_excess(
        aid, aid.astype(np.int64) * 64 + vcode, iid.astype(np.int64), t.astype(np.int64),
        scales_s, p.replicates, p.seed + g)
    pv = poisson.sf(observed - 1, np.maximum(mean, 1e-12))
    ok = ((items >= p.min_items) & (observed >= p.min_lift * mean)
          & (pv * max(1, n_members) * len(scales_s) <= p.alpha))
    return sorted(int(a) for a in accounts[ok.any(axis=1)])


def _shuffle(view: np.ndarray, aid: np.ndarray, iid: np.ndarray, t: np.ndarray,
             p: CollectiveParams, g: int) -> TimeTest | None:
    if len(iid) < 2:
        return None
    if len(iid) > p.max_shuffle_actions:
        # Keep whole items (a deterministic hash of the item id), so co-actions stay intact.
        keep = (iid * 2654435761 % 2**32) < (2**32 * p.max_shuffle_actions / len(iid))
        view, aid, iid, t = view[keep], aid[keep], iid[keep], t[keep]
    _, vcode = np.unique(view, return_inverse=True)
    unit = aid.astype(np.int64) * 64 + vcode
    return time_shuffle(unit, iid.astype(np.int64), t.astype(np.int64), list(p.scales_s),
                        p.replicates, p.seed + g)


def _store(con: duckdb.DuckDBPyConnection, groups: list[list[int]], parts: list[int],
           results: list[dict]) -> None:
    rows = {k: [r[k] for r in results] for k in results[0]}
    con.register("_cv_res", pa.table({
        "group_id": pa.array(range(1, len(groups) + 1), pa.int64()),
        "size": pa.array([len(g) for g in groups], pa.int64()),
        "coordinated": pa.array(rows["coordinated"], pa.bool_()),
        "null_model": pa.array(rows["null"], pa.string()),
        "p_value": pa.array(rows["p_value"], pa.float64()),
        "best_view": pa.array(rows["best_view"], pa.string()),
        "observed": pa.array(rows["observed"], pa.float64()),
        "expected": pa.array(rows["expected"], pa.float64()),
        "lift": pa.array([None if x is None or not np.isfinite(x) else x for x in rows["lift"]],
                         pa.float64()),
        "z": pa.array([None if x is None or not np.isfinite(x) else x for x in rows["z"]],
                      pa.float64()),
        "n_items": pa.array(rows["n_items"], pa.int64()),
        "scale_s": pa.array(rows["scale_s"], pa.int64()),
        "time_z": pa.array(rows["time_z"], pa.string()),
        "views": pa.array(rows["views"], pa.string()),
        "null_lift": pa.array(rows["null_lift"], pa.float64())}))
    cores = [set(r["core"]) for r in results]
    con.register("_cv_gm", pa.table({
        "group_id": pa.array([i + 1 for i, g in enumerate(groups) for _ in g], pa.int64()),
        "part": pa.array([parts[i] for i, g in enumerate(groups) for _ in g], pa.int64()),
        "aid": pa.array([a for g in groups for a in g], pa.int64()),
        "core": pa.array([a in cores[i] for i, g in enumerate(groups) for a in g], pa.bool_()),
        "shared": pa.array([results[i]["shared"].get(a, 0) for i, g in enumerate(groups)
                            for a in g], pa.int64())}))
    try:
        con.execute("INSERT INTO groups SELECT * FROM _cv_res ORDER BY group_id").fetchall()
        ends = ("(SELECT part, u AS a, v AS b, weight FROM _cv_part_pairs "
                "UNION ALL SELECT part, v, u, weight FROM _cv_part_pairs)")
        con.execute(f"""
            INSERT INTO group_members
            WITH tie AS (
                SELECT _group AS group_id, a AS aid, list_sum(list(weight ORDER BY b)) AS strength
                FROM {same_group(ends, "_cv_gm", "a", "b", key="aid", group="group_id",
                                 on_a="_m.part = _e.part",
                                 members_b="(SELECT * FROM _cv_gm WHERE core)")}
                GROUP BY _group, a
            )
            SELECT DISTINCT gm.group_id, a.account, gm.core, gm.shared,
                   coalesce(tie.strength, 0.0)
            FROM _cv_gm gm
            JOIN (SELECT DISTINCT aid, account FROM _cv_actions) a USING (aid)
            LEFT JOIN tie USING (group_id, aid)
            ORDER BY 1, 2
        """).fetchall()
        # Every projected pair inside a coordinated group is evidence, with the group's p-value
        # and up to five of the items the two share (rarest first).
        con.execute(f"""
            INSERT INTO group_evidence
            WITH acc AS (SELECT DISTINCT aid, account FROM _cv_actions),
            pairs AS (
                SELECT pr.u, pr.v, pr.weight, pr.n_items, g.p_value
                FROM {same_group("_cv_part_pairs", "(SELECT * FROM _cv_gm WHERE core)", "u", "v",
                                 key="aid", group="group_id", on_a="_m.part = _e.part")} pr
                JOIN groups g ON g.group_id = pr._group AND g.coordinated
                -- A pair in the cores of groups from two partitions is evidence once, with the
                -- stronger group's p-value.
                QUALIFY row_number() OVER (PARTITION BY pr.u, pr.v
                                           ORDER BY g.p_value, g.group_id) = 1
            ),
            shared AS (
                SELECT pairs.u, pairs.v, ka.iid, ka.idf2_u, least(ka.t, kb.t) AS t1,
                       greatest(ka.t, kb.t) AS t2
                FROM pairs JOIN _cv_kept ka ON ka.aid = pairs.u
                JOIN _cv_kept kb ON kb.aid = pairs.v AND kb.iid = ka.iid
            ),
            ex AS (
                SELECT s.u, s.v, min(s.t1) AS first_ms, max(s.t2) AS last_ms,
                       to_json(list(it.item ORDER BY s.idf2_u DESC, it.item)[1:5]) AS examples
                FROM shared s
                JOIN (SELECT DISTINCT iid, item FROM _cv_actions) it USING (iid)
                GROUP BY s.u, s.v
            )
            SELECT CASE WHEN au.account < av.account THEN au.account ELSE av.account END,
                   CASE WHEN au.account < av.account THEN av.account ELSE au.account END,
                   'collective', pairs.weight, pairs.n_items, pairs.p_value, true,
                   ex.first_ms, ex.last_ms, ex.examples
            FROM pairs JOIN acc au ON au.aid = pairs.u JOIN acc av ON av.aid = pairs.v
            LEFT JOIN ex ON ex.u = pairs.u AND ex.v = pairs.v
            ORDER BY 1, 2
        """).fetchall()
    finally:
        con.unregister("_cv_res")
        con.unregister("_cv_gm")


def describe_networks(con: duckdb.DuckDBPyConnection) -> None:
    """Add each network's group evidence to `networks`: the coordinated group that shares most
    members with it, that group's p-value, the null model that decided it and the time scale at
    which it coordinates (None when no coordinated group overlaps the network)."""
    for col, typ in (("group_p_value", "DOUBLE"), ("null_model", "VARCHAR"),
                     ("time_scale_s", "BIGINT")):
        con.execute(f"ALTER TABLE networks ADD COLUMN IF NOT EXISTS {col} {typ}").fetchall()
    con.execute("""
        UPDATE networks SET group_p_value = b.p_value, null_model = b.null_model,
                            time_scale_s = b.scale_s
        FROM (
            SELECT network_id, p_value, null_model, scale_s FROM (
                SELECT m.network_id, g.p_value, g.null_model, g.scale_s,
                       row_number() OVER (PARTITION BY m.network_id
                                          ORDER BY count(*) DESC, g.p_value, g.group_id) AS r
                FROM memberships m JOIN group_members gm USING (account_id)
                JOIN groups g ON g.group_id = gm.group_id AND g.coordinated
                GROUP BY m.network_id, g.group_id, g.p_value, g.null_model, g.scale_s)
            WHERE r = 1) b
        WHERE networks.network_id = b.network_id
    """).fetchall()


def join_periphery(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """Add the non-core members of coordinated groups that no earlier step placed to the network
    that holds most of their group's core (`joined_by = 'group'`, role 'amplifier': they co-act
    with it), attached by their projected weight to the core. Runs after the roles step, so
    seeders and amplifiers the network reshares join by what they do first.

    Only members that share at least `min_items` items with the group in one view join (an
    account that reshared two of a squad's posts engaged with it; it is not part of it). They
    act with the group but not, each on its own, beyond chance; the verdict flags such a
    member only when it shows signs of inauthenticity itself (its attachment stays low).
    Returns the number of accounts added.
    """
    if not table_exists(con, "group_members") or not table_exists(con, "memberships"):
        return 0
    scale = float(cfg.section("network").attach_scale)
    before = con.execute("SELECT count(*) FROM memberships").fetchall()[0][0]
    con.execute("""
        INSERT INTO memberships
        WITH target AS (
            SELECT group_id, network_id FROM (
                SELECT gm.group_id, m.network_id,
                       row_number() OVER (PARTITION BY gm.group_id
                                          ORDER BY count(*) DESC, m.network_id) AS r
                FROM group_members gm JOIN groups g ON g.group_id = gm.group_id AND g.coordinated
                JOIN memberships m ON m.account_id = gm.account_id
                WHERE gm.core GROUP BY gm.group_id, m.network_id)
            WHERE r = 1
        )
        SELECT gm.account_id, t.network_id, 'group', gm.strength,
               1 - exp(-gm.strength / ?), 'amplifier', 0, 0, 0, 0, 0
        FROM group_members gm JOIN target t USING (group_id)
        WHERE NOT gm.core AND gm.shared >= ?
          AND gm.account_id NOT IN (SELECT account_id FROM memberships)
        -- On the periphery of groups from two partitions: the group it is tied to most firmly.
        QUALIFY row_number() OVER (PARTITION BY gm.account_id
                                   ORDER BY gm.strength DESC, t.network_id) = 1
        ORDER BY gm.account_id
    """, [scale, int(cfg.section("collective").min_items)]).fetchall()
    return int(con.execute("SELECT count(*) FROM memberships").fetchall()[0][0] - before)


