"""GANEyeDistance: how far a face's eyes sit from where StyleGAN-family generators put them.

Generators trained on FFHQ reproduce FFHQ's crop, which places the eyes level at fixed fractions
of the image (Yang, Singh & Menczer 2024, package `ganed`). The score is a pure function of eye
coordinates and image size, so it is tested without any landmark model. A small distance is
"consistent with a GAN face", never proof: it measures the crop geometry, not synthesis, and a
real photo cropped by the FFHQ recipe scores just as low.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]
EyePair = tuple[Point, Point]  # two eye centres in pixels, in either order

THRESHOLD = 0.02  # Yang et al.: below it, "consistent with a GAN face" (recall > 99.5 % there)


@dataclass(frozen=True)
class Reference:
    """Reference eye centres as fractions of (width, height), image-left eye first."""

    left: Point
    right: Point
    source: str


# Eye definitions differ per landmark detector, so each backend keeps its own reference.
YANG_DLIB = Reference(
    left=(0.3808205078125, 0.4770548828125), right=(0.6152169921875, 0.4771314453125),
    source="Yang, Singh & Menczer 2024 (ganed), dlib HOG detector + 5-point landmarks, eye "
           "centre = midpoint of the two eye corners")


@dataclass(frozen=True)
class Assessment:
    """What the eye-position test says about one image."""

    faces: int | None  # None when the image could not be read
    eye_distance: float | None  # only when there is exactly one face
    gan_like: str  # "true" | "false" | "unknown"


def eye_distance(eyes: EyePair, width: float, height: float,
                 reference: Reference = YANG_DLIB) -> float:
    """GANED = (|left - L*| + |right - R*|) / (2 * sqrt(2)) in image-fraction units.

    The eyes may come in either order: the one further left in the image is matched to L*.
    Width and height are the image's, in the same pixel units as the eye coordinates.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive, got {width}x{height}")
    left, right = sorted(eyes)
    dl = math.dist((left[0] / width, left[1] / height), reference.left)
    dr = math.dist((right[0] / width, right[1] / height), reference.right)
    return (dl + dr) / (2 * math.sqrt(2))


def assess(faces: Sequence[EyePair], width: float, height: float,
           reference: Reference = YANG_DLIB, threshold: float = THRESHOLD) -> Assessment:
    """The verdict for an image given the eyes of every face found in it.

    Not exactly one face is "unknown", never "false": the test says nothing about such images.
    """
    if len(faces) != 1:
        return Assessment(len(faces), None, "unknown")
    d = eye_distance(faces[0], width, height, reference)
    return Assessment(1, d, "true" if d < threshold else "false")


UNREADABLE = Assessment(None, None, "unknown")
