"""Leiden partitions (leidenalg, RB-configuration = modularity at resolution 1, fixed seed), and
a runner that computes large ones in worker processes.

The group test partitions the data and every rewired copy with every partition's weights: six
Leiden runs of 4-24 s each on the 10^6-message bench cases (docs/benchmarks.md), one after
another on one core while the other waited. leidenalg runs with the GIL held and igraph's state
is per process, so partitions run side by side only in separate processes (`inconcert.workers`).
This module imports nothing heavier than igraph and leidenalg, so a worker starts in a fraction
of a second.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import Future
from typing import Protocol

import igraph as ig
import leidenalg
import numpy as np

from .workers import Pool

# Below this many edges a partition runs in the calling process: starting a worker and moving
# the graph (0.3-0.5 s) costs about what Leiden takes on 50,000-100,000 edges (10-30 µs an edge
# on the bench cases' projections, docs/benchmarks.md).
MIN_WORKER_EDGES = 100_000


class LeidenSettings(Protocol):
    """What a partition depends on besides the graph (`NetworkParams` has these)."""

    resolution: float
    seed: int
    iterations: int


@dataclasses.dataclass(frozen=True)
class Settings:
    """`LeidenSettings` as plain values, for a worker process."""

    resolution: float
    seed: int
    iterations: int


def leiden_partition(nodes: list, edges: list[tuple], p: LeidenSettings) -> list[list]:
    """Communities of the weighted graph, each a sorted member list, by Leiden with a fixed seed.

    `nodes` must be sorted and `edges` sorted by (source, target): the partition depends on
    vertex and edge order, so callers give them in a canonical order.
    """
    if not edges:
        return []
    index = {a: i for i, a in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[s], index[t]) for s, t, _ in edges])
    g.es["weight"] = [w for _, _, w in edges]
    part = leidenalg.find_partition(g, leidenalg.RBConfigurationVertexPartition,
                                    weights="weight", resolution_parameter=p.resolution,
                                    n_iterations=p.iterations, seed=p.seed)
    groups: dict[int, list] = {}
    for v, c in enumerate(part.membership):
        groups.setdefault(c, []).append(nodes[v])
    return [sorted(g_) for g_ in groups.values()]


def partition_by_platform(nodes: list, edges: list[tuple], platform_of: dict,
                          p: LeidenSettings) -> list[list]:
    """`leiden_partition` run on each platform's accounts apart (in platform order; edges between
    platforms are dropped). With at most one known platform, the accounts of unknown platform
    go with it; with several, they are partitioned together as a platform `""` of their own.

    Modularity's null term is relative to the whole graph's weight (k_i k_j / 2m), so a graph
    holding another platform's accounts, with no edge to this one's, lowers the penalty for
    merging this platform's communities (the resolution limit: Fortunato and Barthélemy,
    "Resolution limit in community detection", PNAS 104, 2007). Partitioned apart, one
    platform's communities do not depend on which other exports are in the case; with one
    platform this is `leiden_partition` itself."""
    if len({platform_of.get(a) for a in nodes} - {None, ""}) <= 1:
        return leiden_partition(nodes, edges, p)
    by: dict[str, list] = {}
    for a in nodes:
        by.setdefault(platform_of.get(a) or "", []).append(a)
    found: list[list] = []
    for plat in sorted(by):
        keep = set(by[plat])
        found += leiden_partition(by[plat], [e for e in edges if e[0] in keep and e[1] in keep],
                                  p)
    return found


def partition_arrays(u: np.ndarray, v: np.ndarray, w: np.ndarray, platform_of: dict,
                      p: LeidenSettings) -> list[list[int]]:
    """`partition_by_platform` of integer-id edges given as arrays sorted by (u, v)."""
    nodes = np.unique(np.concatenate([u, v])).tolist()
    edges = list(zip(u.tolist(), v.tolist(), w.tolist(), strict=True))
    return partition_by_platform(nodes, edges, platform_of, p)


class Partitioner:
    """Runs `partition_by_platform` on integer-id graphs: a graph of at least `min_edges`
    edges (default `MIN_WORKER_EDGES`) in a worker process while the caller goes on, at most
    `workers` at once; a smaller one at once in the caller. The partition is the same either
    way: the same code on the same graph with the same seed."""

    def __init__(self, workers: int, min_edges: int | None = None) -> None:
        self.min_edges = MIN_WORKER_EDGES if min_edges is None else min_edges
        self._pool = Pool(workers)

    def submit(self, u: np.ndarray, v: np.ndarray, w: np.ndarray, platform_of: dict,
               p: LeidenSettings) -> Future:
        """The communities (sorted member lists) of the graph with edges (u[i], v[i], w[i]),
        sorted by (u, v), as a future."""
        settings = Settings(float(p.resolution), int(p.seed), int(p.iterations))
        if len(u) < self.min_edges:
            done: Future = Future()
            done.set_result(partition_arrays(u, v, w, platform_of, settings))
            return done
        return self._pool.submit("inconcert.leiden:partition_arrays", u, v, w, platform_of,
                                 settings)

    def close(self) -> None:
        """Wait for the running partitions and stop the pool."""
        self._pool.close()

    def __enter__(self) -> Partitioner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
