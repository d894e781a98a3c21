"""Randomised families: an operation's and an organic population's particulars, drawn per seed.

The classic platform's campaign always works Beijing office hours from batch-created Western
name+digits personas; a detector can memorise that. Operations instead draw every particular —
operator time zone and working pattern, persona name pool, handle styles, clients, creation
pattern, follower counts, hijacked share, languages, latency spread — from wide families, and
the organic population draws its region mix, handle styles (digit-heavy or not), clients and
a share of office workers. `dataclasses.replace` on a drawn family swaps one particular (the
tests do, to check that generation follows it). Ranges and their evidence: docs/simulator.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from . import lexicon as lx
from .core import OFFICE_WEEKDAY, day_number

# Operator time zones (minutes east of UTC): where documented operations worked from or
# plausibly could (Beijing, Moscow/Riyadh, US East, India, Bangkok, central Europe, Brazil,
# Tehran, Manila, Lagos), equally likely.
OPERATOR_TZ = (480, 180, -300, 330, 420, 60, -180, 210, 480, 60)
PERSONA_POOLS = tuple(r.key for r in lx.REGIONS + lx.EXTRA_REGIONS)
HANDLE_STYLES = ("first_last", "word", "name_digits", "plain")
RHYTHMS = ("office", "shifts", "evenings")
OPERATOR_CLIENTS = ("Twitter Web App", "Twitter for Android", "Twitter for iPhone",
                    "TweetDeck", "Hootsuite Inc.", "Twitter for iPad")


@dataclass(frozen=True)
class OperatorFamily:
    """The particulars of one operation (all drawn by `operator_family`)."""

    tz_min: int                                  # operator's UTC offset
    rhythm: str                                  # office | shifts | evenings
    start_hour: int                              # local start of the working day
    hours: int                                   # length of the working day
    weekend_factor: float                        # weekend days kept relative to weekdays
    persona_pool: str                            # a key of PERSONA_POOLS
    second_pool: str                             # a minority of personas come from here
    handle_styles: tuple[tuple[str, float], ...]
    batch_share: float                           # accounts registered in batches
    n_batches: int
    created_from: int                            # day number: earliest creation of the rest
    clients: tuple[tuple[str, float], ...]
    followers_median: float
    hijacked_share: float
    zh_share: float                              # talking points written in Chinese
    lag_sigma_extra: float                       # spread of each amplifier's own latency
    posts_per_seeder: float
    persona_location: str                        # own (pool's places) | none

    def weekday(self) -> np.ndarray:
        """Local hour weights of a working day."""
        return _profile(self.rhythm, self.start_hour, self.hours)

    def weekend(self) -> np.ndarray:
        """Local hour weights of a weekend day (shifts and evening workers keep their hours)."""
        return self.weekday()


def _profile(rhythm: str, start: int, hours: int) -> np.ndarray:
    w = np.full(24, 0.02)
    if rhythm == "office":
        # The classic office shape (with its lunch dip), moved to the family's start hour.
        w = np.roll(OFFICE_WEEKDAY, start - 9).astype(np.float64)
        return w
    if rhythm == "shifts":
        for h in range(start, start + hours):
            w[h % 24] = 5.0
        return w
    for h in range(start, start + hours):  # evenings: after a day job, peaking late
        w[h % 24] = 3.0 + (h - start)
    return w


def operator_family(rng: np.random.Generator) -> OperatorFamily:
    """Draw an operation's particulars."""
    rhythm = RHYTHMS[int(rng.choice(3, p=[0.55, 0.25, 0.2]))]
    start = {"office": int(rng.integers(8, 11)), "shifts": int(rng.integers(6, 10)),
             "evenings": int(rng.integers(17, 20))}[rhythm]
    hours = {"office": 9, "shifts": int(rng.integers(12, 17)),
             "evenings": int(rng.integers(4, 7))}[rhythm]
    pools = rng.choice(len(PERSONA_POOLS), 2, replace=False)
    styles = rng.dirichlet(np.full(len(HANDLE_STYLES), 0.7))
    k = int(rng.integers(1, 4))
    cl = rng.choice(len(OPERATOR_CLIENTS), k, replace=False)
    cw = rng.dirichlet(np.ones(k))
    batch_share = float(rng.choice([0.0, 0.0, 0.3, 0.6, 0.9]))
    return OperatorFamily(
        tz_min=int(rng.choice(OPERATOR_TZ)), rhythm=rhythm, start_hour=start, hours=hours,
        weekend_factor=float(rng.choice([0.05, 0.3, 1.0])) if rhythm == "office" else 1.0,
        persona_pool=PERSONA_POOLS[int(pools[0])], second_pool=PERSONA_POOLS[int(pools[1])],
        handle_styles=tuple((s, float(x)) for s, x in zip(HANDLE_STYLES, styles, strict=True)),
        batch_share=batch_share, n_batches=int(rng.integers(1, 5)),
        created_from=day_number(int(rng.integers(2009, 2020)), 1, 1),
        clients=tuple((OPERATOR_CLIENTS[int(i)], float(w)) for i, w in zip(cl, cw, strict=True)),
        followers_median=float(np.exp(rng.uniform(np.log(8), np.log(600)))),
        hijacked_share=float(rng.choice([0.0, 0.05, 0.15, 0.3])),
        zh_share=float(rng.choice([0.0, 0.0, 0.1, 0.35])),
        lag_sigma_extra=float(rng.uniform(0.2, 0.8)),
        posts_per_seeder=float(rng.uniform(8, 24)),
        persona_location=str(rng.choice(["own", "own", "none"])),
    )


def region(key: str) -> lx.Region:
    """The persona pool (organic region or extra pool) of that key."""
    for r in lx.REGIONS + lx.EXTRA_REGIONS:
        if r.key == key:
            return r
    raise KeyError(key)


@dataclass(frozen=True)
class OrganicFamily:
    """The particulars of an organic population."""

    region_weights: tuple[float, ...]            # one per lexicon.REGIONS
    handle_styles: tuple[tuple[str, float], ...]
    clients: tuple[tuple[str, float], ...]
    office_share: float                          # accounts posting on office hours
    office_start: int                            # mean local start of their working day
    extra_regions: tuple[tuple[str, float], ...] = ()  # lexicon.EXTRA_REGIONS keys, weights

    def regions(self) -> tuple[tuple[lx.Region, float], ...]:
        """Every region people come from, with its weight."""
        return (tuple(zip(lx.REGIONS, self.region_weights, strict=True))
                + tuple((region(k), w) for k, w in self.extra_regions))


def organic_family(rng: np.random.Generator) -> OrganicFamily:
    """Draw an organic population's particulars around the classic ones."""
    base = np.array([r.weight for r in lx.REGIONS])
    rw = rng.dirichlet(base / base.sum() * 12)
    digits = float(rng.uniform(0.05, 0.45))  # name+digits handles: rare to common
    rest = rng.dirichlet([4.7, 3.5, 0.6]) * (1 - digits)
    styles = (("first_last", float(rest[0])), ("word", float(rest[1])),
              ("name_digits", digits), ("plain", float(rest[2])))
    cw = rng.dirichlet(np.array([w for _, w in lx.CLIENTS_NOW]) * 30)
    return OrganicFamily(
        region_weights=tuple(float(x) for x in rw), handle_styles=styles,
        clients=tuple((c, float(w)) for (c, _), w in zip(lx.CLIENTS_NOW, cw, strict=True)),
        office_share=float(rng.uniform(0.05, 0.3)), office_start=int(rng.integers(7, 11)))


def with_overrides(fam: Any, overrides: dict[str, Any] | None) -> Any:
    """The family with some particulars replaced (unknown names raise TypeError)."""
    return replace(fam, **overrides) if overrides else fam
