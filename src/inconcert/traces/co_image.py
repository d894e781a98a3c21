"""Co-image: two accounts post the same picture (perceptual hash within a Hamming distance)
within the window — the same cartoon or meme pushed by a network.

Hashes come from `post_entities.media_hash` (hex, e.g. a 64-bit pHash; prior-art.md §10: pHash-64
at distance <= 8 is "same image" for reposts, resizes and recompression). Distinct hashes are
clustered first (two within `max_distance` bits are linked, transitively), and a cluster is an
item, named by its smallest hash. Hashes that are not hexadecimal match only exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .. import config
from .base import NotComputable, Trace, TraceParams, register

_HEX = set("0123456789abcdef")


@config.section("traces.co_image")
@dataclass
class CoImageParams(TraceParams):
    window_s: int = config.param(3600, "two posts of the same image co-occur when at most this "
                                       "many seconds apart")
    max_distance: int = config.param(8, "Hamming distance (bits) at which two hashes are the same "
                                        "image (pHash-64: 8)")
    max_hashes: int = config.param(40_000, "above this many distinct hashes of one length, only "
                                           "identical hashes match (the all-pairs comparison is "
                                           "quadratic); trace_runs.notes says so")


def hash_clusters(hashes: list[str], max_distance: int, max_hashes: int) -> tuple[dict[str, str],
                                                                                   list[str]]:
    """Map each distinct hash to its cluster's smallest hash; notes about what was skipped."""
    notes: list[str] = []
    label = {h: h for h in hashes}
    by_len: dict[int, list[str]] = {}
    for h in sorted(set(hashes)):
        if len(h) % 16 == 0 and set(h) <= _HEX:
            by_len.setdefault(len(h), []).append(h)
    for length, group in sorted(by_len.items()):
        if len(group) > max_hashes:
            notes.append(f"{len(group)} distinct {length * 4}-bit hashes: over max_hashes, "
                         "only identical hashes matched")
            continue
        words = np.array([[int(h[i:i + 16], 16) for i in range(0, length, 16)] for h in group],
                         dtype=np.uint64)
        rows, cols = [], []
        for i in range(len(group) - 1):
            dist = np.bitwise_count(words[i + 1:] ^ words[i]).sum(axis=1)
            near = np.nonzero(dist <= max_distance)[0] + i + 1
            rows.extend([i] * len(near))
            cols.extend(near.tolist())
        graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(group), len(group)))
        comp = connected_components(graph, directed=False)[1]
        first: dict[int, str] = {}
        for h, c in zip(group, comp, strict=True):
            first.setdefault(int(c), h)  # group is sorted: the first seen is the smallest
            label[h] = first[int(c)]
    return label, notes


@register
class CoImage(Trace):
    name = "co_image"
    description = "posted the same image (perceptual hash) within the window"
    item_kind = "image hash"
    copies_content = True
    requires = ("media_hashes",)
    tables = ("posts", "post_entities", "_trace_co_image")
    params_class = CoImageParams

    def prepare(self, con: duckdb.DuckDBPyConnection, params: Any) -> list[str]:
        hashes = [r[0] for r in con.execute(
            "SELECT DISTINCT lower(trim(media_hash)) FROM post_entities "
            "WHERE media_hash IS NOT NULL AND trim(media_hash) <> '' ORDER BY 1").fetchall()]
        if not hashes:
            raise NotComputable("no post has a media hash")
        label, notes = hash_clusters(hashes, params.max_distance, params.max_hashes)
        con.register("_hash_stage", pa.table({"h": list(label), "item": list(label.values())}))
        try:
            con.execute("CREATE OR REPLACE TEMP TABLE _trace_co_image AS "
                        "SELECT h, item FROM _hash_stage ORDER BY h").fetchall()
        finally:
            con.unregister("_hash_stage")
        return notes + [f"{len(hashes)} distinct hashes in {len(set(label.values()))} clusters"]

    def actions_sql(self, params: Any) -> str:
        return """
            SELECT p.author_id AS account, c.item AS item, p.created_ms AS t,
                   p.post_id AS action_id
            FROM post_entities AS e
            JOIN posts AS p ON p.platform = e.platform AND p.post_id = e.post_id
            JOIN _trace_co_image AS c ON c.h = lower(trim(e.media_hash))
            WHERE p.kind <> 'reshare'
        """
