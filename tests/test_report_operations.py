"""Operations on the demo platform: the planted campaign, which community detection splits into
several networks, is one operation (high confidence, first), apart from the authentic newsroom
and fandom; and every number in an operation's sentence is the one its table row holds."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from inconcert import config
from inconcert.demo import run_demo
from inconcert.report.confidence import ConfidenceParams
from inconcert.report.operations import operation_rows, statement
from inconcert.report.reach import upper_scale
from inconcert.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    # The assertions below name the classic campaign's hijacked accounts and creation bursts.
    run_demo(out, scenario="classic")
    return out


def _labels(out: Path) -> dict[str, tuple[str, str]]:
    """account id → (label, role) of the simulator's ground truth."""
    with open(out / "data" / "labels.csv", newline="", encoding="utf-8") as f:
        return {r["account_id"]: (r["label"], r["role"]) for r in csv.DictReader(f)}


def _ops(out: Path) -> tuple[list[dict], dict[str, str]]:
    from inconcert.outputs.networks import network_rows

    with Store(out / "case.duckdb", read_only=True) as s:
        nets = network_rows(s.con)
        ops = operation_rows(s.con, nets, ConfidenceParams())
        member_net = dict(s.execute("SELECT account_id, network_id FROM memberships"))
    return ops, member_net


def test_the_campaign_is_one_operation_above_the_newsroom_and_fandom(demo):
    ops, member_net = _ops(demo)
    labels = _labels(demo)
    campaign = {a for a, (lab, _) in labels.items() if lab == "campaign" and a in member_net}
    op_of = {nid: op["operation_id"] for op in ops for nid in op["network_ids"]}
    campaign_ops = {op_of[member_net[a]] for a in campaign}
    assert len(campaign_ops) == 1
    first = ops[0]
    assert first["operation_id"] in campaign_ops and first["confidence"] == "high"
    assert first["n_networks"] >= 2 and first["corroborated"]
    # The authentic networks are operations of their own, below it and not inauthentic.
    for group in ("newsroom", "fan"):
        nets = {member_net[a] for a, (_, role) in labels.items()
                if role == group and a in member_net}
        assert nets and not {op_of[n] for n in nets} & campaign_ops
        for op in ops:
            if set(op["network_ids"]) & nets:
                assert op["n_inauthentic_networks"] == 0 and op["n_flagged"] == 0
    # The campaign's summaries name its hijacked accounts and creation bursts with numbers.
    assert any(re.match(r"\d+ of its \d+ accounts are dormant accounts", s)
               for s in first["summaries"])
    assert any("created in" in s and "burst" in s for s in first["summaries"])


def test_operation_sentences_use_the_numbers_of_their_rows(demo):
    ops, _ = _ops(demo)
    html = (demo / "report.html").read_text(encoding="utf-8")
    for op in ops:
        s = op["statement"]
        k, size = op["n_networks"], op["size"]
        assert f"{size} accounts" in s
        signs = round(op["inauthentic_share"] * size)
        assert (f"{signs} of its {size} accounts" in s) or (signs == 0 and "none of its" in s)
        if op["n_inauthentic_networks"]:
            assert k == 1 or f"{op['n_inauthentic_networks']} of its {k} networks" in s
            assert f"{op['n_flagged']} are flagged" in s
        else:
            assert "are flagged" not in s
        assert all(n in s for n in op["network_ids"])
        assert f"{op['confidence']} confidence that operation {op['operation_id']}" in s
        assert s.replace("'", "&#39;") in html


def test_open_coordination_says_why_its_share_is_not_enough():
    op = {"operation_id": "OP09", "n_networks": 1, "network_ids": ["N010"], "size": 5,
          "inauthentic_share": 0.2, "n_inauthentic_networks": 0, "n_flagged": 0, "score": 0.38,
          "links": [], "confidence": "low"}
    s = statement(op, reference_rate=0.12)
    assert "1 of its 5 accounts (20%)" in s and "no more than the 12%" in s
    assert "openly" in s


def test_operation_parameters_are_config_parameters():
    cfg = config.load(overrides=["operations.min_kinds=2"])
    assert cfg.section("operations").min_kinds == 2


def test_reach_counts_outside_engagement_and_places_it_on_the_breakout_scale(demo):
    ops, member_net = _ops(demo)
    campaign = ops[0]
    r = campaign["reach"]
    # The simulator has organic accounts reshare the campaign: they are its reach.
    labels = _labels(demo)
    assert r["n_accounts"] > 0 and r["n_unaffiliated"] > 0
    assert dict(r["how"])["reshared"] > 0
    assert r["platforms"] == ["x"] and r["communities"] >= 2 and r["category"] == 2
    with Store(demo / "case.duckdb", read_only=True) as s:
        resharers = {a for (a,) in s.execute(
            "SELECT DISTINCT author_id FROM posts WHERE kind = 'reshare' AND ref_author_id IN "
            "(SELECT account_id FROM memberships WHERE network_id IN (SELECT unnest(?)))",
            [campaign["network_ids"]])}
    outside = {a for a in resharers if member_net.get(a) not in campaign["network_ids"]}
    assert dict(r["how"])["reshared"] == len(outside)
    # Mostly organic accounts; campaign accounts detection left out of the operation count too.
    assert sum(labels[a][0] == "organic" for a in outside) > len(outside) / 2
    html = (demo / "report.html").read_text(encoding="utf-8")
    assert f"{r['n_accounts']:,} accounts outside the operation engaged" in html
    assert "Breakout Scale category 2" in html
    # Nothing in the simulated data shows a higher category: each is said not shown, and the
    # note says what it would need.
    assert ("Categories 4, 5, 6 (cross-medium breakout; celebrity amplification; policy "
            "response or call for violence): not shown") in html
    assert all(t in html for _, _, t in upper_scale())


def test_the_demo_campaigns_generated_and_reused_faces_are_counted_in_its_summary(demo):
    from inconcert.simulate.avatars import AVATAR_LABELS, GAN_GEOMETRY, REUSED

    pytest.importorskip("dlib", reason="gan_face needs the optional extra: "
                                       "pip install 'inconcert[faces]'")
    ops, _ = _ops(demo)
    with open(demo / "data" / AVATAR_LABELS, newline="", encoding="utf-8") as f:
        kinds = {r["account_id"]: r["avatar"] for r in csv.DictReader(f)}
    with Store(demo / "case.duckdb", read_only=True) as s:
        fired = {sig: {a for (a,) in s.execute(
            "SELECT DISTINCT account_id FROM account_signals WHERE signal = ?", [sig])}
            for sig in ("gan_face", "avatar_reuse")}
        members = {a for (a,) in s.execute(
            "SELECT account_id FROM memberships WHERE network_id IN (SELECT unnest(?))",
            [ops[0]["network_ids"]])}
    # Every face the eye test calls generated was drawn as a stand-in for one, and every shared
    # photo is the operation's reused one: no organic account is accused by its avatar.
    assert fired["gan_face"] and {kinds[a] for a in fired["gan_face"]} == {GAN_GEOMETRY}
    assert fired["avatar_reuse"] and {kinds[a] for a in fired["avatar_reuse"]} == {REUSED}
    size = ops[0]["size"]
    faces = len(fired["gan_face"] & members)
    assert (f"{faces} of its {size} accounts have a profile photo consistent with a "
            "GAN-generated face") in " ".join(ops[0]["summaries"])
    html = (demo / "report.html").read_text(encoding="utf-8")
    assert f"{faces} of its {size} accounts have a profile photo consistent with" in html


def test_an_operation_whose_profile_photos_were_not_checked_for_gan_faces_says_so(demo,
                                                                                 tmp_path):
    ops, _ = _ops(demo)
    assert not any("not checked for GAN" in t for op in ops for t in op["summaries"])
    # The demo as it reads without the `faces` extra: gan_face not computable, nothing fired.
    shutil.copy(demo / "case.duckdb", tmp_path / "case.duckdb")
    why = ("the face-landmark backend is not installed (needs dlib-bin and "
           "face_recognition_models): pip install 'inconcert[faces]'")
    with Store(tmp_path / "case.duckdb") as s:
        s.execute("UPDATE signal_runs SET status = 'not computable', reason = ? "
                  "WHERE signal = 'gan_face'", [why])
        s.execute("DELETE FROM account_signals WHERE signal = 'gan_face'")
        pictured = s.execute(
            "SELECT count(DISTINCT account_id) FROM accounts WHERE avatar_path IS NOT NULL "
            "AND account_id IN (SELECT account_id FROM memberships WHERE network_id IN "
            "(SELECT unnest(?)))", [ops[0]["network_ids"]])[0][0]
    ops, _ = _ops(tmp_path)
    text = " ".join(ops[0]["summaries"])
    assert pictured and (f"The profile photos of {pictured} of its {ops[0]['size']} accounts "
                         f"were not checked for GAN-generated faces: {why}.") in text
    assert "consistent with a GAN-generated face" not in text


def test_upper_breakout_categories_are_claimed_only_on_the_evidence_in_the_data():
    from inconcert.report.reach import reach

    fans = [(f"u{i}", "x", "reshared", None, 40) for i in range(5)]
    # A critic with a large audience replying to the operation is not amplifying it.
    critic = [("critic", "x", "replied to", None, 2_500_000)]
    r = reach(fans + critic, ["x"], ["N001"])
    assert r["category"] == 2
    four, five, six = r["upper"]
    assert not (four["shown"] or five["shown"] or six["shown"])
    assert five["leads"] == [("critic", 2_500_000)] and five["accounts"] == []
    assert "would need" in four["evidence"] and "mainstream media" in four["evidence"]
    assert "would need" in six["evidence"] and "policy response" in six["evidence"]
    star = [("star", "x", "quoted", None, 900_000)]
    r = reach(fans + critic + star, ["x"], ["N001"])
    assert r["category"] == 5 and r["upper"][1]["shown"]
    assert r["upper"][1]["accounts"] == [("star", 900_000)]
    assert r["why"].startswith("1 account with 100,000+ followers outside the operation "
                               "reshared or quoted it")
    assert not (r["upper"][0]["shown"] or r["upper"][2]["shown"])
