"""The fused account graph and its networks, on small hand-made trace tables that follow the
stage contracts in docs/architecture.md."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest

from inconcert import config
from inconcert.leiden import leiden_partition
from inconcert.networks import find_networks, fuse_edges
from inconcert.networks.communities import NetworkParams
from inconcert.store import Store

TRACE_EDGES = """CREATE OR REPLACE TABLE trace_edges (source VARCHAR, target VARCHAR,
    trace VARCHAR, weight DOUBLE, count BIGINT, p_value DOUBLE, z DOUBLE, first_ms BIGINT,
    last_ms BIGINT, examples VARCHAR)"""
AMPLIFICATION = """CREATE OR REPLACE TABLE amplification (amplifier VARCHAR, seeder VARCHAR,
    n_reshares BIGINT, n_fast BIGINT, median_latency_ms BIGINT, first_ms BIGINT, last_ms BIGINT,
    examples VARCHAR)"""
CANDIDATES = """CREATE OR REPLACE TABLE trace_candidates (source VARCHAR, target VARCHAR,
    trace VARCHAR, weight DOUBLE, count BIGINT, expected DOUBLE, p_value DOUBLE, z DOUBLE,
    significant BOOLEAN, first_ms BIGINT, last_ms BIGINT, examples VARCHAR)"""
SIGNALS = """CREATE OR REPLACE TABLE account_signals (account_id VARCHAR, signal VARCHAR,
    strength DOUBLE, evidence VARCHAR, disarm VARCHAR)"""


def clique(names: list[str], traces: dict[str, tuple[int, float]]) -> list[tuple]:
    """Trace edges linking every pair of `names`: {trace: (count, p_value)}."""
    return [(a, b, t, float(c), c, p, 1_000, 2_000, f'["{t}-item"]')
            for a, b in itertools.combinations(sorted(names), 2)
            for t, (c, p) in sorted(traces.items())]


def build_case(path: Path, edges: list[tuple], amplification: list[tuple] = (),
               signals: list[tuple] = (), accounts: list[dict] = (),
               candidates: list[tuple] = ()) -> Store:
    """A case database with the given trace edges `(source, target, trace, weight, count,
    p_value, first_ms, last_ms, examples)`, amplification rows `(amplifier, seeder, n_reshares,
    n_fast)` and account signals `(account_id, signal, strength)`. With `candidates` (edge
    tuples that no trace found significant alone), `trace_candidates` holds them and the edges."""
    store = Store(path)
    con = store.con
    if candidates:
        con.execute(CANDIDATES).fetchall()
        con.executemany("INSERT INTO trace_candidates VALUES (?, ?, ?, ?, ?, 0.0, ?, 0.0, ?, ?, "
                        "?, ?)", [[*e[:6], sig, *e[6:]] for sig, rows in
                                  ((True, edges), (False, candidates)) for e in rows])
    con.execute(TRACE_EDGES).fetchall()
    con.execute(AMPLIFICATION).fetchall()
    con.execute(SIGNALS).fetchall()
    if edges:
        con.executemany("INSERT INTO trace_edges VALUES (?, ?, ?, ?, ?, ?, 0.0, ?, ?, ?)",
                        [list(e) for e in edges])
    if amplification:
        con.executemany("INSERT INTO amplification VALUES (?, ?, ?, ?, 5000, 1000, 2000, '[]')",
                        [list(a) for a in amplification])
    if signals:
        con.executemany("INSERT INTO account_signals VALUES (?, ?, ?, '{\"why\": 1}', 'T0150.008')",
                        [list(s) for s in signals])
    store.insert_rows("accounts", [{"platform": "x", **a} for a in accounts])
    return store


def test_agreeing_traces_outweigh_one_loud_trace(tmp_path):
    cfg = config.load()
    loud = [("a", "b", "co_reshare", 500.0, 500, 1e-30, 0, 1, "[]")]
    agree = [("c", "d", t, 3.0, 3, 1e-4, 0, 1, "[]") for t in ("co_reshare", "co_text",
                                                                "co_image")]
    with build_case(tmp_path / "c.duckdb", loud + agree) as s:
        fuse_edges(s.con, cfg)
        w = dict(((a, b), w) for a, b, w in s.execute(
            "SELECT source, target, weight FROM fused_edges"))
        row = s.execute("SELECT traces, n_traces FROM fused_edges WHERE source = 'c'")[0]
    # One trace can contribute at most its weight, however loud it is.
    assert w[("a", "b")] <= cfg["fusion"].co_reshare
    assert w[("c", "d")] > w[("a", "b")]
    assert row == ("co_image;co_reshare;co_text", 3)


def test_trace_weights_and_min_weight_come_from_config(tmp_path):
    edges = [("a", "b", "co_domain", 9.0, 9, 1e-9, 0, 1, "[]"),
             ("c", "d", "co_link", 9.0, 9, 1e-9, 0, 1, "[]")]
    cfg = config.load(overrides=["fusion.co_domain=0.0"])
    with build_case(tmp_path / "c.duckdb", edges) as s:
        fuse_edges(s.con, cfg)
        assert s.execute("SELECT source FROM fused_edges") == [("c",)]
        fuse_edges(s.con, config.load(overrides=["fusion.min_weight=100"]))
        assert s.count("fused_edges") == 0


def test_weak_evidence_counts_less_than_strong(tmp_path):
    edges = [("a", "b", "co_link", 1.0, 1, 0.05, 0, 1, "[]"),
             ("c", "d", "co_link", 8.0, 8, 1e-9, 0, 1, "[]")]
    with build_case(tmp_path / "c.duckdb", edges) as s:
        fuse_edges(s.con, config.load())
        w = dict(((a, b), w) for a, b, w in s.execute(
            "SELECT source, target, weight FROM fused_edges"))
    assert 0 < w[("a", "b")] < 0.2 < w[("c", "d")]


def test_two_groups_joined_by_a_weak_edge_are_two_networks(tmp_path):
    big = [f"b{i}" for i in range(8)]
    small = [f"s{i}" for i in range(4)]
    edges = (clique(big, {"co_reshare": (6, 1e-9), "co_text": (4, 1e-7)})
             + clique(small, {"co_reshare": (3, 1e-4)})
             + [("b0", "s0", "co_domain", 1.0, 1, 0.04, 0, 1, "[]"),
                ("x1", "x2", "co_reshare", 5.0, 5, 1e-9, 0, 1, "[]")])  # a pair: not a network
    with build_case(tmp_path / "c.duckdb", edges) as s:
        fuse_edges(s.con, config.load())
        assert find_networks(s.con, config.load()) == 2
        nets = s.execute("SELECT network_id, n_core, score, traces FROM networks "
                         "ORDER BY network_id")
        members = s.execute("SELECT network_id, list(account_id ORDER BY account_id) "
                            "FROM memberships GROUP BY network_id ORDER BY network_id")
    assert [n[0] for n in nets] == ["N001", "N002"]
    assert nets[0][2] > nets[1][2]  # ids follow the score
    assert nets[0][3] == "co_reshare;co_text"
    assert members == [("N001", big), ("N002", small)]


def test_leiden_is_deterministic_whatever_the_row_order(tmp_path):
    groups = [[f"g{k}_{i}" for i in range(6)] for k in range(4)]
    edges = [e for g in groups for e in clique(g, {"co_reshare": (4, 1e-6)})]
    edges += [(groups[k][0], groups[k + 1][0], "co_link", 1.0, 1, 0.01, 0, 1, "[]")
              for k in range(3)]
    results = []
    for i, order in enumerate((edges, list(reversed(edges)))):
        with build_case(tmp_path / f"c{i}.duckdb", order) as s:
            fuse_edges(s.con, config.load())
            find_networks(s.con, config.load())
            results.append(s.execute("SELECT * FROM memberships ORDER BY account_id"))
    assert results[0] == results[1]
    assert len({r[1] for r in results[0]}) == 4


def test_leiden_partition_keeps_a_clique_together():
    nodes = sorted(["a", "b", "c", "d"])
    edges = [(a, b, 1.0) for a, b in itertools.combinations(nodes, 2)]
    assert leiden_partition(nodes, edges, NetworkParams()) == [nodes]
    assert leiden_partition([], [], NetworkParams()) == []


def test_no_trace_edges_gives_no_networks(tmp_path):
    with Store(tmp_path / "c.duckdb") as s:
        assert fuse_edges(s.con, config.load()) == 0
        assert find_networks(s.con, config.load()) == 0
        assert s.count("networks") == 0


def test_traces_of_two_families_link_a_pair_none_links_alone(tmp_path):
    sure = [("s1", "s2", "co_reshare", 9.0, 9, 1e-12, 0, 1, "[]")]
    weak = [("a", "b", "co_reshare", 3.0, 3, 1e-4, 0, 1, '["p1"]'),
            ("a", "b", "co_text", 2.0, 2, 1e-6, 0, 1, '["p2"]'),
            # one family measured twice is one piece of evidence, and is not enough
            ("c", "d", "co_text", 2.0, 2, 1e-4, 0, 1, "[]"),
            ("c", "d", "near_text", 2.0, 2, 1e-4, 0, 1, "[]"),
            # two families, but both unremarkable
            ("e", "f", "co_reshare", 2.0, 2, 0.2, 0, 1, "[]"),
            ("e", "f", "co_link", 2.0, 2, 0.3, 0, 1, "[]")]
    with build_case(tmp_path / "c.duckdb", sure, candidates=weak) as s:
        fuse_edges(s.con, config.load())
        linked = s.execute("SELECT source, target, traces, p_value FROM fused_edges "
                           "ORDER BY source")
        evidence = s.execute("SELECT source, trace, significant FROM fused_evidence "
                             "ORDER BY source, trace")
        fuse_edges(s.con, config.load(overrides=["fusion.joint_test=false"]))
        alone = s.execute("SELECT source FROM fused_edges")
    assert [(a, b, t) for a, b, t, _ in linked] == [("a", "b", "co_reshare;co_text"),
                                                     ("s1", "s2", "co_reshare")]
    # Fisher over two families, chi-square with 4 degrees of freedom: e^(-x/2) (1 + x/2)
    x = -2 * (math.log(1e-4) + math.log(1e-6))
    assert linked[0][3] == pytest.approx(math.exp(-x / 2) * (1 + x / 2), rel=1e-9)
    assert evidence == [("a", "co_reshare", False), ("a", "co_text", False),
                        ("s1", "co_reshare", True)]
    assert alone == [("s1",)]


def test_accounts_on_different_platforms_are_never_linked(tmp_path):
    # The same texts on an X account and a Facebook Page are one persona cross-posting (or two
    # strangers copying a headline): the graph links accounts within a platform only, and the
    # persona stage decides across platforms.
    strong = {"co_text": (6, 1e-12), "near_text": (6, 1e-12)}
    edges = (clique(["xa", "xb"], strong) + clique(["xa", "fa"], strong)
             + clique(["fa", "fb"], strong) + clique(["xb", "unseen"], strong))
    accounts = [{"account_id": "xa"}, {"account_id": "xb"},
                {"account_id": "fa", "platform": "facebook"},
                {"account_id": "fb", "platform": "facebook"}]
    with build_case(tmp_path / "c.duckdb", edges, accounts=accounts) as s:
        fuse_edges(s.con, config.load())
        linked = s.execute("SELECT source, target FROM fused_edges ORDER BY ALL")
        evidence = s.execute("SELECT DISTINCT source, target FROM fused_evidence ORDER BY ALL")
    # an account of unknown platform (no profile, no post) is not kept out
    assert linked == [("fa", "fb"), ("unseen", "xb"), ("xa", "xb")]
    assert evidence == linked


def _ring_of_cliques(prefix: str, k: int, size: int = 4) -> list[tuple[str, str, float]]:
    """k cliques of `size` accounts, each tied to the next by one edge (Fortunato and
    Barthélemy's example of the resolution limit)."""
    edges = []
    for c in range(k):
        members = [f"{prefix}{c:03d}_{i}" for i in range(size)]
        edges += [(a, b, 1.0) for a, b in itertools.combinations(members, 2)]
        a, b = sorted((members[-1], f"{prefix}{(c + 1) % k:03d}_0"))
        edges.append((a, b, 1.0))
    return sorted(edges)


def test_one_platforms_communities_do_not_depend_on_another_platforms_accounts():
    # Modularity's null term is relative to the whole graph's weight: beside a big Facebook
    # graph with no edge to X, Leiden merged X's eight cliques into one community.
    from inconcert.leiden import partition_by_platform

    p = NetworkParams()
    x, fb = _ring_of_cliques("x", 8), _ring_of_cliques("f", 300)
    edges = sorted(x + fb)
    nodes = sorted({a for e in edges for a in e[:2]})
    alone = leiden_partition(sorted({a for e in x for a in e[:2]}), x, p)
    assert sorted(map(len, alone)) == [4] * 8
    together = [g for g in leiden_partition(nodes, edges, p) if g[0].startswith("x")]
    assert len(together) < 8  # what one partition of both platforms did
    platform = {a: "x" if a.startswith("x") else "facebook" for a in nodes}
    split = partition_by_platform(nodes, edges, platform, p)
    assert [g for g in split if g[0].startswith("x")] == alone
    # one platform (or none known): the same call as before
    assert partition_by_platform(sorted({a for e in x for a in e[:2]}), x, {}, p) == alone


def test_networks_are_found_per_platform(tmp_path):
    x, fb = _ring_of_cliques("x", 8), _ring_of_cliques("f", 300)
    edges = [(a, b, "co_reshare", 6.0, 6, 1e-9, 0, 1, "[]") for a, b, _ in x + fb]
    accounts = [{"account_id": a} for a in sorted({e[0] for e in x} | {e[1] for e in x})]
    accounts += [{"account_id": a, "platform": "facebook"}
                 for a in sorted({e[0] for e in fb} | {e[1] for e in fb})]
    with build_case(tmp_path / "c.duckdb", edges, accounts=accounts) as s:
        fuse_edges(s.con, config.load())
        find_networks(s.con, config.load())
        sizes = s.execute("SELECT count(*) FROM memberships WHERE account_id LIKE 'x%' "
                          "GROUP BY network_id ORDER BY 1")
    assert sizes == [(4,)] * 8
