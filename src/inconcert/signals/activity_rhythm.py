"""Activity rhythm: when an account posts, its likely working time zone, and shapes people lack.

Every account's posts of its last `recent_days` of activity (a hijacked account's old life is
someone else's rhythm) are binned by UTC hour of the week (168 bins, Monday 00:00 first). The
likely time zone is the whole-hour UTC offset, from -12 to +14, under which the profile best fits
one of two fixed shapes (log-likelihood): an everyday human day (quiet 01:00-06:00 local, busiest
in the evening, weekends alike) or an office week (weekdays 09:00-18:00 with a lunch dip, little at
night or at weekends). The signal fires on:

- `office_hours`: the office week fits best, more posts fall on local weekdays than chance would
  put there (binomial test against 5/7, p below `office_alpha`) and at least
  `office_in_hours_share` fall inside 08:00-19:00 local on weekdays — the shift pattern of staff
  posting as a job (Meta kill chain 3.1.1);
- `regular_intervals`: gaps between posts so even (coefficient of variation below `max_cv`) that
  they look scheduled, not human (people post in bursts: CV well above 1);
- `fixed_minute`: at least `fixed_minute_share` of posts on one minute of the hour;
- `round_the_clock`: no quiet night: even the quietest six hours of the day hold at least
  `min_quiet_share` of the posts.

The helpers (`hour_of_week`, `network_hour_of_week`, `fit_time_zone`) are also what the report
uses for hour-of-week heatmaps of accounts and networks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import numpy as np

from .. import config
from .base import Fired, NotComputable, Signal, SignalContext, register
from .features import DAY_MS, binomial_sf, has_table, how_sql, noisy_or, rounded, rows

OFFSETS = tuple(range(-12, 15))
_PRECISE = ("us", "ms", "s")


def _human_day() -> np.ndarray:
    # A typical day of posting by one person, local hours 0-23 (quiet at night, evening peak).
    day = np.array([3, 2, 1.2, 0.8, 0.6, 0.7, 1.2, 2.5, 3.5, 4, 4.2, 4.3, 4.5, 4.3, 4.2, 4.3,
                    4.5, 4.7, 5, 5.3, 5.6, 5.8, 5.3, 4.2])
    week = np.tile(day, 7)
    return week / week.sum()


def _office_week() -> np.ndarray:
    week = np.full(168, 0.2)
    for d in range(5):
        base = d * 24
        week[base + 9: base + 18] = 10.0
        week[base + 12] = 6.0  # lunch
        week[base + 8] = week[base + 18] = 3.0
    return week / week.sum()


TEMPLATES = {"human_day": _human_day(), "office_week": _office_week()}
WEIGHTS = {"office_hours": 0.5, "regular_intervals": 0.7, "fixed_minute": 0.4,
           "round_the_clock": 0.5}


@config.section("signals.activity_rhythm")
@dataclass
class ActivityRhythmParams:
    min_posts: int = config.param(12, "posts an account needs before its rhythm is judged")
    recent_days: int = config.param(
        365, "only posts within this many days before the account's last post are judged")
    office_alpha: float = config.param(
        0.01, "office_hours: binomial p-value of the weekday share against 5/7 to beat")
    office_in_hours_share: float = config.param(
        0.8, "office_hours: least share of posts within 08:00-19:00 local on weekdays")
    max_cv: float = config.param(
        0.15, "regular_intervals: largest coefficient of variation of the gaps between posts "
              "(needs times to the second)")
    fixed_minute_share: float = config.param(
        0.5, "fixed_minute: least share of posts on a single minute of the hour")
    round_clock_min_posts: int = config.param(
        100, "round_the_clock: posts needed before a missing night is judged")
    min_quiet_share: float = config.param(
        0.12, "round_the_clock: least share of posts in the quietest six hours of the day "
              "(0.25 if uniform; people: well under 0.05)")
    weights: dict = config.param(
        WEIGHTS, "strength of each rhythm finding (combined by noisy-OR; entries given replace "
                 "the defaults one by one)")


@dataclass(frozen=True)
class Fit:
    """The most likely working time zone of an hour-of-week profile."""

    offset_h: int
    template: str
    loglik_per_post: float  # of the best fit
    other_loglik_per_post: float  # of the best fit with the other template

    def evidence(self) -> dict:
        return {"utc_offset": f"UTC{self.offset_h:+d}", "shape": self.template,
                "loglik_per_post": rounded(self.loglik_per_post, 3),
                "other_shape_loglik_per_post": rounded(self.other_loglik_per_post, 3)}


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


def fit_time_zones(profiles: dict[str, np.ndarray]) -> dict[str, Fit]:
    """The most likely UTC offset and shape for many profiles at once (ties: the offset nearest
    UTC, then the lower one)."""
    if not profiles:
        return {}
    accs = list(profiles)
    h = np.stack([profiles[a] for a in accs])  # accounts x 168
    n = h.sum(axis=1)
    order = sorted(range(len(OFFSETS)), key=lambda i: (abs(OFFSETS[i]), OFFSETS[i]))
    best: dict[str, tuple[float, int]] = {}
    lls = {}
    for name, tpl in TEMPLATES.items():
        # local[k] = utc[k - o], so the log-template in UTC terms is rolled by -o.
        logt = np.stack([np.roll(np.log(tpl), -OFFSETS[i]) for i in order], axis=1)
        ll = h @ logt  # accounts x offsets (in tie-break order)
        lls[name] = ll
        idx = ll.argmax(axis=1)  # first maximum = preferred offset among ties
        best[name] = (ll[np.arange(len(accs)), idx], np.array([OFFSETS[order[i]] for i in idx]))
    out = {}
    for i, a in enumerate(accs):
        hd, ow = best["human_day"][0][i], best["office_week"][0][i]
        name, other = ("office_week", hd) if ow > hd else ("human_day", ow)
        out[a] = Fit(int(best[name][1][i]), name, float(max(hd, ow) / n[i]), float(other / n[i]))
    return out


def fit_time_zone(profile: np.ndarray) -> Fit:
    """The most likely UTC offset and shape of one hour-of-week profile."""
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
        fits = fit_time_zones(profiles)
        intervals = _interval_stats(ctx.con, p.min_posts)
        minutes = _minute_stats(ctx.con, p.min_posts)
        out = []
        for acc, prof in profiles.items():
            fit = fits[acc]
            found: dict[str, dict] = {}
            wd, inh = office_shares(prof, fit.offset_h)
            n_posts = int(prof.sum())
            wd_p = binomial_sf(round(wd * n_posts), n_posts, 5 / 7)
            if fit.template == "office_week" and wd_p < p.office_alpha \
                    and inh >= p.office_in_hours_share:
                found["office_hours"] = {"weekday_share": rounded(wd, 3),
                                         "weekday_p_value": float(f"{wd_p:.3g}"),
                                         "in_hours_share": rounded(inh, 3)}
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
