"""Finding image files and reading them safely. Every file is hostile: one that cannot be read
yields None, never an exception, so a batch never stops on one bad image."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageOps

from ..errors import InputError

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".gif", ".webp", ".bmp", ".tif",
                            ".tiff"})
# Avatars saved by scrapers often lack an extension, so a folder is also searched by content.
_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM", b"II*\x00",
          b"MM\x00*")
# Larger images are shrunk before landmark detection: eye fractions do not depend on scale,
# detection time grows with the pixel count, and a face that could sit in the FFHQ position
# fills half the frame, so it stays far above the detector's minimum size.
MAX_SIDE = 512
# Pillow's own limit warns at 89 Mpx; an avatar that large is an attack, not a photo.
MAX_PIXELS = 40_000_000


def looks_like_image(path: Path) -> bool:
    """True for a file with an image extension or whose first bytes are an image signature."""
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return head.startswith(_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def _sort_key(root: Path, p: Path) -> tuple[str, ...]:
    # Compare path components, so "a/b.jpg" and "a-b.jpg" order the same on every machine.
    return p.relative_to(root).parts


def find_images(paths: Iterable[Path]) -> list[Path]:
    """Every image named: files as given, folders searched recursively (sorted by path).

    Raises InputError for a path that does not exist or a folder that holds no image. A named
    file is kept whatever it holds: reading it is where it may turn out not to be an image.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        if p.is_dir():
            found = []
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                for name in filenames:
                    f = Path(dirpath) / name
                    if not name.startswith(".") and f.is_file() and looks_like_image(f):
                        found.append(f)
            if not found:
                raise InputError("holds no image file", str(p))
            items = sorted(found, key=lambda f, root=p: _sort_key(root, f))
        elif p.exists():
            items = [p]
        else:
            raise InputError("no such file or folder", str(p))
        for f in items:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def load_image(path: Path) -> Image.Image | None:
    """The image as RGB, turned upright by its EXIF orientation; None when it cannot be read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                if im.width * im.height > MAX_PIXELS:
                    return None
                im.seek(0)  # the first frame of an animation
                upright = ImageOps.exif_transpose(im)
                return upright.convert("RGB")
    except Exception:  # noqa: BLE001 - a hostile file may make any decoder raise anything
        return None


def shrink(im: Image.Image, max_side: int = MAX_SIDE) -> Image.Image:
    """The image scaled down so its longer side is at most max_side (unchanged if smaller)."""
    scale = max_side / max(im.width, im.height)
    if scale >= 1:
        return im
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    return im.resize(size, Image.Resampling.LANCZOS)
