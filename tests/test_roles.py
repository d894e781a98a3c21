"""Seeders, amplifiers and hybrids; seeders join the network that amplifies them."""

from __future__ import annotations

import math

import pytest

from inconcert import config
from inconcert.networks import assign_roles, find_networks, fuse_edges

from .test_networks import build_case, clique

AMPS = [f"amp{i}" for i in range(6)]


def _run(store, cfg=None):
    cfg = cfg or config.load()
    fuse_edges(store.con, cfg)
    find_networks(store.con, cfg)
    counts = assign_roles(store.con, cfg)
    rows = store.execute("SELECT account_id, network_id, role, joined_by FROM memberships "
                         "ORDER BY account_id")
    return counts, {r[0]: r[1:] for r in rows}


def test_a_seeder_without_co_action_edges_joins_the_network_that_amplifies_it(tmp_path):
    edges = clique(AMPS, {"co_reshare": (5, 1e-8)})
    amp = [(a, "seeder1", 3, 3) for a in AMPS]
    with build_case(tmp_path / "c.duckdb", edges, amp) as s:
        counts, m = _run(s)
    assert m["seeder1"] == ("N001", "seeder", "amplified")
    assert all(m[a][1] == "amplifier" for a in AMPS)
    assert counts == {"joined": 1, "seeder": 1, "amplifier": 6, "hybrid": 0}


def test_a_popular_account_amplified_mostly_from_outside_stays_out(tmp_path):
    edges = clique(AMPS, {"co_reshare": (5, 1e-8)})
    # Two members reshared a star once each; fifty others (no network) reshared her too.
    amp = [(AMPS[0], "star", 1, 0), (AMPS[1], "star", 1, 0)]
    amp += [(f"fan{i}", "star", 1, 0) for i in range(50)]
    with build_case(tmp_path / "c.duckdb", edges, amp) as s:
        _, m = _run(s)
    assert "star" not in m


def test_one_member_resharing_is_not_enough_to_join(tmp_path):
    edges = clique(AMPS, {"co_reshare": (5, 1e-8)})
    with build_case(tmp_path / "c.duckdb", edges, [(AMPS[0], "someone", 9, 9)]) as s:
        _, m = _run(s)
    assert "someone" not in m
    with build_case(tmp_path / "d.duckdb", edges, [(AMPS[0], "someone", 9, 9)]) as s:
        _, m = _run(s, config.load(overrides=["roles.min_amplifiers=1"]))
    assert m["someone"][1] == "seeder"


def test_hybrid_is_amplified_by_members_and_reshares_members(tmp_path):
    edges = clique(AMPS, {"co_reshare": (5, 1e-8)})
    amp = [(a, AMPS[0], 2, 2) for a in AMPS[1:4]] + [(AMPS[0], "seeder1", 1, 1)]
    amp += [(a, "seeder1", 2, 2) for a in AMPS[1:]]
    with build_case(tmp_path / "c.duckdb", edges, amp) as s:
        _, m = _run(s)
        amp0 = s.execute("SELECT reshares_received, amplifiers, reshares_made, fast_made "
                         "FROM memberships WHERE account_id = 'amp0'")[0]
    assert m[AMPS[0]][1] == "hybrid"
    assert amp0 == (6, 3, 1, 1)
    assert m["seeder1"][1] == "seeder"
    assert m[AMPS[5]][1] == "amplifier"


def test_a_seeder_amplified_by_two_networks_joins_the_one_that_reshares_it_most(tmp_path):
    other = [f"oth{i}" for i in range(4)]
    edges = clique(AMPS, {"co_reshare": (5, 1e-8)}) + clique(other, {"co_text": (5, 1e-8)})
    amp = [(a, "s", 1, 1) for a in AMPS[:3]] + [(a, "s", 5, 5) for a in other[:2]]
    with build_case(tmp_path / "c.duckdb", edges, amp) as s:
        _, m = _run(s)
    assert m["s"][0] == m[other[0]][0] != m[AMPS[0]][0]


def test_the_first_poster_of_copied_text_is_a_seeder(tmp_path):
    members = ["orig", *AMPS[:4]]
    edges = [(a, b, "co_text", 2.0, 2, 1e-6, 0, 1, '["p1", "p2"]')
             for i, a in enumerate(sorted(members)) for b in sorted(members)[i + 1:]]
    with build_case(tmp_path / "c.duckdb", edges) as s:
        s.insert_rows("posts", [
            {"platform": "x", "post_id": pid, "author_id": "orig", "created_ms": 0,
             "time_precision": "ms", "time_source": "declared", "kind": "original",
             "dataset_id": "d"} for pid in ("p1", "p2")])
        _, m = _run(s)
        first = s.execute("SELECT first_posts FROM memberships WHERE account_id = 'orig'")
    assert first == [(2,)]
    assert m["orig"][1] == "seeder" and m[AMPS[0]][1] == "amplifier"


def test_an_outside_account_resharing_the_network_joins_as_amplifier(tmp_path):
    edges = clique(AMPS, {"co_reshare": (5, 1e-8)})
    amp = [(a, "seeder1", 3, 3) for a in AMPS]
    # Its co-reshare edges were too thin to be significant, but it reshares the network's
    # accounts (the seeder included) and little else.
    amp += [("quiet", "seeder1", 4, 0), ("quiet", AMPS[0], 2, 0), ("quiet", "elsewhere", 1, 0)]
    # This one reshares the network too, but mostly reshares others.
    amp += [("busy", "seeder1", 2, 0), ("busy", AMPS[1], 1, 0), ("busy", "elsewhere", 9, 0)]
    with build_case(tmp_path / "c.duckdb", edges, amp) as s:
        counts, m = _run(s)
        att = dict(s.execute("SELECT account_id, attachment FROM memberships"))
    assert m["quiet"] == ("N001", "amplifier", "amplifying")
    assert "busy" not in m and "elsewhere" not in m
    assert counts["joined"] == 2  # seeder1 and quiet
    assert att["quiet"] == pytest.approx(1 - math.exp(-6 / 5))


def test_a_seeder_shared_by_several_networks_joins_the_one_that_reshares_it_most(tmp_path):
    cells = [[f"cell{k}_{i}" for i in range(4)] for k in range(3)]
    edges = [e for c in cells for e in clique(c, {"co_reshare": (5, 1e-8)})]
    # No single network gives it half its reshares; together they give it all.
    amp = [(a, "shared", 1, 1) for a in cells[0][:3]] + [(a, "shared", 1, 1) for a in
                                                         cells[1][:2] + cells[2][:2]]
    with build_case(tmp_path / "c.duckdb", edges, amp) as s:
        _, m = _run(s)
    assert m["shared"][0] == m[cells[0][0]][0] and m["shared"][1] == "seeder"


def _periphery_case(path, periphery):
    """AMPS form a network and the core of a coordinated group; `periphery` are that group's
    non-core members (each sharing 4 items with it) and the only accounts resharing `s2`;
    `late` reshares `s2` and one periphery member, nothing else."""
    from inconcert.collective import GROUPS_DDL

    edges = clique(AMPS, {"co_reshare": (5, 1e-8)})
    amp = [(a, "s1", 3, 3) for a in AMPS]
    amp += [(p, "s2", 2, 0) for p in periphery] + [("late", "s2", 4, 0)]
    amp += [("late", periphery[0], 1, 0)] if periphery else []
    store = build_case(path, edges, amp)
    store.con.execute(GROUPS_DDL).fetchall()
    store.con.execute("CREATE TABLE group_members (group_id BIGINT, account_id VARCHAR, "
                      "core BOOLEAN, shared BIGINT, strength DOUBLE)").fetchall()
    store.con.execute("INSERT INTO groups (group_id, size, coordinated) VALUES (1, ?, true)",
                      [len(AMPS) + len(periphery)]).fetchall()
    store.con.executemany("INSERT INTO group_members VALUES (1, ?, ?, 4, 1.0)",
                          [[a, True] for a in AMPS] + [[p, False] for p in periphery])
    return store


def test_seeders_the_groups_periphery_reshares_join_after_it(tmp_path):
    """A seeder reshared only by a coordinated group's periphery joins once that periphery has,
    and so does the outsider that only reshares it; with no periphery, neither joins."""
    from inconcert.detect import place_members

    cfg = config.load()
    periphery = [f"per{i}" for i in range(3)]
    with _periphery_case(tmp_path / "c.duckdb", periphery) as s:
        fuse_edges(s.con, cfg)
        find_networks(s.con, cfg)
        place_members(s.con, cfg)
        m = {r[0]: r[1:] for r in s.execute(
            "SELECT account_id, network_id, role, joined_by FROM memberships")}
    assert all(m[p][2] == "group" for p in periphery)
    assert m["s2"] == ("N001", "seeder", "amplified")
    assert m["late"] == ("N001", "amplifier", "amplifying")
    with _periphery_case(tmp_path / "d.duckdb", []) as s:
        fuse_edges(s.con, cfg)
        find_networks(s.con, cfg)
        place_members(s.con, cfg)
        members = {r[0] for r in s.execute("SELECT account_id FROM memberships")}
    assert "s2" not in members and "late" not in members
