"""Face-landmark backends: find the eye centres of every face in an image.

Each backend ships its model inside a package (nothing is downloaded) and is imported only when
asked for, so the rest of inconcert works without the optional `faces` extra. A backend carries
its own reference eye positions, because each detector defines "eye centre" a little
differently.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from ..errors import InputError
from .ganed import YANG_DLIB, EyePair, Reference
from .images import shrink

INSTALL_HINT = "pip install 'inconcert[faces]'"


class BackendUnavailable(InputError):
    """The optional landmark backend is not installed."""


class LandmarkBackend(Protocol):
    """Finds the two eye centres (pixels) of each face in an RGB image."""

    name: str
    description: str
    reference: Reference

    def find_eyes(self, im: Image.Image) -> list[EyePair]:
        """One eye pair per face found, in pixel coordinates of `im`."""
        ...


# The CNN detector runs on a copy this small: fast enough as a fallback, and FFHQ-style faces
# fill half the frame, so they stay far above its minimum face size.
_CNN_SIDE = 256


class DlibBackend:
    """dlib's HOG face detector (CNN detector as fallback) and its 5-point landmark model,
    from the `dlib-bin` and `face_recognition_models` packages (Yang et al.'s stack)."""

    name = "dlib"
    description = ("dlib HOG face detector upsampled once (MMOD CNN detector when it finds no "
                   "face) + 5-point landmarks; eye centre = midpoint of the eye corners")
    reference = YANG_DLIB

    def __init__(self, cnn_fallback: bool = True) -> None:
        try:
            import dlib
        except ImportError:
            raise BackendUnavailable(
                f"the face-landmark backend is not installed (needs dlib-bin and "
                f"face_recognition_models): {INSTALL_HINT}") from None
        models = _models_dir()
        self._dlib = dlib
        self._hog = dlib.get_frontal_face_detector()
        self._shape = dlib.shape_predictor(str(models / "shape_predictor_5_face_landmarks.dat"))
        self._cnn = (dlib.cnn_face_detection_model_v1(str(models / "mmod_human_face_detector.dat"))
                     if cnn_fallback else None)

    def find_eyes(self, im: Image.Image) -> list[EyePair]:
        arr = np.asarray(im.convert("RGB"))
        # Upsampling once is the setting the reference eye positions were measured with; at
        # 0 some boxes shift enough to move a GAN face across the threshold.
        rects = list(self._hog(arr, 1))
        if not rects and self._cnn is not None:
            rects = self._cnn_rects(im)
        return [self._eyes(arr, r) for r in rects]

    def _cnn_rects(self, im: Image.Image) -> list[Any]:
        small = shrink(im, _CNN_SIDE)
        sx, sy = im.width / small.width, im.height / small.height
        return [self._dlib.rectangle(round(d.rect.left() * sx), round(d.rect.top() * sy),
                                     round(d.rect.right() * sx), round(d.rect.bottom() * sy))
                for d in self._cnn(np.asarray(small), 0)]

    def _eyes(self, arr: np.ndarray, rect: Any) -> EyePair:
        s = self._shape(arr, rect)
        p = [(s.part(i).x, s.part(i).y) for i in range(4)]
        # Points 0-1 are the corners of one eye, 2-3 of the other (4 is the nose).
        return (((p[0][0] + p[1][0]) / 2, (p[0][1] + p[1][1]) / 2),
                ((p[2][0] + p[3][0]) / 2, (p[2][1] + p[3][1]) / 2))


def _models_dir() -> Path:
    # find_spec locates the package without running its __init__, which imports pkg_resources.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailable(
            f"the face-landmark models are not installed (face_recognition_models): "
            f"{INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


BACKENDS: dict[str, type[DlibBackend]] = {"dlib": DlibBackend}


@cache
def load_backend(name: str = "dlib", cnn_fallback: bool = True) -> LandmarkBackend:
    """The named backend, loaded once per process; BackendUnavailable when its extra is absent."""
    if name not in BACKENDS:
        raise InputError(f"unknown face backend {name!r}; known: {', '.join(BACKENDS)}")
    return BACKENDS[name](cnn_fallback=cnn_fallback)
