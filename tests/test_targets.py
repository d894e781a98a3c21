"""Targets: whom a network replies to, mentions and names, ranked against the background."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from inconcert.config import load
from inconcert.narratives import run_narratives
from inconcert.narratives.targets import hostile, log_odds, name_phrases

from .test_narratives import account, build_case, entity, post

NET = ["a1", "a2", "a3"]
OUTSIDERS = [f"o{i}" for i in range(30)]


def attack_case(tmp_path: Path) -> Path:
    """N001 (a1-a3) goes after the critic c1 in replies, mentions, text and an image caption
    and blames the CIA; thirty outsiders talk about other things (one thanks the critic)."""
    posts = [
        post("r1", "a1", "@DrLenaHartwell Liar. Everyone knows you are paid to say this.", 1,
             kind="reply", reply_to_author_id="c1", reply_to_post_id="c1p"),
        post("r2", "a2", "@DrLenaHartwell Nobody believes you anymore.", 2, kind="reply",
             reply_to_author_id="c1", reply_to_post_id="c1p"),
        post("r3", "a3", "@DrLenaHartwell Shame on you, you sold your soul.", 3, kind="reply",
             reply_to_author_id="c1", reply_to_post_id="c1p"),
        post("m1", "a1", "you are a puppet of anti-China forces @DrLenaHartwell", 4),
        post("t1", "a2", "Who pays Lena Hartwell? Follow the money.", 5),
        post("i1", "a3", "Look at this 🤡", 6),
        post("k1", "a1", "The lie about Xinjiang was invented by the CIA.", 7),
        post("k2", "a2", "Again the CIA spreads fabrications.", 8),
        post("k3", "a3", "CIA lies, as always.", 9),
        post("inner", "a2", "@a1 agreed, keep going", 10, kind="reply", reply_to_author_id="a1"),
        post("c1p", "c1", "My new paper on the lab report is out.", 0),
        post("thanks", "o0", "@DrLenaHartwell great work, thank you", 11, kind="reply",
             reply_to_author_id="c1", reply_to_post_id="c1p"),
    ]
    for i, o in enumerate(OUTSIDERS):
        posts += [post(f"b{i}a", o, "Lovely weather in Lisbon today, going for a walk.", 20 + i),
                  post(f"b{i}b", o, "Anyone watching the football tonight with Rosa Lind?",
                       40 + i)]
    accounts = [account("c1", "DrLenaHartwell", "Lena Hartwell", "Virologist."),
                *(account(a, f"user_{a}", f"User {a.upper()}") for a in NET),
                *(account(o, f"person_{o}") for o in OUTSIDERS)]
    entities = [entity("m1", "mention", "c1"), entity("r1", "mention", "c1"),
                entity("i1", "media", "https://pbs.example/1.jpg", media_type="photo",
                       alt_text="Cartoon: Lena Hartwell as a puppet on strings")]
    return build_case(tmp_path / "case.duckdb", posts, {"N001": NET}, accounts, entities)


@pytest.fixture(scope="module")
def targets(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("targets")
    db = attack_case(tmp)
    run_narratives(db, tmp, load(None, ["narratives.embedder=char-ngrams"]))
    with open(tmp / "targets.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_attacked_critic_leads_with_every_kind_of_evidence(
        targets: list[dict[str, str]]) -> None:
    top = targets[0]
    assert (top["network_id"], top["rank"], top["target_kind"], top["target"]) == \
        ("N001", "1", "account", "c1")
    assert (top["handle"], top["display_name"]) == ("DrLenaHartwell", "Lena Hartwell")
    via = dict(v.split(":") for v in top["via"].split(";"))
    assert via == {"reply": "3", "mention": "1", "text": "1", "alt_text": "1"}
    assert (top["n_posts"], top["n_accounts"]) == ("6", "3")
    assert top["background_posts"] == "1"  # the outsider's thanks
    assert json.loads(top["examples"]) == ["r1", "r2", "r3", "m1", "t1"]  # earliest first
    # "Liar" (r1) and "Shame" (r3) are strongly negative in VADER; "paid", "puppet" and "sold"
    # are accusations only in context, which a lexicon cannot see.
    assert float(top["hostile_share"]) == pytest.approx(2 / 6, abs=1e-3)
    assert float(top["lift"]) > 1 and float(top["z"]) >= 2


def test_names_in_text_are_targets_and_members_are_not(targets: list[dict[str, str]]) -> None:
    names = {t["target"]: t for t in targets if t["target_kind"] == "name"}
    assert "CIA" in names and names["CIA"]["n_posts"] == "3"
    assert "Rosa Lind" not in names  # only the background names her
    assert not {"a1", "a2", "a3"} & {t["target"] for t in targets}
    z = [float(t["z"]) for t in targets]
    assert z == sorted(z, reverse=True)


def test_name_phrases() -> None:
    cap, low = Counter({"Xinjiang": 3}), Counter({"stop": 5})
    assert name_phrases("Stop spreading lies about Lena Hartwell!", cap, low) == {"Lena Hartwell"}
    assert name_phrases("The Western media lies. Xinjiang is fine.", cap, low) == \
        {"Western", "Xinjiang"}
    assert name_phrases("CIA lies, @SomeHandle #SomeTag https://t.co/X", cap, low) == {"CIA"}
    assert name_phrases("美国一边对世界大谈人权", cap, low) == set()


def test_log_odds_and_hostility() -> None:
    lor, z = log_odds(6, 20, 1, 200)
    assert lor > 0 and z > 2
    assert log_odds(1, 200, 6, 20) == pytest.approx((-lor, -z))
    assert log_odds(5, 100, 5, 100)[0] == 0.0
    # From the lexicons' definitions: VADER rates "pathetic" -2.7 and "fraud" -2.8; DUTIR lists
    # 骗子 (swindler) as loathing; "thank", "weather" and 天气 (weather) are none of these.
    assert hostile("What a pathetic fraud") and hostile("他就是个骗子")
    assert not hostile("Great work, thank you") and not hostile("今天天气很好")
