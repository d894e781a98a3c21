"""Narratives at any size: the vectorised text normalisation and n-gram hashing give exactly
the per-text results, the similarity graph stays within its bound, the documents outside it join
their talking point, and a case below the bound gives the same narratives as before the bound
(a golden file written by the code before, commit a88450b)."""

from __future__ import annotations

import csv
import random
import shutil
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from bench.gen import generate

from inconcert.config import load
from inconcert.narratives import run_narratives
from inconcert.narratives.cluster import NarrativeParams, cluster_narratives, knn_edges
from inconcert.narratives.embed import CharNgrams, clean_text, clean_texts
from inconcert.normalize import norm_text, norm_texts

from .conftest import FIXTURES
from .test_narratives import MEMBERS, T0, _items, build_case, post, talking_points

GOLDEN = FIXTURES / "narratives" / "golden_spam_narratives.csv"
# Pieces of hostile and multilingual text: prefixes, links, mentions next to dots and other
# mentions, characters whose case folding is not their lower case (ß, ς), characters the
# Unicode versions of Python and Arrow disagree on, compatibility forms, odd spaces.
PIECES = ["RT", " ", "@", "@ab", ".", "..", ":", "http://", "https://", "www.", "x.com/a", "ß",
          "ς", "Σ", "é", "e\u0301", "\u3000", "\u2028", "\t", "#", "＃", "Ⅻ", "İ", "ı", "K",
          "ſ", "ǅ", "😀", "中文", "ไทย", "\u200b", "\x85", "\x1c", "a", "_", "9", "ＲＴ",
          "ｈｔｔｐｓ://", "\U00011f02", "\u0558", "ﬁ", "Ⓐ", "ǰ"]


def _hostile_texts(n: int, seed: int) -> list[str | None]:
    rng = random.Random(seed)
    texts: list[str | None] = ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
                               for _ in range(n)]
    return [*texts, None, "", "RT @x: plain words", "@a.@b @c@d e@f.g"]


def test_column_normalisation_is_exactly_the_per_text_one() -> None:
    texts = _hostile_texts(20_000, seed=1)
    assert norm_texts(pa.array(texts)).to_pylist() == [norm_text(t or "") for t in texts]
    assert clean_texts(pa.array(texts)).to_pylist() == [clean_text(t or "") for t in texts]
    chunked = pa.chunked_array([texts[:7], texts[7:]], pa.string())
    assert norm_texts(chunked).to_pylist() == [norm_text(t or "") for t in texts]


def _reference_rows(texts: list[str], n_min: int, n_max: int, n_features: int
                    ) -> list[Counter[int]]:
    """Hashed n-gram counts, one n-gram at a time (the definition)."""
    out = []
    for text in texts:
        t = f" {clean_text(text)} "
        out.append(Counter(zlib.crc32(t[i:i + n].encode("utf-8")) % n_features
                           for n in range(n_min, n_max + 1) for i in range(len(t) - n + 1)))
    return out


@pytest.mark.parametrize(("n_min", "n_max", "n_features"), [(2, 4, 1 << 20), (1, 3, 997)])
def test_ngram_hashing_of_all_texts_at_once_equals_one_by_one(n_min, n_max, n_features) -> None:
    texts = [t or "" for t in _hostile_texts(800, seed=2)]
    x = CharNgrams(n_min, n_max, n_features, 0.3).embed(texts)
    ref = _reference_rows(texts, n_min, n_max, n_features)
    for r, counts in enumerate(ref):
        row = x.getrow(r)
        assert row.indices.tolist() == sorted(counts)
    # Sublinear TF times IDF: the ratio of two cells of a row is fixed by the counts.
    r = max(range(len(ref)), key=lambda i: len(ref[i]))
    assert x.getrow(r).nnz == len(ref[r])


def test_knn_degree_cap_keeps_each_texts_strongest_links() -> None:
    # Row 0 is every other row's nearest neighbour: a hub of degree 30 without the cap.
    x = np.hstack([np.ones((31, 1)), np.vstack([np.zeros(30), 0.5 * np.eye(30)])])
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    free = knn_edges(x, 1, 0.1)
    capped = knn_edges(x, 1, 0.1, max_degree=5)
    assert sum(1 for i, _, _ in free if i == 0) == 30
    assert sum(1 for i, j, _ in capped if 0 in (i, j)) == 5
    degree = Counter(v for i, j, _ in capped for v in (i, j))
    assert max(degree.values()) <= 5
    assert set(capped) <= set(free)


def _spam_case(tmp: Path) -> Path:
    """Near-identical spam texts (the bench's generator, 3,000 rows) posted by three networks:
    every account whose number is divisible by 4, split by its number mod 3."""
    data = tmp / "spam.csv"
    generate(data, 3_000, seed=7, workload="spam")
    with open(data, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    t0 = min(int(r["timestamp"]) for r in rows)
    posts = [post(r["message_id"], r["user_id"], r["message"], 0,
                  kind="reshare" if r["repost_id"] else "reply" if r["reply_id"] else "original",
                  ref_post_id=r["repost_id"] or r["reply_id"] or None,
                  created_ms=T0 + (int(r["timestamp"]) - t0) * 1000) for r in rows]
    users = sorted({r["user_id"] for r in rows}, key=int)
    nets: dict[str, list[str]] = {}
    for u in users:
        if int(u) % 4 == 0:
            nets.setdefault(f"N00{int(u) % 3}", []).append(u)
    return build_case(tmp / "case.duckdb", posts, nets)


def _narratives_csv(db: Path, out: Path, *overrides: str) -> bytes:
    out.mkdir()
    shutil.copy(db, out / "case.duckdb")
    run_narratives(out / "case.duckdb", out,
                   load(None, ["narratives.embedder=char-ngrams", *overrides]))
    return (out / "narratives.csv").read_bytes()


def test_below_the_bound_the_narratives_are_byte_identical_to_before(tmp_path: Path) -> None:
    got = _narratives_csv(_spam_case(tmp_path), tmp_path / "out")
    assert got == GOLDEN.read_bytes()


def test_above_the_bound_the_graph_is_a_sample_and_the_rest_join_their_point(
        tmp_path: Path) -> None:
    # Each talking point's first English text is posted by three members (the three most
    # posted documents: the sample); its paraphrases once each join it by centroid.
    rows = [r for r in talking_points() if r["lang"] == "en"]
    first = {}
    posts = []
    for i, r in enumerate(rows):
        copies = 3 if first.setdefault(r["point"], i) == i else 1
        posts += [post(f"p{i}_{c}", MEMBERS[c], r["text"], i * 5 + c) for c in range(copies)]
    items = _items(build_case(tmp_path / "case.duckdb", posts, {"N001": MEMBERS}))
    emb = CharNgrams(2, 4, 1 << 20, 0.3)
    found, docs, counts = cluster_narratives(items, emb, NarrativeParams(
        sample_documents=3, min_posts=2))
    assert counts["documents_clustered"] == len(rows) > 3
    point_of = {r["text"]: r["point"] for r in rows}
    narratives = [{point_of[docs[d].text] for d in nr.docs} for nr in found]
    assert sorted(len(p) for p in narratives) == [1, 1, 1]  # one point per narrative
    assert sum(len(nr.docs) for nr in found) == len(rows)  # every paraphrase joined one
