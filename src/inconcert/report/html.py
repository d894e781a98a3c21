"""Rendering: the report context into one self-contained HTML file.

Jinja2 with autoescape on (every name, bio, post, hashtag, URL and client name is attacker
written). Data for the scripts travels as JSON inside `<script type="application/json">`, with
`<`, `>`, `&`, U+2028 and U+2029 escaped, so no string can close the script element or start a
comment. Every string from the data that holds right-to-left letters or bidirectional controls
is printed inside a Unicode isolate (FSI ... PDI, what `<bdi>` does), so a name with U+202E
cannot reverse the report's own sentences or the ids beside it. The page's JavaScript and CSS,
and the vendored sigma.js and graphology (MIT; pinned, licences beside them in `vendor/`), are
inlined: the page makes no request.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from ..exports.defang import defang
from . import charts
from .bidi import isolate

VENDOR = ("graphology-0.26.0/graphology.umd.min.js", "sigma-3.0.3/sigma.min.js")
_SOURCE_MAP = re.compile(r"//[#@] sourceMappingURL=\S*")
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}


def json_for_script(data: Any) -> Markup:
    """JSON that is safe as the content of a `<script type="application/json">` element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False)
    return Markup(re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group(0)], text))


def _asset(name: str) -> str:
    return resources.files("inconcert.report").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def inline_script(names: tuple[str, ...]) -> Markup:
    """Our and the vendored scripts as inline text (source-map comments dropped; a `</script`
    in them would end the element, so it is refused rather than silently broken)."""
    parts = []
    for n in names:
        text = _SOURCE_MAP.sub("", _asset(n))
        if re.search(r"</script|<!--", text, re.IGNORECASE):
            raise ValueError(f"{n} cannot be inlined: it contains </script or <!--")
        parts.append(text)
    return Markup("\n;\n".join(parts))


def safe_href(url: str | None) -> Markup | None:
    """An http(s) URL from the data, or None: no other scheme ever becomes a link. Escaped
    here, as Markup, so that `isolate` leaves a link target as it is."""
    u = (url or "").strip()
    return escape(u) if re.match(r"^https?://[^\s\"'<>]+$", u, re.IGNORECASE) else None


def short_id(value: str | None, keep: int = 10) -> str:
    """A long id (a 44-character hash) cut to its first `keep` characters and an ellipsis,
    for labels; the full id stays in the id column, the tooltip and the CSVs."""
    v = value or ""
    return v if len(v) <= keep + 6 else v[:keep] + "…"


def when(iso: str | None) -> str:
    """'6 Feb 2020 03:15' for an ISO UTC time ('' stays '')."""
    if not iso:
        return ""
    from .stages import MONTHS

    y, m, d = iso[:10].split("-")
    return f"{int(d)} {MONTHS[int(m) - 1]} {y} {iso[11:16]}".rstrip()


@functools.lru_cache(maxsize=1 << 16, typed=True)
def _printed(value: Any) -> Markup:  # noqa: ANN401 - whatever a template prints
    """A value as the template prints `{{ value }}`: isolated (`finalize`), then escaped.
    Cached: item ids, times and network ids repeat across the evidence rows."""
    return escape(isolate(value))


@functools.lru_cache(maxsize=1 << 16)
def _item_head(kind: str, item: str, text: str | None, truncate: Any) -> str:  # noqa: ANN401
    """An example item's own text (a defanged URL, a hashtag, a quoted post and its id)."""
    if kind in ("url", "domain"):
        return _printed(defang(item))
    if kind == "hashtag":
        return "#" + _printed(item)
    if text:
        return f"“{_printed(truncate(text, 90))}” <code>{_printed(item)}</code>"
    return f"<code>{_printed(item)}</code>"


@functools.lru_cache(maxsize=1 << 16, typed=True)
def _counted(name: Any, n: Any) -> str:  # noqa: ANN401 - whatever a template prints
    """One `name (n)` entry of a counted list, as the template printed it."""
    return f"{_printed(name)} ({_printed(n)})"


def _item(it: dict[str, str], truncate: Any) -> str:  # noqa: ANN401 - Jinja's filter
    """One example item of an evidence row as the template printed it (`<li>...</li>`)."""
    head = _item_head(it["kind"], it["item"], it["text"], truncate)
    mine, other = it["time_self"], it["time_other"]
    if not (mine or other):
        return f"<li>{head}</li>"
    if mine[:10] == other[:10]:
        when = f"{_printed(mine[11:19])} / {_printed(other[11:19])} on {_printed(mine[:10])}"
    else:
        when = f"{_printed(mine)} / {_printed(other)}"
    return f'<li>{head} <span class="when">{when}</span></li>'


def _trace_cells(t: dict[str, Any], truncate: Any) -> str:  # noqa: ANN401 - Jinja's filter
    """The cells of one trace of an evidence row after the partner's (`<td>` kind, shared
    items, p-value, example items and period), as the template printed them."""
    support = ("" if t["significant"] else
               ' <span class="muted" title="counts only with other traces">(supporting)</span>')
    disarm = "".join(f'<br><span class="tid" title="{_printed(d["name"])}">{_printed(d["id"])}'
                     "</span>" for d in t["disarm"])
    p = "" if t["p_value"] is None else f"{t['p_value']:.2g}"
    items = "".join(_item(it, truncate) for it in t["items"])
    return (f'<td>{_printed(t["trace"])}{support}{disarm}</td><td class="r">'
            f'{_printed(t["count"])}</td><td class="r">{_printed(p)}</td><td><ul class="ilist">'
            f'{items}</ul><span class="muted">{_printed(t["first"][:10])} – '
            f'{_printed(t["last"][:10])}</span></td>')


def _env() -> Environment:
    env = Environment(loader=PackageLoader("inconcert.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, finalize=isolate)
    env.filters["defang"] = defang
    env.filters["pct"] = lambda x: "" if x is None else f"{100 * x:.0f}%"
    env.filters["num"] = lambda x, d=3: "" if x is None else f"{x:.{d}f}"
    env.filters["short_id"] = short_id
    env.filters["when"] = when
    # The evidence rows (178,000 traces and 887,000 example items in the big-network case)
    # cost the most through Jinja's per-expression attribute lookups; one Python call per
    # row prints them.
    truncate = functools.partial(env.filters["truncate"], env)
    env.filters["trace_cells"] = lambda t: Markup(_trace_cells(t, truncate))
    # A narrative posted by every network lists every other network with its count (640,000
    # pairs in the big-network case, 25 million in the 10^6-row one): each distinct pair is
    # printed once.
    env.filters["counted"] = lambda pairs: Markup(", ".join(itertools.starmap(_counted,
                                                                              pairs)))
    env.globals["charts"] = charts
    return env


def _chart_markup(net: dict[str, Any]) -> dict[str, Markup]:
    """The SVG charts of one network."""
    c = net["color"]
    tl = net["timeline"]
    day = tl["width_ms"] >= 86_400_000
    out = {"timeline": charts.bars(
        [(b["original"], b["other"]) for b in tl["bins"]],
        [b["start"][:10] if day else b["start"][:13] + "h" for b in tl["bins"]],
        f"posts of network {net['network_id']} over time", (c, "#9aa5b1"),
        ("original posts", "reshares, replies, quotes"), width=1120, height=190)}
    out["heatmap"] = charts.heatmap(net["hour_of_week"],
                                    f"hour-of-week activity of {net['network_id']}", c)
    cr = net["creation"]
    out["creation"] = charts.bars([(b["count"],) for b in cr["bins"]],
                                  [b["start"][:10] for b in cr["bins"]],
                                  f"account creation dates of {net['network_id']}", (c,),
                                  ("accounts created",))
    if net["latency"]:
        out["latency"] = charts.bars([(n,) for n in net["latency"]["counts"]],
                                     list(charts.LATENCY_LABELS),
                                     f"reshare latency of {net['network_id']}", (c,),
                                     ("reshares",), tick_every=1)
    out["clients"] = charts.hbars([(d["name"], d["count"]) for d in net["clients"]],
                                  f"client apps of {net['network_id']}", c)
    return out


def render_report(ctx: dict[str, Any]) -> str:
    """The report HTML for a context from `report.context.build_context`."""
    env = _env()
    for net in ctx["networks"]:
        net["charts"] = _chart_markup(net)
    return env.get_template("report.html").render(
        ctx=ctx, css=Markup(_asset("templates/report.css")),
        vendor_js=inline_script(tuple(f"vendor/{v}" for v in VENDOR)),
        report_js=inline_script(("templates/report.js",)),
        map_json=json_for_script(ctx["map"]), safe_href=safe_href)
