"""GEXF 1.3 for Gephi, written by our own small writer.

networkx 3.6 declares the XML Schema instance namespace without `www.` in its 1.3 header, which
strict validators reject, so the file is written here: namespace `http://gexf.net/1.3`, viz
namespace `http://gexf.net/1.3/viz`, a label on every node, a weight on every edge, typed
attributes (network, role, flagged, scores, created date, followers, ...) and viz colour, size
and position so the file opens looking like the report's map.
"""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from .graph import EDGE_ATTRS, NODE_ATTRS, AccountGraph, hex_rgb
from .xmltext import xml_attr, xml_text

NS = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
XSI = "http://www.w3.org/2001/XMLSchema-instance"


def _value(v: object, kind: str) -> str:
    if kind == "boolean":
        return "true" if v else "false"
    return "" if v is None else str(v)


def _attvalues(item: dict, attrs: tuple[tuple[str, str], ...]) -> list[str]:
    # A missing value is left out (GEXF has no null), so "unknown" stays distinguishable from 0.
    return [f'        <attvalue for="{i}" value="{xml_attr(_value(item[name], kind))}"/>'
            for i, (name, kind) in enumerate(attrs) if item[name] is not None]


def gexf_text(g: AccountGraph, date: str, description: str) -> str:
    """The GEXF 1.3 document of an account graph; `date` (YYYY-MM-DD) comes from the data, so
    the bytes do not depend on the clock."""
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
    out.append("    <nodes>")
    for n in g.nodes:
        r, gr, b = hex_rgb(n["color"])
        out.append(f'      <node id="{xml_attr(n["id"])}" label="{xml_attr(n["label"])}">')
        out.append("        <attvalues>")
        out.extend("  " + line for line in _attvalues(n, NODE_ATTRS))
        out.append("        </attvalues>")
        out.append(f'        <viz:color r="{r}" g="{gr}" b="{b}"/>')
        out.append(f'        <viz:position x="{n["x"]}" y="{n["y"]}" z="0.0"/>')
        out.append(f'        <viz:size value="{n["size"]}"/>')
        out.append("      </node>")
    out.append("    </nodes>")
    out.append("    <edges>")
    for i, e in enumerate(g.edges):
        out.append(f'      <edge id="{i}" source="{xml_attr(e["source"])}" '
                   f'target="{xml_attr(e["target"])}" weight="{e["weight"]}">')
        out.append("        <attvalues>")
        out.extend("  " + line for line in _attvalues(e, EDGE_ATTRS))
        out.append("        </attvalues>")
        out.append("      </edge>")
    out.extend(["    </edges>", "  </graph>", "</gexf>", ""])
    return "\n".join(out)


def write_gexf(g: AccountGraph, path: Path, date: str, description: str) -> Path:
    """Write the account graph as GEXF 1.3."""
    path.write_text(gexf_text(g, date, description), encoding="utf-8", newline="\n")
    return path
