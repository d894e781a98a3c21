"""The report's account evidence as it was before each side of an edge was joined on its own
(commit 2aaf69c, `report/evidence.py::account_evidence`, whose `source = id OR target = id`
joins made DuckDB compare every account in scope with every evidence row), kept as the oracle
the new queries must reproduce exactly (tests/test_report_batched.py)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import duckdb
import pyarrow as pa

from inconcert.exports.graph import example_items, iso_sql, iso_text, table_exists
from inconcert.outputs.accounts import num, sig_digits
from inconcert.report.evidence import _flatten, _item_times, _trace_disarm
from inconcert.report.signal_text import sentences
from inconcert.report.tactics import KILL_CHAIN, evidence_ids
from inconcert.signals import disarm


def account_evidence(con: duckdb.DuckDBPyConnection, accounts: list[str],
                     max_partners: int) -> dict[str, dict[str, Any]]:
    """Evidence of each account in `accounts`: `{partners: [...], amplification: [...],
    signals: [...]}` (co-action partners strongest first; whom it reshared or was reshared by,
    most reshares first)."""
    if not accounts:
        return {}
    con.register("_ev_scope", pa.table({"account_id": pa.array(accounts, pa.string())}))
    try:
        rows = con.execute("""
            SELECT s.account_id, CASE WHEN e.source = s.account_id THEN e.target ELSE e.source END,
                   e.trace, e.weight, e.count, e.p_value, e.significant, e.first_ms, e.last_ms,
                   e.examples, {first}, {last}
            FROM _ev_scope s JOIN fused_evidence e
              ON e.source = s.account_id OR e.target = s.account_id
            ORDER BY 1, 2, 3""".format(first=iso_sql("e.first_ms"),
                                       last=iso_sql("e.last_ms"))).fetchall()
        amp = con.execute("""
            SELECT s.account_id, a.amplifier, a.seeder, a.n_reshares, a.n_fast,
                   a.median_latency_ms, a.first_ms, a.last_ms, {first}, {last}
            FROM _ev_scope s JOIN amplification a
              ON (a.amplifier = s.account_id OR a.seeder = s.account_id)
                 AND a.amplifier <> a.seeder
            ORDER BY 1, a.n_reshares DESC, 2, 3""".format(
            first=iso_sql("a.first_ms"), last=iso_sql("a.last_ms"))).fetchall() if table_exists(
            con, "amplification") else []
        sigs = con.execute("""
            SELECT s.account_id, g.signal, g.strength, g.disarm, g.evidence
            FROM _ev_scope s JOIN account_signals g ON g.account_id = s.account_id
            ORDER BY 1, 2, g.strength DESC, g.evidence""").fetchall()
    finally:
        con.unregister("_ev_scope")
    by_pair: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for r in rows:
        by_pair[(r[0], r[1])].append(r[2:])
    partners: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (aid, other), traces in by_pair.items():
        partners[aid].append({"account_id": other,
                              "weight": num(sum(t[1] or 0.0 for t in traces)),
                              "traces": [{"trace": t, "weight": num(w), "count": c,
                                          "p_value": sig_digits(p), "significant": bool(s),
                                          "first": iso_text(fi, f),
                                          "last": iso_text(lai, la),
                                          "disarm": _trace_disarm(t),
                                          "items": [{"item": x} for x in example_items(ex)]}
                                         for t, w, c, p, s, f, la, ex, fi, lai in traces]})
    for aid in partners:
        partners[aid].sort(key=lambda d: (-(d["weight"] or 0.0), d["account_id"]))
        del partners[aid][max_partners:]
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
    return out
