"""The multi-platform simulation (`simulate --platform multi`): X, Facebook, YouTube and Telegram
exports that the real readers ingest without loss, one operation whose personas carry their X
name onto the other platforms and act there (reshares, comments, forwards), at least 200
organic look-alikes that share names and the default avatar with strangers, ground truth per
platform and per persona, same seed same bytes."""

import csv
import hashlib
from collections import Counter, defaultdict

import pytest

from inconcert.ingest import ingest_paths
from inconcert.simulate.multiplatform import DEFAULT_AVATAR, simulate_multiplatform
from inconcert.store import Store


@pytest.fixture(scope="module")
def multi(tmp_path_factory):
    out = tmp_path_factory.mktemp("multi")
    files = simulate_multiplatform(out, seed=2, scale=0.2)
    inputs = [p for p in files if "inputs" in p.parts]
    with Store(out / "case.duckdb") as store:
        results = ingest_paths(store, inputs)
        posts = dict(store.execute("SELECT platform, count(*) FROM posts GROUP BY ALL"))
        kinds = store.execute("SELECT platform, kind, author_id FROM posts")
    labels = {}
    for p in ("x", "facebook", "youtube", "telegram"):
        with open(out / "truth" / f"labels_{p}.csv", newline="", encoding="utf-8") as f:
            labels[p] = {r["account_id"]: r for r in csv.DictReader(f)}
    with open(out / "truth" / "personas.csv", newline="", encoding="utf-8") as f:
        personas = list(csv.DictReader(f))
    return {"out": out, "files": files, "results": results, "posts": posts, "kinds": kinds,
            "labels": labels, "personas": personas}


def test_every_export_is_read_by_its_own_reader_with_nothing_quarantined(multi):
    got = sorted((r.format, r.rows_quarantined) for r in multi["results"])
    assert got == [("io-tweets", 0), ("io-users", 0), ("media-manifest", 0),
                   ("meta-content-library", 0), ("telegram", 0), ("youtube-api", 0)]
    assert all(r.rows_in == r.rows_stored for r in multi["results"])
    assert set(multi["posts"]) == {"x", "facebook", "youtube", "telegram"}


def test_the_operation_acts_on_every_platform(multi):
    """Amplifiers reshare on Facebook, comment on YouTube, forward on Telegram."""
    acts = {"facebook": "reshare", "youtube": "comment", "telegram": "reshare"}
    by = defaultdict(Counter)
    for platform, kind, author in multi["kinds"]:
        row = multi["labels"].get(platform, {}).get(author)
        if row is not None and row["role"] == "amplifier":
            by[platform][kind] += 1
    for platform, kind in acts.items():
        assert by[platform][kind] >= 5, (platform, by[platform])


def test_personas_carry_one_name_and_lookalikes_are_strangers(multi):
    rows = multi["personas"]
    groups = defaultdict(list)
    for r in rows:
        groups[r["persona_id"]].append(r)
        assert r["account_id"] in multi["labels"][r["platform"]]
    ops = [g for g in groups.values() if g[0]["kind"] == "operation"]
    assert ops and all(len({r["platform"] for r in g}) >= 2 for g in ops)
    assert all(len({r["display_name"] for r in g}) == 1 for g in ops)
    assert all(r["label"] == "campaign" for g in ops for r in g)
    look = [r for r in rows if r["kind"] == "lookalike"]
    assert len(look) >= 200 and all(r["label"] == "organic" for r in look)
    assert len({r["persona_id"] for r in look}) == len(look)  # each its own person
    # a look-alike shares its name with an account of another persona
    names = Counter(r["display_name"] for r in rows if r["kind"] != "lookalike")
    x_names = {r["display_name"] for r in rows}
    assert sum(r["display_name"] in x_names for r in look) == len(look)
    assert any(names[r["display_name"]] for r in look)


def test_lookalikes_wear_the_default_avatar(multi):
    text = (multi["out"] / "inputs" / "youtube" / "youtube_api.jsonl").read_text()
    assert text.count(DEFAULT_AVATAR) >= 50


def test_same_seed_same_bytes(multi, tmp_path):
    again = simulate_multiplatform(tmp_path, seed=2, scale=0.2)

    def digest(p):
        return hashlib.sha256(p.read_bytes()).hexdigest()

    assert [p.relative_to(tmp_path) for p in again] == [
        p.relative_to(multi["out"]) for p in multi["files"]]
    assert [digest(p) for p in again] == [digest(p) for p in multi["files"]]
