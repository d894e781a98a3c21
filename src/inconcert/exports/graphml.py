"""GraphML for igraph, networkx, Cytoscape and yEd (and Gephi, which reads the `label`,
`weight`, `r`, `g`, `b`, `x`, `y` and `size` keys)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .graph import EDGE_ATTRS, NODE_ATTRS, AccountGraph, hex_rgb
from .xmltext import chunks, lines, xml_attr_column

_TYPES = {"string": "string", "long": "long", "double": "double", "boolean": "boolean"}
_VIZ_NODE = (("label", "string"), ("r", "int"), ("g", "int"), ("b", "int"), ("x", "double"),
             ("y", "double"), ("size", "double"))


def _texts(rows: list[dict], name: str) -> list[str | None]:
    return [None if v is None else ("true" if v else "false") if isinstance(v, bool) else str(v)
            for v in (r[name] for r in rows)]


def _data(rows: list[dict], prefix: str, keys: list[tuple[str, str]]) -> list[pa.Array]:
    """Per key, each row's `<data>` line (null where the value is missing)."""
    return [pc.binary_join_element_wise(f'\n      <data key="{prefix}{i}">',
                                        xml_attr_column(_texts(rows, name)), "</data>", "")
            for i, (name, _) in enumerate(keys)]


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
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(head))
        if g.nodes:
            rgb = [hex_rgb(n["color"]) for n in g.nodes]
            nodes = [{**n, "r": c[0], "g": c[1], "b": c[2]} for n, c in zip(g.nodes, rgb,
                                                                              strict=True)]
            for text in chunks(lines(['    <node id="', xml_attr_column(_texts(nodes, "id")),
                                      '">', *_data(nodes, "n", node_keys),
                                      "\n    </node>"])):
                f.write("\n" + text)
        if g.edges:
            for text in chunks(lines([
                    '    <edge source="', xml_attr_column(_texts(g.edges, "source")),
                    '" target="', xml_attr_column(_texts(g.edges, "target")), '">',
                    *_data(g.edges, "e", edge_keys), "\n    </edge>"])):
                f.write("\n" + text)
        f.write("\n  </graph>\n</graphml>\n")
    return path
