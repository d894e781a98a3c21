"""The network map's layout, computed in Python with igraph so the page only draws.

Each connected component is laid out on its own with Fruchterman-Reingold (weighted by fused
edge weight; igraph's grid approximation from `GRID_FROM` nodes, which keeps 10,000 nodes near a
second), then the components are packed in rows, largest first, each in a square proportional to
its size, so separate groups never overlap. Layouts start from fixed positions and run on
igraph's random generator seeded with `report.layout_seed` (restored afterwards): the same graph
always gets the same map. Coordinates are scaled to [-1000, 1000] and rounded.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import igraph as ig

GRID_FROM = 1000
ASPECT = 2.0


def _spiral(n: int) -> list[list[float]]:
    # A golden-angle spiral: spread, deterministic start positions.
    return [[math.sqrt(i + 0.5) * math.cos(i * 2.399963),
             math.sqrt(i + 0.5) * math.sin(i * 2.399963)] for i in range(n)]


def _component(g: ig.Graph, iterations: int) -> list[tuple[float, float]]:
    """Positions of one component in a unit box centred on 0."""
    n = g.vcount()
    if n == 1:
        return [(0.0, 0.0)]
    w = [max(float(x), 1e-6) for x in g.es["weight"]] if g.ecount() else None
    coords = g.layout_fruchterman_reingold(weights=w, niter=iterations, seed=_spiral(n),
                                           grid="grid" if n >= GRID_FROM else "nogrid").coords
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return [((x - cx) / half / 2, (y - cy) / half / 2) for x, y in zip(xs, ys, strict=True)]


def compute_layout(node_ids: Sequence[str], edges: Sequence[tuple[str, str, float]],
                   seed: int, iterations: int = 500) -> dict[str, tuple[float, float]]:
    """Positions (x, y) for every node id; `edges` are (source, target, weight)."""
    n = len(node_ids)
    if n == 0:
        return {}
    index = {a: i for i, a in enumerate(node_ids)}
    g = ig.Graph(n=n, edges=[(index[s], index[t]) for s, t, _ in edges], directed=False)
    g.es["weight"] = [float(w or 0.0) for _, _, w in edges]
    comps = sorted((sorted(c) for c in g.connected_components()), key=lambda c: (-len(c), c[0]))
    ig.set_random_number_generator(random.Random(seed))
    try:
        local = [_component(g.induced_subgraph(c), iterations) for c in comps]
    finally:
        ig.set_random_number_generator(random)
    # Shelf packing: a component of k nodes gets a square of side ~ sqrt(k); rows about twice
    # as wide as the stack is high, to fill the report's wide map.
    total = sum((math.sqrt(len(c)) * 1.25 + 0.6) ** 2 for c in comps)
    row_w = max(math.sqrt(total * ASPECT), math.sqrt(len(comps[0])) * 1.25 + 0.6)
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
    x = y = row_h = 0.0
    for c, xy in zip(comps, local, strict=True):
        side = math.sqrt(len(c)) * 1.25 + 0.6
        if x > 0 and x + side > row_w:
            x, y, row_h = 0.0, y + row_h, 0.0
        for v, (px, py) in zip(c, xy, strict=True):
            pos[v] = (x + side / 2 + px * (side - 0.6), y + side / 2 + py * (side - 0.6))
        x += side
        row_h = max(row_h, side)
    xs, ys = [p[0] for p in pos], [p[1] for p in pos]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {a: (round((p[0] - cx) / half * 1000, 2) + 0.0,
                round((cy - p[1]) / half * 1000, 2) + 0.0)
            for a, p in zip(node_ids, pos, strict=True)}
