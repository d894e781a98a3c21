"""The pair engine: its SQL against a brute-force reference, the hot-item guard, and one trace
definition for two engines (SQLGlot transpiles every trace's SQL to Spark; with pyspark
installed, Spark gives the same co-reshare edges as DuckDB)."""

from __future__ import annotations

import itertools
import random

import duckdb
import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from inconcert import config, paircount
from inconcert.engine import (
    DETAIL_SQL,
    ITEM_PAIRS_SQL,
    ORIGIN,
    PAIR_ROWS_SQL,
    SUMMARY_SQL,
    DuckDBEngine,
    cap_sql,
    encode_sql,
    to_spark,
    window_sql,
)
from inconcert.store import Store
from inconcert.traces import compute_traces, traces


def _actions(n: int, seed: int, accounts: int = 30, items: int = 8, span: int = 20_000):
    r = random.Random(seed)
    return [(f"a{r.randrange(accounts)}", f"i{r.randrange(items)}", r.randrange(span), f"x{k}")
            for k in range(n)]


def _reference(actions, w: int) -> dict[tuple[str, str, str], int]:
    """Window pairs per (source, target, item), by comparing every two actions."""
    out: dict[tuple[str, str, str], int] = {}
    for (u, i, t, _), (v, j, s, _) in itertools.combinations(actions, 2):
        if i == j and u != v and abs(t - s) <= w:
            key = (min(u, v), max(u, v), i)
            out[key] = out.get(key, 0) + 1
    return out


def _enumerate(actions, w: int, min_count: int = 1, cap: int = 10_000):
    con = duckdb.connect()
    con.execute("CREATE TABLE acts (account VARCHAR, item VARCHAR, t BIGINT, action_id VARCHAR)")
    con.executemany("INSERT INTO acts VALUES (?, ?, ?, ?)", actions)
    DuckDBEngine().enumerate(con, "SELECT * FROM acts", w, cap, min_count)
    names = """
        JOIN _tr_acc AS s ON s.aid = p.source JOIN _tr_acc AS t ON t.aid = p.target"""
    detail = con.execute(f"""
        SELECT s.account, t.account, i.item, p.n_pairs FROM _tr_pair_items AS p {names}
        JOIN _tr_item AS i ON i.iid = p.item""").fetchall()
    pairs = con.execute(f"SELECT s.account, t.account, p.cnt FROM _tr_pairs AS p {names}")\
        .fetchall()
    per_item = con.execute("SELECT i.item, p.wp, p.n_pairs FROM _tr_item_pairs AS p "
                           "JOIN _tr_item AS i ON i.iid = p.item").fetchall()
    return ({(a, b, i): n for a, b, i, n in detail}, {(a, b): n for a, b, n in pairs},
            {i: (wp, n) for i, wp, n in per_item})


@pytest.mark.parametrize(("seed", "once"), [(1, False), (2, False), (3, True), (4, True)])
def test_bucket_join_finds_exactly_the_window_pairs(seed, once):
    actions = _actions(400, seed)
    if once:  # one action per (account, item), like reshares: the no-aggregation path
        actions = list({(a, i): (a, i, t, x) for a, i, t, x in actions}.values())
    # actions exactly W apart, across a bucket edge, are in the window; W + 1 apart are not
    actions += [("edge1", "e", 999, "y1"), ("edge2", "e", 1999, "y2"),
                ("edge3", "e", 3000, "y3"), ("edge4", "e", 4001, "y4")]
    ref = _reference(actions, 1000)
    detail, _, per_item = _enumerate(actions, 1000)
    assert detail == ref
    assert ("edge1", "edge2", "e") in detail and ("edge3", "edge4", "e") not in detail
    items = {i for _, _, i in ref}
    assert per_item == {i: (sum(1 for k in ref if k[2] == i),
                            sum(n for k, n in ref.items() if k[2] == i)) for i in items}
    # with min_count 3: only pairs sharing three items, and only their items in the detail
    detail, pairs, _ = _enumerate(actions, 1000, min_count=3)
    shared: dict[tuple[str, str], int] = {}
    for a, b, _ in ref:
        shared[(a, b)] = shared.get((a, b), 0) + 1
    assert pairs == {k: n for k, n in shared.items() if n >= 3}
    assert detail == {k: n for k, n in ref.items() if k[:2] in pairs}


def test_hot_item_is_capped_deterministically_and_noted(tmp_path):
    rows = [{"platform": "x", "post_id": f"r{k}", "author_id": f"acc{k}",
             "created_ms": 1_000_000 + k, "time_precision": "ms", "time_source": "declared",
             "kind": "reshare", "ref_post_id": "hot", "dataset_id": "d"} for k in range(3000)]
    cfg = config.load(overrides=["traces.max_per_bucket=100"])
    results = []
    for n in range(2):
        with Store(tmp_path / f"c{n}.duckdb") as s:
            s.insert_rows("posts", rows)
            compute_traces(s.con, cfg, {"reshare_edges": "full"})
            run = s.execute("SELECT n_actions, n_pairs, notes FROM trace_runs "
                            "WHERE trace = 'co_reshare'")[0]
            results.append((run, s.execute("SELECT * FROM trace_candidates")))
    (n_actions, n_pairs, notes), _ = results[0]
    assert n_actions == 3000
    assert n_pairs <= 100 * 99  # the cell and its neighbour, capped: not 3000 * 2999 / 2
    assert "hot items" in notes and "2900 actions were left out" in notes
    assert results[0] == results[1]


def _all_sql() -> list[tuple[str, str]]:
    cfg = config.load()
    out = [("encode", encode_sql("acts", "account", "aid")),
           ("cap", cap_sql("acts", 60_000, 1000)), ("window", window_sql("capped", 60_000)),
           ("window once", window_sql("capped", 60_000, False)),
           ("item pairs", ITEM_PAIRS_SQL.format(window="w")),
           ("pairs", paircount.Counted(PAIR_ROWS_SQL.format(window="w"), 2,
                                       "SELECT count(*) FROM w").sql()),
           ("detail", DETAIL_SQL.format(window="w", candidates="p")),
           ("summary", SUMMARY_SQL.format(capped="c", cap=1000, w=60_000, origin=ORIGIN))]
    for name, cls in traces().items():
        trace = cls()
        params = cfg.section(f"traces.{name}")
        out.append((name, trace.actions_sql(params)))
        if trace.universe_sql(params):
            out.append((name + " universe", trace.universe_sql(params)))
    return out


@pytest.mark.parametrize(("name", "sql"), _all_sql(), ids=[n for n, _ in _all_sql()])
def test_every_trace_sql_transpiles_to_spark(name, sql):
    spark = sqlglot.transpile(sql, read="duckdb", write="spark",
                              unsupported_level=ErrorLevel.RAISE)[0]
    assert "SELECT" in spark.upper()
    assert to_spark(sql) == spark


def test_spark_gives_the_same_co_reshare_edges(tmp_path):
    pytest.importorskip("pyspark", reason="pyspark not installed (pip install '.[spark]')")
    from inconcert.engine import SparkEngine

    r = random.Random(4)
    rows = []
    for k in range(600):
        item = f"o{r.randrange(15)}"
        rows.append({"platform": "x", "post_id": f"p{k}", "author_id": f"u{r.randrange(40)}",
                     "created_ms": 1_600_000_000_000 + r.randrange(600_000),
                     "time_precision": "ms", "time_source": "declared", "kind": "reshare",
                     "ref_post_id": item, "dataset_id": "d"})
    cfg = config.load(overrides=["traces.max_per_bucket=20"])  # the hash sample must agree too
    caps = {"reshare_edges": "full"}
    got = {}
    spark = SparkEngine()
    try:
        for name, eng in (("duckdb", DuckDBEngine()), ("spark", spark)):
            with Store(tmp_path / f"{name}.duckdb") as s:
                s.insert_rows("posts", rows)
                compute_traces(s.con, cfg, caps, eng)
                got[name] = (s.execute("SELECT * FROM trace_candidates WHERE trace = "
                                       "'co_reshare'"),
                             s.execute("SELECT n_actions, n_pairs, notes FROM trace_runs "
                                       "WHERE trace = 'co_reshare'"))
    finally:
        spark.spark.stop()
    assert got["duckdb"][0], "the sample should have candidate edges"
    assert got["spark"] == got["duckdb"]
