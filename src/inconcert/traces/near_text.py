"""Near-duplicate text: templated and lightly paraphrased posts, in any script.

Each normalised text (see `co_text`) becomes a set of character n-grams — so Chinese, Thai or
Japanese need no word tokeniser — and a MinHash; MinHash LSH (datasketch) proposes candidate
pairs, which match when their estimated Jaccard similarity reaches `threshold`. Each text joins
the cluster of the most similar earlier text that leads one (or leads its own), and a cluster is
an item, named by its earliest post. Text mostly in CJK scripts uses shorter n-grams
(`cjk_ngram`): a CJK character carries about as much as a short word.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import duckdb
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
    num_perm: int = config.param(128, "MinHash permutations (more: slower, more exact)")
    min_chars: int = config.param(30, "texts shorter than this after normalisation are ignored "
                                      "(a CJK character counts as two)")


def shingles(text: str, ngram: int, cjk_ngram: int) -> set[str]:
    """Character n-grams of a normalised text (shorter n-grams for mostly-CJK text)."""
    n = cjk_ngram if len(CJK.findall(text)) * 2 > len(text) else ngram
    if len(text) <= n:
        return {text}
    return {text[i:i + n] for i in range(len(text) - n + 1)}


def clusters(texts: list[str], params: Any) -> list[int]:
    """A cluster for each text, given in order of first appearance: the index of its leader.

    Leader clustering: a text joins the most similar earlier leader at or above the threshold
    (the lower index on ties), or leads a new cluster. Unlike linking every similar pair, this
    never chains short, loosely similar texts into one giant cluster.
    """
    if not texts:
        return []
    # CRC-32 is a C-speed, stable 32-bit hash; MinHash's random permutations do the mixing.
    hashes = MinHash.bulk(
        ([s.encode("utf-8") for s in shingles(t, params.ngram, params.cjk_ngram)]
         for t in texts), num_perm=params.num_perm, seed=1, hashfunc=zlib.crc32)
    lsh = MinHashLSH(threshold=params.threshold, num_perm=params.num_perm)
    label: list[int] = []
    for i, h in enumerate(hashes):
        best, best_sim = i, -1.0
        for j in lsh.query(h):
            sim = h.jaccard(hashes[j])
            if sim >= params.threshold and (sim > best_sim or (sim == best_sim and j < best)):
                best, best_sim = j, sim
        if best == i:
            lsh.insert(i, h)
        label.append(best)
    return label


@register
class NearText(Trace):
    name = "near_text"
    description = "posted near-duplicate text (templates, light paraphrase) within the window"
    item_kind = "post"
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
