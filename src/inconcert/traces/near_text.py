"""Near-duplicate text: templated and lightly paraphrased posts, in any script.

Each normalised text (see `co_text`) becomes a set of character n-grams — so Chinese, Thai or
Japanese need no word tokeniser — and a MinHash signature, the one datasketch's MinHash computes,
but for all texts at once with NumPy. LSH with datasketch's band layout proposes candidates, which
match when their estimated Jaccard similarity reaches `threshold`. Each text joins the cluster of
the most similar earlier text that leads one (or leads its own), and a cluster is an item, named
by its earliest post. Text mostly in CJK scripts uses shorter n-grams (`cjk_ngram`): a CJK
character carries about as much as a short word.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any

import duckdb
import numpy as np
from datasketch import MinHash, MinHashLSH

from .. import config
from ..normalize import norm_text
from .base import Trace, TraceParams, register
from .co_text import CJK, keyed_actions_sql, post_texts, store_keys, text_length


@config.section("traces.near_text")
@dataclass
class NearTextParams(TraceParams):
    window_s: int = config.param(3600, "two posts of the same near-duplicate cluster co-occur when "
                                       "at most this many seconds apart")
    threshold: float = config.param(0.5, "estimated Jaccard similarity of character n-gram sets "
                                         "at which two texts are near-duplicates")
    ngram: int = config.param(4, "character n-gram length")
    cjk_ngram: int = config.param(2, "n-gram length for text that is mostly Chinese, Japanese "
                                     "or Korean")
    num_perm: int = config.param(64, "MinHash permutations (more: slower, more exact; the "
                                      "similarity estimate's error is about 0.5 / sqrt(num_perm))")
    min_chars: int = config.param(30, "texts shorter than this after normalisation are ignored "
                                      "(a CJK character counts as two)")


_M32 = np.uint64(0xFFFFFFFF)
_CHUNK = 1 << 16  # n-grams per block of the permutation step (x num_perm x 4 bytes)
# Characters of a text that are hashed: a text's block of the permutation step is never split,
# so one 12-million-character text would take gigabytes; past this many characters two texts
# are compared on their starts (5 MB per text at 64 permutations).
MAX_HASH_CHARS = 20_000


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser (datasketch's affine32 scheme mixes with it too)."""
    h = h ^ (h >> np.uint64(16))
    h = (h * np.uint64(0x85EBCA6B)) & _M32
    h = h ^ (h >> np.uint64(13))
    h = (h * np.uint64(0xC2B2AE35)) & _M32
    return h ^ (h >> np.uint64(16))


def gram_length(text: str, params: Any) -> int:
    """The n-gram length for a text: `cjk_ngram` when most characters are CJK."""
    return params.cjk_ngram if len(CJK.findall(text)) * 2 > len(text) else params.ngram


def shingle_hashes(texts: list[str], n: int) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of every character n-gram of every text, and where each text's start.

    Computed for the whole list at once on the texts' code points (a text shorter than n is
    padded with NULs and is one n-gram). Duplicate n-grams are kept: a minimum ignores them.
    """
    padded = [t.ljust(n, "\0") for t in texts]
    cp = np.frombuffer("".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) for t in padded), dtype=np.int64, count=len(padded))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    count = len(cp) - n + 1
    h = np.zeros(count, dtype=np.uint64)
    for k in range(n):  # FNV-style combination of the n code points, folded to 32 bits
        h = (h * np.uint64(0x100000001B3)) ^ cp[k:k + count]
    h = (h ^ (h >> np.uint64(32))) & _M32
    per_text = lengths - n + 1  # n-grams inside each text; the others straddle two texts
    offsets = np.cumsum(per_text) - per_text
    positions = np.arange(per_text.sum()) + np.repeat(starts - offsets, per_text)
    return h[positions], offsets


def signatures(texts: list[str], params: Any) -> np.ndarray:
    """MinHash signatures (num_perm uint32 per text), as datasketch's MinHash (seed 1, affine32
    scheme: min over n-grams of a * fmix32(h) + b mod 2^32) computes them, for all texts at
    once. Only the first `MAX_HASH_CHARS` characters of a text are hashed."""
    a, b = (x.astype(np.uint32) for x in MinHash(num_perm=params.num_perm, seed=1).permutations)
    sig = np.empty((len(texts), params.num_perm), dtype=np.uint32)
    by_n: dict[int, list[int]] = {}
    for i, t in enumerate(texts):
        by_n.setdefault(gram_length(t, params), []).append(i)
    for n, idx in by_n.items():
        hv, offsets = shingle_hashes([texts[i][:MAX_HASH_CHARS] for i in idx], n)
        ends = np.append(offsets[1:], len(hv))
        lo = 0
        while lo < len(idx):  # blocks of whole texts, about _CHUNK shingles each
            hi = max(lo + 1, int(np.searchsorted(ends, offsets[lo] + _CHUNK, "right")))
            block = _fmix32(hv[offsets[lo]:ends[hi - 1]]).astype(np.uint32)
            phv = block[:, None] * a + b  # uint32: wraps modulo 2^32, as datasketch's does
            sig[np.asarray(idx[lo:hi])] = np.minimum.reduceat(phv, offsets[lo:hi] - offsets[lo],
                                                              axis=0)
            lo = hi
    return sig


def _mix64(h: np.ndarray) -> np.ndarray:
    h = (h ^ (h >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    h = (h ^ (h >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def clusters(texts: list[str], params: Any) -> list[int]:
    """A cluster for each text, given in order of first appearance: the index of its leader.

    Leader clustering: a text joins the most similar earlier leader at or above the threshold
    (the lower index on ties), or leads a new cluster. Unlike linking every similar pair, this
    never chains short, loosely similar texts into one giant cluster. Candidates come from MinHash
    LSH with datasketch's band layout for the threshold (b bands of r rows): texts sharing a band
    are candidates, and similarity is the share of equal signature values (estimated Jaccard).
    """
    if not texts:
        return []
    sig = signatures(texts, params)
    lsh = MinHashLSH(threshold=params.threshold, num_perm=params.num_perm)
    keys = np.zeros((lsh.b, len(texts)), dtype=np.uint64)
    active = np.zeros(len(texts), dtype=bool)
    with np.errstate(over="ignore"):
        for j in range(lsh.b):
            k = np.zeros(len(texts), dtype=np.uint64)
            for c in range(j * lsh.r, (j + 1) * lsh.r):
                k = _mix64(k ^ sig[:, c].astype(np.uint64))
            keys[j] = k
            _, inverse, counts = np.unique(k, return_inverse=True, return_counts=True)
            active |= counts[inverse] > 1
    label = list(range(len(texts)))
    leaders: list[dict[int, list[int]]] = [{} for _ in range(lsh.b)]
    band_keys = keys.T.tolist()  # per text, its key in each band, as Python ints
    for i in np.nonzero(active)[0].tolist():
        mine = band_keys[i]
        found = [lead for j in range(lsh.b) if (lead := leaders[j].get(mine[j]))]
        best = i
        if found:
            # The share of equal values is compared as a float, as their mean would give it.
            # Sorted (repeats are harmless): the first maximum is then the lowest index.
            cands = np.sort(np.fromiter(chain.from_iterable(found), dtype=np.int64))
            equal = np.count_nonzero(sig[cands] == sig[i], axis=1)
            top = int(np.argmax(equal))  # the first maximum: the lowest index on ties
            if equal[top] / params.num_perm >= params.threshold:
                best = int(cands[top])
        if best == i:
            for j in range(lsh.b):
                leaders[j].setdefault(mine[j], []).append(i)
        label[i] = best
    return label


@register
class NearText(Trace):
    name = "near_text"
    description = "posted near-duplicate text (templates, light paraphrase) within the window"
    item_kind = "post"
    copies_content = True
    requires = ("post_text",)
    tables = ("posts", "_trace_near_text")
    params_class = NearTextParams

    def prepare(self, con: duckdb.DuckDBPyConnection, params: Any) -> list[str]:
        posts: list[tuple[str, str, str]] = []
        for platform, post_id, text in post_texts(con):
            norm = norm_text(text)
            if text_length(norm) >= params.min_chars:
                posts.append((platform, post_id, norm))
        # Identical texts are trivially one cluster: each distinct text is hashed once, in order
        # of first appearance (post_texts is in time order), so leaders are the earliest texts.
        distinct = list(dict.fromkeys(p[2] for p in posts))
        label = dict(zip(distinct, (str(c) for c in clusters(distinct, params)), strict=True))
        store_keys(con, "_trace_near_text", [(p[0], p[1], label[p[2]]) for p in posts])
        n_clusters = len(set(label.values()))
        return [f"{len(posts)} texts of >= {params.min_chars} characters, {len(distinct)} "
                f"distinct, {n_clusters} near-duplicate clusters"]

    def actions_sql(self, params: Any) -> str:
        return keyed_actions_sql("_trace_near_text")
