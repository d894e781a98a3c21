"""Account evidence for the report: for each account in scope, its profile, verdict, the
co-actions that link it to others (with whom, which trace, on which items, at which times) and
the account signals that fired on it (with their evidence and DISARM ids).

Plain dicts only; the template escapes every string.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import lru_cache
from typing import Any

import duckdb
import pyarrow as pa

from ..exports.graph import example_items, iso_sql, iso_text, table_exists
from ..exposure import SIGNAL as EXPOSED
from ..outputs.accounts import num, sig_digits
from ..signals import disarm
from ..verdict import COHORT
from .signal_text import sentences
from .tactics import KILL_CHAIN, evidence_ids

# Trace -> which kind of item its examples name (how to find each account's time on the item).
ITEM_KIND = {"co_reshare": "post", "fast_reshare": "post", "co_reply": "post", "co_like": "post",
             "co_link": "url", "co_domain": "domain", "co_hashtag": "hashtag",
             "co_mention": "mention", "co_text": "text", "near_text": "text",
             "semantic_copy": "text", "co_image": "image"}

_TIMES_SQL = """
WITH who AS (SELECT DISTINCT account FROM _ev_items),
acts AS (
    SELECT actor_id AS account, 'post' AS kind, target_post_id AS item, min(created_ms) AS ms
    FROM actions WHERE actor_id IN (SELECT account FROM who) GROUP BY ALL
    UNION ALL
    SELECT p.author_id, CASE e.entity WHEN 'url' THEN 'url' WHEN 'hashtag' THEN 'hashtag'
                                      WHEN 'mention' THEN 'mention' ELSE 'image' END,
           CASE WHEN e.entity = 'media' THEN e.media_hash ELSE e.normalized END,
           min(p.created_ms)
    FROM post_entities e JOIN posts p USING (platform, post_id)
    WHERE p.author_id IN (SELECT account FROM who)
      AND e.entity IN ('url', 'hashtag', 'mention', 'media') GROUP BY ALL
    UNION ALL
    SELECT p.author_id, 'domain', split_part(e.normalized, '/', 1), min(p.created_ms)
    FROM post_entities e JOIN posts p USING (platform, post_id)
    WHERE p.author_id IN (SELECT account FROM who) AND e.entity = 'url' GROUP BY ALL
)
SELECT i.account, i.kind, i.item, a.ms, {iso} FROM _ev_items i
JOIN acts a ON a.account = i.account AND a.kind = i.kind AND a.item = i.item
""".format(iso=iso_sql("a.ms"))


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Signal evidence as (key path, value text) rows, sorted (nested dicts joined by '.')."""
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for k in sorted(value, key=str):
            out.extend(_flatten(value[k], f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return [(prefix, ", ".join(str(v) for v in value))]
        return [r for i, v in enumerate(value) for r in _flatten(v, f"{prefix}[{i}]")]
    return [(prefix, json.dumps(value, ensure_ascii=False) if value is None or
             isinstance(value, bool) else str(value))]


def scope(con: duckdb.DuckDBPyConnection, limit: int) -> list[str]:
    """Accounts whose evidence the report carries: flagged first, then network members, each
    by score (highest first), ties by id."""
    return [r[0] for r in con.execute("""
        SELECT v.account_id FROM verdicts v
        WHERE v.flagged OR v.network_id IS NOT NULL
        ORDER BY v.flagged DESC, v.score DESC NULLS LAST, v.account_id LIMIT ?""",
        [limit]).fetchall()]


def account_evidence(con: duckdb.DuckDBPyConnection, accounts: list[str],
                     max_partners: int) -> dict[str, dict[str, Any]]:
    """Evidence of each account in `accounts`: `{partners: [...], amplification: [...],
    signals: [...]}` (co-action partners strongest first; whom it reshared or was reshared by,
    most reshares first)."""
    if not accounts:
        return {}
    con.register("_ev_scope", pa.table({"account_id": pa.array(accounts, pa.string())}))
    try:
        # Each side of an edge joined on its own: a join on `source = id OR target = id` is
        # a nested loop over every (account, evidence row) pair, 20 CPU s for 5,000 accounts.
        rows = con.execute("""
            WITH e AS (
                SELECT s.account_id, e.target AS other, e.* FROM _ev_scope s
                JOIN fused_evidence e ON e.source = s.account_id
                UNION ALL
                SELECT s.account_id, e.source AS other, e.* FROM _ev_scope s
                JOIN fused_evidence e ON e.target = s.account_id AND e.source <> s.account_id
            )
            SELECT account_id, other, trace, weight, count, p_value, significant, first_ms,
                   last_ms, examples, {first}, {last}
            FROM e ORDER BY 1, 2, 3""".format(first=iso_sql("first_ms"),
                                              last=iso_sql("last_ms"))).fetchall()
        amp = con.execute("""
            WITH a AS (
                SELECT s.account_id, a.* FROM _ev_scope s
                JOIN amplification a ON a.amplifier = s.account_id
                UNION ALL
                SELECT s.account_id, a.* FROM _ev_scope s
                JOIN amplification a ON a.seeder = s.account_id
            )
            SELECT account_id, amplifier, seeder, n_reshares, n_fast, median_latency_ms,
                   first_ms, last_ms, {first}, {last}
            FROM a WHERE amplifier <> seeder
            ORDER BY 1, n_reshares DESC, 2, 3""".format(
            first=iso_sql("first_ms"), last=iso_sql("last_ms"))).fetchall() if table_exists(
            con, "amplification") else []
        sigs = con.execute("""
            SELECT s.account_id, g.signal, g.strength, g.disarm, g.evidence
            FROM _ev_scope s JOIN account_signals g ON g.account_id = s.account_id
            ORDER BY 1, 2, g.strength DESC, g.evidence""").fetchall()
        cohorts = con.execute("""
            SELECT c.account_id, c.network_id, c.bin, c.unit, c.expected, c.unplaced, c.flagged,
                   c.purity, c.n_items, c.examples
            FROM _ev_scope s JOIN cohort_members c USING (account_id)
            ORDER BY c.account_id""").fetchall() if table_exists(con, "cohort_members") else []
        exposed = con.execute("""
            SELECT e.* FROM _ev_scope s JOIN exposure_members e USING (account_id)
            ORDER BY e.account_id""").fetchall() if table_exists(con, "exposure_members") else []
    finally:
        con.unregister("_ev_scope")
    by_pair: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for r in rows:
        by_pair[(r[0], r[1])].append(r[2:])
    # Partners ranked and cut first: their traces and items (five per trace) are built only
    # for the max_partners kept, not for all of an account's partners.
    ranked: dict[str, list[tuple[float | None, str, list[tuple]]]] = defaultdict(list)
    for (aid, other), traces in by_pair.items():
        ranked[aid].append((num(sum(t[1] or 0.0 for t in traces)), other, traces))
    partners: dict[str, list[dict[str, Any]]] = {}
    for aid, plist in ranked.items():
        plist.sort(key=lambda d: (-(d[0] or 0.0), d[1]))
        partners[aid] = [{"account_id": other, "weight": weight,
                          "traces": [{"trace": t, "weight": num(w), "count": c,
                                      "p_value": sig_digits(p), "significant": bool(s),
                                      "first": iso_text(fi, f), "last": iso_text(lai, la),
                                      "disarm": _trace_disarm(t),
                                      "items": [{"item": x} for x in example_items(ex)]}
                                     for t, w, c, p, s, f, la, ex, fi, lai in traces]}
                         for weight, other, traces in plist[:max_partners]]
    _item_times(con, partners)
    out: dict[str, dict[str, Any]] = {a: {"partners": partners.get(a, []), "signals": [],
                                          "amplification": []} for a in accounts}
    for aid, amplifier, seeder, n, fast, median, first, last, first_iso, last_iso in amp:
        if len(out[aid]["amplification"]) < max_partners:
            out[aid]["amplification"].append({
                "direction": "amplified" if amplifier == aid else "amplified by",
                "account_id": seeder if amplifier == aid else amplifier, "n_reshares": n,
                "n_fast": fast, "median_s": None if median is None else round(median / 1000, 1),
                "first": iso_text(first_iso, first), "last": iso_text(last_iso, last)})
    for aid, signal, strength, ids, ev in sigs:
        out[aid]["signals"].append({
            "signal": signal, "strength": num(strength),
            "disarm": disarm.describe(evidence_ids(signal, ids)),
            "kill_chain": KILL_CHAIN.get(signal.removesuffix("_network"), ""),
            "sentences": sentences(signal, json.loads(ev) if ev else {}),
            "evidence": _flatten(json.loads(ev) if ev else {})})
    for aid, net, bin_, unit, expected, unplaced, flagged, purity, n_items, examples in cohorts:
        ev = {"network_id": net, "bin": bin_, "unit": unit, "expected": expected,
              "unplaced": unplaced, "flagged": flagged, "purity": round(purity, 3),
              "n_items": n_items, "examples": json.loads(examples) if examples else []}
        out[aid]["signals"].append({
            "signal": COHORT, "strength": num(purity),
            "disarm": disarm.describe(evidence_ids(COHORT)),
            "kill_chain": KILL_CHAIN.get(COHORT, ""),
            "sentences": sentences(COHORT, ev), "evidence": _flatten(ev)})
    for aid, net, n_items, n_owned, share, background, p_value, examples in exposed:
        ev = {"network_id": net, "n_items": n_items, "n_owned": n_owned,
              "exposure": round(share, 3), "background": round(background, 4),
              "p_value": sig_digits(p_value),
              "examples": json.loads(examples) if examples else []}
        out[aid]["signals"].append({
            "signal": EXPOSED, "strength": num(share),
            "disarm": disarm.describe(evidence_ids(EXPOSED)),
            "kill_chain": KILL_CHAIN.get(EXPOSED, ""),
            "sentences": sentences(EXPOSED, ev), "evidence": _flatten(ev)})
    return out


@lru_cache(maxsize=256)
def _trace_disarm(trace: str) -> list[dict[str, str | None]]:
    # One description per trace, shared by its rows (read only by the template).
    return disarm.describe(evidence_ids(trace))


def _item_times(con: duckdb.DuckDBPyConnection,
                partners: dict[str, list[dict[str, Any]]]) -> None:
    """Fill each example item with the time each of the two accounts acted on it, and the text
    of post items (the reshared, replied-to or first copied post)."""
    wanted: set[tuple[str, str, str]] = set()
    posts: set[str] = set()
    for aid, plist in partners.items():
        for p in plist:
            for t in p["traces"]:
                kind = ITEM_KIND.get(t["trace"], "")
                for it in t["items"]:
                    if kind in ("post", "text"):
                        posts.add(it["item"])
                    if kind and kind != "text":
                        wanted.add((aid, kind, it["item"]))
                        wanted.add((p["account_id"], kind, it["item"]))
    times: dict[tuple[str, str, str], str] = {}
    if wanted:
        rows = sorted(wanted)
        con.register("_ev_items", pa.table({
            "account": pa.array([r[0] for r in rows], pa.string()),
            "kind": pa.array([r[1] for r in rows], pa.string()),
            "item": pa.array([r[2] for r in rows], pa.string())}))
        try:
            times = {(a, k, i): iso_text(iso, ms)
                     for a, k, i, ms, iso in con.execute(_TIMES_SQL).fetchall()}
        finally:
            con.unregister("_ev_items")
    texts: dict[str, tuple[str | None, str]] = {}
    if posts:
        texts = {pid: (text, iso_text(iso, ms)) for pid, text, ms, iso in con.execute(
            f"SELECT post_id, min(text), min(created_ms), {iso_sql('min(created_ms)')} "
            "FROM posts WHERE post_id IN (SELECT unnest(?)) GROUP BY post_id",
            [sorted(posts)]).fetchall()}
    for aid, plist in partners.items():
        for p in plist:
            for t in p["traces"]:
                kind = ITEM_KIND.get(t["trace"], "")
                for it in t["items"]:
                    it["kind"] = kind
                    it["text"], it["posted"] = texts.get(it["item"], (None, ""))
                    it["time_self"] = times.get((aid, kind, it["item"]), "")
                    it["time_other"] = times.get((p["account_id"], kind, it["item"]), "")
