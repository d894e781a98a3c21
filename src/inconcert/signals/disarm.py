"""DISARM Red Framework v1.6 techniques that inconcert's findings can be consistent with.

DISARM (DISARMFoundation/DISARMframeworks, v1.6, Nov 2024; CC BY-SA 4.0 — this table is
share-alike and attributed) names the techniques of influence operations. inconcert maps each
signal and trace to the techniques its evidence is *consistent with*, never proof of. v1.6 removed
some ids that older reports still cite (T0090 "Create Inauthentic Accounts", T0141 compromised
assets, the T0104 hashtag techniques); `LEGACY` maps them to their v1.6 successors.
"""

from __future__ import annotations

from collections.abc import Iterable

VERSION = "1.6"
ATTRIBUTION = ("DISARM Red Framework v1.6 (DISARM Foundation, CC BY-SA 4.0), "
               "https://github.com/DISARMFoundation/DISARMframeworks")

TACTICS = {
    "TA06": "Develop Content",
    "TA07": "Select Channels and Affordances",
    "TA09": "Deliver Content",
    "TA11": "Persist in the Information Environment",
    "TA14": "Develop Narratives",
    "TA15": "Establish Assets",
    "TA16": "Establish Legitimacy",
    "TA17": "Maximise Exposure",
}

# id -> (name, tactic)
TECHNIQUES: dict[str, tuple[str, str]] = {
    "T0003": ("Leverage Existing Narratives", "TA14"),
    "T0015.001": ("Use Existing Hashtag", "TA06"),
    "T0015.002": ("Create New Hashtag", "TA06"),
    "T0049": ("Flood Information Space", "TA17"),
    "T0049.001": ("Trolls Amplify and Manipulate", "TA17"),
    "T0049.002": ("Flood Existing Hashtag", "TA17"),
    "T0049.003": ("Bots Amplify via Automated Forwarding and Reposting", "TA17"),
    "T0049.004": ("Utilise Spamoflauge", "TA17"),
    "T0049.005": ("Conduct Swarming", "TA17"),
    "T0049.008": ("Generate Information Pollution", "TA17"),
    "T0059": ("Play the Long Game", "TA11"),
    "T0060": ("Continue to Amplify", "TA11"),
    "T0084.001": ("Use Copypasta", "TA06"),
    "T0084.002": ("Plagiarise Content", "TA06"),
    "T0085.001": ("Develop AI-Generated Text", "TA06"),
    "T0085.008": ("Machine Translated Text", "TA06"),
    "T0086": ("Develop Image-Based Content", "TA06"),
    "T0086.001": ("Develop Memes", "TA06"),
    "T0086.002": ("Develop AI-Generated Images (Deepfakes)", "TA06"),
    "T0086.003": ("Deceptively Edit Images (Cheap Fakes)", "TA06"),
    "T0092": ("Build Network", "TA15"),
    "T0092.002": ("Use Follow Trains", "TA15"),
    "T0097": ("Present Persona", "TA16"),
    "T0115": ("Post Content", "TA09"),
    "T0115.001": ("Share Memes", "TA09"),
    "T0116.001": ("Post Inauthentic Social Media Comment", "TA09"),
    "T0118": ("Amplify Existing Narrative", "TA17"),
    "T0119": ("Cross-Posting", "TA17"),
    "T0121": ("Manipulate Platform Algorithm", "TA17"),
    "T0128.005": ("Change Names of Information Assets", "TA11"),
    "T0129.007": ("Delete Accounts/Account Activity", "TA11"),
    "T0143.002": ("Fabricated Persona", "TA16"),
    "T0143.003": ("Impersonated Persona", "TA16"),
    "T0144.001": ("Present Persona across Platforms", "TA16"),
    "T0144.002": ("Persona Template", "TA16"),
    "T0145.001": ("Copy Account Imagery", "TA15"),
    "T0145.002": ("AI-Generated Account Imagery", "TA15"),
    "T0145.007": ("Stock Image Account Imagery", "TA15"),
    "T0146": ("Account Asset", "TA15"),
    "T0146.005": ("Lookalike Account ID", "TA15"),
    "T0146.007": ("Automated Account Asset", "TA15"),
    "T0150.001": ("Newly Created Asset", "TA15"),
    "T0150.002": ("Dormant Asset", "TA15"),
    "T0150.004": ("Repurposed Asset", "TA15"),
    "T0150.005": ("Compromised Asset", "TA15"),
    "T0150.006": ("Purchased Asset", "TA15"),
    "T0150.008": ("Bulk Created Asset", "TA15"),
    "T0151.001": ("Social Media Platform", "TA07"),
    "T0151.008": ("Microblogging Platform", "TA07"),
}

# Ids removed in v1.6 that reports still cite -> (old name, v1.6 ids that replace them).
LEGACY: dict[str, tuple[str, tuple[str, ...]]] = {
    "T0090": ("Create Inauthentic Accounts", ("T0150.008", "T0150.001")),
    "T0090.002": ("Create Cyborg Accounts", ("T0146.007",)),
    "T0090.003": ("Create Bot Accounts", ("T0146.007",)),
    "T0090.004": ("Create Sockpuppet Accounts", ("T0143.002",)),
    "T0141.001": ("Acquire Compromised Account", ("T0150.005",)),
    "T0104.005": ("Use Hashtags", ("T0015.001", "T0049.002")),
    "T0104.006": ("Create Dedicated Hashtag", ("T0015.002",)),
    "T0019.002": ("Hijack Hashtags", ("T0049.002",)),
}


def name(technique_id: str) -> str:
    """The technique's v1.6 name (or its legacy name, marked), or the id itself if unknown."""
    if technique_id in TECHNIQUES:
        return TECHNIQUES[technique_id][0]
    if technique_id in LEGACY:
        return LEGACY[technique_id][0] + " (legacy, before v1.6)"
    return technique_id


def tactic(technique_id: str) -> str | None:
    """The tactic id (TA..) a v1.6 technique belongs to, or None."""
    t = TECHNIQUES.get(technique_id)
    return t[1] if t else None


def current(ids: Iterable[str]) -> list[str]:
    """v1.6 ids for a mix of current and legacy ids, without duplicates, in first-seen order."""
    out: list[str] = []
    for i in ids:
        for j in LEGACY[i][1] if i in LEGACY else (i,):
            if j not in out:
                out.append(j)
    return out


def describe(ids: str | Iterable[str]) -> list[dict[str, str | None]]:
    """Rows {id, name, tactic, tactic_name} for `;`-separated or listed ids (as in
    `account_signals.disarm`), for reports and STIX attack-patterns."""
    if isinstance(ids, str):
        ids = [i for i in ids.split(";") if i]
    return [{"id": i, "name": name(i), "tactic": tactic(i),
             "tactic_name": TACTICS.get(tactic(i) or "")} for i in current(ids)]
