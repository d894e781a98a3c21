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
from ..arrowtext import text_column, write_lines
from .graph import EDGE_ATTRS, NODE_ATTRS, AccountGraph, rgb_texts
from .xmltext import attr_texts, lines, xml_attr, xml_text

NS = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _attvalues(t: pa.Table, attrs: tuple[tuple[str, str], ...]) -> list[pa.Array]:
    """Per attribute, each row's `<attvalue>` line (null where the value is missing: GEXF has
    no null, so "unknown" stays distinguishable from 0)."""
    return [pc.binary_join_element_wise(
        f'\n          <attvalue for="{i}" value="', attr_texts(t[name]), '"/>', "")
        for i, (name, _) in enumerate(attrs)]


def _nodes(t: pa.Table, first: int) -> pa.Array:
    r, gr, b = rgb_texts(t["color"])
    return lines([
        '\n      <node id="', attr_texts(t["id"]), '" label="', attr_texts(t["label"]),
        '">\n        <attvalues>', *_attvalues(t, NODE_ATTRS),
        '\n        </attvalues>\n        <viz:color r="', r, '" g="', gr, '" b="', b,
        '"/>\n        <viz:position x="', text_column(t["x"]), '" y="', text_column(t["y"]),
        '" z="0.0"/>\n        <viz:size value="', text_column(t["size"]),
        '"/>\n      </node>'])


def _edges(t: pa.Table, first: int) -> pa.Array:
    ids = pa.array(range(first, first + t.num_rows), pa.int64()).cast(pa.string())
    return lines([
        '\n      <edge id="', ids, '" source="', attr_texts(t["source"]), '" target="',
        attr_texts(t["target"]), '" weight="', text_column(t["weight"]),
        '">\n        <attvalues>', *_attvalues(t, EDGE_ATTRS),
        "\n        </attvalues>\n      </edge>"])


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
    with open(path, "wb") as f:
        f.write("\n".join([*_head(date, description), "    <nodes>"]).encode())
        write_lines(f, g.nodes, _nodes)
        f.write(b"\n    </nodes>\n    <edges>")
        write_lines(f, g.edges, _edges)
        f.write(b"\n    </edges>\n  </graph>\n</gexf>\n")
    return path
