"""Gephi Data Laboratory spreadsheets: `network_nodes.csv` (`Id,Label,...`) and
`network_edges.csv` (`Source,Target,Type,Id,Label,Weight,...`). Every cell goes through
`safecsv`, so a formula in a hostile name is neutralised (and the same id is written the same
way in both files)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from ..safecsv import write_csv_columns
from .graph import EDGE_ATTRS, NODE_ATTRS, AccountGraph

NODE_HEADER = ("Id", "Label", *(n for n, _ in NODE_ATTRS), "color", "size", "x", "y")
EDGE_HEADER = ("Source", "Target", "Type", "Id", "Label", "Weight", *(n for n, _ in EDGE_ATTRS))


def write_gephi_csv(g: AccountGraph, out_dir: Path, stem: str = "network") -> list[Path]:
    """Write `<stem>_nodes.csv` and `<stem>_edges.csv`; returns both paths."""
    nodes, edges = out_dir / f"{stem}_nodes.csv", out_dir / f"{stem}_edges.csv"
    n, e = g.nodes, g.edges
    write_csv_columns(nodes, NODE_HEADER, [n["id"], n["label"], *(n[a] for a, _ in NODE_ATTRS),
                                           n["color"], n["size"], n["x"], n["y"]], ids=("Id",))
    write_csv_columns(edges, EDGE_HEADER, [
        e["source"], e["target"], pa.array(["Undirected"] * e.num_rows, pa.string()),
        pa.array(range(e.num_rows), pa.int64()), e["kind"], e["weight"],
        *(e[a] for a, _ in EDGE_ATTRS)], ids=("Source", "Target"))
    return [nodes, edges]
