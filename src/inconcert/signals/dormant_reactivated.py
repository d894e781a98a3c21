"""Dormant, then reactivated: a long silence, then a burst — by someone else, it seems.

Hijacked and bought accounts keep their old owner's history: years of ordinary posting, a long
silence, then a burst of campaign activity. A long pause alone is ordinary (people come back), so
the signal fires only when the account, on its return, also *changed* its behavioural profile.
The axes are those of COMPA (Egele et al., "COMPA: Detecting Compromised Accounts on Social
Networks", NDSS 2013), which found compromised accounts by a sudden departure from the account's
own history in: the client it posts with ("message source"), the language, the hour of day, the
topics, the links and the accounts it talks to ("direct interaction"). Each counts on its own
evidence, none is required: language and client 1; hours (even when the week's shape changed: a
new job does that), topics (no hashtag in common), links (no linked domain in common) and
interaction (no mentioned account in common) `0.5` each, since people's hours, interests and
company drift over years.

For each account the longest gap of at least `min_gap_days` between consecutive posts splits its
posts into before and after. It needs `min_before` posts before and a burst of `min_burst` posts
within `burst_days` of the return. A change in language, client or hours is a difference in
distribution (total variation distance at least `min_tvd`) that a permutation test says chance
would rarely give (p below `alpha`; `permutations` shuffles, seeded by the account id so results
repeat exactly). Language and client changes count 1; an hours change counts `hours_weight`,
its evidence naming the week's shape before and after (`activity_rhythm`'s fit, each side with at
least `min_rhythm_posts` posts); topic, links and
interaction changes count `topic_weight`, `links_weight` and `interaction_weight`. The signal
fires when the changes add up to at least 1, with strength `0.3 + 0.25 × changes` (at most 1).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from .. import config
from ..timeutil import iso_utc
from .activity_rhythm import fit_time_zone
from .base import Fired, NotComputable, Signal, SignalContext, register
from .client_apps import client_family
from .features import DAY_MS, HOUR_MS, MONDAY_SHIFT_H, rounded, rows, shares, tvd

_NO_LANG = ("und", "zxx", "qme", "qht", "qam", "qct", "qst")


@config.section("signals.dormant_reactivated")
@dataclass
class DormantReactivatedParams:
    min_gap_days: int = config.param(365, "shortest silence that counts as dormancy, days")
    min_before: int = config.param(3, "posts needed before the silence (an earlier life)")
    min_burst: int = config.param(5, "posts needed within burst_days of the return")
    burst_days: int = config.param(30, "window after the return in which the burst is counted")
    min_side: int = config.param(
        3, "posts with a value (language, client, ...) needed on each side to judge a change")
    min_tvd: float = config.param(
        0.3, "least total variation distance between before and after for a change")
    alpha: float = config.param(0.01, "permutation-test p-value a change must beat")
    permutations: int = config.param(999, "shuffles in the permutation test")
    max_side_posts: int = config.param(
        500, "posts compared on each side: the last ones before the silence, the first after")
    topic_weight: float = config.param(
        0.5, "weight of a topic change (no hashtag in common); language and client count 1")
    links_weight: float = config.param(
        0.5, "weight of a links change (no linked domain in common)")
    interaction_weight: float = config.param(
        0.5, "weight of an interaction change (no mentioned account in common)")
    hours_weight: float = config.param(
        0.5, "weight of an hours change (a new job changes the week's shape too, so a shape "
             "change, named in the evidence, counts no more)")
    min_rhythm_posts: int = config.param(
        10, "posts needed on each side to compare the shape of the week")


def permutation_p(before: list[str], after: list[str], permutations: int, seed: int
                  ) -> tuple[float, float]:
    """(TVD, p-value): how often shuffling the before/after split gives a TVD at least as large."""
    labels = sorted(set(before) | set(after))
    code = {v: i for i, v in enumerate(labels)}
    x = np.array([code[v] for v in before + after])
    nb, k = len(before), len(labels)
    observed = tvd(Counter(before), Counter(after))
    rng = np.random.default_rng(seed)
    perms = rng.permuted(np.tile(x, (permutations, 1)), axis=1)
    # Category counts of the "before" part of each shuffle, by offsetting codes per row.
    offs = (np.arange(permutations) * k)[:, None]
    cb = np.bincount((perms[:, :nb] + offs).ravel(), minlength=permutations * k).reshape(-1, k)
    ca = np.bincount((perms[:, nb:] + offs).ravel(), minlength=permutations * k).reshape(-1, k)
    stats = 0.5 * np.abs(cb / nb - ca / (len(x) - nb)).sum(axis=1)
    p = (1 + int((stats >= observed - 1e-12).sum())) / (permutations + 1)
    return observed, p


def _week(items: list[tuple]) -> np.ndarray:
    """Posts per UTC hour of the week (Monday 00:00 first) of (post_id, created_ms, ...) rows."""
    week = np.zeros(168)
    for i in items:
        week[(i[1] // HOUR_MS + MONDAY_SHIFT_H) % 168] += 1
    return week


def _seed(account_id: str, what: str) -> int:
    return int(hashlib.sha256(f"{account_id}\x00{what}".encode()).hexdigest()[:12], 16)


@register
class DormantReactivated(Signal):
    """A long silence, then a burst, with a change of behavioural profile (COMPA's axes)."""

    name = "dormant_reactivated"
    description = "silent for a long time, then a burst with a change of language, client, " \
                  "hours, topics, links or interactions"
    disarm = ("T0150.002", "T0150.005", "T0150.004")
    requires = ()

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: DormantReactivatedParams = self.params(ctx)
        if not rows(ctx.con, "SELECT 1 FROM posts LIMIT 1"):
            raise NotComputable("the case has no posts")
        gaps = rows(ctx.con, """
            WITH g AS (
                SELECT author_id, created_ms,
                       created_ms - lag(created_ms) OVER (
                           PARTITION BY author_id ORDER BY created_ms, post_id) AS gap
                FROM posts)
            SELECT author_id, max_by(created_ms, gap), max(gap) FROM g WHERE gap >= ?
            GROUP BY author_id ORDER BY author_id""", [p.min_gap_days * DAY_MS])
        if not gaps:
            return []
        resumed = {a: (r, g) for a, r, g in gaps}
        posts = rows(ctx.con, """
            SELECT p.author_id, p.post_id, p.created_ms, p.lang, p.client,
                   list(e.normalized ORDER BY e.position)
                       FILTER (WHERE e.entity = 'hashtag' AND e.normalized IS NOT NULL),
                   list(CASE WHEN e.entity = 'url' THEN split_part(e.normalized, '/', 1)
                             ELSE e.normalized END ORDER BY e.position)
                       FILTER (WHERE e.entity IN ('url', 'domain') AND e.normalized IS NOT NULL),
                   list(e.normalized ORDER BY e.position)
                       FILTER (WHERE e.entity = 'mention' AND e.normalized IS NOT NULL)
            FROM posts p LEFT JOIN post_entities e
                 ON e.platform = p.platform AND e.post_id = p.post_id
                    AND e.entity IN ('hashtag', 'url', 'domain', 'mention')
            WHERE p.author_id IN (SELECT unnest(?))
            GROUP BY ALL ORDER BY p.author_id, p.created_ms, p.post_id""", [sorted(resumed)])
        per: dict[str, list[tuple]] = defaultdict(list)
        for row in posts:
            per[row[0]].append(row[1:])
        out = []
        for acc, items in per.items():
            fired = self._judge(acc, items, *resumed[acc], p)
            if fired is not None:
                out.append(fired)
        return out

    def _judge(self, acc: str, items: list[tuple], resumed_ms: int, gap_ms: int,
               p: DormantReactivatedParams) -> Fired | None:
        before = [i for i in items if i[1] <= resumed_ms - gap_ms]
        after_all = [i for i in items if i[1] >= resumed_ms]
        burst = [i for i in after_all if i[1] < resumed_ms + p.burst_days * DAY_MS]
        if len(before) < p.min_before or len(burst) < p.min_burst:
            return None
        n_before = len(before)
        before, after = before[-p.max_side_posts:], after_all[:p.max_side_posts]
        views = {
            "language": lambda i: i[2] if i[2] and i[2].lower() not in _NO_LANG else None,
            "client": lambda i: client_family(i[3]) if i[3] else None,
            "hours": lambda i: f"{(i[1] // HOUR_MS) % 24 // 3 * 3:02d}-"
                               f"{(i[1] // HOUR_MS) % 24 // 3 * 3 + 3:02d} UTC",
        }
        changes: dict[str, dict] = {}
        unchanged = []
        for what, view in views.items():
            b = [v for v in map(view, before) if v is not None]
            a = [v for v in map(view, after) if v is not None]
            if len(b) < p.min_side or len(a) < p.min_side:
                continue
            d, pv = permutation_p(b, a, p.permutations, _seed(acc, what))
            if d >= p.min_tvd and pv < p.alpha:
                changes[what] = {"before": shares(Counter(b)), "after": shares(Counter(a)),
                                 "tvd": rounded(d, 3), "p_value": rounded(pv, 4)}
            else:
                unchanged.append(what)
        # What an account talks about, links to and talks to: no value in common before and after.
        for what, col in (("topic", 4), ("links", 5), ("interaction", 6)):
            vb = Counter(t for i in before for t in (i[col] or []))
            va = Counter(t for i in after for t in (i[col] or []))
            if sum(vb.values()) >= p.min_side and sum(va.values()) >= p.min_side:
                if not set(vb) & set(va):
                    changes[what] = {"before": shares(vb), "after": shares(va)}
                else:
                    unchanged.append(what)
        if "hours" in changes:
            shapes = [fit_time_zone(_week(side)).template for side in (before, after)
                      if len(side) >= p.min_rhythm_posts]
            changes["hours"]["shape"] = {"before": shapes[0], "after": shapes[1]} \
                if len(shapes) == 2 else None
        weights = {"topic": p.topic_weight, "links": p.links_weight,
                   "interaction": p.interaction_weight, "hours": p.hours_weight}
        score = sum(weights.get(k, 1.0) for k in changes)
        if score < 1.0:
            return None
        return Fired(acc, min(1.0, 0.3 + 0.25 * score), {
            "silent_from": iso_utc(resumed_ms - gap_ms), "resumed": iso_utc(resumed_ms),
            "gap_days": rounded(gap_ms / DAY_MS, 1), "posts_before": n_before,
            "posts_after": len(after_all), "burst_posts": len(burst),
            "burst_days": p.burst_days, "changes": changes, "unchanged": unchanged,
            "last_post_before": before[-1][0], "first_posts_after": [i[0] for i in after[:3]]})
