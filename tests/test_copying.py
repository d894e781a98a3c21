"""Undisclosed copying: a network whose members post one another's content as their own is
inauthentic on that ground alone, unless the members declare one name (a newsroom's desks), the
copying is one occasion (a hashtag day), or everyone in the case copies as much."""

from __future__ import annotations

import duckdb

from inconcert.copying import copy_traces, measure
from inconcert.verdict import VerdictParams, _test_networks

DAY = 86_400_000
PERSONAS = ["Emily Carter", "Marco Rossi", "Olga Petrova", "Kwame Mensah", "Priya Nair",
            "Lars Holm", "Ana Souza", "Tom Becker"]
DESKS = ["MeridianNews", "MeridianBiz", "MeridianSport", "MeridianTech", "MeridianPol"]


def _case(outside_copiers: int = 0, outside: int = 200) -> duckdb.DuckDBPyConnection:
    """Three networks of copiers: an operation's personas copying over five days (OP), a
    newsroom's desks copying headlines over five days (NEWS), strangers posting alike on one
    hashtag day (DAY); `outside` other posting accounts, `outside_copiers` of them copying each
    other in pairs."""
    con = duckdb.connect()
    con.execute("CREATE TABLE networks (network_id VARCHAR, inauthentic BOOLEAN, "
                "inauthentic_p_value DOUBLE)")
    con.execute("CREATE TABLE memberships (account_id VARCHAR, network_id VARCHAR)")
    con.execute("CREATE TABLE account_scores (account_id VARCHAR, inauthenticity_score DOUBLE)")
    con.execute("CREATE TABLE accounts (platform VARCHAR, account_id VARCHAR, handle VARCHAR, "
                "display_name VARCHAR)")
    con.execute("CREATE TABLE posts (author_id VARCHAR)")
    con.execute("CREATE TABLE fused_evidence (source VARCHAR, target VARCHAR, trace VARCHAR, "
                "first_ms BIGINT, last_ms BIGINT)")
    groups = {
        "OP": [(f"op{i}", name.replace(" ", ""), name) for i, name in enumerate(PERSONAS)],
        "NEWS": [(f"news{i}", h, f"The Straits {h}") for i, h in enumerate(DESKS)],
        "DAY": [(f"day{i}", name.split()[0].lower() + "_x", name.split()[0])
                for i, name in enumerate(PERSONAS[:6])],
    }
    for nid, members in groups.items():
        con.execute("INSERT INTO networks VALUES (?, NULL, NULL)", [nid])
        for k, (a, handle, name) in enumerate(members):
            con.execute("INSERT INTO memberships VALUES (?, ?)", [a, nid])
            con.execute("INSERT INTO account_scores VALUES (?, 0.1)", [a])
            con.execute("INSERT INTO accounts VALUES ('x', ?, ?, ?)", [a, handle, name])
            con.execute("INSERT INTO posts VALUES (?)", [a])
            for b, *_ in members[k + 1:]:
                # five days apart for OP and NEWS, one day for the hashtag day
                first = 0 if nid == "DAY" else (k % 5) * DAY
                con.execute("INSERT INTO fused_evidence VALUES (?, ?, 'semantic_copy', ?, ?)",
                            [a, b, first + 1_000, first + 5_000])
    for i in range(outside):
        con.execute("INSERT INTO accounts VALUES ('x', ?, ?, ?)", [f"o{i}", f"{i:08d}", ""])
        con.execute("INSERT INTO posts VALUES (?)", [f"o{i}"])
    for i in range(0, outside_copiers, 2):
        con.execute("INSERT INTO fused_evidence VALUES (?, ?, 'co_text', 0, 0)",
                    [f"o{i}", f"o{i + 1}"])
    return con


def _verdicts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    _test_networks(con, VerdictParams())
    return {r[0]: r[1:] for r in con.execute(
        "SELECT network_id, inauthentic, inauthentic_by, copying_members, copying_days "
        "FROM networks").fetchall()}


def test_copy_traces_are_the_content_traces():
    assert set(copy_traces()) == {"co_text", "near_text", "semantic_copy", "co_image"}


def test_personas_copying_over_days_make_a_network_inauthentic_on_copying_alone():
    v = _verdicts(_case())
    assert v["OP"][:3] == (True, "copying", 8)
    assert v["OP"][3] >= VerdictParams().copying_days


def test_a_declared_name_is_open_coordination_not_copying():
    """The newsroom's desks copy each other as much as the operation does, but under one
    name (`Meridian` in every handle): no copying member, not inauthentic."""
    c = measure(_case())["NEWS"]
    assert c.copiers == 0 and c.size == 5
    assert _verdicts(_case())["NEWS"][:2] == (False, None)


def test_one_occasion_is_not_sustained_copying():
    """Strangers posting alike on one hashtag day: six copiers, all on one UTC day."""
    c = measure(_case())["DAY"]
    assert c.copiers == 6 and c.days == 1.0
    assert _verdicts(_case())["DAY"][:2] == (False, None)


def test_copying_is_judged_against_how_much_the_case_copies():
    """The background is the share of posting accounts outside the network that copy anyone
    undisclosed: the hashtag day's six of the 211 outside OP. Where 120 more of them copy,
    eight copying members of eight are no longer beyond chance at the verdict's alpha."""
    assert measure(_case())["OP"].background == 6 / 211
    busy = _case(outside_copiers=120)
    c = measure(busy)["OP"]
    assert c.copiers == 8 and c.background == 126 / 211
    assert _verdicts(busy)["OP"][:2] == (False, None)


def test_no_copy_evidence_leaves_the_verdict_to_the_other_grounds():
    con = _case()
    con.execute("DELETE FROM fused_evidence")
    v = _verdicts(con)
    assert all(row[:3] == (False, None, 0) for row in v.values())


def _personas_copying() -> tuple[list[str], list[tuple], list[dict]]:
    """Eight personas copying each other over five days: their ids, trace edges, accounts."""
    ops = [f"op{i}" for i in range(8)]
    edges = [(a, b, "semantic_copy", 4.0, 4, 1e-7, (k % 5) * DAY + 1_000, (k % 5) * DAY + 9_000,
              '["p"]') for k, a in enumerate(ops) for b in ops[k + 1:]]
    accounts = [{"account_id": a, "handle": name.replace(" ", ""), "display_name": name}
                for a, name in zip(ops, PERSONAS, strict=True)]
    return ops, edges, accounts


def test_in_a_network_inauthentic_by_copying_alone_the_copiers_are_flagged(tmp_path):
    """Eight personas copy each other over five days; `tagalong` co-reshares with all of them,
    firmly attached, but copies nothing and shows no signs: the copying is the evidence, and it
    is not tagalong's."""
    from .test_networks import build_case
    from .test_verdict import _judge

    ops, edges, accounts = _personas_copying()
    edges += [("tagalong", a, "co_reshare", 6.0, 6, 1e-9, 1_000, 2_000, '["r"]') for a in ops]
    accounts += [{"account_id": "tagalong", "handle": "JaneDoe", "display_name": "Jane Doe"}]
    posts = [{"platform": "x", "post_id": f"p{a}", "author_id": a, "created_ms": 1_000,
              "time_precision": "ms", "time_source": "source", "kind": "post",
              "dataset_id": "d"} for a in [*ops, "tagalong"] + [f"o{i}" for i in range(50)]]
    with build_case(tmp_path / "c.duckdb", edges, accounts=accounts) as s:
        s.insert_rows("posts", posts)
        _, v = _judge(s)
        nets = s.execute("SELECT network_id, inauthentic_by, copying_members FROM networks")
    assert nets == [(v["op0"][2], "copying", 8)]
    assert v["tagalong"][2] == v["op0"][2]  # in the network ...
    assert not v["tagalong"][7]  # ... not flagged
    assert all(v[a][7] for a in ops)
    assert "semantic_copy" in v["op0"][8]


def test_members_that_post_the_networks_own_talking_points_copy_as_a_group():
    """No pair evidence at all: `quiet` posted two talking points that the network's members
    own (c1, c2), `once` only one, `mixer` two that mostly outsiders posted (c3, c4); the
    newsroom's desks own c5 and c6 under one name."""
    from inconcert.copying import copy_members

    con = duckdb.connect()
    con.execute("CREATE TABLE memberships (account_id VARCHAR, network_id VARCHAR)")
    con.execute("CREATE TABLE accounts (platform VARCHAR, account_id VARCHAR, handle VARCHAR, "
                "display_name VARCHAR)")
    con.execute("CREATE TABLE posts (platform VARCHAR, post_id VARCHAR, author_id VARCHAR, "
                "kind VARCHAR)")
    con.execute("CREATE TABLE semantic_copies (platform VARCHAR, post_id VARCHAR, item VARCHAR)")
    con.execute("CREATE TEMP TABLE _copiers (network_id VARCHAR, account_id VARCHAR)")
    members = {"OP": ["op0", "op1", "quiet", "once", "mixer"], "NEWS": DESKS}
    for nid, names in members.items():
        for a in names:
            con.execute("INSERT INTO memberships VALUES (?, ?)", [a, nid])
            con.execute("INSERT INTO accounts VALUES ('x', ?, ?, ?)",
                        [a, a if nid == "OP" else a, a])
    clusters = {"c1": ["op0", "op1", "quiet", "once"], "c2": ["op0", "op1", "quiet"],
                "c3": ["mixer", "op0"] + [f"o{i}" for i in range(5)],
                "c4": ["mixer", "op1"] + [f"o{i}" for i in range(5)],
                "c5": DESKS, "c6": DESKS}
    for item, authors in clusters.items():
        for a in authors:
            pid = f"{item}-{a}"
            con.execute("INSERT INTO posts VALUES ('x', ?, ?, 'post')", [pid, a])
            con.execute("INSERT INTO semantic_copies VALUES ('x', ?, ?)", [pid, item])
    copy_members(con)
    got = sorted(con.execute("SELECT network_id, account_id FROM _copy_members").fetchall())
    assert got == [("OP", "op0"), ("OP", "op1"), ("OP", "quiet")]
    # Reshares are not one's own post: the same clusters reached by resharing count nothing.
    con.execute("UPDATE posts SET kind = 'reshare' WHERE author_id = 'quiet'")
    copy_members(con)
    assert ("OP", "quiet") not in con.execute("SELECT * FROM _copy_members").fetchall()


def test_a_group_copier_needs_a_firm_attachment_a_pair_copier_does_not(tmp_path):
    """`lurker` and `regular` posted two of the personas' own talking points but copy no one by
    a pair; `regular` co-reshares with every persona, `lurker` with one, faintly. A thinly
    attached account whose few posts fall in the network's clusters may only share common
    phrases (the classic scenario flagged five organic accounts at attachment 0.06-0.18)."""
    from .test_networks import build_case
    from .test_verdict import _judge

    ops, edges, accounts = _personas_copying()
    edges += [("regular", a, "co_reshare", 6.0, 6, 1e-9, 1_000, 2_000, '["r"]') for a in ops]
    edges += [("lurker", "op0", "co_reshare", 1.0, 1, 1e-3, 1_000, 2_000, '["r"]')]
    accounts += [{"account_id": "regular", "handle": "JaneDoe", "display_name": "Jane Doe"},
                 {"account_id": "lurker", "handle": "JohnRoe", "display_name": "John Roe"}]
    posts, copies = [], []
    for a in [*ops, "regular", "lurker"] + [f"o{i}" for i in range(50)]:
        posts.append({"platform": "x", "post_id": f"p{a}", "author_id": a, "created_ms": 1_000,
                      "time_precision": "ms", "time_source": "source", "kind": "post",
                      "dataset_id": "d"})
    for item in ("t1", "t2"):
        for a in [*ops[:3], "regular", "lurker"]:
            posts.append({"platform": "x", "post_id": f"{item}-{a}", "author_id": a,
                          "created_ms": 2_000, "time_precision": "ms", "time_source": "source",
                          "kind": "post", "dataset_id": "d"})
            copies.append(("x", f"{item}-{a}", item))
    with build_case(tmp_path / "c.duckdb", edges, accounts=accounts) as s:
        s.insert_rows("posts", posts)
        s.con.execute("CREATE TABLE semantic_copies (platform VARCHAR, post_id VARCHAR, "
                      "item VARCHAR)")
        s.con.executemany("INSERT INTO semantic_copies VALUES (?, ?, ?)", copies)
        _, v = _judge(s)
        att = dict(s.execute("SELECT account_id, attachment FROM memberships"))
        copiers = {a for (a,) in s.execute("SELECT account_id FROM _copy_members")}
    net = v["op0"][2]
    assert v["regular"][2] == net and v["lurker"][2] == net
    assert {"regular", "lurker"} <= copiers
    assert att["regular"] >= 0.5 > att["lurker"]
    assert v["regular"][7] and not v["lurker"][7]
    assert all(v[a][7] for a in ops)


def test_copiers_without_names_in_the_data_are_counted_as_such():
    """`named` counts the copiers with a handle or display name in the data. A dataset that
    carries no names (the CooRTweet German set) cannot show a declared affiliation: the report
    says so from this count. The verdict does not change on it, since hashed takedown archives
    (Thailand) carry no names either."""
    assert measure(_case())["OP"].named == 8
    nameless = _case()
    nameless.execute("UPDATE accounts SET handle = NULL, display_name = NULL "
                     "WHERE account_id LIKE 'op%'")
    c = measure(nameless)["OP"]
    assert c.copiers == 8 and c.named == 0
    _test_networks(nameless, VerdictParams())
    assert nameless.execute("SELECT inauthentic, inauthentic_by, copying_named FROM networks "
                            "WHERE network_id = 'OP'").fetchall() == [(True, "copying", 0)]
