"""Gephi Data Laboratory spreadsheets: `network_nodes.csv` (`Id,Label,...`) and
`network_edges.csv` (`Source,Target,Type,Id,Label,Weight,...`). Every cell goes through
`safecsv`, so a formula in a hostile name is neutralised (and the same id is written the same
way in both files)."""

from __future__ import annotations

from pathlib import Path

from ..safecsv import write_csv
from .graph import EDGE_ATTRS, NODE_ATTRS, AccountGraph

NODE_HEADER = ("Id", "Label", *(n for n, _ in NODE_ATTRS), "color", "size", "x", "y")
EDGE_HEADER = ("Source", "Target", "Type", "Id", "Label", "Weight", *(n for n, _ in EDGE_ATTRS))


def write_gephi_csv(g: AccountGraph, out_dir: Path, stem: str = "network") -> list[Path]:
    """Write `<stem>_nodes.csv` and `<stem>_edges.csv`; returns both paths."""
    nodes, edges = out_dir / f"{stem}_nodes.csv", out_dir / f"{stem}_edges.csv"
    write_csv(nodes, NODE_HEADER, ([n["id"], n["label"], *(n[a] for a, _ in NODE_ATTRS),
                                    n["color"], n["size"], n["x"], n["y"]] for n in g.nodes),
              ids=("Id",))
    write_csv(edges, EDGE_HEADER, ([e["source"], e["target"], "Undirected", i, e["kind"],
                                    e["weight"], *(e[a] for a, _ in EDGE_ATTRS)]
                                   for i, e in enumerate(g.edges)), ids=("Source", "Target"))
    return [nodes, edges]
