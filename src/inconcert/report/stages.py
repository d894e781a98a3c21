"""The narratives, targets and sources of a network as the report shows them: human dates, a
day-by-day series for a sparkline, the talking point in full, names instead of ids, targets
split into those the network attacks and those it amplifies or addresses.

Reads the stage tables (`narratives`, `targets`, `sources`; see docs/narratives.md) and returns
plain dicts; the template escapes every string. Numbers are the tables' own, so a sentence and
the CSV never disagree.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import duckdb

from ..exports.graph import table_exists
from .names import resolve_handles

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A sparkline longer than this many days shows weeks instead.
MAX_SPARK_DAYS = 120
VIA = {"mention": "mentioned", "reply": "replied to", "text": "named in the text",
       "alt_text": "named in image descriptions", "quote": "quoted", "reshare": "reshared"}


def human_date(ms: int | None) -> str:
    """'3 Oct 2020' (UTC) for epoch milliseconds; '' for None."""
    if ms is None:
        return ""
    d = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def daily_series(timeline: str | None) -> dict[str, Any]:
    """A narrative's JSON timeline (`{"YYYY-MM-DD": n}`) as a gap-free series of days, or of
    weeks when it spans more than MAX_SPARK_DAYS; `{values, unit, first, last}`."""
    counts = {date.fromisoformat(k): int(v) for k, v in json.loads(timeline or "{}").items()}
    if not counts:
        return {"values": [], "unit": "day", "first": "", "last": ""}
    first, last = min(counts), max(counts)
    days = (last - first).days + 1
    unit = 1 if days <= MAX_SPARK_DAYS else 7
    values = [0] * ((days + unit - 1) // unit)
    for d, n in counts.items():
        values[(d - first).days // unit] += n
    return {"values": values, "unit": "day" if unit == 1 else "week",
            "first": f"{first.day} {MONTHS[first.month - 1]} {first.year}",
            "last": f"{last.day} {MONTHS[last.month - 1]} {last.year}",
            "peak_day": _peak(counts)}


def _peak(counts: dict[date, int]) -> str:
    d, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return f"{n} on {d.day} {MONTHS[d.month - 1]} {d.year}"


def _by_network(con: duckdb.DuckDBPyConnection, table: str, order: str
                ) -> dict[str, list[dict]] | None:
    """The rows of a stage table per network, each network's in `order`; None when the stage
    has not run. One query for every network: a case can hold thousands."""
    if not table_exists(con, table):
        return None
    cur = con.execute(f"SELECT * FROM {table} ORDER BY network_id, {order}")
    names = [d[0] for d in cur.description]
    out: dict[str, list[dict]] = defaultdict(list)
    for r in cur.fetchall():
        row = dict(zip(names, r, strict=True))
        out[row["network_id"]].append(row)
    return out


def _split(text: str | None) -> list[str]:
    return [t for t in (text or "").split(";") if t]


def _counts(text: str | None) -> list[tuple[str, int]]:
    """'a:3;b:2' as [('a', 3), ('b', 2)]."""
    return list(_parsed_counts(text))


@lru_cache(maxsize=4096)
def _parsed_counts(text: str | None) -> tuple[tuple[str, int], ...]:
    # A narrative's row repeats per network that posted it, each with the same list of every
    # such network (39 distinct lists among 17,845 rows, 25 million pairs, in the 10^6-row
    # big-network case): each list is parsed once.
    out = []
    for part in _split(text):
        k, _, v = part.rpartition(":")
        out.append((k, int(v)) if k and v.isdigit() else (part, 0))
    return tuple(out)


def _others(text: str | None, nid: str) -> list[tuple[str, int]]:
    """The (network, count) pairs of a narrative's `networks` text other than `nid`'s."""
    pairs = _parsed_counts(text)
    at = _positions(text).get(nid, ())
    if len(at) == 1:
        # Two slices rather than a test of each pair: the big case's lists hold ~1,400 each.
        return [*pairs[:at[0]], *pairs[at[0] + 1:]]
    return [nc for nc in pairs if nc[0] != nid]


@lru_cache(maxsize=4096)
def _positions(text: str | None) -> dict[str, list[int]]:
    """Where each network of a `networks` text is among its pairs."""
    out: dict[str, list[int]] = {}
    for i, (name, _) in enumerate(_parsed_counts(text)):
        out.setdefault(name, []).append(i)
    return out


def _translated(rep: dict[str, Any], first: dict[str, Any]) -> bool:
    return bool(rep.get("lang")) and bool(first.get("lang")) and rep["lang"] != first["lang"]


def narratives(rows: list[dict], nid: str, max_networks: int | None = None
               ) -> list[dict[str, Any]]:
    """The network's narratives (its rows of the `narratives` table, largest first), ready to
    read; each names at most `max_networks` (None: all) other networks that posted it, those
    posting it most first, and counts the rest."""
    out = []
    for r in rows:
        reps = json.loads(r.get("representatives") or "[]")
        others = _others(r.get("networks"), nid)
        rest = others[max_networks:] if max_networks is not None else []
        out.append({
            "id": r["narrative_id"], "n_posts": r["n_posts"], "n_accounts": r["n_accounts"],
            "share": r["share"], "narrative_posts": r["narrative_posts"],
            "first": human_date(r["first_ms"]), "last": human_date(r["last_ms"]),
            "series": daily_series(r.get("timeline")),
            "languages": _counts(r.get("languages")),
            "elsewhere": others[:max_networks],
            "elsewhere_rest": {"networks": len(rest), "posts": sum(n for _, n in rest)},
            "terms": _split(r.get("top_terms")), "hashtags": _split(r.get("hashtags")),
            "domains": _split(r.get("domains")),
            "text": r.get("representative_text") or "",
            "post_id": r.get("representative_post_id") or "",
            # A wording in another language than the talking point shown is a translation the
            # narrative joined: shown beside it, not folded among the other wordings.
            "translations": [{"text": v.get("text", ""), "lang": v["lang"]} for v in reps[1:]
                             if _translated(v, reps[0])],
            "variants": [{"text": v.get("text", ""), "posts": v.get("posts")}
                         for v in reps[1:] if not _translated(v, reps[0])],
        })
    return out


def _account_label(target: str, names: dict[str, dict[str, object]], handle: str | None,
                   display: str | None) -> dict[str, Any]:
    key = target.lstrip("@")
    n = names.get(key, {})
    shown = handle if handle and handle != key else n.get("handle")
    return {"id": key, "handle": shown, "display_name": display or n.get("display_name"),
            "named_by": n.get("n") if n.get("source") == "texts" else None}


def _known(*values: int | None) -> list[int]:
    return [v for v in values if v is not None]


def targets(rows: list[dict], names: dict[str, dict[str, object]], hostile_cut: float
            ) -> dict[str, list[dict[str, Any]]]:
    """The network's targets (its rows of the `targets` table by rank; `names` from
    `resolve_handles`), one entry per account or name (a mention and a reply of the same
    account are one target), split into `attacked` (hostile share ≥ `hostile_cut`) and
    `amplified` (the rest: replied to, mentioned or named without hostile wording)."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        kind = r["target_kind"]
        key = (kind, r["target"].lstrip("@") if kind == "account" else r["target"])
        t = merged.get(key)
        if t is None:
            t = merged[key] = {
                "kind": kind, "rank": r["rank"], "via": defaultdict(int), "n_posts": 0,
                "n_accounts": 0, "hostile_posts": 0.0, "evidence_posts": 0,
                "first_ms": r["first_ms"], "last_ms": r["last_ms"], "lift": r["lift"],
                "example": r.get("example_text"),
                **(_account_label(r["target"], names, r.get("handle"), r.get("display_name"))
                   if kind == "account" else {"id": r["target"], "handle": None,
                                              "display_name": None, "named_by": None})}
        for v, c in _counts(r.get("via")):
            t["via"][v] += c
        t["n_posts"] = max(t["n_posts"], r["n_posts"] or 0)
        t["n_accounts"] = max(t["n_accounts"], r["n_accounts"] or 0)
        t["hostile_posts"] += (r["hostile_share"] or 0.0) * (r["n_posts"] or 0)
        t["evidence_posts"] += r["n_posts"] or 0
        t["first_ms"] = min(_known(t["first_ms"], r["first_ms"]), default=None)
        t["last_ms"] = max(_known(t["last_ms"], r["last_ms"]), default=None)
        t["lift"] = max(t["lift"] or 0.0, r["lift"] or 0.0)
    out: dict[str, list[dict[str, Any]]] = {"attacked": [], "amplified": []}
    for t in sorted(merged.values(), key=lambda t: t["rank"]):
        t["hostile_share"] = t["hostile_posts"] / (t["evidence_posts"] or 1)
        t["how"] = ", ".join(f"{VIA.get(v, v)} {c:,} time{'' if c == 1 else 's'}"
                             for v, c in sorted(t["via"].items(), key=lambda kv: (-kv[1], kv[0])))
        t["first"], t["last"] = human_date(t["first_ms"]), human_date(t["last_ms"])
        out["attacked" if t["hostile_share"] >= hostile_cut else "amplified"].append(t)
    return out


def sources(rows: list[dict], names: dict[str, dict[str, object]]) -> list[dict[str, Any]]:
    """The accounts and sites whose content the network spread (its rows of the `sources`
    table by rank; `names` from `resolve_handles`), most used first."""
    out = []
    for r in rows:
        label = (_account_label(r["source"], names, r.get("handle"), r.get("display_name"))
                 if r["source_kind"] == "account" else
                 {"id": r["source"], "handle": None, "display_name": None, "named_by": None})
        how = [f"{w} {n:,} time{'' if n == 1 else 's'}" for w, n in
               (("reshared", r["n_reshares"]), ("quoted", r["n_quotes"]),
                ("linked", r["n_links"])) if n]
        out.append({**label, "kind": r["source_kind"], "in_network": bool(r["in_network"]),
                    "how": ", ".join(how), "n_posts": r["n_posts"],
                    "n_accounts": r["n_accounts"], "share": r["share"], "lift": r["lift"],
                    "first": human_date(r["first_ms"]), "last": human_date(r["last_ms"])})
    return out


def stage_sections(con: duckdb.DuckDBPyConnection, nids: list[str], hostile_cut: float,
                   max_networks: int | None = None) -> dict[str, dict[str, Any]]:
    """`{narratives, targets, sources}` of each network; a stage that has not run on the case
    is None (the template says so). Each table is read once for all networks."""
    nar = _by_network(con, "narratives", "n_posts DESC, narrative_id")
    tg = _by_network(con, "targets", "rank")
    src = _by_network(con, "sources", "rank")
    # A handle is resolved from the id alone, so one lookup serves every network.
    names = resolve_handles(con, [
        *(r["target"] for rs in (tg or {}).values() for r in rs if r["target_kind"] == "account"),
        *(r["source"] for rs in (src or {}).values() for r in rs
          if r["source_kind"] == "account")])
    return {nid: {
        "narratives": None if nar is None else narratives(nar.get(nid, []), nid, max_networks),
        "targets": None if tg is None else targets(tg.get(nid, []), names, hostile_cut),
        "sources": None if src is None else sources(src.get(nid, []), names),
    } for nid in nids}
