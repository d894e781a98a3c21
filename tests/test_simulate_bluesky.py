"""The Bluesky simulation (`simulate --platform bluesky`): a Jetstream capture the real reader
ingests without loss, deterministic, whose swarm only likes (never reposts) what its seeders
post, beside a like-only fandom doing the same around one creator in the open; and the co-like
trace, with the capture's real like times, links the swarm and no swarm account to an organic
one."""

import csv
import hashlib
import json

import duckdb
import pytest

from inconcert import config
from inconcert.errors import InputError
from inconcert.ingest import ingest_paths
from inconcert.simulate.bluesky import INPUTS, parse_options, simulate_bluesky
from inconcert.store import Store
from inconcert.traces import compute_traces


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    """A small capture, ingested; labels by DID."""
    out = tmp_path_factory.mktemp("bsky")
    files = simulate_bluesky(out / "data", seed=2, scale=0.2)
    db = out / "case.duckdb"
    with Store(db) as store:
        results = ingest_paths(store, files[:1])
    with open(out / "data" / "labels.csv", newline="", encoding="utf-8") as f:
        labels = {r["account_id"]: r for r in csv.DictReader(f)}
    return {"files": files, "results": results, "db": db, "labels": labels,
            "summary": json.loads((out / "data" / "simulation.json").read_text())}


def _q(capture, sql):
    con = duckdb.connect(str(capture["db"]), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_the_capture_ingests_through_the_jetstream_reader_with_nothing_lost(capture):
    (r,) = capture["results"]
    lines = capture["files"][0].read_bytes().count(b"\n")
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == (
        "bluesky-jetstream", lines, lines, 0)
    assert [p.name for p in capture["files"][:1]] == list(INPUTS)
    events = capture["summary"]["counts"]["events"]
    # likes outnumber posts and reposts together, as on Bluesky
    assert events["app.bsky.feed.like"] > events["app.bsky.feed.post"] + \
        events["app.bsky.feed.repost"]
    likes = _q(capture, "SELECT count(*), count(created_ms) FROM interactions "
                        "WHERE kind = 'like'")[0]
    assert likes == (events["app.bsky.feed.like"],) * 2


def test_labels_cover_every_account_of_the_capture(capture):
    seen = {a for (a,) in _q(capture, "SELECT author_id FROM posts UNION "
                                      "SELECT actor_id FROM interactions UNION "
                                      "SELECT account_id FROM accounts")}
    assert seen == set(capture["labels"])


def test_the_swarm_never_reposts_and_likes_its_seeders_fast(capture):
    lab = capture["labels"]
    amps = {a for a, r in lab.items() if r["role"] == "amplifier"}
    seeders = {a for a, r in lab.items() if r["role"] == "seeder"}
    assert len(amps) >= 20 and len(seeders) >= 3
    assert all("like_only" in lab[a]["traits"] for a in amps)
    reposts = {a for (a,) in _q(capture, "SELECT DISTINCT author_id FROM posts "
                                         "WHERE kind = 'reshare'")}
    assert not reposts & (amps | seeders)
    rows = _q(capture, """
        SELECT i.actor_id, i.created_ms - p.created_ms FROM interactions i
        JOIN posts p ON p.post_id = i.target_post_id WHERE i.kind = 'like'""")
    swarm = sorted(lat for a, lat in rows if a in amps and lat < 86_400_000)
    assert len(swarm) > 10 * len(seeders)
    assert 30_000 < swarm[len(swarm) // 2] < 1_800_000  # lag `minutes`: median ~4 min


def test_the_like_only_fandom_likes_its_creator_within_seconds_and_never_reposts(capture):
    lab = capture["labels"]
    fans = {a for a, r in lab.items() if r["group"] == "like-fandom-1" and r["role"] == "fan"}
    (creator,) = [a for a, r in lab.items() if r["group"] == "like-fandom-1"
                  and r["role"] == "idol"]
    rows = _q(capture, f"""
        SELECT i.actor_id, i.created_ms - p.created_ms FROM interactions i
        JOIN posts p ON p.post_id = i.target_post_id
        WHERE i.kind = 'like' AND p.author_id = '{creator}'""")
    lat = sorted(x for a, x in rows if a in fans)
    assert len(lat) > 5 * len(fans) and lat[len(lat) // 2] < 60_000
    assert not _q(capture, f"SELECT 1 FROM posts WHERE kind = 'reshare' "
                           f"AND ref_author_id = '{creator}'")


def test_same_seed_same_bytes_and_another_seed_differs(tmp_path, capture):
    again = simulate_bluesky(tmp_path / "a", seed=2, scale=0.2)
    other = simulate_bluesky(tmp_path / "b", seed=3, scale=0.2)

    def digest(p):
        return hashlib.sha256(p.read_bytes()).hexdigest()

    assert [digest(p) for p in again] == [digest(p) for p in capture["files"]]
    assert digest(other[0]) != digest(again[0])


def test_without_the_campaign_the_capture_has_no_swarm(tmp_path):
    files = simulate_bluesky(tmp_path, seed=2, scale=0.2, campaign=False)
    with open(files[1], newline="", encoding="utf-8") as f:
        assert {r["label"] for r in csv.DictReader(f)} == {"organic"}


def test_scenario_keys_are_checked():
    assert parse_options("lag=seconds,squad=3-5,profiles=0.2").profile_share == 0.2
    assert not parse_options("campaign=false").campaign
    for bad in ("pool=40", "profiles=2", "campaign=maybe", "lag"):
        with pytest.raises(InputError):
            parse_options(bad)


def test_co_like_with_real_like_times_links_the_swarm_and_no_outsider(capture, tmp_path):
    """The pair trace alone (the default run's group test and verdict: docs/simulator.md,
    "Bluesky", measured)."""
    db = tmp_path / "case.duckdb"
    db.write_bytes(capture["db"].read_bytes())
    with Store(db) as s:
        compute_traces(s.con, config.load(), s.capabilities())
        edges = s.execute("SELECT source, target FROM trace_edges WHERE trace = 'co_like'")
    lab = capture["labels"]
    amps = {a for a, r in lab.items() if r["role"] == "amplifier"}
    linked = {x for e in edges for x in e}
    assert len(linked & amps) >= 0.9 * len(amps)
    assert all((lab[a]["label"] == "campaign") == (lab[b]["label"] == "campaign")
               for a, b in edges)


def test_the_command_writes_what_the_api_writes(tmp_path, capture):
    from typer.testing import CliRunner

    from inconcert.cli import app

    res = CliRunner().invoke(app, ["simulate", "--platform", "bluesky", "--out",
                                   str(tmp_path), "--seed", "2", "--scale", "0.2"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "jetstream.jsonl").read_bytes() == capture["files"][0].read_bytes()
    for bad in (["--platform", "mastodon"], ["--platform", "bluesky", "--scenario", "pool=4"],
                ["--platform", "multi", "--scenario", "lag=3h"]):
        res = CliRunner().invoke(app, ["simulate", "--out", str(tmp_path / "bad"), *bad])
        assert res.exit_code == 2, (bad, res.output)
