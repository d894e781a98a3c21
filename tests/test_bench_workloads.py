"""The benchmark's workloads: each is deterministic, in the peer's layout, and has the shape
that stresses its stage."""

from __future__ import annotations

import csv

import duckdb
import pytest
from bench.gen import HEADER, WORKLOADS, generate


def _read(path):
    """Rows as text, empty cells as ''."""
    return [tuple(v or "" for v in r) for r in duckdb.connect().execute(
        f"SELECT * FROM read_csv('{path}', all_varchar = true, header = true)").fetchall()]


@pytest.mark.parametrize("workload", WORKLOADS)
def test_workloads_are_deterministic_in_the_peers_layout(tmp_path, workload):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    counts = generate(a, 6000, seed=3, workload=workload)
    generate(b, 6000, seed=3, workload=workload)
    assert a.read_bytes() == b.read_bytes()
    with open(a, newline="", encoding="utf-8") as f:
        assert tuple(next(csv.reader(f))) == HEADER
    rows = _read(a)
    assert len(rows) == counts["messages"] == 6000
    assert len({r[0] for r in rows}) == 6000
    assert sum(1 for r in rows if r[3]) == counts["reposts"]
    assert sum(1 for r in rows if r[4]) == counts["replies"]


def test_spam_texts_are_near_identical_and_hashtag_texts_only_hashtags(tmp_path):
    generate(tmp_path / "s.csv", 6000, seed=1, workload="spam")
    generate(tmp_path / "h.csv", 6000, seed=1, workload="hashtags")
    spam = [r[5].split(": ", 1)[-1] for r in _read(tmp_path / "s.csv") if not r[4]]
    words = {w for t in spam for w in t.split()}
    assert len(words) <= 300 and all(len(t.split()) == 12 for t in spam)
    tags = [r[5].split(": ", 1)[-1] for r in _read(tmp_path / "h.csv") if not r[4]]
    assert all(w.startswith("#tag") for t in tags for w in t.split())


def test_conversation_replies_to_earlier_posts_of_one_thread(tmp_path):
    generate(tmp_path / "c.csv", 6000, seed=2, workload="conversation")
    rows = _read(tmp_path / "c.csv")
    time = {r[0]: int(r[6]) for r in rows}
    replies = [r for r in rows if r[4]]
    assert len(replies) > 0.3 * len(rows)
    assert all(r[4] in time and time[r[4]] <= int(r[6]) for r in replies)


def test_big_network_squads_reshare_their_seeder_within_seconds(tmp_path):
    generate(tmp_path / "n.csv", 20_000, seed=2, workload="big-network")
    rows = _read(tmp_path / "n.csv")
    time = {r[0]: int(r[6]) for r in rows}
    planted = [r for r in rows if int(r[1]) >= 50_000_000]
    assert len(planted) == 10_000
    reshares = [r for r in planted if r[3]]
    assert reshares and all(0 < int(r[6]) - time[r[3]] < 40 for r in reshares)
