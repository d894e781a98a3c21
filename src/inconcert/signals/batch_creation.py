"""Batch creation: accounts created in bursts far above the case's background rate.

Operations register their accounts in batches (Twitter's China 2019 roster: 119 accounts on
2017-08-30, 97 on 2017-08-18). For each UTC day (and each UTC hour when creation times are finer
than a day) the number of accounts created is compared with the local background rate: the mean
number per day over the surrounding window, the bin itself left out. A bin is a burst when it holds
at least `min_accounts` accounts, at least `min_ratio` times the background, and its Poisson tail
probability is below `alpha` after a Bonferroni correction over the bins tested.

The network-stage variant asks the same question inside each detected network: do more members
share a creation day than drawing them from the case's background would give?
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .. import config
from ..timeutil import iso_utc
from .base import Fired, NotComputable, Signal, SignalContext, register
from .features import DAY_MS, HOUR_MS, day_iso, has_table, hour_iso, poisson_sf, rounded, rows

# Creation-time precisions that place an account within an hour.
_SUB_DAY = ("us", "ms", "s", "minute", "hour")


@config.section("signals.batch_creation")
@dataclass
class BatchCreationParams:
    min_accounts: int = config.param(5, "smallest creation cohort reported (accounts in one bin)")
    min_ratio: float = config.param(
        5.0, "a cohort must hold at least this many times the background expectation")
    alpha: float = config.param(
        0.001, "Poisson tail probability a cohort must beat, Bonferroni-corrected over the bins "
               "tested")
    background_days: int = config.param(
        30, "half-width in days of the window giving the local background rate (the bin itself "
            "is left out)")
    hourly: bool = config.param(
        True, "also test UTC hours for accounts whose creation time is finer than a day")
    full_ratio: float = config.param(
        100.0, "ratio to background at which the ratio part of the strength reaches 1")
    full_size: int = config.param(
        20, "cohort size at which the size part of the strength reaches 1")


@config.section("signals.batch_creation_network")
@dataclass
class NetworkBatchCreationParams:
    min_members: int = config.param(3, "members of one network created in one bin")
    min_share: float = config.param(
        0.2, "share of the network's dated members the cohort must hold")
    alpha: float = config.param(
        0.001, "Poisson tail probability, Bonferroni-corrected over the bins tested per network")


@dataclass(frozen=True)
class Cohort:
    """One creation burst: a bin, its accounts and how far it sits above the background."""

    scope: str  # "case" or a network id
    unit: str  # "day" or "hour"
    start_ms: int
    accounts: tuple[str, ...]
    expected: float
    p_value: float

    @property
    def ratio(self) -> float:
        return len(self.accounts) / self.expected if self.expected > 0 else math.inf

    def evidence(self, account_id: str) -> dict:
        others = [a for a in self.accounts if a != account_id][:5]
        return {"scope": self.scope, "unit": self.unit,
                "bin": day_iso(self.start_ms) if self.unit == "day" else hour_iso(self.start_ms),
                "accounts": len(self.accounts), "expected": rounded(self.expected, 3),
                "ratio": rounded(min(self.ratio, 1e9), 2), "p_value": float(f"{self.p_value:.3g}"),
                "other_accounts": others}


def local_rates(days: dict[int, int], half_width: int) -> dict[int, float]:
    """Background accounts per day around each day: the median over [d - w, d + w] without d,
    days without accounts included.

    A median, not a mean: an operation registers its accounts in several batches days apart
    (the Thailand 2020 archive on eleven days within two months, 11 to 106 accounts a day), and
    a mean over the window counts the neighbouring batches as background, so each batch hides
    the others (a day of 15 accounts next to a week of 334 had a mean background of 6.7 a day).
    The median of a window's days is the ordinary day, whatever a few burst days hold.
    The floor is the case's mean rate over its whole span, so a quiet neighbourhood does not make
    any small group look like a burst.
    """
    keys = sorted(days)
    span = keys[-1] - keys[0] + 1
    floor = sum(days.values()) / max(span, 2 * half_width + 1)
    out = {}
    for d in keys:
        lo = bisect.bisect_left(keys, d - half_width)
        hi = bisect.bisect_right(keys, d + half_width)
        around = sorted(days[k] for k in keys[lo:hi] if k != d)
        zeros = 2 * half_width - len(around)  # days in the window with no account
        window = [0] * zeros + around
        mid = len(window) // 2
        median = (window[mid - 1] + window[mid]) / 2 if len(window) % 2 == 0 else window[mid]
        out[d] = max(floor, median)
    return out


def find_cohorts(created: dict[str, tuple[int, str | None]], p: BatchCreationParams
                 ) -> list[Cohort]:
    """Creation bursts across the case, per UTC day and (for precise times) per UTC hour."""
    by_day: dict[int, list[str]] = defaultdict(list)
    by_hour: dict[int, list[str]] = defaultdict(list)
    for acc, (ms, prec) in created.items():
        by_day[ms // DAY_MS].append(acc)
        if p.hourly and prec in _SUB_DAY:
            by_hour[ms // HOUR_MS].append(acc)
    if not by_day:
        return []
    rate = local_rates({d: len(a) for d, a in by_day.items()}, p.background_days)
    candidates = []
    for d, accs in by_day.items():
        if len(accs) >= p.min_accounts:
            candidates.append(("day", d * DAY_MS, accs, rate[d]))
    if by_hour:
        precise_days: dict[int, int] = defaultdict(int)
        for h, accs in by_hour.items():
            precise_days[h // 24] += len(accs)
        precise_rate = local_rates(dict(precise_days), p.background_days)
        for h, accs in by_hour.items():
            if len(accs) >= p.min_accounts:
                # Spread the day's background evenly over its hours; leave the hour itself out.
                lam = max(precise_rate[h // 24] / 24,
                          (precise_days[h // 24] - len(accs)) / 23)
                candidates.append(("hour", h * HOUR_MS, accs, lam))
    out = []
    for unit, start, accs, lam in candidates:
        pv = poisson_sf(len(accs), lam)
        if len(accs) >= p.min_ratio * lam and pv * len(candidates) < p.alpha:
            out.append(Cohort("case", unit, start, tuple(sorted(accs)), lam,
                              min(1.0, pv * len(candidates))))
    return sorted(out, key=lambda c: (c.unit, c.start_ms))


def cohort_strength(c: Cohort, full_ratio: float, full_size: int) -> float:
    """Strength of a cohort: how far above background (log scale) times how large it is."""
    ratio_part = min(1.0, math.log10(max(c.ratio, 1.0)) / math.log10(full_ratio))
    size_part = min(1.0, math.sqrt(len(c.accounts) / full_size))
    return ratio_part * size_part


def _created(ctx: SignalContext) -> dict[str, tuple[int, str | None]]:
    got = rows(ctx.con, "SELECT account_id, min(created_ms), min(created_precision) "
                        "FROM accounts WHERE created_ms IS NOT NULL GROUP BY account_id")
    return {a: (ms, prec) for a, ms, prec in got}


@register
class BatchCreation(Signal):
    """Accounts created in a burst far above the case's background creation rate."""

    name = "batch_creation"
    description = "created in a burst of accounts far above the case's background rate"
    disarm = ("T0150.008", "T0150.001")
    requires = ("account_created",)

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: BatchCreationParams = self.params(ctx)
        created = _created(ctx)
        if not created:
            raise NotComputable("no account has a creation date")
        return fire_on_cohorts(find_cohorts(created, p), created,
                               lambda c: cohort_strength(c, p.full_ratio, p.full_size))


def fire_on_cohorts(cohorts: list[Cohort], created: dict[str, tuple[int, str | None]],
                    strength: Callable[[Cohort], float]) -> list[Fired]:
    """One Fired per account in any cohort, with every cohort it belongs to as evidence."""
    per_account: dict[str, list[Cohort]] = defaultdict(list)
    for c in cohorts:
        for a in c.accounts:
            per_account[a].append(c)
    out = []
    for acc, cs in sorted(per_account.items()):
        ms, prec = created[acc]
        out.append(Fired(acc, max(strength(c) for c in cs), {
            "created": iso_utc(ms) if prec in _SUB_DAY else day_iso(ms),
            "created_precision": prec,
            "cohorts": [c.evidence(acc) for c in cs]}))
    return out


@register
class NetworkBatchCreation(Signal):
    """Members of one network created on the same day more often than the case predicts."""

    name = "batch_creation_network"
    description = "created on the same day as other members of its network, beyond chance"
    disarm = ("T0150.008",)
    requires = ("account_created",)
    stage = "network"

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: NetworkBatchCreationParams = self.params(ctx)
        if not has_table(ctx.con, "memberships"):
            raise NotComputable("no networks were detected (no memberships table)")
        created = _created(ctx)
        if not created:
            raise NotComputable("no account has a creation date")
        case_p: BatchCreationParams = ctx.config.section(BatchCreation.section())
        day_counts: dict[int, int] = defaultdict(int)
        for ms, _ in created.values():
            day_counts[ms // DAY_MS] += 1
        rate = local_rates(dict(day_counts), case_p.background_days)
        n_case = len(created)
        members: dict[str, list[str]] = defaultdict(list)
        for acc, net in rows(ctx.con, "SELECT DISTINCT account_id, network_id FROM memberships "
                                      "ORDER BY network_id, account_id"):
            if acc in created:
                members[str(net)].append(acc)
        cohorts = []
        for net, accs in sorted(members.items()):
            by_day: dict[int, list[str]] = defaultdict(list)
            for a in accs:
                by_day[created[a][0] // DAY_MS].append(a)
            tested = [(d, g) for d, g in by_day.items()
                      if len(g) >= max(p.min_members, p.min_share * len(accs))]
            for d, g in tested:
                lam = len(accs) * rate[d] / n_case
                pv = poisson_sf(len(g), lam) * len(tested)
                if pv < p.alpha:
                    cohorts.append(Cohort(net, "day", d * DAY_MS, tuple(sorted(g)), lam,
                                          min(1.0, pv)))
        return fire_on_cohorts(
            cohorts, created,
            lambda c: cohort_strength(c, case_p.full_ratio, min(case_p.full_size, 10)))
