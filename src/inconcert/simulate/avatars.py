"""Profile images for a simulated platform (`inconcert demo`): drawn cartoon faces, none of them a
photo of anyone and none made by a face generator.

The gan_face signal does not detect synthesis: it finds one face and measures how far its eyes
sit from the fixed positions of StyleGAN's FFHQ crop (GANEyeDistance). So the stand-ins for
generated faces are drawn faces whose eyes are placed at those positions, and every other face
is drawn with its eyes elsewhere (checked before drawing). The avatar_reuse signal compares
perceptual hashes, mirror images included, so reused avatars are one drawn face (the operation's
stock photo) copied with a flip, a resize and a re-compression. Which account got which kind is
written as ground truth (`avatar_labels.csv`); docs/simulator.md describes the mix.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

from ..faces.ganed import YANG_DLIB
from .writer import write_sim_csv

AVATARS = "avatars"
AVATAR_LABELS = "avatar_labels.csv"
_SIDE = 192  # pixels: dlib's HOG detector (upsampled once) finds these faces at this size
# Kinds of avatar, as written in avatar_labels.csv.
GAN_GEOMETRY, REUSED, ORDINARY = "gan_geometry", "reused", "ordinary"
# Of the operation's accounts that are not hijacked: shares of each kind (the rest ordinary).
_OPERATION_MIX = {GAN_GEOMETRY: 0.5, REUSED: 0.2}
# Ordinary people's faces keep their eyes at least this far (GANEyeDistance, image fractions)
# from the FFHQ positions, so an organic face is never drawn in the generator's crop: the
# signal's threshold is 0.02 and a drawn face's detected eyes move by about 0.015.
_ORDINARY_MIN_DISTANCE = 0.06
# Distinct faces differ from every other face (and its mirror image) by more than this many
# bits of pHash: the avatar_reuse signal's default reach is 6, and a reused copy moves up to
# 2-4 bits from the face it copies, so a distinct face is never within reach of a copy either.
_MIN_BITS = 10
ORGANIC_AVATARS = 200  # organic accounts with an avatar per unit of scale (capped at 1,000)


def _colour(rng: np.random.Generator, lo: int, hi: int) -> tuple[int, int, int]:
    r, g, b = (int(v) for v in rng.integers(lo, hi, 3))
    return r, g, b


def _background(rng: np.random.Generator) -> Image.Image:
    """A smooth backdrop of random waves and blotches (a room, a street, a wall): distinct
    faces then differ in the low frequencies a perceptual hash keeps, as real photos do."""
    h = w = _SIDE // 4  # drawn small, then enlarged: a backdrop is out of focus anyway
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    img = np.zeros((h, w, 3))
    for c in range(3):
        a, b, ph = rng.uniform(-3, 3), rng.uniform(-3, 3), rng.uniform(0, 2 * math.pi)
        img[..., c] = rng.uniform(70, 190) + rng.uniform(30, 60) * np.sin(
            a * xx / w * math.pi + b * yy / h * math.pi + ph)
    for _ in range(int(rng.integers(3, 7))):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, 16)
        mask = ((xx - cx) ** 2 + (yy - cy) ** 2) < r * r
        img[mask] = img[mask] * 0.5 + rng.uniform(0, 255, 3) * 0.5
    small = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    return small.resize((_SIDE, _SIDE), Image.Resampling.BILINEAR)


def draw_face(rng: np.random.Generator, left: tuple[float, float],
              right: tuple[float, float]) -> Image.Image:
    """A cartoon face (head, hair, shoulders) on a random backdrop, eye centres at `left` and
    `right` (fractions of the image's width and height); everything else is drawn from `rng`."""
    img = _background(rng)
    d = ImageDraw.Draw(img)
    (lx, ly), (rx, ry) = ((x * _SIDE, y * _SIDE) for x, y in (left, right))
    iod = rx - lx  # the inter-ocular distance sets the scale of every feature
    cx, ey = (lx + rx) / 2, (ly + ry) / 2
    base = np.array([224, 172, 140]) * rng.uniform(0.55, 1.15)
    skin = tuple(int(v) for v in base.clip(0, 255))
    hair = _colour(rng, 10, 140)
    d.ellipse((cx - rng.uniform(2.0, 3.2) * iod, ey + 1.6 * iod, cx + rng.uniform(2.0, 3.2) * iod,
               ey + 4.5 * iod), fill=_colour(rng, 0, 256))  # shoulders and clothes
    top, side = rng.uniform(1.15, 1.6), rng.uniform(1.0, 1.4)
    d.ellipse((cx - side * iod, ey - top * iod, cx + side * iod,
               ey + rng.uniform(0.6, 1.9) * iod), fill=hair)
    d.ellipse((cx - 0.95 * iod, ey - 0.95 * iod, cx + 0.95 * iod, ey + 1.45 * iod), fill=skin)
    for x, y in ((lx, ly), (rx, ry)):
        d.ellipse((x - 0.22 * iod, y - 0.09 * iod, x + 0.22 * iod, y + 0.09 * iod),
                  fill=(245, 245, 245))
        d.ellipse((x - 0.09 * iod, y - 0.09 * iod, x + 0.09 * iod, y + 0.09 * iod),
                  fill=_colour(rng, 20, 90))
        d.line((x - 0.25 * iod, y - 0.25 * iod, x + 0.22 * iod, y - 0.28 * iod), fill=hair,
               width=max(2, round(0.07 * iod)))
    shade = tuple(int(c * 0.6) for c in skin)
    d.line((cx, ey + 0.1 * iod, cx - 0.1 * iod, ey + 0.55 * iod, cx + 0.08 * iod,
            ey + 0.6 * iod), fill=shade, width=3)
    d.arc((cx - 0.35 * iod, ey + 0.55 * iod, cx + 0.35 * iod, ey + 0.95 * iod),
          int(rng.integers(10, 30)), int(rng.integers(150, 170)), fill=(150, 60, 60), width=4)
    # Soft edges, as in a photo; dlib's detector was trained on photos.
    return img.filter(ImageFilter.GaussianBlur(2.0))


# dlib's landmarks put a drawn face's eye centres this much (image fractions) inside where they
# are drawn (measured on 40 faces: left +0.018, right -0.029, both up 0.003), so stand-ins for
# generated faces are drawn that much further out for the detector to see the FFHQ geometry.
_DLIB_SHIFT = ((0.018, -0.002), (-0.029, -0.003))


def gan_eyes(rng: np.random.Generator) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where to draw the eyes for dlib to find them at the FFHQ crop's positions (each moved at
    random by at most 0.002 of the image)."""
    ref = YANG_DLIB
    j = rng.uniform(-0.002, 0.002, 4)
    (slx, sly), (srx, sry) = _DLIB_SHIFT
    return ((ref.left[0] - slx + j[0], ref.left[1] - sly + j[1]),
            (ref.right[0] - srx + j[2], ref.right[1] - sry + j[3]))


def ordinary_eyes(rng: np.random.Generator
                  ) -> tuple[tuple[float, float], tuple[float, float]]:
    """Eye centres of a face framed as people frame themselves: any size from a small face to a
    close-up, anywhere it fits, never within _ORDINARY_MIN_DISTANCE of the FFHQ positions."""
    ref = YANG_DLIB
    while True:
        iod = rng.uniform(0.18, 0.26)
        # The drawn head reaches 1.6 iod above the eyes, 1.45 below and 1.4 to each side; a
        # margin beyond that keeps it inside the window dlib's face detector scans.
        cx = rng.uniform(1.6 * iod, 1 - 1.6 * iod)
        y = rng.uniform(1.8 * iod, 1 - 1.7 * iod)
        left, right = (cx - iod / 2, y), (cx + iod / 2, y)
        dist = (math.dist(left, ref.left) + math.dist(right, ref.right)) / (2 * math.sqrt(2))
        if dist >= _ORDINARY_MIN_DISTANCE:
            return left, right


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def _copy(face: Image.Image, rng: np.random.Generator) -> bytes:
    """A reused avatar: mirrored half the time, resized to 85-100 %, re-compressed."""
    img = ImageOps.mirror(face) if rng.random() < 0.5 else face
    side = round(_SIDE * rng.uniform(0.85, 1.0))
    return _jpeg(img.resize((side, side), Image.Resampling.BILINEAR), int(rng.integers(60, 93)))


def assign(labels: list[dict[str, str]], seed: int, scale: float) -> dict[str, str]:
    """Which accounts get an avatar, and of which kind: {account_id: kind}.

    Every account of the operation has one: a hijacked account keeps its owner's ordinary
    photo; the others get a GAN-geometry face, the operation's reused face or an ordinary one
    (_OPERATION_MIX). Organic accounts: a sample of ORGANIC_AVATARS per unit of scale, all
    ordinary (the eye test costs tens of milliseconds an image, so not all 3,500 are drawn).
    """
    rng = np.random.default_rng([seed, 40])
    out: dict[str, str] = {}
    organic = []
    for r in labels:
        if r["label"] != "campaign":
            organic.append(r["account_id"])
            continue
        if "hijacked" in r.get("traits", "").split(";"):
            out[r["account_id"]] = ORDINARY
            continue
        u = rng.random()
        out[r["account_id"]] = (GAN_GEOMETRY if u < _OPERATION_MIX[GAN_GEOMETRY] else
                                REUSED if u < sum(_OPERATION_MIX.values()) else ORDINARY)
    n = min(len(organic), round(ORGANIC_AVATARS * scale), 1000)
    for i in sorted(rng.choice(len(organic), size=n, replace=False).tolist()):
        out[organic[i]] = ORDINARY
    return out


class _Distinct:
    """Perceptual hashes (and mirror hashes) of the faces drawn so far: a new face must differ
    from each by more than the avatar_reuse signal's reach, so only the reused copies match."""

    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []  # (pHash, pHash of the mirror image)

    def admits(self, data: bytes) -> bool:
        with Image.open(io.BytesIO(data)) as img:
            h = int(str(imagehash.phash(img)), 16)
            m = int(str(imagehash.phash(ImageOps.mirror(img))), 16)
        # The signal compares each image with the others and with their mirror images.
        if any(min((h ^ s).bit_count(), (m ^ s).bit_count(), (h ^ sm).bit_count()) <= _MIN_BITS
               for s, sm in self.seen):
            return False
        self.seen.append((h, m))
        return True


def _distinct_face(rng: np.random.Generator, kind: str, distinct: _Distinct) -> bytes:
    while True:
        eyes = gan_eyes(rng) if kind == GAN_GEOMETRY else ordinary_eyes(rng)
        data = _jpeg(draw_face(rng, *eyes), int(rng.integers(80, 95)))
        if distinct.admits(data):
            return data


def write_avatars(data_dir: Path, seed: int, scale: float = 1.0) -> Path:
    """Write `avatars/<account_id>.jpg` and the ground truth `avatar_labels.csv` for the
    platform simulated in data_dir (read from its labels.csv); returns the avatars folder,
    which `inconcert ingest --avatars` (ingest.avatars) reads. Same seed, same bytes."""
    with open(data_dir / "labels.csv", encoding="utf-8", newline="") as f:
        labels = list(csv.DictReader(f))
    kinds = assign(labels, seed, scale)
    folder = data_dir / AVATARS
    folder.mkdir(parents=True, exist_ok=True)
    for old in sorted(folder.glob("*.jpg")):
        old.unlink()  # avatars of an earlier run into the same folder
    distinct = _Distinct()
    stock = draw_face(np.random.default_rng([seed, 41]),
                      *ordinary_eyes(np.random.default_rng([seed, 42])))
    distinct.admits(_jpeg(stock, 90))
    for k, account in enumerate(sorted(kinds)):
        # One stream per account; a face redrawn for resembling an earlier one draws on from it.
        rng = np.random.default_rng([seed, 43, k])
        kind = kinds[account]
        data = _copy(stock, rng) if kind == REUSED else _distinct_face(rng, kind, distinct)
        (folder / f"{account}.jpg").write_bytes(data)
    write_sim_csv(data_dir / AVATAR_LABELS, ("account_id", "avatar"), sorted(kinds.items()))
    return folder
