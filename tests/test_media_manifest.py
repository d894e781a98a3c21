"""The media-manifest reader: images attached to posts, perceptual hashes computed on ingest,
missing or unreadable images quarantined with the reason."""

import imagehash
from PIL import Image

from inconcert.ingest import ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES

MANIFEST = FIXTURES / "media" / "manifest.csv"


def _phash(rel: str) -> str:
    with Image.open(MANIFEST.parent / rel) as img:
        return str(imagehash.phash(img))


def _ingest(tmp_path, path=MANIFEST):
    with Store(tmp_path / "case.duckdb") as s:
        res = ingest_paths(s, [path])
        ents = s.execute(
            "SELECT post_id, platform, position, value, normalized, media_type, media_hash, "
            "alt_text FROM post_entities WHERE entity = 'media' ORDER BY post_id, position")
        quarantine = s.execute("SELECT line, reason FROM quarantine ORDER BY line")
    return res, ents, quarantine


def test_manifest_is_recognised_and_counts_reconcile(tmp_path):
    res, ents, quarantine = _ingest(tmp_path)
    assert [(r.format, r.unit, r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
        ("media-manifest", "entities", 10, 8, 2)]
    assert len(ents) == 8
    assert [line for line, _ in quarantine] == [5, 6]


def test_hashes_are_the_images_phash_and_paths_stay_as_written(tmp_path):
    _, ents, _ = _ingest(tmp_path)
    by_post = {(e[0], e[2]): e for e in ents}
    first = by_post[("1367653624237862912", 0)]
    assert first[3] == "img/cartoon.png"
    assert first[4] == first[6] == _phash("img/cartoon.png")
    assert first[5] == "photo" and first[7] == "A cartoon, with a comma"
    # a second image of the same post gets the next position
    second = by_post[("1367653624237862912", 1)]
    assert second[3] == "img/photo.png" and second[6] == _phash("img/photo.png")
    assert by_post[("1367657821157384198", 0)][1] == "bluesky"
    assert by_post[("1367657821157384199", 0)][5] is None  # no type given


def test_resized_copy_hashes_close_and_different_image_far(tmp_path):
    _, ents, _ = _ingest(tmp_path)
    h = {e[3]: imagehash.hex_to_hash(e[6]) for e in ents if e[3].startswith("img/")}
    assert h["img/cartoon.png"] - h["img/cartoon_small.jpg"] <= 8
    assert h["img/cartoon.png"] - h["img/photo.png"] > 8


def test_given_hash_is_used_as_is_without_reading_a_file(tmp_path):
    _, ents, _ = _ingest(tmp_path)
    row = next(e for e in ents if e[0] == "1367657821157384195")
    assert row[3] == "https://cdn.example.com/a.jpg"
    assert row[4] == row[6] == "ffd8a0c0e0f0e0c0"


def test_missing_and_unreadable_images_are_quarantined_with_the_reason(tmp_path):
    _, _, quarantine = _ingest(tmp_path)
    reasons = dict(quarantine)
    assert reasons[5] == "image not found: img/missing.png"
    assert reasons[6].startswith("unreadable image img/not_an_image.jpg")


def test_paths_are_relative_to_the_manifest_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res, ents, _ = _ingest(tmp_path)
    assert res[0].rows_stored == 8 and len(ents) == 8
