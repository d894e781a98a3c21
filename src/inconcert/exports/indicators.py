"""The indicators appendix and `indicators.csv` in the layout of Meta's threat-research files:
`Tactic,Technique,Procedure,Indicator`, with the DISARM v1.6 tactic and technique, the kill-chain
procedure and the evidence behind it, and the indicator (an account, a domain, a hashtag).

URLs and domains are defanged (`hxxps://example[.]com`); every cell goes through `safecsv`.
Only flagged accounts, and the domains and hashtags of networks with flagged accounts that are
used mostly by flagged accounts, become indicators: an indicator says "consistent with", never
"proves".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..safecsv import write_csv
from ..signals import disarm
from .defang import defang

HEADER = ("Tactic", "Technique", "Procedure", "Indicator")
# An item becomes an indicator when at least this share of the accounts using it are flagged.
MIN_CONCENTRATION = 0.5
_ITEM_TECHNIQUE = {"domain": ("T0118", "7.5.2 Directing audience to a website"),
                   "hashtag": ("T0049.002", "6.3.1 Posting common or generic hashtags")}


def account_indicator(platform: str | None, account_id: str, handle: str | None) -> str:
    """How an account is named as an indicator: platform, id and handle."""
    name = f" @{handle}" if handle else ""
    return f"{platform or 'unknown'} account id {account_id}{name}"


def indicator_rows(tactics: list[dict[str, Any]], accounts: dict[str, dict[str, Any]],
                   items: dict[str, dict[str, list[dict[str, Any]]]]) -> list[dict[str, str]]:
    """Indicator rows (the CSV columns, plus `kind`, raw `value` and `network`), sorted: one
    per (technique, evidence, flagged account), then one per
    concentrated domain or hashtag of each network with flagged accounts.

    `tactics` from `report.tactics.case_tactics`, `accounts` maps account id to
    `{platform, handle}`, `items` maps network id to `report.networks.co_shared_items`.
    """
    rows = []
    for t in tactics:
        tactic = f"{t['tactic']} {t['tactic_name']}" if t["tactic"] else ""
        technique = f"{t['id']} {t['name']}"
        for ev in t["evidence"]:
            proc = f"{ev['kill_chain'] + ': ' if ev['kill_chain'] else ''}{ev['source']} " \
                   f"({ev['kind']})"
            for aid in ev["accounts"]:
                a = accounts.get(aid, {})
                net = a.get("network") or ""
                rows.append({"Tactic": tactic, "Technique": technique,
                             "Procedure": f"{proc}{', network ' + net if net else ''}",
                             "Indicator": account_indicator(a.get("platform"), aid,
                                                            a.get("handle")),
                             "kind": "account", "value": aid, "network": net})
    for net, kinds in sorted(items.items()):
        for kind, (tid, proc) in _ITEM_TECHNIQUE.items():
            d = disarm.describe([tid])[0]
            for it in kinds.get(kind, []):
                if it["flagged_share"] < MIN_CONCENTRATION:
                    continue
                value = defang(it["item"]) if kind == "domain" else it["item"]
                rows.append({
                    "Tactic": f"{d['tactic']} {d['tactic_name']}",
                    "Technique": f"{d['id']} {d['name']}",
                    "Procedure": f"{proc}: co-shared {kind}, network {net}, used by "
                                 f"{it['n_members']} members; {round(100 * it['flagged_share'])}"
                                 f"% of the accounts using it are flagged",
                    "Indicator": value, "kind": kind, "value": it["item"], "network": net})
    rows.sort(key=lambda r: tuple(r[h] for h in HEADER))
    return rows


def write_indicators(rows: list[dict[str, str]], path: Path) -> Path:
    """Write indicators.csv (spreadsheet-safe cells)."""
    write_csv(path, HEADER, ([r[h] for h in HEADER] for r in rows))
    return path
