"""Images attached to posts: the campaign's cartoons (shared as slightly altered copies) and
ordinary people's photos (each one different), plus the manifest that maps posts to files.

A cartoon share is its base image resized, re-compressed and brightened a little, so the files
differ while a 64-bit pHash stays within a few bits; organic photos are drawn independently.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance

MAX_PHOTOS = 1000
MAX_CARTOON_FILES = 300
_SIZE = 160


def cartoon_base(seed: int) -> Image.Image:
    """A garish cartoon: flat saturated colours, thick outlines, a caption bar."""
    rng = np.random.default_rng([seed, 7])
    img = Image.new("RGB", (_SIZE, _SIZE), tuple(int(x) for x in rng.integers(150, 256, 3)))
    d = ImageDraw.Draw(img)
    for _ in range(5):
        x0, y0 = (int(v) for v in rng.integers(0, _SIZE - 50, 2))
        w, h = (int(v) for v in rng.integers(30, 90, 2))
        colour = tuple(int(x) for x in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            d.ellipse((x0, y0, x0 + w, y0 + h), fill=colour, outline=(0, 0, 0), width=4)
        else:
            pts = [(int(x0 + rng.integers(0, w)), int(y0 + rng.integers(0, h))) for _ in range(4)]
            d.polygon(pts, fill=colour, outline=(0, 0, 0), width=4)
    d.rectangle((0, _SIZE - 34, _SIZE, _SIZE), fill=(255, 255, 255), outline=(0, 0, 0), width=3)
    for k in range(int(rng.integers(3, 6))):
        x = 8 + k * 28
        d.rectangle((x, _SIZE - 24, x + int(rng.integers(12, 24)), _SIZE - 12), fill=(0, 0, 0))
    return img


def variant(base: Image.Image, rng: np.random.Generator) -> bytes:
    """A re-shared copy of an image: resized, brighter or darker, re-compressed (JPEG)."""
    s = float(rng.uniform(0.75, 1.0))
    img = base.resize((int(_SIZE * s), int(_SIZE * s)), Image.Resampling.BILINEAR)
    img = ImageEnhance.Brightness(img).enhance(float(rng.uniform(0.93, 1.07)))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=int(rng.integers(60, 93)))
    return buf.getvalue()


def photo(rng: np.random.Generator) -> bytes:
    """An ordinary photo-like image: smooth light, texture and a few soft shapes."""
    h, w = 60, _SIZE // 2  # drawn at half size, then enlarged (photos are soft anyway)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    for c in range(3):
        a, b, ph = rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(0, 6.28)
        img[..., c] = 128 + 90 * np.sin(a * xx / w * 3.14 + b * yy / h * 3.14 + ph)
    for _ in range(int(rng.integers(2, 6))):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(5, 23)
        mask = ((xx - cx) ** 2 + (yy - cy) ** 2) < r * r
        img[mask] = img[mask] * 0.4 + rng.uniform(0, 255, 3) * 0.6
    img += rng.normal(0, 8, img.shape)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).resize(
        (w * 2, h * 2), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    out.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def write_media(seed: int, out_dir: Path, media: list[tuple[str, ...] | None],
                written: np.ndarray) -> list[tuple[int, str, str, str]]:
    """Write the image files for the posts that carry media; returns manifest rows
    (post index, relative path, type, alt text). Photos past MAX_PHOTOS are dropped (every
    photo stays distinct); cartoon shares past MAX_CARTOON_FILES reuse an earlier copy.
    Each file has its own random stream, so adding the campaign leaves the photos unchanged."""
    rows: list[tuple[int, str, str, str]] = []
    bases: dict[str, Image.Image] = {}
    files: dict[str, list[str]] = {}
    n_photos = 0
    (out_dir / "media").mkdir(parents=True, exist_ok=True)
    for old in sorted((out_dir / "media").glob("*.jpg")):
        if old.name.startswith(("photo_", "cartoon_")):
            old.unlink()  # files of an earlier run into the same folder
    n_cartoon_files = 0
    for i, m in enumerate(media):
        if m is None or not written[i]:
            continue
        if m[0] == "photo":
            if n_photos >= MAX_PHOTOS:
                continue
            rel = f"media/photo_{n_photos:05d}.jpg"
            rng = np.random.default_rng([seed, 4, n_photos])
            (out_dir / rel).write_bytes(photo(rng))
            n_photos += 1
            alt = "" if rng.random() < 0.8 else "A photo"
            rows.append((i, rel, "photo", alt))
            continue
        key = m[1]
        if key not in bases:
            bases[key] = cartoon_base(int(key))
            files[key] = []
        if n_cartoon_files < MAX_CARTOON_FILES or not files[key]:
            rel = f"media/cartoon_{key}_{len(files[key]):04d}.jpg"
            rng = np.random.default_rng([seed, 5, n_cartoon_files])
            (out_dir / rel).write_bytes(variant(bases[key], rng))
            files[key].append(rel)
            n_cartoon_files += 1
        else:
            rel = files[key][(i * 7919) % len(files[key])]
        rows.append((i, rel, "photo", ""))
    return rows
