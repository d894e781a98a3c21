"""The demo's avatars (simulate.avatars): drawn faces whose kind is known, so the profile-image
signals can be checked against ground truth. Faces drawn as stand-ins for generated ones fire
gan_face and ordinary faces never do; only the reused copies are within avatar_reuse's reach of
each other; the same seed writes the same bytes."""

from __future__ import annotations

import csv
import hashlib
from itertools import combinations
from pathlib import Path

import pytest

from inconcert.faces.hashing import mirror_phash_file, near_pairs
from inconcert.ingest.readers.media_manifest import phash_file
from inconcert.signals.avatar_reuse import AvatarReuseParams
from inconcert.simulate import simulate
from inconcert.simulate.avatars import (
    AVATAR_LABELS,
    GAN_GEOMETRY,
    ORDINARY,
    REUSED,
    write_avatars,
)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("avatars")
    simulate(out, seed=5, scale=0.05, scenario="classic")
    write_avatars(out, seed=5, scale=0.05)
    return out


def _kinds(out: Path) -> dict[str, str]:
    with open(out / AVATAR_LABELS, newline="", encoding="utf-8") as f:
        return {r["account_id"]: r["avatar"] for r in csv.DictReader(f)}


def _labels(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "labels.csv", newline="", encoding="utf-8") as f:
        return {r["account_id"]: r for r in csv.DictReader(f)}


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.glob("*.jpg"))}


def test_same_seed_same_files_and_every_campaign_account_has_an_avatar(platform, tmp_path):
    kinds, labels = _kinds(platform), _labels(platform)
    campaign = {a for a, r in labels.items() if r["label"] == "campaign"}
    assert campaign <= set(kinds)
    assert {p.stem for p in (platform / "avatars").glob("*.jpg")} == set(kinds)
    # Hijacked accounts keep their owner's ordinary photo; organic accounts are never generated.
    for a, kind in kinds.items():
        if labels[a]["label"] != "campaign" or "hijacked" in labels[a]["traits"]:
            assert kind == ORDINARY
    assert {GAN_GEOMETRY, REUSED} <= set(kinds.values())
    again = tmp_path / "again"
    again.mkdir()
    (again / "labels.csv").write_bytes((platform / "labels.csv").read_bytes())
    write_avatars(again, seed=5, scale=0.05)
    assert _digests(again / "avatars") == _digests(platform / "avatars")
    assert (again / AVATAR_LABELS).read_bytes() == (platform / AVATAR_LABELS).read_bytes()


def test_only_the_reused_copies_are_within_the_reuse_signals_reach(platform):
    kinds = _kinds(platform)
    accounts = sorted(kinds)
    folder = platform / "avatars"
    pairs = near_pairs([phash_file(folder / f"{a}.jpg") for a in accounts],
                       [mirror_phash_file(folder / f"{a}.jpg") for a in accounts],
                       AvatarReuseParams().max_distance)
    reused = [i for i, a in enumerate(accounts) if kinds[a] == REUSED]
    assert set(pairs) == set(combinations(reused, 2))


def test_gan_stand_ins_fire_the_eye_test_and_ordinary_faces_never(platform):
    pytest.importorskip("dlib", reason="the optional extra is not installed: "
                                       "pip install 'inconcert[faces]'")
    from inconcert.faces import assess_file
    from inconcert.faces.backends import load_backend

    backend = load_backend("dlib", False)
    got = {kind: [assess_file(backend, platform / "avatars" / f"{a}.jpg").gan_like
                  for a, k in sorted(_kinds(platform).items()) if k == kind][:25]
           for kind in (GAN_GEOMETRY, ORDINARY, REUSED)}
    assert got[GAN_GEOMETRY] and got[GAN_GEOMETRY].count("true") >= 0.9 * len(got[GAN_GEOMETRY])
    assert got[ORDINARY] and "true" not in got[ORDINARY] + got[REUSED]
