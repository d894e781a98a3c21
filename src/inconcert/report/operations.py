"""Operations as the report tells them: confidence, the key-finding sentence and what their
accounts are (hijacked, created in bursts, GAN faces), from the `operations` tables
(`inconcert.operations`) and the networks' rows.

Confidence of an operation is that of its best-evidenced network (`confidence.level`), one
level higher when two or more of its networks are linked by at least two kinds of shared
evidence (seeders, content, creation days): separate clusters that independently share an
operator's fingerprints corroborate each other. Every number in a sentence is a column of the
operation's row or a count of the rows listed beside it.
"""

from __future__ import annotations

import json
from collections import Counter
from statistics import median
from typing import Any

import duckdb

from ..exports.defang import defang
from ..exports.graph import table_exists
from .confidence import ConfidenceParams, level
from .reach import reach_all
from .stages import human_date

LEVELS = ("low", "moderate", "high")
KIND_WORDS = {"seeders": "accounts they reshare", "content": "hashtags and links",
              "cohorts": "account-creation days",
              "personas": "personas on other platforms (the same persona's accounts)"}
# How the report names each kind of persona evidence (`operations.personas`).
PERSONA_WORDS = {"avatar": "profile image", "name": "display name", "handle": "handle stem",
                 "link": "bio link or contact", "bio": "bio", "content": "posted the same",
                 "sources": "amplified the same personas"}
MAX_PERSONA_LINKS = 25  # persona links listed per operation (the table holds them all)
MIN_BURST = 3  # accounts created on one day that make a creation burst


def _signal_accounts(con: duckdb.DuckDBPyConnection, signal: str) -> dict[str, str]:
    return dict(con.execute("SELECT account_id, any_value(evidence) FROM account_signals "
                            "WHERE signal = ? GROUP BY 1", [signal]).fetchall())


SUMMARY_SIGNALS = ("dormant_reactivated", "gan_face", "avatar_reuse")


def _faces_not_checked(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why the gan_face signal did not run; None when it ran (or the signals stage did not)."""
    if not table_exists(con, "signal_runs"):
        return None
    row = con.execute("SELECT reason FROM signal_runs WHERE signal = 'gan_face' AND "
                      "status <> 'ok'").fetchall()
    return (row[0][0] or "no reason recorded") if row else None


def _created_days(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The creation day (epoch days) of every network member with a creation time."""
    return dict(con.execute(
        "SELECT account_id, min(created_ms) // 86400000 FROM accounts WHERE account_id IN "
        "(SELECT account_id FROM memberships WHERE network_id IS NOT NULL) "
        "AND created_ms IS NOT NULL GROUP BY account_id").fetchall())


def _pictured(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The accounts with a profile photo."""
    return {a for (a,) in con.execute(
        "SELECT DISTINCT account_id FROM accounts WHERE avatar_path IS NOT NULL").fetchall()}


def _summaries(members: list[str], size: int, signals: dict[str, dict[str, str]],
               created_days: dict[str, int], pictured: set[str],
               faces_skipped: str | None = None) -> list[str]:
    """Sentences on what the operation's accounts are, each with its numbers; `signals` are
    the accounts (with evidence) of each of SUMMARY_SIGNALS, `created_days` and `pictured`
    those of `_created_days` and `_pictured`, all read once for every operation (a case can
    hold thousands); `faces_skipped` is why the GAN-face check did not run (see
    `_faces_not_checked`)."""
    out = []
    ids = set(members)
    dormant = {a: e for a, e in signals["dormant_reactivated"].items() if a in ids}
    if dormant:
        gaps = [json.loads(e or "{}").get("gap_days") for e in dormant.values()]
        gaps = [g for g in gaps if isinstance(g, int | float)]
        silence = f", silent for a median {median(gaps) / 365.25:.1f} years first" if gaps else ""
        out.append(f"{len(dormant)} of its {size} accounts are dormant accounts that came back "
                   f"to life with a new client, schedule or topic{silence} — consistent with "
                   "hijacked or bought accounts.")
    created = Counter(created_days[a] for a in ids if a in created_days)
    bursts = sorted(((n, d) for d, n in created.items() if n >= MIN_BURST),
                    key=lambda t: (-t[0], t[1]))
    if bursts:
        n_in = sum(n for n, _ in bursts)
        days = ", ".join(f"{n} on {human_date(d * 86_400_000)}" for n, d in bursts[:4])
        more = f" and {len(bursts) - 4} more days" if len(bursts) > 4 else ""
        out.append(f"{n_in} of its {size} accounts were created in "
                   f"{len(bursts)} burst{'' if len(bursts) == 1 else 's'} of {MIN_BURST} or "
                   f"more on one day: {days}{more}.")
    faces = [a for a in signals["gan_face"] if a in ids]
    reused = [a for a in signals["avatar_reuse"] if a in ids]
    if faces:
        out.append(f"{len(faces)} of its {size} accounts have a profile photo consistent with "
                   "a GAN-generated face (eye positions; never proof).")
    if faces_skipped is not None:
        # Said beside the other findings: a reader must not take no GAN faces for none found.
        n_pictured = len(ids & pictured)
        if n_pictured:
            out.append(f"The profile photos of {n_pictured} of its {size} accounts were not "
                       f"checked for GAN-generated faces: {faces_skipped}.")
    if reused:
        out.append(f"{len(reused)} of its {size} accounts share a profile photo with another "
                   "account.")
    return out


def _shared(links: list[dict[str, Any]]) -> str:
    best: dict[str, int] = {}
    for lk in links:
        for k in KIND_WORDS:
            if k in lk:
                best[k] = max(best.get(k, 0), lk[k]["shared"])
    parts = [f"{KIND_WORDS[k]} (up to {n} in common)" for k, n in best.items()]
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts else ""


def statement(op: dict[str, Any], reference_rate: float = 0.12) -> str:
    """The key-finding sentence of an operation (`reference_rate`: the verdict's, so the
    sentence says why its accounts are or are not flagged)."""
    k, size = op["n_networks"], op["size"]
    nets = ", ".join(op["network_ids"])
    what = (f"{'network' if k == 1 else f'{k} networks'} {nets}, {size} accounts")
    signs = round(op["inauthentic_share"] * size)
    share = round(100 * op["inauthentic_share"])
    linked = (f" Its networks share {_shared(op['links'])}, so we treat them as one operation."
              if op["links"] else "")
    bad = op["n_inauthentic_networks"]
    if bad:
        return (f"We assess with {op['confidence']} confidence that operation "
                f"{op['operation_id']} ({what}) is coordinated activity consistent with "
                f"inauthentic behaviour: "
                + (f"{bad} of its {k} networks {'is' if bad == 1 else 'are'} consistent with "
                   "it, " if k > 1 else "")
                + f"{signs} of its {size} "
                f"accounts ({share}%) show signs of inauthentic accounts on their own, and "
                f"{op['n_flagged']} are flagged.{linked}")
    head = (f"We assess with {op['confidence']} confidence that operation "
            f"{op['operation_id']} ({what}) is coordinated")
    if signs == 0:
        return (f"{head}, but openly: none of its {size} accounts shows signs of inauthentic "
                f"accounts (a fandom, a campaign team, a newsroom's accounts).{linked}")
    return (f"{head}, but openly: {signs} of its {size} accounts ({share}%) show signs of "
            f"inauthentic accounts, no more than the {100 * reference_rate:g}% of authentic "
            "accounts that do by chance would explain, and none makes its own audience (a "
            f"fandom, a campaign team, a newsroom's accounts).{linked}")


def persona_rows(con: duckdb.DuckDBPyConnection, account_sets: list[set[str]]
                 ) -> list[list[dict[str, Any]]]:
    """For each set of accounts, the persona links touching it, each with its evidence as
    plain strings (kind, what each side shows, how many accounts hold it); the template
    escapes them. The links and their accounts' names are read and worded once for all sets
    (an operation each: a case can hold thousands)."""
    if not any(account_sets) or not table_exists(con, "persona_links"):
        return [[] for _ in account_sets]
    names = dict(((pl, a), n) for pl, a, n in con.execute(
        "SELECT platform, account_id, any_value(display_name) FROM accounts WHERE account_id "
        "IN (SELECT account_a FROM persona_links UNION SELECT account_b FROM persona_links) "
        "GROUP BY ALL").fetchall())
    links = []
    touching: dict[str, list[int]] = {}
    for pa_, aa, pb, ab, kinds, n_kinds, score, evidence in con.execute(
            "SELECT * FROM persona_links ORDER BY score DESC, platform_a, account_a, "
            "platform_b, account_b").fetchall():
        for a in {aa, ab}:
            touching.setdefault(a, []).append(len(links))
        links.append({"a": f"{pa_}:{aa}", "a_name": names.get((pa_, aa)) or "",
                      "b": f"{pb}:{ab}", "b_name": names.get((pb, ab)) or "",
                      "kinds": n_kinds, "score": score,
                      "evidence": _persona_evidence(kinds, json.loads(evidence))})
    return [[links[i] for i in sorted({i for a in accounts for i in touching.get(a, ())})]
            for accounts in account_sets]


def _persona_evidence(kinds: str, ev: dict[str, Any]) -> list[str]:
    """The sentences of one persona link's evidence, one per kind (`kinds`, ';'-joined)."""
    lines = []
    for k in kinds.split(";"):
        e, word = ev[k], PERSONA_WORDS.get(k, k)
        if k == "content":
            ex = e["examples"][0]
            what, item = ex["item"].split(":", 1)
            item = defang(item) if what == "url" else item[:120]
            lines.append(f"{word} {e['items']} text{'s' if e['items'] > 1 else ''} or "
                         f"links within hours, e.g. “{item}” "
                         f"({ex['seconds'] // 60} min apart)")
        elif k == "sources":
            lines.append(f"{word}: {e['personas']} linked personas")
        else:
            note = ", spelled from the name" if e.get("from_name") else ""
            shown = [defang(x) if k == "link" else x for x in (e["a"], e["b"])]
            n = e["holders"]
            lines.append(f"{word} “{shown[0]}” / “{shown[1]}” (held by at most {n} "
                         f"account{'s' if n > 1 else ''} on either platform{note})")
    return lines


def operation_rows(con: duckdb.DuckDBPyConnection, networks: list[dict[str, Any]],
                   cp: ConfidenceParams, reference_rate: float = 0.12) -> list[dict[str, Any]]:
    """The case's operations in evidence order, each with its confidence, sentence,
    summaries and networks; [] when the operations stage has not run."""
    if not table_exists(con, "operations"):
        return []
    by_id = {n["network_id"]: n for n in networks}
    members: dict[str, list[str]] = {}
    for aid, nid in con.execute("SELECT account_id, network_id FROM memberships "
                                "WHERE network_id IS NOT NULL ORDER BY 1").fetchall():
        members.setdefault(nid, []).append(aid)
    signals = {name: _signal_accounts(con, name) for name in SUMMARY_SIGNALS}
    faces_skipped = _faces_not_checked(con)
    created_days = _created_days(con)
    pictured = _pictured(con) if faces_skipped is not None else set()
    cur = con.execute("SELECT * FROM operations ORDER BY operation_id")
    names = [d[0] for d in cur.description]
    out = []
    reached: list[tuple[list[str], list[str]]] = []
    for r in cur.fetchall():
        op = dict(zip(names, r, strict=True))
        op["network_ids"] = [n for n in (op["networks"] or "").split(";") if n]
        op["links"] = json.loads(op["links"] or "[]")
        base = max((LEVELS.index(level(by_id[n], cp)) for n in op["network_ids"]
                    if n in by_id), default=0)
        corroborated = any(sum(1 for k in KIND_WORDS if k in lk) >= 2 for lk in op["links"])
        op["confidence"] = LEVELS[min(base + corroborated, len(LEVELS) - 1)]
        op["corroborated"] = corroborated
        op["statement"] = statement(op, reference_rate)
        accounts = [a for n in op["network_ids"] for a in members.get(n, [])]
        op["summaries"] = _summaries(accounts, op["size"], signals, created_days, pictured,
                                     faces_skipped)
        op["platform_list"] = [x for x in (op.get("platforms") or "").split(";") if x]
        reached.append((accounts, op["network_ids"]))
        op["first"], op["last"] = human_date(op["first_ms"]), human_date(op["last_ms"])
        out.append(op)
    personas = persona_rows(con, [set(accounts) for accounts, _ in reached])
    for op, r, links in zip(out, reach_all(con, reached), personas, strict=True):
        op["reach"] = r
        op["n_persona_links"] = len(links)
        op["persona_links"] = links[:MAX_PERSONA_LINKS]
    return out
