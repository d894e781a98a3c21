"""GraphML for igraph, networkx, Cytoscape and yEd (and Gephi, which reads the `label`,
`weight`, `r`, `g`, `b`, `x`, `y` and `size` keys)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ..arrowtext import write_lines
from .graph import EDGE_ATTRS, NODE_ATTRS, AccountGraph, rgb_texts
from .xmltext import attr_texts, lines

_TYPES = {"string": "string", "long": "long", "double": "double", "boolean": "boolean"}
_VIZ_NODE = (("label", "string"), ("r", "int"), ("g", "int"), ("b", "int"), ("x", "double"),
             ("y", "double"), ("size", "double"))


def _data(columns: list[pa.Array], prefix: str) -> list[pa.Array]:
    """Per key, each row's `<data>` line (null where the value is missing)."""
    return [pc.binary_join_element_wise(f'\n      <data key="{prefix}{i}">', col, "</data>", "")
            for i, col in enumerate(columns)]


def _node_lines(n: pa.Table, first: int) -> pa.Array:
    viz = [attr_texts(n["label"]), *rgb_texts(n["color"]),
           *(attr_texts(n[name]) for name in ("x", "y", "size"))]
    return lines(['\n    <node id="', attr_texts(n["id"]), '">',
                  *_data([*viz, *(attr_texts(n[name]) for name, _ in NODE_ATTRS)], "n"),
                  "\n    </node>"])


def _edge_lines(e: pa.Table, first: int) -> pa.Array:
    return lines(['\n    <edge source="', attr_texts(e["source"]), '" target="',
                  attr_texts(e["target"]), '">',
                  *_data([attr_texts(e[name]) for name in ("weight", *(a for a, _ in EDGE_ATTRS))],
                         "e"),
                  "\n    </edge>"])


def write_graphml(g: AccountGraph, path: Path) -> Path:
    """Write the account graph as GraphML (undirected, typed keys named as in GEXF); every
    column is escaped by Arrow and the file written a slice of rows at a time."""
    node_keys = [*_VIZ_NODE, *((n, _TYPES[t]) for n, t in NODE_ATTRS)]
    edge_keys = [("weight", "double"), *((n, _TYPES[t]) for n, t in EDGE_ATTRS)]
    head = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    for prefix, cls, keys in (("n", "node", node_keys), ("e", "edge", edge_keys)):
        head.extend(f'  <key id="{prefix}{i}" for="{cls}" attr.name="{name}" '
                    f'attr.type="{kind}"/>' for i, (name, kind) in enumerate(keys))
    head.append('  <graph id="inconcert" edgedefault="undirected">')
    with open(path, "wb") as f:
        f.write("\n".join(head).encode())
        write_lines(f, g.nodes, _node_lines)
        write_lines(f, g.edges, _edge_lines)
        f.write(b"\n  </graph>\n</graphml>\n")
    return path
