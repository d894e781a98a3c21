"""Everything the report shows, gathered from a detected case into plain dicts and lists.

`build_context` reads the case database (after `inconcert detect`) and returns one dict that the
template renders; nothing here formats HTML. The same case and parameters give the same dict.
"""

from __future__ import annotations

import dataclasses
from pathlib import PurePath
from typing import Any

import duckdb
import pyarrow.compute as pc

from .. import __version__, model
from ..config import Config
from ..exports.graph import AccountGraph, iso_sql, iso_text, table_exists
from ..exports.indicators import indicator_rows
from ..outputs.accounts import account_rows
from ..outputs.findings import inputs
from ..outputs.networks import network_rows
from ..signals import disarm
from ..store import Store
from ..timeutil import iso_utc
from . import networks as netdata
from .bidi import isolate
from .confidence import ConfidenceParams, level, statement
from .evidence import account_evidence, scope
from .html import short_id
from .operations import operation_rows
from .params import ReportParams
from .reach import CELEBRITY_FOLLOWERS, MIN_AUDIENCE, upper_scale
from .resemblance import resemblance
from .stages import human_date, stage_sections
from .tactics import case_tactics

COARSE = ("minute", "hour", "day")


def _profiles(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    """Profile and activity of every account the verdicts cover."""
    out = {}
    for r in con.execute("""
        WITH acc AS (
            SELECT * FROM accounts
            QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY platform) = 1
        ), act AS (
            SELECT author_id, count(*) AS n, min(created_ms) AS first, max(created_ms) AS last
            FROM posts GROUP BY author_id
        )
        SELECT v.account_id, acc.platform, acc.handle, acc.display_name, acc.description,
               acc.location, acc.url, acc.created_ms, {created}, acc.followers, acc.following,
               COALESCE(act.n, 0), act.first, {first}, act.last, {last}, acc.id_is_hashed
        FROM verdicts v LEFT JOIN acc ON acc.account_id = v.account_id
        LEFT JOIN act ON act.author_id = v.account_id""".format(
            created=iso_sql("acc.created_ms"), first=iso_sql("act.first"),
            last=iso_sql("act.last"))).fetchall():
        (aid, platform, handle, name, bio, loc, url, created, created_iso, fol, fing, n, first,
         first_iso, last, last_iso, hashed) = r
        out[aid] = {"platform": platform, "handle": handle, "display_name": name, "bio": bio,
                    "location": loc, "url": url,
                    "created": iso_text(created_iso, created)[:10],
                    "followers": fol, "following": fing, "n_posts": n,
                    "first_post": iso_text(first_iso, first),
                    "last_post": iso_text(last_iso, last), "id_is_hashed": bool(hashed)}
    return out


def limitations(con: duckdb.DuckDBPyConnection, caps: dict[str, str]) -> list[dict[str, str]]:
    """What could not be computed and why, and the caveats of the data."""
    out = []
    for table, kind in (("trace_runs", "trace"), ("signal_runs", "signal")):
        if table_exists(con, table):
            for name, status, reason in con.execute(
                    f"SELECT {kind}, status, reason FROM {table} WHERE status <> 'ok' "
                    f"ORDER BY 1").fetchall():
                out.append({"topic": f"{kind} {name}", "text": f"{status}: {reason or '-'}"})
    precision = dict(con.execute("SELECT time_precision, count(*) FROM posts GROUP BY 1"
                                 ).fetchall())
    total = sum(precision.values())
    for p in COARSE:
        if precision.get(p):
            out.append({"topic": "time precision",
                        "text": f"{precision[p]} of {total} posts have times to the {p} only: "
                                f"co-actions closer than a {p} cannot be ordered or timed."})
    for cap, desc in model.CAPABILITIES.items():
        if cap == "ids_hashed":
            if cap in caps:
                out.append({"topic": "hashed ids",
                            "text": "Some account ids are pseudonymous hashes (as in platform "
                                    "takedown archives): they are not platform ids, and "
                                    "indicators built on them only match the same archive."})
        elif cap not in caps:
            out.append({"topic": "not in the data", "text": f"{desc} ({cap})"})
        elif caps[cap] == "partial":
            out.append({"topic": "partly in the data", "text": f"{desc} ({cap})"})
    n_q = con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
    if n_q:
        out.append({"topic": "quarantined rows",
                    "text": f"{n_q} input rows could not be stored (see quarantine.csv)."})
    return out


def _runs(con: duckdb.DuckDBPyConnection, table: str, kind: str) -> list[dict[str, Any]]:
    if not table_exists(con, table):
        return []
    cur = con.execute(f"SELECT * FROM {table} ORDER BY {kind}")
    names = [d[0] for d in cur.description]
    return [{k: ("" if v is None else v) for k, v in zip(names, r, strict=True)}
            for r in cur.fetchall()]


def build_context(store: Store, cfg: Config, graph: AccountGraph) -> dict[str, Any]:
    """The report's content for a detected case; `graph` is the exported account graph (its
    positions and colours make the map)."""
    con = store.con
    rp: ReportParams = cfg.section("report")
    cp: ConfidenceParams = cfg.section("report.confidence")
    vp = cfg.section("verdict")
    mp = cfg.section("narratives.match")
    caps = store.capabilities()
    items, digest = inputs(store)
    for d, ds in zip(items, sorted(store.datasets(), key=lambda d: (d["sha256"],
                                                                   PurePath(d["path"]).name)),
                     strict=True):
        d["time_min"], d["time_max"] = iso_utc(ds["time_min_ms"]), iso_utc(ds["time_max_ms"])
    profiles = _profiles(con)
    accounts = account_rows(con)
    nets = network_rows(con)
    tmin, tmax, n_posts = con.execute(
        "SELECT min(created_ms), max(created_ms), count(*) FROM posts").fetchall()[0]

    core = dict(con.execute("SELECT network_id, count(*) FILTER (WHERE joined_by = 'community') "
                            "FROM memberships GROUP BY 1").fetchall())
    networks = []
    items_by_net = {}
    # Each piece of network data in one query for every network.
    nids = [n["network_id"] for n in nets]
    shared_all = netdata.co_shared_items(con, rp.top_items)
    timelines, hours = netdata.timelines(con), netdata.hours_of_week(con)
    creation, latency = netdata.creation_dates(con), netdata.reshare_latencies(con)
    clients = netdata.client_apps(con)
    posts = netdata.representative_posts(con, rp.representative_posts)
    stages = stage_sections(con, nids, rp.attacked_hostile_share, rp.max_other_networks)
    resembles = resemblance(con, nids, mp)
    members: dict[str, list[str]] = {nid: [] for nid in nids}
    for nid, aid in con.execute("SELECT network_id, account_id FROM memberships "
                                "ORDER BY network_id, account_id").fetchall():
        members.setdefault(nid, []).append(aid)
    for n in nets:
        nid = n["network_id"]
        lvl = level(n, cp)
        shared = shared_all[nid]
        if n["n_flagged"]:
            items_by_net[nid] = shared
        networks.append({
            **n, "confidence": lvl, "color": graph.color(nid),
            "statement": statement(n, lvl, vp.reference_rate),
            "n_core": core.get(nid, n["size"]),
            "timeline": timelines[nid], "hour_of_week": hours[nid],
            "creation": creation[nid], "latency": latency[nid], "clients": clients[nid],
            "posts": posts[nid], "items": shared, "members": members[nid],
            "stages": stages[nid], "resemblance": resembles[nid]})

    operations = operation_rows(con, networks, cp, vp.reference_rate)
    op_of = {nid: op["operation_id"] for op in operations for nid in op["network_ids"]}
    for net in networks:
        net["operation_id"] = op_of.get(net["network_id"])

    in_scope = scope(con, rp.max_evidence_accounts)
    evidence = account_evidence(con, in_scope, rp.max_partners)
    anchors = {aid: f"a{i}" for i, aid in enumerate(in_scope)}
    table_ids = set(in_scope)
    ranked = sorted(accounts, key=lambda a: (-(a["score"] or 0.0), a["account_id"]))
    for a in ranked:
        if len(table_ids) >= rp.max_table_accounts:
            break
        table_ids.add(a["account_id"])
    table = []
    for a in accounts:
        if a["account_id"] not in table_ids:
            continue
        p = profiles.get(a["account_id"], {})
        table.append({**a, **{k: p.get(k) for k in ("display_name", "created", "followers",
                                                    "n_posts", "platform")},
                      "anchor": anchors.get(a["account_id"])})
    table.sort(key=lambda a: (not a["flagged"], -(a["score"] or 0.0), a["account_id"]))

    role_of = {a["account_id"]: a for a in accounts}
    tactics = case_tactics(con)
    ind_accounts = {aid: {"platform": p.get("platform"), "handle": p.get("handle"),
                          "network": (role_of.get(aid) or {}).get("network_id")}
                    for aid, p in profiles.items()}
    indicators = indicator_rows(tactics, ind_accounts, items_by_net)
    return {
        "title": "Coordinated behaviour investigation",
        "version": __version__,
        "inputs": items, "inputs_digest": digest,
        "capabilities": [{"name": k, "level": v, "description": model.CAPABILITIES.get(k, k)}
                         for k, v in caps.items()],
        "parameters": [{"section": s,
                        "items": [(k, _param_text(x)) for k, x in sorted(v.items())]}
                       for s, v in cfg.as_dict().items()],
        "parameters_digest": cfg.digest(),
        "time_min": iso_utc(tmin), "time_max": iso_utc(tmax),
        "human_time_min": human_date(tmin), "human_time_max": human_date(tmax),
        "trace_runs": _runs(con, "trace_runs", "trace"),
        "signal_runs": _runs(con, "signal_runs", "signal"),
        "summary": {"accounts": len(accounts), "posts": n_posts, "networks": len(nets),
                    "inauthentic_networks": sum(1 for n in nets if n["inauthentic"]),
                    "members": sum(n["size"] for n in nets),
                    "operations": len(operations),
                    "inauthentic_operations": sum(1 for o in operations
                                                  if o["n_inauthentic_networks"]),
                    "flagged": sum(1 for a in accounts if a["flagged"]),
                    "platforms": sorted({d["platform"] for d in items} - {"any"})},
        "networks": networks,
        "operations": operations,
        "table": table, "table_total": len(accounts),
        "evidence": [{"account_id": aid, "anchor": anchors[aid], **role_of.get(aid, {}),
                      "profile": profiles.get(aid, {}), **evidence[aid],
                      "partner_names": {p["account_id"]: (profiles.get(p["account_id"]) or {})
                                        .get("handle") for p in evidence[aid]["partners"]
                                        + evidence[aid]["amplification"]}}
                     for aid in in_scope],
        "tactics": tactics,
        "disarm_attribution": disarm.ATTRIBUTION,
        "indicators": indicators,
        "indicator_groups": _group_indicators(indicators),
        "limitations": limitations(con, caps),
        "map": _map(graph, anchors),
        "confidence_rule": dataclasses.asdict(cp),
        "layout_seed": rp.layout_seed,
        "attacked_cut": rp.attacked_hostile_share,
        "breakout": {"upper": upper_scale(), "min_audience": MIN_AUDIENCE,
                     "celebrity_followers": CELEBRITY_FOLLOWERS},
    }


def _param_text(value: Any) -> str:
    """A parameter value as plain text (tables as `key=value` pairs, lists comma-separated)."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={_param_text(v)}" for k, v in sorted(value.items()))
    if isinstance(value, list | tuple):
        return ", ".join(_param_text(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _group_indicators(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Indicator rows grouped by (tactic, technique, procedure) for the report's appendix."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for r in rows:
        groups.setdefault((r["Tactic"], r["Technique"], r["Procedure"]), []).append(r["Indicator"])
    return [{"tactic": t, "technique": q, "procedure": p, "indicators": v}
            for (t, q, p), v in groups.items()]


def _map(g: AccountGraph, anchors: dict[str, str]) -> dict[str, Any]:
    """Compact map data for the page: nodes [label, x, y, size, color, network, flagged,
    anchor] and edges [source index, target index, weight]."""
    n, e = g.nodes, g.edges
    ends = [pc.index_in(e[end], n["id"]).to_pylist() for end in ("source", "target")]
    # A hashed id standing in for a handle is cut so labels do not overlap; handles stay whole.
    # Labels reach the page as JSON (drawn on the canvas and in the hover box), past the
    # template's own isolation: they are isolated here.
    return {"nodes": [[isolate(short_id(label, 12) if label == aid else label), x, y, size,
                       color, net, 1 if flagged else 0, anchors.get(aid, "")]
                      for aid, label, x, y, size, color, net, flagged in zip(
                          *(n[c].to_pylist() for c in ("id", "label", "x", "y", "size", "color",
                                                       "network", "flagged")), strict=True)],
            "edges": [list(t) for t in zip(*ends, e["weight"].to_pylist(), strict=True)],
            "networks": [{"id": nid, "color": g.color(nid)} for nid in g.networks]}
