"""Perceptual hashes of avatars: the 64-bit pHash of the image and of its mirror image, and a
fast search for near-identical hashes.

The stored hash is the one media files get (`ingest.readers.media_manifest.phash_file`), so a
picture posted and used as an avatar hashes alike. A horizontal flip defeats every global hash,
so reuse detection also compares each image with the others' mirror images.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import imagehash
import numpy as np
from PIL import Image, ImageOps
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def mirror_phash_file(path: Path) -> str | None:
    """The pHash (computed as `phash_file` does) of the image flipped left to right, or None
    when the file cannot be read."""
    try:
        with Image.open(path) as img:
            img.load()
            return str(imagehash.phash(ImageOps.mirror(img)))
    except Exception:  # noqa: BLE001 - a hostile file may make any decoder raise anything
        return None


def near_pairs(hashes: Sequence[str], mirrors: Sequence[str | None],
               max_distance: int) -> dict[tuple[int, int], tuple[int, bool]]:
    """Pairs (i < j) of 64-bit hex hashes within max_distance bits of each other, directly or
    with one image mirrored: {(i, j): (distance, mirrored)}, the smaller distance kept.

    `mirrors[i]` is the hash of image i's mirror image, or None when unknown. Exact and
    sub-quadratic: the 64 bits are cut into max_distance + 1 bands, and two hashes within
    max_distance bits agree on at least one band (pigeonhole), so only hashes sharing a band are
    compared.
    """
    if len(mirrors) != len(hashes):
        raise ValueError("one mirror hash (or None) per hash")
    nodes = list(range(len(hashes))) + [i for i, m in enumerate(mirrors) if m is not None]
    values = [int(h, 16) for h in hashes] + [int(m, 16) for m in mirrors if m is not None]
    if not values:
        return {}
    vals = np.array(values, dtype=np.uint64)
    node = np.array(nodes, dtype=np.int64)
    is_mirror = np.arange(len(values)) >= len(hashes)
    n_bands = min(max_distance + 1, 64)
    # Bands of near-equal width: a narrow band would gather most hashes in a few buckets.
    edges = [round(64 * b / n_bands) for b in range(n_bands + 1)]
    best: dict[tuple[int, int], tuple[int, bool]] = {}
    for lo, hi in zip(edges, edges[1:], strict=False):
        keys = (vals >> np.uint64(lo)) & np.uint64((1 << (hi - lo)) - 1)
        order = np.argsort(keys, kind="stable")
        bounds = np.flatnonzero(np.diff(keys[order])) + 1
        for group in np.split(order, bounds):
            if len(group) > 1:
                _compare(group, vals, node, is_mirror, max_distance, best)
    return dict(sorted(best.items()))


_BLOCK = 1024  # rows per block, so a crowded band never builds a huge distance matrix
# Bits set in each byte value (numpy < 2 has no bitwise_count).
_POP8 = np.array([bin(b).count("1") for b in range(256)], dtype=np.uint8)


def near_groups(n: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """For each of `n` hashes, the smallest index in its group of near-identical hashes (the
    connected components of `near_pairs`), so a group's label does not depend on pair order."""
    edges = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    first = np.full(label.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first, label, np.arange(n))
    return first[label].tolist()


def _popcount(x: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x)
    b = np.ascontiguousarray(x).view(np.uint8).reshape(*x.shape, 8)
    return _POP8[b].sum(axis=-1, dtype=np.int64)


def _compare(group: np.ndarray, vals: np.ndarray, node: np.ndarray, is_mirror: np.ndarray,
             max_distance: int, best: dict[tuple[int, int], tuple[int, bool]]) -> None:
    gv, gn, gm = vals[group], node[group], is_mirror[group]
    for start in range(0, len(group), _BLOCK):
        stop = min(start + _BLOCK, len(group))
        dist = _popcount(gv[start:stop, None] ^ gv[None, :])
        # Two mirror images compare as the originals do; the same image is no pair.
        ok = ((dist <= max_distance) & (gn[start:stop, None] < gn[None, :])
              & ~(gm[start:stop, None] & gm[None, :]))
        for r, c in zip(*np.nonzero(ok), strict=True):
            key = (int(gn[start + r]), int(gn[c]))
            cand = (int(dist[r, c]), bool(gm[start + r] or gm[c]))
            if key not in best or cand < best[key]:
                best[key] = cand
