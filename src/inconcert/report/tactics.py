"""Tactics: the DISARM v1.6 techniques (and Meta kill-chain procedures) that the flagged
accounts' evidence is consistent with, each tied to the evidence that triggered it.

Account signals carry their own DISARM ids (`account_signals.disarm`); coordination traces get
theirs from `TRACE_DISARM` below (after `shared/reference/reporting.md` §9.3). A mapping says
"consistent with", never "proves".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb

from ..samegroup import same_group
from ..signals import disarm
from ..signals.score import family

# Trace -> DISARM v1.6 technique ids its evidence is consistent with.
TRACE_DISARM: dict[str, tuple[str, ...]] = {
    "co_reshare": ("T0049.005",),       # Conduct Swarming
    "fast_reshare": ("T0049.003",),     # Bots Amplify via Automated Forwarding and Reposting
    "co_like": ("T0049.005",),
    "co_text": ("T0084.001",),          # Use Copypasta
    "near_text": ("T0084.001", "T0084.002"),
    "semantic_copy": ("T0084.002", "T0085.008"),  # Plagiarise Content, Machine Translated Text
    "co_hashtag": ("T0049.002",),       # Flood Existing Hashtag
    "co_link": ("T0118",),              # Amplify Existing Narrative
    "co_domain": ("T0118",),
    "co_image": ("T0115.001",),         # Share Memes
    "co_reply": ("T0116.001",),         # Post Inauthentic Social Media Comment
    "co_mention": ("T0049.005",),
    "amplified_by_network": ("T0118",),
    "creation_cohort": ("T0150.001",),  # Create Inauthentic Accounts (batch_creation's own)
    "operation_content": ("T0118",),    # Amplify Existing Narrative: it engages with the op's own
}

# Signal or trace -> Meta Online Operations Kill Chain procedure (reporting.md §10.1).
KILL_CHAIN: dict[str, str] = {
    "batch_creation": "0 Acquiring assets",
    "dormant_reactivated": "5.5.4 Using compromised accounts",
    "handles_profiles": "1 Disguising assets",
    "persona_mismatch": "1.2.8 Fictional person in the target region",
    "gan_face": "1.1.2 GAN profile pictures",
    "avatar_reuse": "1.1.1 Copying profile pictures",
    "activity_rhythm": "3.1.1 Working to a regular shift pattern",
    "client_apps": "3.5.1 Automating social media posts",
    "co_reshare": "6.2 Amplifying with likely fake accounts",
    "fast_reshare": "6.2 Amplifying with likely fake accounts",
    "co_like": "6.2 Amplifying with likely fake accounts",
    "co_text": "5.4.2 Copying authentic posts",
    "near_text": "5.2.2 Editing copied content",
    "semantic_copy": "5.2.2 Editing copied content",
    "co_hashtag": "6.3.1 Posting common or generic hashtags",
    "co_link": "7.5.2 Directing audience to a website",
    "co_domain": "7.5.2 Directing audience to a website",
    "co_image": "6 Indiscriminate engagement",
    "co_reply": "7 Targeted engagement",
    "co_mention": "7 Targeted engagement",
    "amplified_by_network": "6.2 Amplifying with likely fake accounts",
    "creation_cohort": "0 Acquiring assets",
    "operation_content": "6.2 Amplifying with likely fake accounts",
}


def evidence_ids(name: str, stored: str | None = None) -> list[str]:
    """DISARM v1.6 ids for a signal (its stored `disarm` column) or a trace (`TRACE_DISARM`)."""
    if stored:
        return disarm.current(i for i in stored.split(";") if i)
    return disarm.current(TRACE_DISARM.get(name, ()))


def case_tactics(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """One row per technique the flagged accounts' evidence is consistent with, ordered by
    tactic then technique id: `{id, name, tactic, tactic_name, evidence: [{source, kind,
    kill_chain, accounts: [account ids], networks: [network ids]}]}`."""
    hits: dict[str, dict[tuple[str, str], dict[str, set[str]]]] = defaultdict(dict)

    def add(technique: str, kind: str, source: str, account: str, network: str | None) -> None:
        slot = hits[technique].setdefault((kind, source), {"accounts": set(), "networks": set()})
        slot["accounts"].add(account)
        if network:
            slot["networks"].add(network)

    for aid, signal, stored, net in con.execute("""
            SELECT s.account_id, s.signal, s.disarm, v.network_id FROM account_signals s
            JOIN verdicts v ON v.account_id = s.account_id WHERE v.flagged
            ORDER BY 1, 2""").fetchall():
        for t in evidence_ids(signal, stored):
            add(t, "account signal", family(signal), aid, net)
    inside = same_group("(SELECT source, target, trace FROM fused_evidence WHERE significant)",
                        "(SELECT account_id, network_id FROM verdicts WHERE flagged)",
                        "source", "target")
    for src, dst, trace, net in con.execute(f"""
            SELECT source, target, trace, _group FROM {inside} ORDER BY 1, 2, 3""").fetchall():
        for t in evidence_ids(trace):
            add(t, "coordination trace", trace, src, net)
            add(t, "coordination trace", trace, dst, net)
    for aid, net in con.execute("""
            SELECT account_id, network_id FROM verdicts
            WHERE flagged AND list_contains(string_split(signals, ';'), 'amplified_by_network')
            ORDER BY 1""").fetchall():
        for t in evidence_ids("amplified_by_network"):
            add(t, "coordination trace", "amplified_by_network", aid, net)
    rows = []
    for technique, sources in hits.items():
        d = disarm.describe([technique])[0]
        d["evidence"] = [{"kind": kind, "source": source,
                          "kill_chain": KILL_CHAIN.get(source, ""),
                          "accounts": sorted(v["accounts"]), "networks": sorted(v["networks"])}
                         for (kind, source), v in sorted(sources.items())]
        rows.append(d)
    rows.sort(key=lambda d: (d["tactic"] or "", d["id"]))
    return rows
