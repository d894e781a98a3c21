"""Confidence wording tied to the strength of the evidence.

Investigators (Graphika, DFRLab, SIO; `shared/reference/reporting.md` §11) state how sure they
are in fixed words. Here the words follow from measured quantities of a network, with the rule
written down (`ConfidenceParams`, recorded with every run):

- **high**: network score ≥ `high_score`, mean edge significance ≥ `high_significance`, at least
  `high_traces` independent coordination traces, and a share of inauthentic members of at least
  `high_inauthentic_share`;
- **moderate**: score ≥ `moderate_score` and significance ≥ `moderate_significance`, with either
  two or more traces or an inauthentic share of at least `moderate_inauthentic_share`;
- **low**: anything else.

Coordination and inauthenticity are worded separately: a coordinated network whose accounts
show few signs of inauthenticity (a fandom, a newsroom) is described as coordinated, not as
inauthentic.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .. import config


@config.section("report.confidence")
@dataclasses.dataclass
class ConfidenceParams:
    """Thresholds that turn a network's measures into high / moderate / low confidence."""

    high_score: float = config.param(0.75, "network score needed for high confidence")
    high_significance: float = config.param(
        0.99, "mean edge significance (-log10 p scaled to [0, 1]) needed for high confidence")
    high_traces: int = config.param(
        2, "independent coordination traces (kinds of co-action) needed for high confidence")
    high_inauthentic_share: float = config.param(
        0.5, "share of members with inauthenticity evidence needed for high confidence")
    moderate_score: float = config.param(0.55, "network score needed for moderate confidence")
    moderate_significance: float = config.param(
        0.95, "mean edge significance needed for moderate confidence")
    moderate_inauthentic_share: float = config.param(
        0.3, "inauthentic share that, with one trace only, still allows moderate confidence")


def level(net: dict[str, Any], p: ConfidenceParams) -> str:
    """'high', 'moderate' or 'low' for a network row (as in networks.csv)."""
    score = net.get("score") or 0.0
    sig = net.get("significance") or 0.0
    share = net.get("inauthentic_share") or 0.0
    n_traces = len([t for t in (net.get("traces") or "").split(";") if t])
    if (score >= p.high_score and sig >= p.high_significance and n_traces >= p.high_traces
            and share >= p.high_inauthentic_share):
        return "high"
    if (score >= p.moderate_score and sig >= p.moderate_significance
            and (n_traces >= 2 or share >= p.moderate_inauthentic_share)):
        return "moderate"
    return "low"


def _pct(share: float | None) -> str:
    """A share as a percentage with the precision a small share needs (0.2 %, not 0 %)."""
    v = 100 * (share or 0.0)
    return f"{v:.1f}%" if v < 10 else f"{round(v)}%"


def _undisclosed(net: dict[str, Any]) -> str:
    """What the copiers' names say: none declares a common affiliation, or the data carries
    too few of their names to show one (`copying_named` of `copying_members`; absent in a
    networks.csv written before that column, read as all named)."""
    copiers = net.get("copying_members") or 0
    named = net.get("copying_named")
    if named is None or named >= copiers:
        return "under names that declare no common affiliation"
    if named == 0:
        return ("though the data carries none of their names, so it cannot show whether they "
                "declare a common affiliation")
    return (f"under names that declare no common affiliation, though only {named} of them are "
            "named in the data")


def inauthentic_members(net: dict[str, Any]) -> int:
    """How many members count as inauthentic on their own (the count behind
    `inauthentic_share`, which is that count over the network's size)."""
    return round((net.get("inauthentic_share") or 0.0) * net["size"])


def statement(net: dict[str, Any], lvl: str, reference_rate: float = 0.12) -> str:
    """The key-finding sentence for a network, in the assessment style of published reports.

    Every number in it is a column of networks.csv (size, inauthentic_share, n_flagged,
    inauthentic_by, internal_share, internal_seeders, internal_made_share, copying_members,
    copying_days, copying_chance, copying_named) or follows from one; `reference_rate` is the
    verdict's (`verdict.reference_rate`), so the sentence says why members are or are not
    flagged.
    """
    n = net["size"]
    traces = ", ".join(t.replace("_", "-") for t in (net.get("traces") or "").split(";") if t)
    coordinated = (f"We assess with {lvl} confidence that the {n} accounts of network "
                   f"{net['network_id']} acted in coordination ({traces or 'no single trace'})")
    k = inauthentic_members(net)
    share = round(100 * (net.get("inauthentic_share") or 0.0))
    flagged = net.get("n_flagged") or 0
    ref = f"{100 * reference_rate:g}%"
    signs = f"{k} of its {n} members ({share}%) show signs of inauthentic accounts on their own"
    why = (net.get("inauthentic_by") or "").split(";")
    if net.get("inauthentic"):
        reasons = []
        if "members" in why:
            reasons.append(f"{signs}, more than the {ref} of authentic accounts that do")
        if "self-amplification" in why:
            reasons.append(
                f"{round(100 * (net.get('internal_share') or 0.0))}% of the reshares of its "
                f"members' posts come from its own members (chance alone would give "
                f"{round(100 * (net.get('internal_chance') or 0.0))}%, its share of the "
                f"reshares made on its platform), spread over "
                f"{net.get('internal_seeders') or 0} reshared members, and "
                f"{round(100 * (net.get('internal_made_share') or 0.0))}% of the reshares its "
                "members make are of its own members (an audience it made itself)")
        if "copying" in why:
            reasons.append(
                f"{net.get('copying_members') or 0} of its {n} members post the same or "
                f"equivalent content as other members as their own, {_undisclosed(net)}, on "
                f"about {round(net.get('copying_days') or 0)} days "
                f"(of the posting accounts outside it, "
                f"{_pct(net.get('copying_chance'))} copy anyone)")
        return (f"{coordinated}, and that the activity is consistent with coordinated "
                f"inauthentic behaviour: {'; '.join(reasons) or signs}. {flagged} of {n} are "
                "flagged.")
    open_coord = ("so this may be open, authentic coordination (a fandom, a campaign team, a "
                  "newsroom's accounts); no account of it is flagged.")
    if k == 0:
        return (f"{coordinated}. None of its members shows signs of inauthenticity on its own, "
                f"{open_coord}")
    return (f"{coordinated}. Only {signs}, no more than the {ref} of authentic accounts that do "
            f"by chance would explain, {open_coord}")
