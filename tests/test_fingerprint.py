"""Fingerprints of networks in a local library, and matching new runs against it."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.config import load
from inconcert.detect import detect
from inconcert.errors import InputError
from inconcert.ingest import ingest_paths
from inconcert.narratives import run_narratives
from inconcert.narratives.cli import match_run
from inconcert.narratives.fingerprint import (
    FingerprintParams,
    default_library,
    fingerprint_run,
    handle_template,
    load_library,
)
from inconcert.narratives.match import FACETS, MatchParams, compare, overlap, rhythm_similarity
from inconcert.store import Store

from .conftest import shared_data
from .test_narratives import T0, account, build_case, entity, post

DAY = 86_400_000


def operation_case(run_dir: Path, prefix: str, tag: str, site: str, words: str) -> Path:
    """A run directory whose network N001 (three accounts created in one batch) posts `words`
    with #tag, links `site` and shares one image; an outsider posts something else."""
    run_dir.mkdir(parents=True)
    members = [f"{prefix}{i}" for i in range(3)]
    posts, entities = [], []
    for i in range(12):
        pid = f"{prefix}p{i}"
        posts.append(post(pid, members[i % 3], f"{words} number {i % 4} #{tag}", i * 90))
        entities += [entity(pid, "hashtag", f"#{tag}", tag.lower()),
                     entity(pid, "url", f"https://{site}/a/{i}", f"{site}/a/{i}", 1)]
        if i % 4 == 0:
            entities.append(entity(pid, "media", f"https://img/{i}.jpg", None, 2,
                                   media_hash="f0f0f0f0f0f0f0f0" if i else "f0f0f0f0f0f0f0f1"))
    posts.append(post(f"{prefix}o", "outsider", "Lovely weather today", 5))
    accounts = [account(m, f"{prefix.capitalize()}Smith{4000 + i}", f"{prefix} {i}",
                        f"Patriot. Mother of {i + 2}. Truth seeker", T0 - 400 * DAY + i)
                for i, m in enumerate(members)]
    build_case(run_dir / "case.duckdb", posts, {"N001": members}, accounts, entities)
    return run_dir


def test_handle_template() -> None:
    assert handle_template("EmilyJohnso8342") == "AaAa9999"
    assert handle_template("@wild_runner76") == "a_a99"
    assert handle_template("NASA") == "A"
    assert handle_template("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") \
        is None  # hashed handles say nothing about who chose them
    assert handle_template("") is None


def test_overlap_and_rhythm() -> None:
    assert overlap({"a": 3, "b": 1}, {"a": 6, "b": 2}, 5) == (1.0, [["a", 3, 6], ["b", 1, 2]])
    assert overlap({"a": 1}, {"b": 1}, 5) == (0.0, [])
    s, ev = overlap({"a": 1, "b": 1}, {"a": 1, "c": 3}, 5)
    assert s == pytest.approx(0.25) and ev == [["a", 1, 1]]
    day = [0] * 168
    day[10] = day[11] = 5
    night = [0] * 168
    night[100] = 5
    assert rhythm_similarity(day, day)[0] == pytest.approx(1.0)
    assert rhythm_similarity(day, night)[0] == 0.0  # negative correlation counts as none


def test_fingerprints_are_files_made_the_same_way_every_time(tmp_path: Path) -> None:
    run = operation_case(tmp_path / "run", "ab", "TruthNow", "truthdaily.net", "They lie to you")
    lib = tmp_path / "lib"
    p = FingerprintParams()
    written = fingerprint_run(run, "op-2020", lib, p)
    assert [f.relative_to(lib).as_posix() for f in written] == ["op-2020/N001.json"]
    first = written[0].read_bytes()
    doc = json.loads(first)
    assert (doc["format"], doc["version"], doc["name"], doc["network_id"], doc["members"]) == \
        ("inconcert-fingerprint", 1, "op-2020", "N001", 3)
    facets = doc["facets"]
    assert facets["hashtags"] == {"truthnow": 12}
    assert facets["domains"] == {"truthdaily.net": 12}
    assert facets["handles"] == {"AaAa9999": 3}
    assert facets["bios"] == {"patriot. mother of 0. truth seeker": 3}
    assert facets["creation"]["batches"][0][1] == 3
    assert len(facets["shingles"]["minhash"]) == p.num_perm
    assert sum(facets["rhythm"]) == 12 and len(facets["rhythm"]) == 168
    (lib / "op-2020" / "N099.json").write_text("{}", encoding="utf-8")  # a stale network
    assert fingerprint_run(run, "op-2020", lib, p)[0].read_bytes() == first
    assert sorted(f.name for f in (lib / "op-2020").iterdir()) == ["N001.json"]
    with pytest.raises(InputError, match="bad fingerprint name"):
        fingerprint_run(run, "../escape", lib, p)


def test_a_network_matches_its_own_fingerprint_and_not_another(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    fingerprint_run(operation_case(tmp_path / "known", "ab", "TruthNow", "truthdaily.net",
                                   "They lie to you"), "known", lib, FingerprintParams())
    again = operation_case(tmp_path / "again", "cd", "TruthNow", "truthdaily.net",
                           "They lie to you")
    other = operation_case(tmp_path / "other", "ef", "Gardening", "roses.example",
                           "My tomatoes are growing fast")
    cfg = load()
    _, same = match_run(again, lib, cfg)
    _, diff = match_run(other, lib, cfg)
    assert same[0]["score"] == pytest.approx(1.0)
    assert same[0]["coverage"] == 1.0
    evidence = json.loads(same[0]["evidence"])
    assert evidence["hashtags"] == [["truthnow", 12, 12]]
    assert evidence["images"] == [["f0f0f0f0f0f0f0f0", "f0f0f0f0f0f0f0f0"],
                                  ["f0f0f0f0f0f0f0f1", "f0f0f0f0f0f0f0f1"]]
    assert diff[0]["score"] < 0.5
    assert diff[0]["hashtags"] == 0.0 and diff[0]["domains"] == 0.0
    with open(other / "matches.csv", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert header[:6] == ["network_id", "rank", "library_name", "library_network_id", "score",
                          "coverage"] and header[6:-1] == list(FACETS)


def test_run_matches_when_a_library_is_configured(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    fingerprint_run(operation_case(tmp_path / "known", "ab", "TruthNow", "truthdaily.net",
                                   "They lie to you"), "known", lib, FingerprintParams())
    run = operation_case(tmp_path / "new", "cd", "TruthNow", "truthdaily.net", "They lie to you")
    (run / "findings.json").write_text("{}", encoding="utf-8")
    cfg = load(None, ["narratives.embedder=char-ngrams", f"narratives.match.library={lib}"])
    written = run_narratives(run / "case.duckdb", run, cfg)
    assert [p.name for p in written][-1] == "matches.csv"
    found = json.loads((run / "findings.json").read_text(encoding="utf-8"))["matches"]
    assert found[0]["library_name"] == "known" and found[0]["score"] == pytest.approx(1.0)
    assert found[0]["evidence"]["domains"] == [["truthdaily.net", 12, 12]]


def test_missing_facets_count_against_a_match_and_unknown_ones_do_not() -> None:
    known = {"facets": {"hashtags": {"a": 1}, "domains": {"x.org": 1}}}
    assert compare({"facets": {"hashtags": {"a": 1}}}, known, MatchParams())[:2] == (0.5, 0.5)
    extra = {"facets": {"hashtags": {"a": 1}, "domains": {"x.org": 1}, "bios": {"b": 1}}}
    assert compare(extra, known, MatchParams())[:2] == (1.0, 1.0)


def test_library_location_and_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INCONCERT_LIBRARY", str(tmp_path / "mine"))
    assert default_library() == tmp_path / "mine"
    monkeypatch.delenv("INCONCERT_LIBRARY")
    assert default_library().parts[-4:] == (".local", "share", "inconcert", "fingerprints")
    with pytest.raises(InputError, match="no fingerprint library"):
        load_library(tmp_path / "absent")
    (tmp_path / "lib" / "x").mkdir(parents=True)
    (tmp_path / "lib" / "x" / "N001.json").write_text(
        '{"format": "inconcert-fingerprint", "version": 99}', encoding="utf-8")
    with pytest.raises(InputError, match="version 99"):
        load_library(tmp_path / "lib")


def test_commands(tmp_path: Path) -> None:
    run = operation_case(tmp_path / "run", "ab", "TruthNow", "truthdaily.net", "They lie to you")
    lib = tmp_path / "lib"
    runner = CliRunner()
    got = runner.invoke(app, ["fingerprint", str(run), "--name", "known", "--library", str(lib)])
    assert got.exit_code == 0, got.output
    assert (lib / "known" / "N001.json").exists()
    got = runner.invoke(app, ["match", str(run), "--library", str(lib)])
    assert got.exit_code == 0, got.output
    assert "known/N001" in got.output and "1.000" in got.output
    assert (run / "matches.csv").exists()
    got = runner.invoke(app, ["match", str(tmp_path / "nowhere"), "--library", str(lib)])
    assert got.exit_code == 2 and "no case.duckdb" in got.output


# -- acceptance on real data --------------------------------------------------------------------
def _split_by_time(src: Path, out_dir: Path) -> tuple[Path, Path]:
    """The tweets of an IO archive in two files, before and after the median tweet time."""
    csv.field_size_limit(2**31 - 1)
    with gzip.open(src, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    t, tid = header.index("tweet_time"), header.index("tweetid")
    rows.sort(key=lambda r: (r[t], r[tid]))
    halves = []
    for name, part in (("first", rows[:len(rows) // 2]), ("second", rows[len(rows) // 2:])):
        path = out_dir / f"thailand_{name}_tweets.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, quoting=csv.QUOTE_ALL).writerows([header, *part])
        halves.append(path)
    return halves[0], halves[1]


def _detected(inputs: list[Path], run_dir: Path) -> Path:
    run_dir.mkdir()
    with Store(run_dir / "case.duckdb") as store:
        ingest_paths(store, inputs)
    detect(run_dir / "case.duckdb", run_dir)
    return run_dir


@pytest.mark.realdata
@pytest.mark.slow
def test_thailand_first_half_recognises_the_second_half_not_coortweet(tmp_path: Path) -> None:
    thai = shared_data("thailand_io_092020", "thailand_092020_tweets_csv_hashed.csv.gz")
    german = shared_data("coortweet_examples", "german_elections.csv.gz")
    russian = shared_data("coortweet_examples", "russian_coord_tweets.csv.gz")
    first, second = _split_by_time(thai, tmp_path)
    lib = tmp_path / "lib"
    fingerprint_run(_detected([first], tmp_path / "first"), "thailand-first", lib,
                    FingerprintParams())
    cfg = load()
    best_thai = max(r["score"] for r in match_run(
        _detected([second], tmp_path / "second"), lib, cfg)[1])
    others = []
    for src in (german, russian):
        run = _detected([src], tmp_path / src.name.split(".")[0])
        others += [r["score"] for r in match_run(run, lib, cfg)[1]]
        shutil.rmtree(run)
    assert best_thai >= 0.25
    assert best_thai >= 4 * max(others, default=0.0)
