"""AI-generated profile photos: the eye-position test (GANEyeDistance) and avatar hashes.

`ganed` is the pure score, `backends` the optional landmark detectors (extra `faces`), `images`
the safe file handling and `hashing` the perceptual hashes. A low eye distance is "consistent
with a GAN face", never proof: the test detects the FFHQ crop geometry, not synthesis.
"""

from __future__ import annotations

from pathlib import Path

from .backends import LandmarkBackend
from .ganed import THRESHOLD, UNREADABLE, Assessment, assess
from .images import load_image, shrink

__all__ = ["THRESHOLD", "Assessment", "assess_file"]


def assess_file(backend: LandmarkBackend, path: Path,
                threshold: float = THRESHOLD) -> Assessment:
    """The eye-position verdict for one image file ("unknown" when it cannot be read)."""
    im = load_image(path)
    if im is None:
        return UNREADABLE
    im = shrink(im)
    return assess(backend.find_eyes(im), im.width, im.height, backend.reference, threshold)
