"""Amplified sources: the accounts and domains whose content a network pushes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from inconcert.config import load
from inconcert.narratives import run_narratives

from .test_narratives import account, build_case, entity, post

NET = ["a1", "a2", "a3"]


def amplifier_case(tmp_path: Path) -> Path:
    """N001 (a1-a3) reshares and quotes the outlet s1, links its site, reshares its own seeder
    a1 and an account known only by the `RT @handle:` prefix; an outsider reshares s1 once."""
    posts = [post("s1p", "s1", "Official statement on the Xinjiang lies.", 0),
             post("a1p", "a1", "Seeder's own talking point, please share.", 1)]
    for i, who in enumerate(["a1", "a2", "a3", "a2"]):
        posts.append(post(f"rs{i}", who, "RT @StateOutlet: Official statement", 10 + i,
                          kind="reshare", ref_post_id="s1p", ref_author_id="s1"))
    posts += [
        post("q1", "a3", "Read this!", 20, kind="quote", ref_post_id="s1p", ref_author_id="s1"),
        post("ra1", "a2", "RT @user_a1: Seeder's own talking point", 21, kind="reshare",
             ref_post_id="a1p", ref_author_id="a1"),
        post("ra2", "a3", "RT @user_a1: Seeder's own talking point", 22, kind="reshare",
             ref_post_id="a1p", ref_author_id="a1"),
        post("g1", "a1", "RT @GlobalTruth: the truth they hide", 23, kind="reshare"),
        post("g2", "a2", "RT @GlobalTruth: the truth they hide", 24, kind="reshare"),
        post("l1", "a1", "must read https://t.co/1", 30),
        post("l2", "a2", "must read https://t.co/2", 31),
        post("l3", "a3", "must read https://t.co/3", 32),
        post("o1", "o1", "RT @StateOutlet: Official statement", 40, kind="reshare",
             ref_post_id="s1p", ref_author_id="s1"),
        post("o2", "o2", "Just an ordinary day", 41),
    ]
    entities = [entity(p, "url", f"https://www.newsilkroadtimes.com/a/{p}",
                       f"newsilkroadtimes.com/a/{p}") for p in ("l1", "l2", "l3")]
    entities += [entity("q1", "url", "https://twitter.com/StateOutlet/status/1",
                        "twitter.com/StateOutlet/status/1")]
    accounts = [account("s1", "StateOutlet", "State Outlet"), account("a1", "user_a1"),
                account("a2", "user_a2"), account("a3", "user_a3")]
    return build_case(tmp_path / "case.duckdb", posts, {"N001": NET}, accounts, entities)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("sources")
    run_narratives(amplifier_case(tmp), tmp, load(None, ["narratives.embedder=char-ngrams"]))
    with open(tmp / "sources.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    return {r["source"]: r for r in rows}


def test_outlet_counts_share_and_background(sources: dict[str, dict[str, str]]) -> None:
    s1 = sources["s1"]
    assert (s1["rank"], s1["source_kind"], s1["handle"], s1["display_name"]) == \
        ("1", "account", "StateOutlet", "State Outlet")
    assert (s1["n_reshares"], s1["n_quotes"], s1["n_links"], s1["n_posts"], s1["n_accounts"]) \
        == ("4", "1", "0", "5", "3")
    assert float(s1["share"]) == pytest.approx(5 / 13, abs=1e-6)  # of the 13 network posts
    assert (s1["background_posts"], s1["in_network"]) == ("1", "false")
    assert float(s1["background_share"]) == pytest.approx(1 / 3, abs=1e-6)  # 3 others
    assert json.loads(s1["examples"]) == ["rs0", "rs1", "rs2", "rs3", "q1"]


def test_domains_handles_and_own_seeders(sources: dict[str, dict[str, str]]) -> None:
    site = sources["newsilkroadtimes.com"]
    assert (site["source_kind"], site["n_links"], site["n_accounts"]) == ("domain", "3", "3")
    assert "twitter.com" not in sources  # a link to a post is the quote, not a source
    assert sources["a1"]["in_network"] == "true"
    assert sources["a1"]["n_reshares"] == "2"
    unresolved = sources["'@globaltruth"]  # spreadsheet-safe: a leading @ gets an apostrophe
    assert (unresolved["handle"], unresolved["n_reshares"]) == ("globaltruth", "2")
