"""The benchmark harness on a small input: its generator, its steps and its pair count."""

from __future__ import annotations

import csv
import itertools
from collections import defaultdict

import duckdb
import pytest
from bench import workers
from bench.gen import HEADER, generate

pytest.importorskip("coordination_network_toolkit",
                    reason="coordination-network-toolkit==1.5.2 not installed")


def test_generator_is_deterministic_and_writes_the_peers_layout(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    counts = generate(a, 3000, seed=4)
    generate(b, 3000, seed=4)
    generate(c, 3000, seed=5)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    with open(a, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == HEADER and len(rows) == 3001
    assert sum(1 for r in rows[1:] if r[3]) == counts["reposts"]
    # An account retweets a post at most once.
    reposts = [(r[1], r[3]) for r in rows[1:] if r[3]]
    assert len(reposts) == len(set(reposts))


def _brute_window_pairs(path, window_s: float) -> int:
    by_item = defaultdict(list)
    with open(path, newline="", encoding="utf-8") as f:
        for r in itertools.islice(csv.reader(f), 1, None):
            if r[3]:
                by_item[r[3]].append((r[1], float(r[6])))
    return sum(1 for acts in by_item.values() for (u, t), (v, s) in
               itertools.combinations(acts, 2) if u != v and abs(t - s) <= window_s)


def test_bench_steps_agree_with_the_peer_and_count_window_pairs(tmp_path):
    data = tmp_path / "hot.csv"
    generate(data, 4000, seed=1, hot=True)
    common = {"window": 60, "min_weight": 2}
    peer = workers.peer({**common, "csv": str(data), "db": str(tmp_path / "peer.db"),
                         "networks": ["co_retweet"], "n_cpus": 1,
                         "edges": str(tmp_path / "peer.parquet")})
    ingest = workers.ingest({"csv": str(data), "db": str(tmp_path / "case.duckdb")})
    ours = workers.compat({**common, "db": str(tmp_path / "case.duckdb"),
                           "memory_limit": "1GB", "threads": 1,
                           "edges": str(tmp_path / "ours.parquet")})
    assert peer["messages"] == ingest["rows_stored"] == 4000
    assert ours["edges"] == peer["edges"] > 0
    con = duckdb.connect()
    differ = con.execute(f"SELECT count(*) FROM ((SELECT * FROM '{tmp_path}/peer.parquet' "
                         f"EXCEPT ALL SELECT * FROM '{tmp_path}/ours.parquet') UNION ALL "
                         f"(SELECT * FROM '{tmp_path}/ours.parquet' EXCEPT ALL "
                         f"SELECT * FROM '{tmp_path}/peer.parquet'))").fetchall()[0][0]
    assert differ == 0
    assert ours["window_pairs"] == _brute_window_pairs(data, 60) > 0
