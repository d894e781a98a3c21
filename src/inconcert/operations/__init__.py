"""Operations: networks that share seeders, content or account-creation cohorts, grouped into one
operation with its sub-networks.

A campaign run from one place often comes out of community detection as several networks (its
amplifier teams barely co-act with each other), yet they reshare the same seeders, post the same
hashtags and links and were created in the same batches. Two networks are linked on one kind of
evidence when the sets they hold overlap by a Jaccard index of at least `min_jaccard` with at
least `min_shared` elements in common:

- **seeders**: accounts that two or more members of the network reshared (`amplification`);
- **content**: hashtags and URLs that two or more members posted, among items mostly posted by
  network members anywhere (generic hashtags everyone uses are left out);
- **cohorts**: days on which two or more members' accounts were created;
- **personas**: accounts on different platforms that are one persona (`persona_links`, built
  first by `operations.personas`): at least `operations.personas.min_persona_links` links
  between the members of two networks, so a campaign's X network and its Facebook, YouTube and
  Telegram networks become one operation spanning the platforms.

Networks linked on at least `min_kinds` kinds are in the same operation (connected components,
so A~B and B~C make one operation). Tables: `operations` (one row per operation: its networks,
size, flagged accounts, inauthentic share, best score, traces, links, the platforms its members
post on) and `operation_networks`
(`network_id → operation_id` with the evidence that linked it). Operation ids (OP01, ...) are
ordered by evidence: operations with a network consistent with inauthentic behaviour first, then
by flagged accounts, best network score and first network id. Deterministic.
"""

from __future__ import annotations

import dataclasses
import json
from itertools import combinations
from typing import Any

import duckdb

from .. import config
from ..config import Config
from ..exports.graph import table_exists
from .personas import PersonaParams, link_personas

KINDS = ("seeders", "content", "cohorts")
# every kind of evidence that links two networks; personas are counted links, not set overlaps
ALL_KINDS = (*KINDS, "personas")
_MEMBERS = "SELECT account_id, network_id FROM memberships WHERE network_id IS NOT NULL"
_SETS = {
    "seeders": f"""
        SELECT m.network_id, a.seeder FROM amplification a JOIN ({_MEMBERS}) m
          ON m.account_id = a.amplifier
        WHERE a.amplifier <> a.seeder GROUP BY ALL HAVING count(*) >= 2""",
    "content": f"""
        WITH u AS (
            SELECT DISTINCT p.author_id, e.entity || ':' || e.normalized AS item
            FROM post_entities e JOIN posts p USING (platform, post_id)
            WHERE e.entity IN ('hashtag', 'url') AND e.normalized <> ''
        ), own AS (
            SELECT item FROM u GROUP BY item
            HAVING avg(CASE WHEN author_id IN (SELECT account_id FROM ({_MEMBERS}))
                       THEN 1 ELSE 0 END) >= 0.5
        )
        SELECT m.network_id, u.item FROM u JOIN ({_MEMBERS}) m ON m.account_id = u.author_id
        WHERE u.item IN (SELECT item FROM own) GROUP BY ALL HAVING count(*) >= 2""",
    "cohorts": f"""
        WITH c AS (SELECT account_id, min(created_ms) // 86400000 AS day FROM accounts
                   WHERE created_ms IS NOT NULL GROUP BY 1)
        SELECT m.network_id, CAST(c.day AS VARCHAR) FROM c JOIN ({_MEMBERS}) m USING (account_id)
        GROUP BY ALL HAVING count(*) >= 2""",
}


@config.section("operations")
@dataclasses.dataclass
class OperationParams:
    """When two networks count as parts of one operation."""

    min_jaccard: float = config.param(
        0.2, "smallest Jaccard overlap of two networks' seeders, content or creation days that "
             "links them")
    min_shared: int = config.param(
        3, "smallest number of shared seeders, items or creation days that links two networks")
    min_kinds: int = config.param(
        1, "kinds of evidence (seeders, content, cohorts) two networks must share to be linked")


def _sets(con: duckdb.DuckDBPyConnection, kind: str) -> dict[str, set[str]]:
    if kind == "seeders" and not table_exists(con, "amplification"):
        return {}
    out: dict[str, set[str]] = {}
    for nid, item in con.execute(_SETS[kind]).fetchall():
        out.setdefault(nid, set()).add(str(item))
    return out


def persona_links_between(con: duckdb.DuckDBPyConnection
                          ) -> dict[tuple[str, str], list[dict[str, str]]]:
    """(network a, network b), a < b → the persona links joining a member of one to a member
    of the other, in link order."""
    if not table_exists(con, "persona_links"):
        return {}
    out: dict[tuple[str, str], list[dict[str, str]]] = {}
    for na, nb, pa_, aa, pb, ab, kinds in con.execute(f"""
            SELECT ma.network_id, mb.network_id, l.platform_a, l.account_a, l.platform_b,
                   l.account_b, l.kinds
            FROM persona_links l
            JOIN ({_MEMBERS}) ma ON ma.account_id = l.account_a
            JOIN ({_MEMBERS}) mb ON mb.account_id = l.account_b
            WHERE ma.network_id <> mb.network_id
            ORDER BY l.platform_a, l.account_a, l.platform_b, l.account_b""").fetchall():
        key = (na, nb) if na < nb else (nb, na)
        out.setdefault(key, []).append({"a": f"{pa_}:{aa}", "b": f"{pb}:{ab}", "kinds": kinds})
    return out


def links(con: duckdb.DuckDBPyConnection, p: OperationParams,
          pp: PersonaParams | None = None
          ) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(network a, network b) → {kind: {jaccard, shared}} (personas: {shared, links}) for every
    pair linked on at least `min_kinds` kinds (a < b). Persona links count when `pp` is given."""
    sets = {k: _sets(con, k) for k in KINDS}
    between = persona_links_between(con) if pp is not None else {}
    nets = sorted(r[0] for r in con.execute("SELECT network_id FROM networks").fetchall())
    out = {}
    for a, b in combinations(nets, 2):
        found: dict[str, dict[str, Any]] = {}
        for k in KINDS:
            x, y = sets[k].get(a, set()), sets[k].get(b, set())
            shared = len(x & y)
            if shared >= p.min_shared and shared / len(x | y) >= p.min_jaccard:
                found[k] = {"jaccard": round(shared / len(x | y), 4), "shared": shared}
        personas = between.get((a, b), [])
        if pp is not None and len(personas) >= max(1, pp.min_persona_links):
            found["personas"] = {"shared": len(personas), "links": personas[:10]}
        if len(found) >= max(1, p.min_kinds):
            out[(a, b)] = found
    return out


def _platforms(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """network id → the platforms its members post or hold profiles on, ';'-joined."""
    rows = con.execute(f"""
        WITH acc AS (SELECT platform, account_id FROM accounts
                     UNION SELECT platform, author_id FROM posts)
        SELECT m.network_id, string_agg(DISTINCT acc.platform, ';' ORDER BY acc.platform)
        FROM ({_MEMBERS}) m JOIN acc USING (account_id) GROUP BY 1""").fetchall()
    return {nid: plats for nid, plats in rows}


def find_operations(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """(Re)create `operations` and `operation_networks`; returns the number of operations."""
    p: OperationParams = cfg.section("operations")
    pp: PersonaParams = cfg.section("operations.personas")
    link_personas(con, cfg)
    nets = {r[0]: r[1:] for r in con.execute("""
        SELECT network_id, size, COALESCE(n_flagged, 0), COALESCE(inauthentic, false),
               COALESCE(inauthentic_share, 0), score, significance, traces, first_ms, last_ms
        FROM networks ORDER BY network_id""").fetchall()}
    linked = links(con, p, pp)
    platforms = _platforms(con)
    parent = {n: n for n in nets}

    def root(n: str) -> str:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in linked:
        ra, rb = root(a), root(b)
        parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for n in nets:
        groups.setdefault(root(n), []).append(n)
    ops = []
    for members in groups.values():
        rows = [nets[n] for n in members]
        size = sum(r[0] for r in rows)
        ops.append({
            "networks": members, "size": size, "n_flagged": sum(r[1] for r in rows),
            "n_inauthentic_networks": sum(1 for r in rows if r[2]),
            "inauthentic_share": round(sum(r[3] * r[0] for r in rows) / size, 6) if size else 0,
            "score": max(r[4] or 0.0 for r in rows),
            "significance": round(sum((r[5] or 0.0) * r[0] for r in rows) / size, 6)
            if size else 0.0,
            "traces": ";".join(sorted({t for r in rows for t in (r[6] or "").split(";") if t})),
            "first_ms": min((r[7] for r in rows if r[7] is not None), default=None),
            "last_ms": max((r[8] for r in rows if r[8] is not None), default=None),
            "links": [{"a": a, "b": b, **ev}
                      for (a, b), ev in sorted(linked.items()) if a in members],
            "platforms": ";".join(sorted({x for n in members
                                          for x in platforms.get(n, "").split(";") if x})),
        })
    ops.sort(key=lambda o: (-(o["n_inauthentic_networks"] > 0), -o["n_flagged"], -o["score"],
                            o["networks"][0]))
    width = max(2, len(str(len(ops))))
    con.execute("DROP TABLE IF EXISTS operation_networks")
    con.execute("DROP TABLE IF EXISTS operations")
    con.execute("""CREATE TABLE operations (operation_id VARCHAR, n_networks BIGINT,
        networks VARCHAR, size BIGINT, n_flagged BIGINT, n_inauthentic_networks BIGINT,
        inauthentic_share DOUBLE, score DOUBLE, significance DOUBLE, traces VARCHAR,
        links VARCHAR, first_ms BIGINT, last_ms BIGINT, platforms VARCHAR)""")
    con.execute("""CREATE TABLE operation_networks (network_id VARCHAR, operation_id VARCHAR,
        linked_by VARCHAR)""")
    for i, o in enumerate(ops, start=1):
        oid = f"OP{i:0{width}d}"
        con.execute("INSERT INTO operations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [oid, len(o["networks"]), ";".join(o["networks"]), o["size"], o["n_flagged"],
                     o["n_inauthentic_networks"], o["inauthentic_share"], o["score"],
                     o["significance"], o["traces"],
                     json.dumps(o["links"], sort_keys=True), o["first_ms"], o["last_ms"],
                     o["platforms"]])
        for n in o["networks"]:
            kinds = sorted({k for lk in o["links"] if n in (lk["a"], lk["b"])
                            for k in ALL_KINDS if k in lk})
            con.execute("INSERT INTO operation_networks VALUES (?, ?, ?)",
                        [n, oid, ";".join(kinds)])
    return len(ops)
