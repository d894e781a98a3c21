"""Activity rhythm: when an account posts, its likely local time, and shapes people lack.

Every account's posts of its last `recent_days` of activity (a hijacked account's old life is
someone else's rhythm) are binned by UTC hour of the week (168 bins, Monday 00:00 first). Nothing
here assumes a time zone or a working time: the likely local time is the whole-hour UTC offset,
from -12 to +14, under which the profile best fits the **human day measured on real
populations** (`data/human_day.json`: German and Russian Twitter, 2021; quiet 01:00-06:00,
weekends alike), unless its week is an **office week** (weekday share above 5/7 by a binomial
test, a weekend day at most `max_weekend_ratio` of a weekday): then the busiest nine hours of its
day, whichever they are in UTC, are taken to be a working day centred on 13:00 local. The signal
fires on:

- `office_hours`: an office week with at least `office_in_hours_share` of posts inside the
  busiest nine hours — posting as a job (Meta kill chain 3.1.1). Measured (`docs/signals.md`):
  40 % of the Thai army accounts of the Thailand 2020 archive, 20 % of the IRA's 2016 accounts,
  4.9 % of German and 1.8 % of Russian Twitter accounts (2021, mostly organic);
- `regular_intervals`: gaps between posts so even (coefficient of variation below `max_cv`) that
  they look scheduled, not human (people post in bursts: CV well above 1);
- `fixed_minute`: at least `fixed_minute_share` of posts on one minute of the hour;
- `round_the_clock`: no quiet night: even the quietest six hours of the day hold at least
  `min_quiet_share` of the posts (accounts with 100 posts or more: 42 % of the IRA's against
  4.9 % of the German and none of the Russian accounts).

The helpers (`hour_of_week`, `network_hour_of_week`, `fit_time_zone`) are also what the report
uses for hour-of-week heatmaps of accounts and networks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import numpy as np

from .. import config
from .base import Fired, NotComputable, Signal, SignalContext, register
from .features import DAY_MS, binomial_sf, has_table, how_sql, noisy_or, rounded, rows

OFFSETS = tuple(range(-12, 15))
_PRECISE = ("us", "ms", "s")
_DATA = Path(__file__).parent / "data" / "human_day.json"
# A working day: its busiest SHIFT_HOURS (a day's work and a break) are taken to be centred on
# WORK_CENTRE_H local time (09:00-17:00 or 08:00-18:00 days, the common office hours).
SHIFT_HOURS = 9
WORK_CENTRE_H = 13.0
# The office-week shape: more posts on weekdays than 5/7 (binomial p below WEEK_ALPHA), and a
# weekend day holding at most MAX_WEEKEND_RATIO of a weekday's posts.
WEEK_ALPHA = 0.01
MAX_WEEKEND_RATIO = 0.25
WEIGHTS = {"office_hours": 0.5, "regular_intervals": 0.7, "fixed_minute": 0.4,
           "round_the_clock": 0.5}


@cache
def human_day() -> np.ndarray:
    """Share of a person's posts per local hour (0-23), measured on two real populations with
    known time zones (`data/human_day.json`, rebuilt by `bench/human_day.py`)."""
    day = np.array(json.loads(_DATA.read_text(encoding="utf-8"))["share_by_local_hour"])
    return day / day.sum()


@config.section("signals.activity_rhythm")
@dataclass
class ActivityRhythmParams:
    min_posts: int = config.param(12, "posts an account needs before its rhythm is judged")
    recent_days: int = config.param(
        365, "only posts within this many days before the account's last post are judged")
    office_alpha: float = config.param(
        WEEK_ALPHA, "office week: binomial p-value of the weekday share against 5/7 to beat")
    max_weekend_ratio: float = config.param(
        MAX_WEEKEND_RATIO, "office week: a weekend day holds at most this share of a weekday's "
                           "posts")
    office_in_hours_share: float = config.param(
        0.8, "office_hours: least share of posts within the busiest nine hours of the day")
    max_cv: float = config.param(
        0.15, "regular_intervals: largest coefficient of variation of the gaps between posts "
              "(needs times to the second)")
    fixed_minute_share: float = config.param(
        0.5, "fixed_minute: least share of posts on a single minute of the hour")
    round_clock_min_posts: int = config.param(
        100, "round_the_clock: posts needed before a missing night is judged")
    min_quiet_share: float = config.param(
        0.15, "round_the_clock: least share of posts in the quietest six hours of the day "
              "(0.25 if uniform; see docs/signals.md for real populations)")
    weights: dict = config.param(
        WEIGHTS, "strength of each rhythm finding (combined by noisy-OR; entries given replace "
                 "the defaults one by one)")


@dataclass(frozen=True)
class Fit:
    """The most likely local time of an hour-of-week profile, and the shape of its week."""

    offset_h: int
    template: str  # "human_day" or "office_week"
    loglik_per_post: float  # of the human day at its best offset
    weekday_share: float  # share of posts on local Monday-Friday (at offset_h)
    weekend_ratio: float  # posts per weekend day / posts per weekday
    shift_share: float  # share of posts in the busiest SHIFT_HOURS of the day
    shift_start_h: int  # local hour the busiest SHIFT_HOURS start at (at offset_h)

    def evidence(self) -> dict:
        return {"utc_offset": f"UTC{self.offset_h:+d}", "shape": self.template,
                "human_day_loglik_per_post": rounded(self.loglik_per_post, 3),
                "weekday_share": rounded(self.weekday_share, 3),
                # no weekday post at all: the ratio is unbounded, written as null
                "weekend_ratio": rounded(self.weekend_ratio, 3)
                if np.isfinite(self.weekend_ratio) else None,
                "busiest_9h_share": rounded(self.shift_share, 3),
                "busiest_9h_local": f"{self.shift_start_h:02d}:00-"
                                    f"{(self.shift_start_h + SHIFT_HOURS) % 24:02d}:00"}


def hour_of_week(con: duckdb.DuckDBPyConnection, account_ids: Iterable[str] | None = None,
                 min_posts: int = 1, recent_days: int | None = None) -> dict[str, np.ndarray]:
    """Posts per UTC hour of the week (168 bins, Monday 00:00 first) for each account with at
    least `min_posts` posts (all accounts, or the ones given), optionally only those within
    `recent_days` before the account's last post. Day-precision posts are left out."""
    where = "time_precision <> 'day'"
    params: list = []
    if account_ids is not None:
        ids = sorted(set(account_ids))
        if not ids:
            return {}
        where += " AND author_id IN (SELECT unnest(?))"
        params.append(ids)
    recent = "" if recent_days is None else \
        f"WHERE created_ms >= last_ms - {int(recent_days) * DAY_MS}"
    got = rows(con, f"""
        WITH r AS (SELECT author_id, created_ms,
                          max(created_ms) OVER (PARTITION BY author_id) AS last_ms
                   FROM posts WHERE {where})
        SELECT author_id, {how_sql()} AS how, count(*) FROM r {recent} GROUP BY ALL""", params)
    out: dict[str, np.ndarray] = {}
    for acc, how, n in got:
        if acc not in out:
            out[acc] = np.zeros(168)
        out[acc][how] = n
    return {a: h for a, h in sorted(out.items()) if h.sum() >= min_posts}


def network_hour_of_week(con: duckdb.DuckDBPyConnection, network_id: str) -> np.ndarray:
    """Posts per UTC hour of the week of all members of one network (from `memberships`)."""
    if not has_table(con, "memberships"):
        return np.zeros(168)
    members = [r[0] for r in rows(con, "SELECT DISTINCT account_id FROM memberships "
                                       "WHERE network_id = ?", [network_id])]
    return sum(hour_of_week(con, members).values(), np.zeros(168))


def local(profile: np.ndarray, offset_h: int) -> np.ndarray:
    """A UTC hour-of-week profile seen in local time UTC+offset_h."""
    return np.roll(profile, offset_h)


def _wrap(offset: int) -> int:
    """An offset in hours brought into -12..+14 (UTC+14 and UTC-10 are the same local hour)."""
    return offset if -12 <= offset <= 14 else (offset + 12) % 24 - 12


def fit_time_zones(profiles: dict[str, np.ndarray], week_alpha: float = WEEK_ALPHA,
                   max_weekend_ratio: float = MAX_WEEKEND_RATIO) -> dict[str, Fit]:
    """The most likely UTC offset and week shape of many profiles at once.

    Every profile is first fitted to the measured human day (`human_day()`, the same every day
    of the week) at each whole-hour offset from -12 to +14 (log-likelihood; ties go to the
    offset nearest UTC, then the lower one). A profile whose week is an office week — more
    weekday posts than 5/7 (binomial p below `week_alpha`) and a weekend day at most
    `max_weekend_ratio` of a weekday — is a job, not a day: its offset is the one that centres
    its busiest `SHIFT_HOURS` on `WORK_CENTRE_H` local time, whatever hours those are in UTC.
    """
    if not profiles:
        return {}
    accs = list(profiles)
    h = np.stack([profiles[a] for a in accs])  # accounts x 168
    n = h.sum(axis=1)
    order = sorted(range(len(OFFSETS)), key=lambda i: (abs(OFFSETS[i]), OFFSETS[i]))
    logt = np.log(np.tile(human_day(), 7))
    # local[k] = utc[k - o], so the log-template in UTC terms is rolled by -o.
    ll = h @ np.stack([np.roll(logt, -OFFSETS[i]) for i in order], axis=1)
    human = np.array([OFFSETS[order[i]] for i in ll.argmax(axis=1)])
    best_ll = ll.max(axis=1)
    day = h.reshape(len(accs), 7, 24).sum(axis=1)  # accounts x UTC hour of day
    window = np.stack([np.roll(day, -s, axis=1)[:, :SHIFT_HOURS].sum(axis=1)
                       for s in range(24)], axis=1)
    shift_utc = window.argmax(axis=1)
    out = {}
    for i, a in enumerate(accs):
        centre = shift_utc[i] + SHIFT_HOURS / 2
        work = _wrap(int(np.floor(WORK_CENTRE_H - centre + 0.5)))
        wd, _ = office_shares(h[i], work)
        ratio = (1 - wd) / 2 / (wd / 5) if wd else float("inf")
        office = ratio <= max_weekend_ratio and \
            binomial_sf(round(wd * n[i]), int(n[i]), 5 / 7) < week_alpha
        off = work if office else int(human[i])
        if not office:
            wd, _ = office_shares(h[i], off)
            ratio = (1 - wd) / 2 / (wd / 5) if wd else float("inf")
        out[a] = Fit(off, "office_week" if office else "human_day", float(best_ll[i] / n[i]),
                     float(wd), float(ratio), float(window[i, shift_utc[i]] / n[i]),
                     int((shift_utc[i] + off) % 24))
    return out


def fit_time_zone(profile: np.ndarray) -> Fit:
    """The most likely UTC offset and week shape of one hour-of-week profile."""
    return fit_time_zones({"": profile})[""]


def office_shares(profile: np.ndarray, offset_h: int) -> tuple[float, float]:
    """(share of posts on local weekdays, share on weekdays within 08:00-19:00 local)."""
    loc = local(profile, offset_h).reshape(7, 24)
    n = loc.sum()
    if not n:
        return 0.0, 0.0
    return float(loc[:5].sum() / n), float(loc[:5, 8:19].sum() / n)


def quietest_share(profile: np.ndarray, hours: int = 6) -> tuple[float, int]:
    """(share of posts, first UTC hour) of the quietest `hours`-long stretch of the day."""
    day = profile.reshape(7, 24).sum(axis=0)
    n = day.sum()
    sums = [sum(day[(s + k) % 24] for k in range(hours)) for s in range(24)]
    start = int(np.argmin(sums))
    return (float(sums[start] / n) if n else 0.0), start


def _interval_stats(con: duckdb.DuckDBPyConnection, min_posts: int) -> dict[str, tuple]:
    got = rows(con, f"""
        WITH d AS (
            SELECT author_id, created_ms - lag(created_ms) OVER (
                PARTITION BY author_id ORDER BY created_ms, post_id) AS dt
            FROM posts
            WHERE author_id IN (SELECT author_id FROM posts GROUP BY author_id
                                HAVING count(*) >= ? AND bool_and(time_precision IN
                                {_PRECISE!r}))
        )
        SELECT author_id, count(dt), avg(dt), stddev_samp(dt) FROM d WHERE dt IS NOT NULL
        GROUP BY author_id""", [min_posts])
    return {a: (n, mean, sd) for a, n, mean, sd in got}


def _minute_stats(con: duckdb.DuckDBPyConnection, min_posts: int) -> dict[str, tuple]:
    got = rows(con, """
        WITH m AS (SELECT author_id, (created_ms // 60000) % 60 AS minute, count(*) AS c
                   FROM posts WHERE time_precision <> 'hour' AND time_precision <> 'day'
                   GROUP BY ALL),
        t AS (SELECT author_id, sum(c) AS n, max(c) AS top FROM m GROUP BY author_id
              HAVING sum(c) >= ?)
        SELECT t.author_id, t.n, t.top, min(m.minute) FROM t JOIN m
            ON m.author_id = t.author_id AND m.c = t.top GROUP BY ALL""", [min_posts])
    return {a: (n, top, minute) for a, n, top, minute in got}


@register
class ActivityRhythm(Signal):
    """Office-hours shift work, machine regularity, or no night's rest."""

    name = "activity_rhythm"
    description = "posts on an office shift, at machine-regular times, or round the clock"
    disarm = ("T0049.001", "T0146.007")
    requires = ()

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: ActivityRhythmParams = self.params(ctx)
        if not rows(ctx.con, "SELECT 1 FROM posts WHERE time_precision <> 'day' LIMIT 1"):
            raise NotComputable("the case has no posts with times finer than a day")
        profiles = hour_of_week(ctx.con, min_posts=p.min_posts, recent_days=p.recent_days)
        fits = fit_time_zones(profiles, p.office_alpha, p.max_weekend_ratio)
        intervals = _interval_stats(ctx.con, p.min_posts)
        minutes = _minute_stats(ctx.con, p.min_posts)
        out = []
        for acc, prof in profiles.items():
            fit = fits[acc]
            found: dict[str, dict] = {}
            if fit.template == "office_week" and fit.shift_share >= p.office_in_hours_share:
                found["office_hours"] = {"weekday_share": rounded(fit.weekday_share, 3),
                                         "weekend_ratio": rounded(fit.weekend_ratio, 3),
                                         "busiest_9h_share": rounded(fit.shift_share, 3)}
            if acc in intervals:
                n, mean, sd = intervals[acc]
                if mean and sd is not None and sd / mean <= p.max_cv:
                    found["regular_intervals"] = {"intervals": n,
                                                  "mean_gap_s": rounded(mean / 1000, 1),
                                                  "cv": rounded(sd / mean, 3)}
            if acc in minutes:
                n, top, minute = minutes[acc]
                if top / n >= p.fixed_minute_share:
                    found["fixed_minute"] = {"minute": int(minute), "share": rounded(top / n, 3)}
            if prof.sum() >= p.round_clock_min_posts:
                q, start = quietest_share(prof)
                if q >= p.min_quiet_share:
                    found["round_the_clock"] = {"quietest_6h_share": rounded(q, 3),
                                                "quietest_from_utc_hour": start}
            if not found:
                continue
            strength = noisy_or({**WEIGHTS, **p.weights}.get(k, 0.0) for k in found)
            disarm = (("T0049.001",) if "office_hours" in found else ()) + (
                ("T0146.007",) if set(found) - {"office_hours"} else ())
            out.append(Fired(acc, strength, {
                "findings": found, "posts": int(prof.sum()), **fit.evidence()}, disarm))
        return out
