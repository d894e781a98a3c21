"""GraphML for igraph, networkx, Cytoscape and yEd (and Gephi, which reads the `label`,
`weight`, `r`, `g`, `b`, `x`, `y` and `size` keys)."""

from __future__ import annotations

from pathlib import Path

from .graph import EDGE_ATTRS, NODE_ATTRS, AccountGraph, hex_rgb
from .xmltext import xml_attr

_TYPES = {"string": "string", "long": "long", "double": "double", "boolean": "boolean"}
_VIZ_NODE = (("label", "string"), ("r", "int"), ("g", "int"), ("b", "int"), ("x", "double"),
             ("y", "double"), ("size", "double"))


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def graphml_text(g: AccountGraph) -> str:
    """The GraphML document of an account graph (undirected, typed keys named as in GEXF)."""
    node_keys = [*_VIZ_NODE, *((n, _TYPES[t]) for n, t in NODE_ATTRS)]
    edge_keys = [("weight", "double"), *((n, _TYPES[t]) for n, t in EDGE_ATTRS)]
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    for prefix, cls, keys in (("n", "node", node_keys), ("e", "edge", edge_keys)):
        out.extend(f'  <key id="{prefix}{i}" for="{cls}" attr.name="{name}" attr.type="{kind}"/>'
                   for i, (name, kind) in enumerate(keys))
    out.append('  <graph id="inconcert" edgedefault="undirected">')
    for n in g.nodes:
        r, gr, b = hex_rgb(n["color"])
        vals = {**n, "r": r, "g": gr, "b": b}
        out.append(f'    <node id="{xml_attr(n["id"])}">')
        out.extend(f'      <data key="n{i}">{xml_attr(_value(vals[name]))}</data>'
                   for i, (name, _) in enumerate(node_keys) if vals[name] is not None)
        out.append("    </node>")
    for e in g.edges:
        out.append(f'    <edge source="{xml_attr(e["source"])}" target="{xml_attr(e["target"])}">')
        out.extend(f'      <data key="e{i}">{xml_attr(_value(e[name]))}</data>'
                   for i, (name, _) in enumerate(edge_keys) if e[name] is not None)
        out.append("    </edge>")
    out.extend(["  </graph>", "</graphml>", ""])
    return "\n".join(out)


def write_graphml(g: AccountGraph, path: Path) -> Path:
    """Write the account graph as GraphML."""
    path.write_text(graphml_text(g), encoding="utf-8", newline="\n")
    return path
