"""A STIX 2.1 bundle of the findings, for OpenCTI, MISP and CTI teams.

Objects: `identity` (inconcert, the producer), one `campaign` per network with flagged accounts
(`confidence` from the report's wording: high 85, moderate 50, low 15), `attack-pattern` per
DISARM v1.6 technique (external id and tactic as kill-chain phase), a `user-account` and an
`indicator` per flagged account, an `indicator` per domain concentrated in such a network, the
`relationship`s between them (`indicates`, `uses`, `related-to`) and a `report` referencing all.

Deterministic: ids are UUIDv5 (SCO ids per the STIX 2.1 rule over their id-contributing
properties; the others over their content and the inputs digest), and every timestamp comes from
the data (the last post time), never the clock.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from .. import __version__
from ..signals import disarm
from ..timeutil import iso_utc

# The STIX 2.1 namespace for SCO ids (spec section 2.9).
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/inconcert/stix")
CONFIDENCE = {"high": 85, "moderate": 50, "low": 15}
ACCOUNT_TYPE = {"x": "twitter", "twitter": "twitter", "facebook": "facebook"}
DISARM_URL = "https://github.com/DISARMFoundation/DISARMframeworks"


def _sdo_id(kind: str, *key: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join((kind, *key)))}"


def _sco_id(kind: str, props: dict[str, Any]) -> str:
    canon = json.dumps(props, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return f"{kind}--{uuid.uuid5(SCO_NAMESPACE, canon)}"


def pattern_str(value: str) -> str:
    """A string literal for a STIX pattern (backslashes and quotes escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _slug(name: str | None) -> str:
    return "-".join((name or "unknown").lower().split())


def build_bundle(ctx: dict[str, Any], stamp_ms: int | None) -> dict[str, Any]:
    """The bundle for a report context (`report.context.build_context`); `stamp_ms` is the
    time every object is dated with (the last post time of the case)."""
    stamp = iso_utc(stamp_ms if stamp_ms is not None else 0)
    digest = ctx["inputs_digest"]
    producer = {"type": "identity", "spec_version": "2.1", "id": _sdo_id("identity", "inconcert"),
                "created": stamp, "modified": stamp, "name": "inconcert",
                "identity_class": "system",
                "description": f"inconcert {__version__}: coordinated inauthentic behaviour "
                               "analysis of data the analyst holds"}
    base = {"spec_version": "2.1", "created": stamp, "modified": stamp,
            "created_by_ref": producer["id"]}
    objects: list[dict[str, Any]] = [producer]

    patterns = {}
    for t in ctx["tactics"]:
        patterns[t["id"]] = {
            "type": "attack-pattern", **base, "id": _sdo_id("attack-pattern", t["id"]),
            "name": t["name"],
            "external_references": [{"source_name": "DISARM", "external_id": t["id"],
                                     "url": f"{DISARM_URL}/blob/main/generated_pages/"
                                            f"techniques/{t['id']}.md"}],
            "kill_chain_phases": [{"kill_chain_name": "disarm",
                                   "phase_name": _slug(t["tactic_name"])}]}
    objects.extend(patterns[k] for k in sorted(patterns))

    nets = {n["network_id"]: n for n in ctx["networks"] if n["n_flagged"]}
    campaigns = {}
    for nid, n in sorted(nets.items()):
        campaigns[nid] = {
            "type": "campaign", **base, "id": _sdo_id("campaign", digest, nid),
            "name": f"inconcert network {nid}", "description": n["statement"],
            "confidence": CONFIDENCE[n["confidence"]],
            "first_seen": n["first_seen"] or stamp, "last_seen": n["last_seen"] or stamp}
    objects.extend(campaigns.values())

    rels: list[dict[str, Any]] = []

    def relate(kind: str, src: str, dst: str) -> None:
        rels.append({"type": "relationship", **base, "id": _sdo_id("relationship", kind, src, dst),
                     "relationship_type": kind, "source_ref": src, "target_ref": dst})

    for t in ctx["tactics"]:
        for nid in sorted({n for ev in t["evidence"] for n in ev["networks"]}):
            if nid in campaigns:
                relate("uses", campaigns[nid]["id"], patterns[t["id"]]["id"])

    for e in ctx["evidence"]:
        if not e.get("flagged") or e.get("network_id") not in campaigns:
            continue
        prof = e["profile"]
        props = {"account_type": ACCOUNT_TYPE.get(prof.get("platform") or "",
                                                  prof.get("platform") or "unknown"),
                 "user_id": e["account_id"]}
        if prof.get("handle"):
            props["account_login"] = prof["handle"]
        account = {"type": "user-account", "spec_version": "2.1",
                   "id": _sco_id("user-account", props), **props}
        if prof.get("display_name"):
            account["display_name"] = prof["display_name"]
        hashed = " The id is a pseudonymous hash from the archive, not a platform id." \
            if prof.get("id_is_hashed") else ""
        ind = {"type": "indicator", **base, "id": _sdo_id("indicator", digest, e["account_id"]),
               "name": f"Account flagged in inconcert network {e['network_id']}",
               "description": f"Score {e['score']}; signals: {e.get('signals') or '-'}. "
                              f"Consistent with coordinated inauthentic behaviour, not proof."
                              f"{hashed}",
               "indicator_types": ["anomalous-activity"], "pattern_type": "stix",
               "pattern": f"[user-account:account_type = {pattern_str(props['account_type'])} "
                          f"AND user-account:user_id = {pattern_str(e['account_id'])}]",
               "valid_from": campaigns[e["network_id"]]["first_seen"]}
        objects.extend([account, ind])
        relate("indicates", ind["id"], campaigns[e["network_id"]]["id"])
        relate("related-to", ind["id"], account["id"])

    for r in ctx["indicators"]:
        if r["kind"] != "domain":
            continue
        nid, domain = r["network"], r["value"]
        ind = {"type": "indicator", **base, "id": _sdo_id("indicator", digest, nid, domain),
               "name": f"Domain pushed by inconcert network {nid}",
               "description": r["Procedure"], "indicator_types": ["anomalous-activity"],
               "pattern_type": "stix",
               "pattern": f"[domain-name:value = {pattern_str(domain)}]",
               "valid_from": campaigns[nid]["first_seen"] if nid in campaigns else stamp}
        objects.append(ind)
        if nid in campaigns:
            relate("indicates", ind["id"], campaigns[nid]["id"])
    objects.extend(sorted(rels, key=lambda r: r["id"]))

    refs = sorted(o["id"] for o in objects)
    objects.append({"type": "report", **base, "id": _sdo_id("report", digest),
                    "name": "inconcert investigation report", "published": stamp,
                    "report_types": ["campaign", "threat-actor"],
                    "description": f"Findings of inconcert {__version__} on inputs "
                                   f"{digest[:16]}. {disarm.ATTRIBUTION}.",
                    "object_refs": refs})
    return {"type": "bundle", "id": _sdo_id("bundle", digest), "objects": objects}


def write_stix(ctx: dict[str, Any], stamp_ms: int | None, path: Path) -> Path:
    """Write the STIX 2.1 bundle as sorted, indented JSON."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        json.dump(build_bundle(ctx, stamp_ms), f, ensure_ascii=False, sort_keys=True, indent=1)
        f.write("\n")
    return path
