"""Scenarios: what kind of operation the simulator plants and how hard the background is.

A `Scenario` is a set of named parameters (`lag`, `squad`, `pool`, `mode`, `share`,
`negatives`, `families`, `campaign`); `parse()` reads them from the command line's
`--scenario key=value,...` or a preset name. Without a preset the platform is drawn from the
randomised families per seed (preset `random`: an operation at the classic size, ~3% of the
accounts); the preset `classic` (the `Scenario()` object) is the fixed pro-Beijing campaign of
docs/simulator.md, kept byte for byte for the tests and measurements made on it. Every
operation is drawn from randomised families (see families.py). `GRID` is the evaluation grid
of bench/grid.py: one factor at a time around a base cell, plus hard combinations and controls.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from ..errors import InputError

# Reshare/copy latency scales: (median seconds, lognormal sigma). Around the scale, never one
# constant; each amplifier also has its own multiplier (families.py).
LAGS: dict[str, tuple[float, float]] = {
    "seconds": (20.0, 0.8), "minutes": (240.0, 0.8), "30min": (1800.0, 0.7),
    "3h": (10_800.0, 0.7),
}
# Accounts per post, drawn at random from the amplifier pool for every seeder post.
SQUADS: dict[str, tuple[int, int]] = {"3-5": (3, 5), "8-15": (8, 15), "25+": (25, 40)}
MODES = ("reshares", "paraphrase", "translated")
FAMILIES = ("classic", "random")


@dataclass(frozen=True)
class Scenario:
    """One simulated platform's design. `None` means "as the classic platform"."""

    lag: str | None = None          # a key of LAGS
    squad: str | None = None        # a key of SQUADS
    pool: int | None = None         # amplifiers in the pool squads are drawn from
    mode: str = "reshares"          # one of MODES
    share: float | None = None      # campaign accounts / all accounts, in (0, 1)
    negatives: float = 1.0          # strength of the hard negatives (1 normal, 2 double)
    families: str = "classic"       # classic: fixed personas; random: drawn per seed
    campaign: bool = True           # False: the organic platform only (a control)
    seeders: int | None = None      # fixed number of seeders (default: ~12% of the operation)
    posts: int | None = None        # fixed number of seeder posts in all
    amplified: float = 1.0          # share of seeder posts that a squad amplifies

    @property
    def classic(self) -> bool:
        """Whether this is the classic platform (the fixed campaign), not an operation."""
        return (self.families == "classic" and self.lag is None and self.squad is None
                and self.pool is None and self.mode == "reshares" and self.share is None
                and self.seeders is None and self.posts is None and self.amplified == 1.0)

    def as_dict(self) -> dict[str, object]:
        """The parameters that differ from the default (recorded in simulation.json)."""
        default = Scenario()
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) != getattr(default, f.name)}


# Named designs. `small-blatant` is issue 10's "46-account network in a 250-account case".
PRESETS: dict[str, Scenario] = {
    "random": Scenario(families="random"),
    "classic": Scenario(),
    "small-blatant": Scenario(families="random", lag="seconds", squad="25+", pool=40,
                              seeders=6, posts=120, amplified=25 / 120, share=46 / 250),
}

_BASE = Scenario(families="random", lag="minutes", squad="8-15", pool=400)
# The evaluation grid: (cell name, scenario). One factor varied at a time around _BASE, hard
# combinations, and platforms without a campaign.
GRID: tuple[tuple[str, Scenario], ...] = (
    ("default", PRESETS["random"]),
    ("base", _BASE),
    *((f"lag={k}", replace(_BASE, lag=k)) for k in LAGS if k != "minutes"),
    *((f"squad={k}", replace(_BASE, squad=k)) for k in SQUADS if k != "8-15"),
    ("pool=50", replace(_BASE, pool=50)),
    *((f"mode={m}", replace(_BASE, mode=m)) for m in MODES if m != "reshares"),
    *((f"share={s:g}", replace(_BASE, pool=None, share=s)) for s in (0.01, 0.1, 0.6, 0.95)),
    ("negatives=2", replace(_BASE, negatives=2.0)),
    ("slow-random-squads", replace(_BASE, lag="3h", squad="3-5")),
    ("slow-paraphrase", replace(_BASE, lag="30min", squad="3-5", mode="paraphrase")),
    ("translated-3h", replace(_BASE, lag="3h", mode="translated")),
    ("fast-dense", replace(_BASE, lag="seconds", squad="25+", pool=50)),
    ("small-blatant", PRESETS["small-blatant"]),
    ("no-campaign", Scenario(families="random", campaign=False)),
    ("no-campaign,negatives=2", Scenario(families="random", campaign=False, negatives=2.0)),
    # No coordination at all (no fandom, newsroom, viral post, hashtag day): every significant
    # pair is a false discovery, so the tests' calibration can be read off it.
    ("null", Scenario(families="random", campaign=False, negatives=0.0)),
)
# A quick subset for CI and first looks.
QUICK = ("base", "lag=3h", "squad=3-5", "mode=paraphrase", "share=0.95", "no-campaign")


def _bad(msg: str) -> InputError:
    return InputError(f"--scenario: {msg}")


def parse(text: str | None, campaign: bool = True) -> Scenario:
    """A scenario from `preset`, `key=value,...` or `preset,key=value,...`.

    Without a preset the keys apply to `random` (the default platform: operation and organic
    population drawn from the randomised families per seed); `classic` or `families=classic`
    asks for the classic platform.

    Keys: lag (seconds|minutes|30min|3h), squad (3-5|8-15|25+), pool (accounts), mode
    (reshares|paraphrase|translated), share (0-1, or a percentage such as 10%), negatives
    (strength, e.g. 2), families (classic|random), seeders, posts, amplified (0-1).
    Raises InputError naming the bad part.
    """
    sc = PRESETS["random"]
    parts = [p.strip() for p in (text or "").split(",") if p.strip()]
    if parts and "=" not in parts[0]:
        if parts[0] not in PRESETS:
            raise _bad(f"unknown preset {parts[0]!r} (presets: {', '.join(PRESETS)})")
        sc = PRESETS[parts.pop(0)]
    values: dict[str, object] = {}
    for p in parts:
        key, _, raw = p.partition("=")
        key, raw = key.strip(), raw.strip()
        values[key] = _value(key, raw)
    if not campaign:
        values["campaign"] = False
    return normalise(replace(sc, **values))


def normalise(sc: Scenario) -> Scenario:
    """The scenario checked, with families made random when it plants an operation (an
    operation is always drawn from the families). Raises InputError on bad values."""
    check(sc)
    if not sc.classic and sc.families == "classic":
        return replace(sc, families="random")
    return sc


def _value(key: str, raw: str) -> object:
    try:
        if key == "lag":
            if raw not in LAGS:
                raise ValueError(f"one of {', '.join(LAGS)}")
            return raw
        if key == "squad":
            if raw not in SQUADS:
                raise ValueError(f"one of {', '.join(SQUADS)}")
            return raw
        if key == "mode":
            if raw not in MODES:
                raise ValueError(f"one of {', '.join(MODES)}")
            return raw
        if key == "families":
            if raw not in FAMILIES:
                raise ValueError(f"one of {', '.join(FAMILIES)}")
            return raw
        if key in ("pool", "seeders", "posts"):
            return int(raw)
        if key == "share":
            return float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        if key in ("negatives", "amplified"):
            return float(raw)
        if key == "campaign":
            if raw.casefold() not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError("true or false")
            return raw.casefold() in ("true", "yes", "1")
    except ValueError as e:
        raise _bad(f"{key}={raw!r}: expected {e}" if str(e).startswith("one of")
                   or str(e) == "true or false" else f"{key}={raw!r} is not a number") from None
    raise _bad(f"unknown key {key!r} (keys: {', '.join(f.name for f in fields(Scenario))})")


def check(sc: Scenario) -> None:
    """Raise InputError when a scenario's values are out of range."""
    if sc.share is not None and not 0 < sc.share < 1:
        raise _bad(f"share must be between 0 and 1 (got {sc.share:g})")
    if sc.pool is not None and not 2 <= sc.pool <= 200_000:
        raise _bad(f"pool must be between 2 and 200000 (got {sc.pool})")
    if sc.seeders is not None and not 1 <= sc.seeders <= 100_000:
        raise _bad(f"seeders must be between 1 and 100000 (got {sc.seeders})")
    if sc.posts is not None and not 1 <= sc.posts <= 10_000_000:
        raise _bad(f"posts must be between 1 and 10000000 (got {sc.posts})")
    if not 0 < sc.amplified <= 1:
        raise _bad(f"amplified must be above 0 and at most 1 (got {sc.amplified:g})")
    if not 0 <= sc.negatives <= 10:
        raise _bad(f"negatives must be between 0 and 10 (got {sc.negatives:g})")


def cell(name: str) -> Scenario:
    """The grid cell of that name (InputError if there is none)."""
    for n, sc in GRID:
        if n == name:
            return sc
    raise _bad(f"no grid cell {name!r} (cells: {', '.join(n for n, _ in GRID)})")
