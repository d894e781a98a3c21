"""GEXF 1.3 for Gephi, written by our own small writer.

networkx 3.6 declares the XML Schema instance namespace without `www.` in its 1.3 header, which
strict validators reject, so the file is written here: namespace `http://gexf.net/1.3`, viz
namespace `http://gexf.net/1.3/viz`, a label on every node, a weight on every edge, typed
attributes (network, role, flagged, scores, created date, followers, ...) and viz colour, size
and position so the file opens looking like the report's map.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from .. import __version__
from .graph import EDGE_ATTRS, NODE_ATTRS, AccountGraph, hex_rgb
from .xmltext import chunks, lines, xml_attr, xml_attr_column, xml_text

NS = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _texts(rows: list[dict], name: str, kind: str = "string") -> list[str | None]:
    # A missing value stays None (GEXF has no null), so "unknown" stays distinguishable from 0.
    if kind == "boolean":
        return [None if r[name] is None else "true" if r[name] else "false" for r in rows]
    return [None if r[name] is None else str(r[name]) for r in rows]


def _attvalues(rows: list[dict], attrs: tuple[tuple[str, str], ...]) -> list[pa.Array]:
    """Per attribute, each row's `<attvalue>` line (null where the value is missing)."""
    return [pc.binary_join_element_wise(
        f'\n          <attvalue for="{i}" value="', xml_attr_column(_texts(rows, name, kind)),
        '"/>', "") for i, (name, kind) in enumerate(attrs)]


def _nodes(g: AccountGraph) -> pa.Array:
    rgb = [hex_rgb(n["color"]) for n in g.nodes]
    return lines([
        '      <node id="', xml_attr_column(_texts(g.nodes, "id")), '" label="',
        xml_attr_column(_texts(g.nodes, "label")), '">\n        <attvalues>',
        *_attvalues(g.nodes, NODE_ATTRS),
        '\n        </attvalues>\n        <viz:color r="', pa.array([str(c[0]) for c in rgb]),
        '" g="', pa.array([str(c[1]) for c in rgb]), '" b="', pa.array([str(c[2]) for c in rgb]),
        '"/>\n        <viz:position x="', pa.array(_texts(g.nodes, "x"), pa.string()), '" y="',
        pa.array(_texts(g.nodes, "y"), pa.string()), '" z="0.0"/>\n        <viz:size value="',
        pa.array(_texts(g.nodes, "size"), pa.string()), '"/>\n      </node>'])


def _edges(g: AccountGraph) -> pa.Array:
    return lines([
        '      <edge id="', pa.array([str(i) for i in range(len(g.edges))], pa.string()),
        '" source="', xml_attr_column(_texts(g.edges, "source")), '" target="',
        xml_attr_column(_texts(g.edges, "target")), '" weight="',
        pa.array(_texts(g.edges, "weight"), pa.string()), '">\n        <attvalues>',
        *_attvalues(g.edges, EDGE_ATTRS), "\n        </attvalues>\n      </edge>"])


def _head(date: str, description: str) -> list[str]:
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<gexf xmlns="{NS}" xmlns:viz="{VIZ}" xmlns:xsi="{XSI}" '
           f'xsi:schemaLocation="{NS} {NS}/gexf.xsd" version="1.3">',
           f'  <meta lastmodifieddate="{xml_attr(date)}">',
           f"    <creator>inconcert {xml_text(__version__)}</creator>",
           f"    <description>{xml_text(description)}</description>",
           "  </meta>",
           '  <graph defaultedgetype="undirected" mode="static">']
    for cls, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        out.append(f'    <attributes class="{cls}" mode="static">')
        out.extend(f'      <attribute id="{i}" title="{name}" type="{kind}"/>'
                   for i, (name, kind) in enumerate(attrs))
        out.append("    </attributes>")
    return out


def write_gexf(g: AccountGraph, path: Path, date: str, description: str) -> Path:
    """Write the account graph as GEXF 1.3; `date` (YYYY-MM-DD) comes from the data, so the
    bytes do not depend on the clock. Every column is escaped by Arrow and the file written a
    slice of rows at a time."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join([*_head(date, description), "    <nodes>"]))
        for text in chunks(_nodes(g)) if g.nodes else ():
            f.write("\n" + text)
        f.write("\n    </nodes>\n    <edges>")
        for text in chunks(_edges(g)) if g.edges else ():
            f.write("\n" + text)
        f.write("\n    </edges>\n  </graph>\n</gexf>\n")
    return path
