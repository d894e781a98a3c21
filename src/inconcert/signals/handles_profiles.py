"""Handles and profiles: the marks mass-produced accounts leave on their own profile.

Each indicator is a fixed, documented rule with a fixed weight (chosen from what investigators
report, never fitted to labels); the signal's strength is their noisy-OR, and it fires when that
reaches `min_strength` (more than one weak indicator, or one strong one). Indicators:

- `name_filler_handle`: the handle is the display name's words plus a random-looking letter
  string (`whitfieldhzbja` for "Arnetta Whitfield"): 38 % of the bought followers of Cresci et al.
  (2015) against 1 % of their genuine accounts. Trailing digits are *not* filler: people add
  years, ages and lucky numbers (`maria2004`, `gamer420`), and 3-5 trailing digits are more
  common among genuine accounts (3.1 % of Cresci's, 8.0 % of a 2019 random sample) than among
  fakes (0.1 % of Cresci's, 2.8 % of the IRA's) — `docs/signals.md`;
- `default_style_handle`: a handle ending in six or more digits, the platform's own suggestion
  for a handle never chosen (5 % of the 2019 random sample: weak on its own);
- `reused_display_name`, `template_bio`: the same display name (of two words or more: a first
  name alone is shared by chance), or the same bio once digits, links and mentions are masked,
  on at least `min_group` accounts of the case;
- `empty_profile` / `no_bio`: no bio, location or link (judged only for accounts whose source
  carries profile fields); `default_profile_image`, `default_profile`;
- `follow_spam`: follows many, followed by few; `no_following`: an audience but follows nobody;
  `unreciprocated_audience`: a large audience that follows few back, on an account that is
  neither verified nor links a website (bought or inherited audiences; public figures without
  a link also match, so it counts once, weakly);
- `never_posted` / `few_posts`: an account at least `min_age_days` old with (almost) no posts.

Reused profile images are the `avatar_reuse` signal's (perceptual hashes, mirror images too).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .. import config
from ..normalize import norm_text
from .base import Fired, NotComputable, Signal, SignalContext, register
from .features import DAY_MS, noisy_or, rounded, rows

DEFAULT_WEIGHTS = {
    "name_filler_handle": 0.2, "default_style_handle": 0.3, "reused_display_name": 0.25,
    "template_bio": 0.3, "empty_profile": 0.2, "no_bio": 0.1, "default_profile_image": 0.35,
    "default_profile": 0.1, "follow_spam": 0.3, "no_following": 0.15,
    "unreciprocated_audience": 0.35, "never_posted": 0.3, "few_posts": 0.2,
}


@config.section("signals.handles_profiles")
@dataclass
class HandlesProfilesParams:
    weights: dict = config.param(
        DEFAULT_WEIGHTS, "weight of each profile indicator in [0, 1] (entries given replace the "
                         "defaults one by one)")
    min_strength: float = config.param(
        0.35, "noisy-OR of the indicators' weights at which the signal fires (above any single "
              "weak indicator)")
    min_group: int = config.param(
        3, "accounts sharing a display name or masked bio for it to count as reused")
    follow_spam_min_following: int = config.param(
        100, "follow_spam: follows at least this many accounts ...")
    follow_spam_ratio: float = config.param(
        10.0, "... and at least this many times its number of followers")
    audience_min_followers: int = config.param(
        5000, "unreciprocated_audience: at least this many followers ...")
    audience_ratio: float = config.param(
        3.0, "... and at least this many times the accounts it follows (verified accounts and "
             "accounts linking a website excepted)")
    few_posts: int = config.param(5, "few_posts: at most this many posts ever ...")
    min_age_days: int = config.param(
        90, "... on an account at least this old when observed (needs posts_count)")


_DIGITS = re.compile(r"^(?P<stem>[^\d]*?)_?(?P<digits>\d+)$")
_VOWELS = set("aeiou")


def _fold(s: str) -> str:
    return unicodedata.normalize("NFKC", s).casefold()


def handle_shape(handle: str, display_name: str | None) -> tuple[str, str] | None:
    """('default_style' | 'name_filler', filler) when a handle looks generated, else None.

    Default style: six or more trailing digits (the platform's suggestion). Name plus filler: the
    display name's words followed by 3-8 letters that read as random (at most a fifth vowels, or
    four consonants in a row). Shorter digit runs are what people choose (years, ages, lucky
    numbers) and are never filler.
    """
    h = _fold(handle.strip().lstrip("@"))
    m = _DIGITS.match(h)
    if m and len(m["digits"]) >= 6:
        return "default_style", m["digits"]
    if not display_name:
        return None
    words = [w for w in re.findall(r"[^\W\d_]+", _fold(display_name)) if len(w) >= 3]
    rest = h.replace("_", "")
    used = 0
    for w in sorted(words, key=len, reverse=True):
        if w in rest:
            rest = rest.replace(w, "", 1)
            used += 1
    if not used or not 3 <= len(rest) <= 8 or not rest.isascii() or not rest.isalpha() \
            or not h.endswith(rest):
        return None
    vowel_share = sum(c in _VOWELS for c in rest) / len(rest)
    if vowel_share <= 0.2 or re.search(r"[^aeiou]{4}", rest):
        return "name_filler", rest
    return None


def mask_bio(bio: str) -> str:
    """A bio with links, mentions and digits masked, so slot-filled templates compare equal."""
    return re.sub(r"\d+", "0", norm_text(bio))


@register
class HandlesProfiles(Signal):
    """Generated handles, template bios, reused names, empty profiles, odd counts."""

    name = "handles_profiles"
    description = "profile marks of mass-produced accounts (handles, bios, counts, images)"
    disarm = ("T0144.002", "T0143.002")
    requires = ("account_profile",)

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: HandlesProfilesParams = self.params(ctx)
        weights = {**DEFAULT_WEIGHTS, **p.weights}
        profile_sets = {d: json.loads(c).get("account_profile") for d, c in rows(
            ctx.con, "SELECT dataset_id, capabilities FROM datasets")}
        accs = rows(ctx.con, """
            SELECT account_id, any_value(handle), any_value(display_name),
                   any_value(description), any_value(location), any_value(url),
                   any_value(followers), any_value(following), any_value(posts_count),
                   any_value(verified), any_value(default_profile),
                   any_value(default_profile_image), any_value(created_ms),
                   any_value(observed_ms), any_value(dataset_id)
            FROM accounts GROUP BY account_id ORDER BY account_id""")
        if not accs:
            raise NotComputable("the case has no account profiles")
        names: dict[str, list[str]] = defaultdict(list)
        bios: dict[str, list[str]] = defaultdict(list)
        masked: dict[str, str] = {}
        for a in accs:
            # A first name alone is shared by chance; a full name much less so.
            if a[2] and a[2] != a[0] and len(re.findall(r"[^\W\d_]{2,}", a[2])) >= 2:
                names[_fold(a[2]).strip()].append(a[0])
            if a[3]:
                masked[a[0]] = mask_bio(a[3])
                if len(masked[a[0]]) >= 10:
                    bios[masked[a[0]]].append(a[0])
        out = []
        for a in accs:
            group = bios.get(masked.get(a[0], ""), [])
            found = self._indicators(a, p, names, group, profile_sets.get(a[14]) == "full")
            strength = noisy_or(weights.get(k, 0.0) for k in found)
            if strength >= p.min_strength:
                out.append(Fired(a[0], strength, {"indicators": found,
                                                  "weights": {k: weights.get(k, 0.0)
                                                              for k in sorted(found)}}))
        return out

    @staticmethod
    def _indicators(a: tuple, p: HandlesProfilesParams, names: dict[str, list[str]],
                    bio_group: list[str], has_profile: bool) -> dict[str, Any]:
        (acc, handle, display, bio, location, url, followers, following, posts, verified,
         default_profile, default_image, created_ms, observed_ms, _) = a
        found: dict[str, Any] = {}
        if handle:
            shape = handle_shape(handle, display)
            if shape:
                found[f"{shape[0]}_handle"] = {"handle": handle, "filler": shape[1]}
        if display and display != acc:
            group = names.get(_fold(display).strip(), [])
            if len(group) >= p.min_group:
                found["reused_display_name"] = {"display_name": display, "accounts": len(group),
                                                "others": [x for x in group if x != acc][:5]}
        if bio and len(bio_group) >= p.min_group:
            found["template_bio"] = {"bio": bio[:200], "accounts": len(bio_group),
                                     "others": [x for x in bio_group if x != acc][:5]}
        if has_profile:
            if not bio and not location and not url:
                found["empty_profile"] = True
            elif not bio:
                found["no_bio"] = True
        if default_image:
            found["default_profile_image"] = True
        if default_profile:
            found["default_profile"] = True
        if followers is not None and following is not None:
            counts = {"followers": followers, "following": following}
            if following >= p.follow_spam_min_following and \
                    following >= p.follow_spam_ratio * max(followers, 1):
                found["follow_spam"] = counts
            if following == 0 and followers >= 100:
                found["no_following"] = counts
            # Verified accounts and accounts linking a website declare an identity others can
            # check (newsrooms, public figures); an inflated audience is judged on the rest.
            if not verified and not url and followers >= p.audience_min_followers and \
                    followers >= p.audience_ratio * max(following, 1):
                found["unreciprocated_audience"] = counts
        if posts is not None and created_ms is not None and observed_ms is not None \
                and observed_ms - created_ms >= p.min_age_days * DAY_MS:
            age = rounded((observed_ms - created_ms) / DAY_MS, 1)
            if posts == 0:
                found["never_posted"] = {"posts": 0, "age_days": age}
            elif posts <= p.few_posts:
                found["few_posts"] = {"posts": posts, "age_days": age}
        return found
