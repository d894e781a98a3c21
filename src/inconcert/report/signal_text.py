"""Account-signal evidence as sentences with their numbers ("created on 7 Nov 2020 with 24 other
accounts, 14.6 times the expected number"), for the report's evidence panels.

One function per signal family reads the evidence JSON that signal writes (docs/signals.md);
a key it does not know is simply not worded (the panel still lists every raw value). Numbers
are the evidence's own, rounded for reading.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .stages import MONTHS


def _day(iso: str | None) -> str:
    if not iso or len(iso) < 10:
        return iso or "?"
    y, m, d = iso[:10].split("-")
    return f"{int(d)} {MONTHS[int(m) - 1]} {y}"


def _pct(x: Any) -> str:
    return f"{100 * float(x):.0f}%" if isinstance(x, int | float) else "?"


def _top(shares: dict[str, float] | None, n: int = 3) -> str:
    items = sorted((shares or {}).items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return ", ".join(f"{k} {_pct(v)}" for k, v in items)


def _batch(ev: dict[str, Any]) -> list[str]:
    out = []
    for c in ev.get("cohorts", []):
        where = "in this network" if c.get("scope", "case") != "case" else "in the data"
        out.append(f"Created on {_day(c.get('bin'))} with {c.get('accounts', 0) - 1} other "
                   f"accounts {where} — {c.get('ratio', 0):.1f} times the number expected for "
                   f"that {c.get('unit', 'day')} (p = {c.get('p_value', 0):.2g}).")
    return out


def _dormant(ev: dict[str, Any]) -> list[str]:
    out = [f"Silent from {_day(ev.get('silent_from'))} for {ev.get('gap_days', 0) / 365.25:.1f} "
           f"years ({ev.get('posts_before', '?')} posts before), then "
           f"{ev.get('burst_posts', '?')} posts within {ev.get('burst_days', '?')} days of "
           f"resuming on {_day(ev.get('resumed'))}."]
    ch = ev.get("changes", {})
    if "client" in ch:
        out.append(f"Its client changed: before {_top(ch['client'].get('before'))}; after "
                   f"{_top(ch['client'].get('after'))}.")
    if "hours" in ch:
        shape = ch["hours"].get("shape", {})
        out.append("Its posting hours changed"
                   + (f" from the {shape.get('before', '?').replace('_', '-')} to the "
                      f"{shape.get('after', '?').replace('_', '-')} pattern" if shape else "")
                   + f" (p = {ch['hours'].get('p_value', 0):.2g}).")
    if "topic" in ch:
        out.append(f"Its topics changed: before {_top(ch['topic'].get('before'))}; after "
                   f"{_top(ch['topic'].get('after'))}.")
    return out


def _rhythm(ev: dict[str, Any]) -> list[str]:
    shape = str(ev.get("shape", "?")).replace("_", "-")
    out = [f"Its {ev.get('posts', '?')} posts follow the {shape} schedule at "
           f"{ev.get('utc_offset', '?')}."]
    oh = (ev.get("findings") or {}).get("office_hours")
    if oh:
        out.append(f"{_pct(oh.get('in_hours_share'))} fall in office hours and "
                   f"{_pct(oh.get('weekday_share'))} on weekdays.")
    return out


def _clients(ev: dict[str, Any]) -> list[str]:
    out = [f"Posted with {_top(ev.get('clients'))} ({ev.get('posts', '?')} posts)."]
    f = ev.get("findings") or {}
    if "scheduling_client" in f:
        out.append(f"{_pct(f['scheduling_client'].get('share'))} of its posts came from a "
                   "scheduling or automation client.")
    if "single_web_client" in f:
        out.append(f"All {f['single_web_client'].get('posts', '?')} posts came from one web "
                   f"client ({f['single_web_client'].get('client', '?')}).")
    return out


def _profiles(ev: dict[str, Any]) -> list[str]:
    ind = ev.get("indicators") or {}
    out = []
    if "template_bio" in ind:
        t = ind["template_bio"]
        out.append(f"Its bio “{t.get('bio', '')}” is shared by {t.get('accounts', '?')} "
                   "accounts.")
    if "follow_spam" in ind:
        fs = ind["follow_spam"]
        out.append(f"It follows {fs.get('following', '?')} accounts and has "
                   f"{fs.get('followers', '?')} followers.")
    if ind.get("empty_profile"):
        out.append("Its profile is empty (no bio, location or link).")
    rest = sorted(set(ind) - {"template_bio", "follow_spam", "empty_profile"})
    if rest:
        out.append("Also: " + ", ".join(r.replace("_", " ") for r in rest) + ".")
    return out


def _persona(ev: dict[str, Any]) -> list[str]:
    claim = ev.get("claim") or {}
    out = [f"Its {claim.get('from', 'profile')} claims “{claim.get('value', '')}”"
           + (f" ({', '.join(claim.get('regions', []))})" if claim.get("regions") else "")
           + "."]
    con = ev.get("contradictions") or {}
    if "language" in con:
        lang = con["language"]
        out.append(f"Yet {_pct(lang.get('foreign_share'))} of its {lang.get('posts', '?')} "
                   f"posts are in languages unusual there ({_top(lang.get('languages'))}).")
    if "office_hours_elsewhere" in con:
        oh = con["office_hours_elsewhere"]
        out.append(f"It keeps office hours at {oh.get('utc_offset', '?')}, "
                   f"{oh.get('hours_outside_claim', '?')} hours from the claimed place.")
    return out


def _faces(ev: dict[str, Any]) -> list[str]:
    d = ev.get("eye_distance")
    return ["Its profile photo's eyes sit where StyleGAN puts them"
            + (f" (eye distance {d:.3f})" if isinstance(d, int | float) else "")
            + ", consistent with a GAN-generated face (never proof)."]


def _cohort(ev: dict[str, Any]) -> list[str]:
    items = ev.get("examples") or []
    return [f"Joined {ev.get('network_id', '?')} as a creation cohort: created on "
            f"{_day(ev.get('bin'))} with {ev.get('flagged', '?')} accounts the verdict flags; "
            f"{ev.get('unplaced', '?')} accounts created that {ev.get('unit', 'day')} were in no "
            f"network, where {float(ev.get('expected') or 0):.1f} are expected from the "
            f"background, so it is the burst's with probability "
            f"{float(ev.get('purity') or 0):.2f}.",
            f"It acted on {ev.get('n_items', '?')} of the operation's own items"
            + (f" (for example {', '.join(str(i) for i in items)})." if items else ".")]


def _exposure(ev: dict[str, Any]) -> list[str]:
    items = ev.get("examples") or []
    out = [f"Flagged in {ev.get('network_id', '?')} on its own activity: "
           f"{ev.get('n_owned', '?')} of the {ev.get('n_items', '?')} items it acted on are the "
           f"operation's own (most of their users are flagged for their own coordination), "
           f"where accounts in no network average {100 * float(ev.get('background') or 0):.1f} % "
           f"(binomial p = {ev.get('p_value', '?')})."]
    if items:
        out.append(f"For example {', '.join(str(i) for i in items)}.")
    return out


SENTENCES: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "batch_creation": _batch, "dormant_reactivated": _dormant, "activity_rhythm": _rhythm,
    "client_apps": _clients, "handles_profiles": _profiles, "persona_mismatch": _persona,
    "gan_face": _faces, "creation_cohort": _cohort, "operation_content": _exposure,
}


def sentences(signal: str, evidence: dict[str, Any]) -> list[str]:
    """The evidence of one signal (or its `_network` variant) in sentences; [] when the signal
    has no wording here."""
    fn = SENTENCES.get(signal.removesuffix("_network"))
    if fn is None:
        return []
    try:
        return fn(evidence)
    except (TypeError, ValueError, AttributeError):
        # Evidence written by another version of a signal: the raw values still show.
        return []
