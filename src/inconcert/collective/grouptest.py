"""Tests of groups, not pairs: does a community co-act far more than chance, and at what scale?

**Statistic.** For a community C and a view, S_C = Σ_i C(k_i, 2), the number of member pairs
that acted on the same item, summed over the view's items (k_i = members who acted on item i).

**Configuration null** (degree-preserving, in the Chung-Lu form the pair traces use: every
account keeps its activity d_u, every item its popularity n_i, and u acts on i with probability
p_ui = d_u n_i / M, M = Σ n_i). k_i is then a sum of independent Bernoulli variables, and with
x_i = n_i / M and the members' power sums D_j = Σ_{u ∈ C} d_u^j the moments of S_C are closed
forms (derived from the cumulants of the Poisson-binomial distribution):

    E[S]   = e2 · P2
    Var[S] = e2 · P2 + (D1³ − 3 D1 D2 + 2 D3) · P3 + (2 D1 D3 − D1² D2 + D2²/2 − 3 D4/2) · P4

with e2 = (D1² − D2) / 2 and P_j = Σ_i x_i^j over the items the statistic counts. The test is
one-sided on z = (S − E) / sqrt(Var); `lift` = S / E is its effect size. A whole community is one
test, so a squad whose pairs share one item each is judged on the hundreds of items the group
shares. (Probabilities d_u n_i / M above 1 are not capped, which overstates E: conservative.)

**Time-shuffle null.** Keep who acted on what exactly (so shared interests, homophily and item
popularity are all conditioned on) and permute each member's action times among its own actions
in each view. Co-action within a scale τ (members acting on the same item at most τ apart) that
survives this shuffle is timing, not taste. The statistic is computed at several scales, from
seconds to a day, on `replicates` shuffles; each scale gets z = (observed − mean) / sd of the
shuffles. The community's time scale is the smallest scale at which it is significant.

This null does not estimate popularity from the accounts under test, so it still works when the
case *is* the operation (a takedown archive, where the configuration null's popularities are the
operation's own behaviour and explain it away).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm, poisson


@dataclass(frozen=True)
class ConfigTest:
    """Observed and expected co-action of one community in one view."""

    observed: float
    expected: float
    variance: float
    n_items: int  # items at least two members acted on

    @property
    def z(self) -> float:
        if self.variance <= 0:
            return 0.0 if self.observed <= self.expected else float("inf")
        return (self.observed - self.expected) / float(np.sqrt(self.variance))

    @property
    def p_value(self) -> float:
        return float(norm.sf(self.z))

    @property
    def lift(self) -> float:
        return self.observed / self.expected if self.expected > 0 else float("inf")


def configuration_moments(d: np.ndarray, p2: float, p3: float, p4: float) -> tuple[float, float]:
    """E[S] and Var[S] for members with activities `d`, given the view's item power sums
    P_j = Σ_i (n_i / M)^j."""
    d = d.astype(np.float64)
    d1, d2, d3, d4 = (float(np.sum(d ** j)) for j in (1, 2, 3, 4))
    e2 = (d1 * d1 - d2) / 2
    mean = e2 * p2
    var = (e2 * p2 + (d1 ** 3 - 3 * d1 * d2 + 2 * d3) * p3
           + (2 * d1 * d3 - d1 * d1 * d2 + d2 * d2 / 2 - 1.5 * d4) * p4)
    return mean, max(var, 0.0)


def pairs_within(item: np.ndarray, t: np.ndarray, scales_ms: np.ndarray) -> np.ndarray:
    """For each scale τ, the number of pairs of actions on the same item at most τ apart.

    `item` and `t` are int64 arrays (one action per (account, item), so a pair is two accounts).
    """
    if len(item) < 2:
        return np.zeros(len(scales_ms), dtype=np.int64)
    t0 = t - t.min()
    span = int(t0.max()) + int(scales_ms.max()) + 1
    key = item.astype(np.int64) * span + t0
    key.sort()
    out = np.empty(len(scales_ms), dtype=np.int64)
    idx = np.arange(len(key))
    for j, tau in enumerate(scales_ms):
        out[j] = int(np.sum(np.searchsorted(key, key + int(tau), side="right") - idx - 1))
    return out


@dataclass(frozen=True)
class TimeTest:
    """Observed co-actions within each scale and their mean and sd over the shuffles."""

    scales_s: tuple[int, ...]
    observed: tuple[int, ...]
    mean: tuple[float, ...]
    sd: tuple[float, ...]
    replicates: int = 1

    def z(self) -> list[float]:
        """z of each scale (inf when the shuffles never vary and the observation exceeds them)."""
        out = []
        for o, m, s in zip(self.observed, self.mean, self.sd, strict=True):
            if s > 0:
                out.append((o - m) / s)
            else:
                out.append(0.0 if o <= m else float("inf"))
        return out

    def lifts(self) -> list[float]:
        """Observed co-actions over the shuffles' mean at each scale (inf when the shuffles
        never co-act and the observation does; 0 when neither does)."""
        return [o / m if m > 0 else (float("inf") if o > 0 else 0.0)
                for o, m in zip(self.observed, self.mean, strict=True)]

    def p_values(self) -> list[float]:
        """Per scale, the larger of the normal tail of z and the Poisson tail of the observed
        count at the shuffles' mean: co-actions of sparse random accounts are rare counts
        (one observed against a mean of 0.03 is z ≈ 6 but P ≈ 0.03), where the normal
        approximation fails. Where the shuffles never produced any, the permutation floor
        1 / (replicates + 1)."""
        out = []
        for z, o, m in zip(self.z(), self.observed, self.mean, strict=True):
            if m <= 0:
                out.append(1.0 if o <= 0 else 1.0 / (self.replicates + 1))
            else:
                out.append(max(float(norm.sf(z)), float(poisson.sf(o - 1, m))))
        return out


def _random_order_within(group: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A function of uniform draws `r` (`Generator.random`, one per element) returning
    `np.lexsort((r, group))`: the elements by group, then by their draw.

    A draw is k / 2**53 for an integer k < 2**53, so when the groups' dense codes fit in the
    10 bits left of an int64, (code << 53) | k is one key in the same order, and one stable
    sort of it (ties by position, as lexsort's) takes half the time of lexsort's two: the
    shuffles were most of the group tests. With more groups, two stable sorts (the draw, then
    the group) give the same order."""
    codes, gcode = np.unique(group, return_inverse=True)
    if len(codes) >= 2**10:
        # lexsort's own two stable sorts, by the draw and then by the group, with the group
        # codes as uint16 where they fit, which NumPy sorts by radix: 11.4 s of lexsort in
        # the spam bench's group test, about half of it this way.
        small = gcode.reshape(-1).astype(np.uint16 if len(codes) <= 2**16 else np.int64)

        def two_sorts(r: np.ndarray) -> np.ndarray:
            by_draw = np.argsort(r, kind="stable")
            return by_draw[np.argsort(small[by_draw], kind="stable")]

        return two_sorts
    high = gcode.astype(np.int64) << 53

    def order(r: np.ndarray) -> np.ndarray:
        return np.argsort(high | (r * 2.0**53).astype(np.int64), kind="stable")

    return order


def time_shuffle(group: np.ndarray, item: np.ndarray, t: np.ndarray, scales_s: list[int],
                 replicates: int, seed: int) -> TimeTest:
    """Co-action within each scale, observed and under `replicates` within-account shuffles.

    `group` identifies the unit whose times are permuted (an account within a view), `item` the
    item (unique across views), `t` epoch ms. Deterministic for a given seed.
    """
    scales_ms = np.asarray(scales_s, dtype=np.int64) * 1000
    obs = pairs_within(item, t, scales_ms)
    rng = np.random.default_rng(seed)
    by_group = np.argsort(group, kind="stable")
    order_by = _random_order_within(group)
    sims = np.empty((replicates, len(scales_ms)), dtype=np.float64)
    for r in range(replicates):
        perm = order_by(rng.random(len(group)))
        shuffled = np.empty_like(t)
        shuffled[by_group] = t[perm]
        sims[r] = pairs_within(item, shuffled, scales_ms)
    return TimeTest(tuple(int(s) for s in scales_s), tuple(int(x) for x in obs),
                    tuple(float(x) for x in sims.mean(axis=0)),
                    tuple(float(x) for x in sims.std(axis=0, ddof=1)) if replicates > 1
                    else tuple(0.0 for _ in scales_s), replicates)


def neighbours_within(item: np.ndarray, t: np.ndarray, tau_ms: int) -> np.ndarray:
    """For each action, how many other actions on the same item lie at most `tau_ms` away."""
    if not len(item):
        return np.zeros(0, dtype=np.int64)
    t0 = t - t.min()
    span = int(t0.max()) + 2 * int(tau_ms) + 1
    key = item.astype(np.int64) * span + t0
    order = np.argsort(key, kind="stable")
    sk = key[order]
    n = (np.searchsorted(sk, sk + tau_ms, side="right")
         - np.searchsorted(sk, sk - tau_ms, side="left") - 1)
    out = np.empty_like(n)
    out[order] = n
    return out


def member_time_excess(account: np.ndarray, unit: np.ndarray, item: np.ndarray, t: np.ndarray,
                       scales_s: list[int], replicates: int, seed: int
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per account and scale: co-actions with other members within the scale (observed), their
    mean over within-unit time shuffles, and on how many distinct items the account had such a
    co-action. Returns (accounts, observed, mean, items), the last three of shape
    (accounts, scales)."""
    taus = [int(s) * 1000 for s in scales_s]
    accounts, ainv = np.unique(account, return_inverse=True)

    def counts(times: np.ndarray) -> np.ndarray:
        return np.stack([np.bincount(ainv, weights=neighbours_within(item, times, tau),
                                     minlength=len(accounts)) for tau in taus], axis=1)

    observed = counts(t)
    # one action per (account, item), so an action with a neighbour is an item with one
    items = np.stack([np.bincount(ainv, weights=neighbours_within(item, t, tau) > 0,
                                  minlength=len(accounts)) for tau in taus], axis=1)
    rng = np.random.default_rng(seed)
    by_unit = np.argsort(unit, kind="stable")
    order_by = _random_order_within(unit)
    total = np.zeros_like(observed)
    for _ in range(replicates):
        perm = order_by(rng.random(len(unit)))
        shuffled = np.empty_like(t)
        shuffled[by_unit] = t[perm]
        total += counts(shuffled)
    return accounts, observed, total / max(1, replicates), items
