"""Persona mismatch: a profile claims one place, the behaviour says another.

The claim comes from the profile: a location naming a Western place (a US state or city, the UK,
Canada, Australia, ... — `data/personas.json`), or, more weakly, a first name in the display name
or handle, which claims the countries where that name is common (a published name dictionary, see
`bench/persona_names.py`). Each claim carries the languages a resident would post in and the UTC
offsets of the place (standard to daylight time). The behaviour contradicts it when:

- `language`: at least `min_foreign_share` of the account's posts (at least `min_posts` with a
  known language) are in a language the claimed place would not post in; the language is the
  post's `lang`, or the script of its text when `lang` is missing (Han, Cyrillic, Arabic ... —
  Latin text without a tag is left unjudged);
- `office_hours_elsewhere` / `waking_hours_elsewhere`: the account's most likely working time
  zone (see `activity_rhythm`) lies more than `offset_tolerance_h` hours outside the place's
  offsets, with an office-week shape (a job elsewhere) or an everyday one (weaker: people travel,
  and fans keep their idols' hours);
- `name_script`: (profile only) a display name in a non-Latin script whose languages do not
  include the account's interface language (a Chinese name on a Russian-language account);
  English interfaces are not counted (many people keep the default).

Posts are judged over the account's last `signals.activity_rhythm.recent_days` of activity.
Topics are not judged: which subjects "belong" to a place is not something a fixed rule can say.
Strength: noisy-OR of the contradictions' weights, times `name_claim_factor` when the claim is only
a name.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .. import config
from .activity_rhythm import Fit, fit_time_zones, hour_of_week
from .base import Fired, NotComputable, Signal, SignalContext, register
from .features import DAY_MS, SCRIPT_LANGS, base_lang, noisy_or, rounded, rows, script_of, shares

_DATA = Path(__file__).parent / "data" / "personas.json"
WEIGHTS = {"language": 0.5, "office_hours_elsewhere": 0.5, "waking_hours_elsewhere": 0.35,
           "name_script": 0.3}


@cache
def _personas() -> dict[str, Any]:
    return json.loads(_DATA.read_text(encoding="utf-8"))


@config.section("signals.persona_mismatch")
@dataclass
class PersonaMismatchParams:
    min_posts: int = config.param(10, "posts with a known language needed to judge language")
    min_foreign_share: float = config.param(
        0.3, "least share of posts in languages the claimed place would not post in")
    min_rhythm_posts: int = config.param(12, "posts needed to estimate the working time zone")
    offset_tolerance_h: int = config.param(
        2, "hours the working time zone may lie outside the place's UTC offsets")
    name_claim_factor: float = config.param(
        0.6, "strength factor when the only claim is a first name (names cross borders)")
    weights: dict = config.param(
        WEIGHTS, "strength of each contradiction (combined by noisy-OR; entries given replace the "
                 "defaults one by one); a working time zone elsewhere counts more when the shape "
                 "is an office week (a job) than an everyday day")


@dataclass(frozen=True)
class Claim:
    """What a profile claims: where, from which field, so which languages and UTC offsets."""

    source: str  # "location" or "name"
    value: str
    regions: tuple[str, ...]
    langs: frozenset[str]
    utc: tuple[tuple[int, int], ...]

    def evidence(self) -> dict:
        return {"from": self.source, "value": self.value, "regions": list(self.regions),
                "expected_languages": sorted(self.langs),
                "expected_utc": [f"UTC{lo:+d}..UTC{hi:+d}" for lo, hi in self.utc]}


@cache
def _region_patterns() -> list[tuple[str, re.Pattern]]:
    out = []
    for region, spec in sorted(_personas()["regions"].items()):
        names = sorted(spec["names"], key=len, reverse=True)
        alts = [re.escape(n) for n in names]
        pat = r"(?<![\w])(?:" + "|".join(alts) + r")(?![\w])"
        if spec.get("abbrev"):
            pat += r"|,\s*(?:" + "|".join(spec["abbrev"]) + r")\s*$"
        out.append((region, re.compile(pat, re.IGNORECASE)))
    return out


def location_claim(location: str | None) -> Claim | None:
    """The Western place(s) a location names, or None."""
    if not location:
        return None
    regions = tuple(r for r, pat in _region_patterns() if pat.search(location))
    if not regions:
        return None
    specs = [_personas()["regions"][r] for r in regions]
    return Claim("location", location, regions,
                 frozenset(lang for s in specs for lang in s["langs"]),
                 tuple(sorted({tuple(s["utc"]) for s in specs})))


def name_claim(display_name: str | None, handle: str | None) -> Claim | None:
    """The countries where the first name opening the display name (or the handle) is common,
    or None (`data/personas.json`: `first_names`, from a published name dictionary)."""
    names = _personas()["first_names"]
    countries = _personas()["name_countries"]
    for value in (display_name, handle):
        if not value:
            continue
        first = re.match(r"[A-Za-z]+", value.strip().lstrip("@"))
        if not first:
            continue
        word = first.group(0).lower()
        # Handles run names together (MaryParker77): try the capitalised first word too.
        camel = re.match(r"[A-Z]?[a-z]+", value.strip().lstrip("@"))
        for w in sorted({word, camel.group(0).lower() if camel else word}):
            if w in names:
                where = names[w]
                return Claim("name", value, tuple(where),
                             frozenset(lg for c in where for lg in countries[c]["langs"]),
                             tuple(sorted({tuple(countries[c]["utc"]) for c in where})))
    return None


def post_language(lang: str | None, text: str | None) -> str | None:
    """A post's language: its tag, else its non-Latin script's name; None when unknown."""
    b = base_lang(lang)
    if b and b not in ("und", "zxx", "qme", "qht", "qam", "qct", "qst"):
        return b
    s = script_of(text)
    return s if s and s != "latin" else None


def _foreign(lang: str, expected: frozenset[str]) -> bool:
    if lang in SCRIPT_LANGS:  # a script name: foreign unless one of its languages is expected
        return not set(SCRIPT_LANGS[lang]) & expected
    return lang not in expected


def hours_outside(offset: int, ranges: tuple[tuple[int, int], ...]) -> int:
    """How many hours an offset lies outside the nearest range (0 inside); offsets wrap at 24."""
    best = 24
    for lo, hi in ranges:
        for o in (offset - 24, offset, offset + 24):
            best = min(best, 0 if lo <= o <= hi else min(abs(o - lo), abs(o - hi)))
    return best


@register
class PersonaMismatch(Signal):
    """A name or a Western location, but posting language or working hours from elsewhere."""

    name = "persona_mismatch"
    description = "profile claims one place; posting language or working hours say another"
    disarm = ("T0143.002", "T0097")
    requires = ("account_profile",)

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: PersonaMismatchParams = self.params(ctx)
        accounts = rows(ctx.con, """
            SELECT account_id, any_value(handle), any_value(display_name),
                   any_value(location), any_value(lang)
            FROM accounts GROUP BY account_id ORDER BY account_id""")
        if not accounts:
            raise NotComputable("the case has no account profiles")
        claims = {}
        for acc, handle, display, location, _ in accounts:
            c = location_claim(location) or name_claim(display, handle)
            if c:
                claims[acc] = c
        # Judge the account as it is now: a hijacked account's old life was someone else's.
        recent = ctx.config.section("signals.activity_rhythm").recent_days * DAY_MS
        langs: dict[str, Counter] = defaultdict(Counter)
        if claims:
            for acc, lang, text, n in rows(ctx.con, """
                    WITH r AS (
                        SELECT author_id, lang, text, created_ms,
                               max(created_ms) OVER (PARTITION BY author_id) AS last_ms
                        FROM posts WHERE author_id IN (SELECT unnest(?)))
                    SELECT author_id, lang, CASE WHEN lang IS NULL OR lang IN ('und', 'zxx')
                           THEN left(text, 280) END, count(*)
                    FROM r WHERE created_ms >= last_ms - ? GROUP BY ALL""",
                    [sorted(claims), recent]):
                lg = post_language(lang, text)
                if lg:
                    langs[acc][lg] += n
        fits = fit_time_zones(hour_of_week(ctx.con, sorted(claims), p.min_rhythm_posts,
                                           recent // DAY_MS))
        out = []
        for acc, _handle, display, _location, ui_lang in accounts:
            found: dict[str, dict] = {}
            claim = claims.get(acc)
            if claim:
                found.update(self._contradictions(claim, langs.get(acc), fits.get(acc), p))
            mismatch = _name_script(display, ui_lang, acc)
            if mismatch:
                found["name_script"] = mismatch
            if not found:
                continue
            strength = noisy_or({**WEIGHTS, **p.weights}.get(k, 0.0) for k in found)
            if claim and claim.source == "name":
                strength *= p.name_claim_factor
            ev: dict[str, Any] = {"contradictions": found}
            if claim:
                ev["claim"] = claim.evidence()
            out.append(Fired(acc, strength, ev))
        return out

    @staticmethod
    def _contradictions(claim: Claim, langs: Counter | None, fit: Fit | None,
                        p: PersonaMismatchParams) -> dict[str, dict]:
        found = {}
        n = sum(langs.values()) if langs else 0
        if langs and n >= p.min_posts:
            foreign = sum(c for lg, c in langs.items() if _foreign(lg, claim.langs))
            if foreign / n >= p.min_foreign_share:
                found["language"] = {"foreign_share": rounded(foreign / n, 3), "posts": n,
                                     "languages": shares(langs, top=4)}
        if fit is not None:
            off = hours_outside(fit.offset_h, claim.utc)
            if off > p.offset_tolerance_h:
                key = ("office_hours_elsewhere" if fit.template == "office_week"
                       else "waking_hours_elsewhere")
                found[key] = {**fit.evidence(), "hours_outside_claim": off}
        return found


def _name_script(display: str | None, ui_lang: str | None, acc: str) -> dict | None:
    if not display or display == acc or not ui_lang:
        return None
    script = script_of(display)
    ui = base_lang(ui_lang)
    if script not in SCRIPT_LANGS or ui in (None, "en") or ui in SCRIPT_LANGS[script]:
        return None
    return {"display_name": display, "script": script, "interface_language": ui_lang}
