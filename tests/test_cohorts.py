"""Creation cohorts: the unplaced burst-mates of an inauthentic network's members join it when the
burst is the operation's and they touched its content; the background of the burst does not."""

from __future__ import annotations

import json

from inconcert import config
from inconcert.detect import place_cohorts
from inconcert.report.evidence import account_evidence

from .test_networks import build_case, clique
from .test_verdict import _judge as _judge_once

CAMPAIGN = [f"camp{i}" for i in range(8)]
DAY = "2020-01-09"


def _burst(account: str, accounts: int, expected: float) -> tuple:
    evidence = {"cohorts": [{"accounts": accounts, "bin": DAY, "expected": expected,
                             "scope": "case", "unit": "day", "other_accounts": []}],
                "created": DAY, "created_precision": "day"}
    return (account, "batch_creation", 0.8, json.dumps(evidence), "T0150.008")


def _post(pid: str, author: str, tags: list[str]) -> tuple[dict, list[dict]]:
    post = {"platform": "x", "post_id": pid, "author_id": author, "created_ms": 1_000,
            "time_precision": "ms", "time_source": "source", "kind": "original",
            "dataset_id": "d"}
    ents = [{"platform": "x", "post_id": pid, "entity": "hashtag", "position": i, "value": t,
             "normalized": t} for i, t in enumerate(tags)]
    return post, ents


def _case(tmp_path, late: list[str], expected: float, bystanders: int = 20):
    """An inauthentic network of 8 created on DAY, `late` accounts created on DAY too that no
    behaviour placed, and bystanders who use a platform-wide hashtag."""
    edges = clique(CAMPAIGN, {"co_reshare": (6, 1e-9), "co_text": (4, 1e-7)})
    others = [f"by{i}" for i in range(bystanders)]
    people = CAMPAIGN + late + others
    store = build_case(tmp_path / "c.duckdb", edges,
                       accounts=[{"account_id": a, "handle": f"h_{a}"} for a in people])
    total = len(CAMPAIGN) + len(late)
    store.con.executemany("INSERT INTO account_signals VALUES (?, ?, ?, ?, ?)",
                          [_burst(a, total, expected) for a in CAMPAIGN + late])
    store.con.executemany("INSERT INTO account_signals VALUES (?, 'persona_mismatch', 0.8, "
                          "'{}', 'T0143.002')", [[a] for a in CAMPAIGN])
    posts, ents = [], []
    for i, a in enumerate(CAMPAIGN):
        p, e = _post(f"c{i}", a, ["opday", "news"])
        posts.append(p)
        ents += e
    # late0 and late1 use the operation's own hashtag; late2 only the platform-wide one;
    # late3 posts nothing at all.
    for a, tags in (("late0", ["opday"]), ("late1", ["opday", "news"]), ("late2", ["news"])):
        if a in late:
            p, e = _post(f"p_{a}", a, tags)
            posts.append(p)
            ents += e
    for i, a in enumerate(others):
        p, e = _post(f"b{i}", a, ["news"])
        posts.append(p)
        ents += e
    store.insert_rows("posts", posts)
    store.insert_rows("post_entities", ents)
    return store


def _judge(store, cfg=None):
    cfg = cfg or config.load()
    _judge_once(store, cfg)
    place_cohorts(store.con, cfg)
    return None, {r[0]: r for r in store.execute("SELECT * FROM verdicts ORDER BY account_id")}


def _cohort(store) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in store.execute(
        "SELECT account_id, network_id, round(attachment, 3) FROM memberships "
        "WHERE joined_by = 'cohort' ORDER BY account_id")}


LATE = [f"late{i}" for i in range(12)]


def test_burst_mates_who_used_the_operations_own_content_join_and_are_flagged(tmp_path):
    with _case(tmp_path, LATE, expected=3.0) as s:
        _, v = _judge(s)
        joined = _cohort(s)
        camp_net = v["camp0"][2]
        size, flagged = s.execute("SELECT size, n_flagged FROM networks WHERE network_id = ?",
                                  [camp_net])[0]
        evidence = account_evidence(s.con, ["late0"], 5)["late0"]["signals"]
    # 3 background accounts expected among the 12 unplaced: each is the burst's at 1 - 3/12.
    assert joined == {"late0": (camp_net, 0.75), "late1": (camp_net, 0.75)}
    assert v["late0"][7] and v["late1"][7] and v["late0"][3] == "amplifier"
    assert v["late0"][8] == "creation_cohort;batch_creation"
    # The report says why it joined, with the numbers that placed it.
    cohort = next(e for e in evidence if e["signal"] == "creation_cohort")
    assert cohort["sentences"] == [
        f"Joined {camp_net} as a creation cohort: created on 9 Jan 2020 with 8 accounts the "
        "verdict flags; 12 accounts created that day were in no network, where 3.0 are expected "
        "from the background, so it is the burst's with probability 0.75.",
        "It acted on 1 of the operation's own items (for example hashtag:x:opday)."]
    # The network is described and judged again with them.
    assert (size, flagged) == (len(CAMPAIGN) + 2, len(CAMPAIGN) + 2)
    # A hashtag the whole platform uses is no tie; posting nothing is none either.
    assert not v["late2"][7] and v["late2"][2] is None
    assert not v["late3"][7] and v["late3"][2] is None
    assert not any(v[f"by{i}"][7] for i in range(20))


def test_a_burst_whose_unplaced_accounts_are_its_background_adds_no_one(tmp_path):
    # 50 unplaced where 30 background accounts are expected: beyond the background's Poisson
    # tail (p = 0.0006), but each unplaced account is more likely background (1 - 30/50 = 0.4).
    with _case(tmp_path, [f"late{i}" for i in range(50)], expected=30.0) as s:
        _, v = _judge(s)
        assert _cohort(s) == {}
    assert not v["late0"][7] and not v["late1"][7]


def test_a_few_unplaced_accounts_are_background_by_chance_not_the_operations(tmp_path):
    # 3 unplaced where 1.35 are expected: more likely the burst's on the point estimate
    # (1 - 1.35/3 = 0.55), but a background this size gives 3 or more 15 % of the time.
    with _case(tmp_path, ["late0", "late1", "late2"], expected=1.35) as s:
        _, v = _judge(s)
        assert _cohort(s) == {}
    assert not v["late0"][7] and not v["late1"][7]


def test_a_burst_with_too_few_flagged_members_is_not_the_operations(tmp_path):
    cfg = config.load(None, ["cohorts.min_members=9"])
    with _case(tmp_path, LATE, expected=3.0) as s:
        _, v = _judge(s, cfg)
        assert _cohort(s) == {}
    assert not v["late0"][7]


def test_cohorts_can_be_switched_off(tmp_path):
    cfg = config.load(None, ["cohorts.enabled=false"])
    with _case(tmp_path, LATE, expected=3.0) as s:
        _, v = _judge(s, cfg)
        assert _cohort(s) == {}
    assert not v["late0"][7] and v["camp0"][7]
