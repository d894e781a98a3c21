"""The eye-position test: the pure GANED score, the `inconcert faces` CSV contract, and the
acceptance on the labelled faces sample (43 StyleGAN-family faces, 41 real portraits)."""

from __future__ import annotations

import csv
import io
import math
import sys

import pytest
from PIL import Image
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.faces.backends import load_backend
from inconcert.faces.ganed import THRESHOLD, YANG_DLIB, assess, eye_distance

from .conftest import shared_data

W, H = 400, 300
L_PX = (YANG_DLIB.left[0] * W, YANG_DLIB.left[1] * H)
R_PX = (YANG_DLIB.right[0] * W, YANG_DLIB.right[1] * H)


def _moved(p: tuple[float, float], dx: float, dy: float) -> tuple[float, float]:
    """A pixel point moved by fractions of the image size."""
    return (p[0] + dx * W, p[1] + dy * H)


# --- the pure score -------------------------------------------------------------------------

def test_eyes_at_the_reference_score_zero_in_either_order():
    assert eye_distance((L_PX, R_PX), W, H) == pytest.approx(0.0, abs=1e-12)
    assert eye_distance((R_PX, L_PX), W, H) == pytest.approx(0.0, abs=1e-12)


def test_distance_is_the_mean_offset_over_two_root_two():
    # Left eye 0.03 right and 0.04 down (offset 0.05), right eye 0.06 up (offset 0.06).
    eyes = (_moved(L_PX, 0.03, 0.04), _moved(R_PX, 0.0, -0.06))
    assert eye_distance(eyes, W, H) == pytest.approx((0.05 + 0.06) / (2 * math.sqrt(2)))


def test_the_score_is_in_fractions_so_image_size_does_not_matter():
    eyes = (_moved(L_PX, 0.01, 0.0), _moved(R_PX, 0.0, 0.01))
    big = tuple((x * 3, y * 3) for x, y in eyes)
    assert eye_distance(big, W * 3, H * 3) == pytest.approx(eye_distance(eyes, W, H))


def test_assess_one_face_true_below_threshold_false_at_or_above():
    near = (_moved(L_PX, 0.01, 0.0), R_PX)  # 0.01 / (2 sqrt 2) = 0.0035
    a = assess([near], W, H)
    assert (a.faces, a.gan_like) == (1, "true") and a.eye_distance < THRESHOLD
    # Both eyes off by exactly threshold * sqrt(2): the distance equals the threshold.
    off = THRESHOLD * math.sqrt(2)
    at = (_moved(L_PX, off, 0.0), _moved(R_PX, off, 0.0))
    assert eye_distance(at, W, H) == pytest.approx(THRESHOLD)
    assert assess([(_moved(L_PX, off * 1.01, 0), _moved(R_PX, off * 1.01, 0))], W, H).gan_like \
        == "false"
    far = (_moved(L_PX, 0.1, 0.1), _moved(R_PX, -0.1, 0.1))
    assert assess([far], W, H).gan_like == "false"


def test_not_exactly_one_face_is_unknown_never_false():
    for faces in ([], [(L_PX, R_PX), (L_PX, R_PX)]):
        a = assess(faces, W, H)
        assert (a.faces, a.eye_distance, a.gan_like) == (len(faces), None, "unknown")


def test_a_degenerate_image_size_is_refused():
    with pytest.raises(ValueError):
        eye_distance((L_PX, R_PX), 0, H)


# --- the CLI contract -----------------------------------------------------------------------

def _needs_backend() -> None:
    pytest.importorskip("dlib", reason="the optional extra is not installed: "
                                       "pip install 'inconcert[faces]'")
    pytest.importorskip("face_recognition_models", reason="the optional extra is not installed")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _blank(path, size=(64, 48), color=(200, 200, 200), fmt="PNG") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, fmt)


def test_faces_csv_contract_on_a_folder(tmp_path, monkeypatch):
    _needs_backend()
    root = tmp_path / "imgs"
    _blank(root / "b.png")
    _blank(root / "a" / "z.jpg", fmt="JPEG")
    _blank(root / "a-b.png")
    _blank(root / "deep" / "er" / "noext", fmt="PNG")  # an image found by content
    (root / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (root / "notes.txt").write_text("not an image")
    _blank(root / "=HYPERLINK(1).png")  # a hostile file name
    monkeypatch.chdir(root)
    r = CliRunner().invoke(app, ["faces", "."])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == "path,faces,eye_distance,gan_like"
    rows = _rows(r.stdout)
    # Recursive, by path components, text files left out; a formula-like name neutralised.
    assert [row["path"] for row in rows] == [
        "'=HYPERLINK(1).png", "a/z.jpg", "a-b.png", "b.png", "broken.jpg", "deep/er/noext"]
    by = {row["path"]: row for row in rows}
    assert by["b.png"] == {"path": "b.png", "faces": "0", "eye_distance": "",
                           "gan_like": "unknown"}
    assert by["broken.jpg"]["faces"] == "" and by["broken.jpg"]["gan_like"] == "unknown"
    assert {row["gan_like"] for row in rows} == {"unknown"}
    assert "consistent with a GAN face" in r.stderr
    again = CliRunner().invoke(app, ["faces", "."])
    assert again.stdout == r.stdout  # deterministic, byte for byte


def test_faces_named_files_keep_their_order_and_a_bad_file_is_a_row(tmp_path):
    _needs_backend()
    _blank(tmp_path / "b.png")
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    r = CliRunner().invoke(app, ["faces", str(tmp_path / "b.png"), str(junk)])
    assert r.exit_code == 0, r.output
    assert [(x["path"], x["gan_like"]) for x in _rows(r.stdout)] == [
        (str(tmp_path / "b.png"), "unknown"), (str(junk), "unknown")]


def test_faces_exit_2_for_a_missing_path_or_a_folder_without_images(tmp_path):
    _needs_backend()
    _blank(tmp_path / "ok.png")
    r = CliRunner().invoke(app, ["faces", str(tmp_path / "ok.png"), str(tmp_path / "nope.jpg")])
    assert r.exit_code == 2
    assert r.stdout == ""  # nothing half-written
    assert "nope.jpg: no such file or folder" in r.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no images here")
    r = CliRunner().invoke(app, ["faces", str(empty)])
    assert r.exit_code == 2 and "holds no image" in r.stderr


def test_faces_without_the_extra_exits_2_with_how_to_install(tmp_path, monkeypatch):
    _blank(tmp_path / "a.png")
    monkeypatch.setitem(sys.modules, "dlib", None)  # what an absent package looks like
    load_backend.cache_clear()
    try:
        r = CliRunner().invoke(app, ["faces", str(tmp_path / "a.png")])
    finally:
        load_backend.cache_clear()
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "not installed" in r.stderr and "pip install 'inconcert[faces]'" in r.stderr


# --- acceptance on the labelled sample ------------------------------------------------------

@pytest.mark.realdata
def test_acceptance_gan_faces_flagged_real_portraits_not():
    _needs_backend()
    root = shared_data("faces")
    with open(root / "labels.csv", newline="", encoding="utf-8") as f:
        labels = {row["file"]: row["label"] for row in csv.DictReader(f)}
    r = CliRunner().invoke(app, ["faces", str(root)])
    assert r.exit_code == 0, r.output
    got = {row["path"].removeprefix(str(root) + "/"): row for row in _rows(r.stdout)}
    assert set(got) == set(labels)
    gan_true = sum(labels[p] == "gan" and row["gan_like"] == "true" for p, row in got.items())
    real_true = [p for p, row in got.items() if labels[p] == "real" and row["gan_like"] == "true"]
    assert sum(v == "gan" for v in labels.values()) == 43
    assert gan_true >= 40
    assert real_true == []
    for row in got.values():  # a verdict always comes with its distance
        assert (row["eye_distance"] != "") == (row["gan_like"] in ("true", "false"))


def test_near_groups_label_each_hash_by_the_smallest_index_of_its_group():
    """Chains of near-identical avatars are one group (a ~ b ~ c links a and c), a hash near no
    other is its own group, and the label does not depend on the order the pairs come in."""
    from inconcert.faces.hashing import near_groups

    pairs = [(2, 4), (0, 2), (3, 5)]
    assert near_groups(6, pairs) == [0, 1, 0, 3, 0, 3]
    assert near_groups(6, list(reversed(pairs))) == [0, 1, 0, 3, 0, 3]
    assert near_groups(3, []) == [0, 1, 2]
    assert near_groups(0, []) == []
