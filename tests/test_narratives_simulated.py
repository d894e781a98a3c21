"""Acceptance on the simulator: the planted campaign's narratives and targets come out."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from inconcert.config import load
from inconcert.detect import detect
from inconcert.ingest import ingest_paths
from inconcert.narratives import run_narratives
from inconcert.narratives.evaluate import agreement
from inconcert.simulate import input_files, simulate
from inconcert.store import Store

from .test_narratives import NEEDS_MODEL

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def detected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A detected simulated platform (seed 11, scale 0.6) and its ground truth."""
    base = tmp_path_factory.mktemp("sim_narratives")
    files = simulate(base / "data", seed=11, scale=0.6, campaign=True, scenario="classic")
    with Store(base / "case.duckdb") as store:
        ingest_paths(store, input_files(files))
    detect(base / "case.duckdb", base / "detected")
    return base


def _run(base: Path, embedder: str) -> tuple[Path, dict]:
    out = base / embedder
    out.mkdir()
    shutil.copy(base / "case.duckdb", out / "case.duckdb")
    run_narratives(out / "case.duckdb", out, load(None, [f"narratives.embedder={embedder}"]))
    con = duckdb.connect(str(out / "case.duckdb"), read_only=True)
    try:
        return out, agreement(con, base / "data" / "campaign_posts.csv")
    finally:
        con.close()


def _labels(base: Path) -> dict[str, dict[str, str]]:
    with open(base / "data" / "labels.csv", encoding="utf-8") as f:
        return {r["account_id"]: r for r in csv.DictReader(f)}


def test_default_embedder_keeps_talking_points_apart_and_lists_the_critics(
        detected: Path) -> None:
    out, ev = _run(detected, "char-ngrams")
    assert ev["coverage"] >= 0.9  # nearly every campaign post the networks pushed is placed
    assert ev["purity"] >= 0.95  # a found narrative holds one true narrative
    labels = _labels(detected)
    critics = {a for a, r in labels.items() if r["role"] == "critic"}
    with open(out / "targets.csv", encoding="utf-8") as f:
        targets = list(csv.DictReader(f))
    with duckdb.connect(str(out / "case.duckdb"), read_only=True) as con:
        author = dict(con.execute("SELECT post_id, author_id FROM posts").fetchall())
    listed = set()
    for t in targets:
        if t["target"] in critics:
            examples = json.loads(t["examples"])
            # The evidence is posts of campaign accounts.
            assert examples and all(labels[author[p]]["label"] == "campaign" for p in examples)
            listed.add(t["target"])
    assert listed == critics


@NEEDS_MODEL
def test_multilingual_encoder_joins_english_and_chinese_posts(detected: Path) -> None:
    _, ev = _run(detected, "multilingual")
    assert ev["coverage"] >= 0.9 and ev["purity"] >= 0.95
    assert ev["translations_together"] >= 0.8 * ev["bilingual_talking_points"]
