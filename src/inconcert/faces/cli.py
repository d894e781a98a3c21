"""`inconcert faces PATH...`: the eye-position test on image files, as CSV on stdout.

Contract: header `path,faces,eye_distance,gan_like`, one row per image, `gan_like` one of
`true` (consistent with a GAN face), `false`, `unknown` (not exactly one face, or unreadable).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ..safecsv import SafeWriter
from . import assess_file
from .backends import load_backend
from .ganed import THRESHOLD
from .images import find_images

HEADER = ("path", "faces", "eye_distance", "gan_like")


def write_faces_csv(paths: Sequence[Path], out: TextIO, backend: str = "dlib",
                    threshold: float = THRESHOLD, cnn_fallback: bool = True) -> Counter[str]:
    """Assess every image under `paths` and write the contract's CSV to `out`, row by row.

    Returns the count of each `gan_like` value. Raises InputError before writing anything when
    the backend is not installed, a path does not exist or a folder holds no image.
    """
    engine = load_backend(backend, cnn_fallback)
    images = find_images(paths)
    w = SafeWriter(out)
    w.writerow(HEADER)
    counts: Counter[str] = Counter()
    for path in images:
        a = assess_file(engine, path, threshold)
        counts[a.gan_like] += 1
        dist = "" if a.eye_distance is None else f"{a.eye_distance:.4f}"
        w.writerow([str(path), a.faces, dist, a.gan_like])
        out.flush()
    return counts


def summary(counts: Counter[str], threshold: float) -> str:
    """One line for stderr that states what a `true` means and does not mean."""
    n = sum(counts.values())
    return (f"{n} image{'s' if n != 1 else ''}: {counts['true']} consistent with a GAN face "
            f"(eye distance < {threshold:g}; a crop geometry, not proof of synthesis), "
            f"{counts['false']} not, {counts['unknown']} unknown (not exactly one face, or "
            "unreadable)")
