"""The simulated platform's two tables (accounts, posts) and the clocks and ids they use.

Generators append columns in bulk; the writer turns them into files. Posts refer to each other by
their index in the post table, so a reshare can be made before ids exist; Snowflake ids are
derived from each post's millisecond time when the platform is finished.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from ..timeutil import MIN_SNOWFLAKE_ID, SNOWFLAKE_EPOCH_MS

ORIGINAL, RESHARE, REPLY, QUOTE = 0, 1, 2, 3
KIND_NAMES = ("original", "reshare", "reply", "quote")
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
# Tweets before this day have sequential ids, not Snowflakes; simulated histories start after.
FIRST_SNOWFLAKE_DAY = ((MIN_SNOWFLAKE_ID >> 22) + SNOWFLAKE_EPOCH_MS) // DAY_MS + 1


def day_number(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a UTC date."""
    return int(datetime(y, m, d, tzinfo=UTC).timestamp()) // 86_400


@dataclass
class Accounts:
    """Every simulated account, written or not (external accounts are only referenced)."""

    cols: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in ACCOUNT_COLS})

    def __len__(self) -> int:
        return len(self.cols["handle"])

    def add(self, **columns: Sequence[Any]) -> np.ndarray:
        """Append accounts given as equal-length columns; returns their indices."""
        n = len(columns["handle"])
        start = len(self)
        for k in ACCOUNT_COLS:
            v = columns.get(k)
            if v is None:
                self.cols[k].extend([ACCOUNT_DEFAULTS[k]] * n)
            else:
                if len(v) != n:
                    raise ValueError(f"account column {k} has {len(v)} values, expected {n}")
                self.cols[k].extend(v.tolist() if isinstance(v, np.ndarray) else v)
        return np.arange(start, start + n, dtype=np.int64)

    def array(self, name: str, dtype: Any = np.int64) -> np.ndarray:
        return np.asarray(self.cols[name], dtype=dtype)


# Account columns: profile (written), behaviour (used by generators) and ground truth.
ACCOUNT_DEFAULTS: dict[str, Any] = {
    "uid": 0, "handle": "", "name": "", "location": "", "bio": "", "url": "", "followers": 0,
    "following": 0, "created_ms": 0, "lang": "en", "written": True, "tz_min": 0,
    "client": "Twitter for iPhone", "popularity": 1.0, "label": "organic", "role": "organic",
    "group": "", "traits": "", "rhythm": "human", "office_start": 9,
}
ACCOUNT_COLS = tuple(ACCOUNT_DEFAULTS)


@dataclass
class Posts:
    """Every simulated post: the written ones and the external originals they reshare."""

    ms: list[np.ndarray] = field(default_factory=list)
    author: list[np.ndarray] = field(default_factory=list)
    kind: list[np.ndarray] = field(default_factory=list)
    ref: list[np.ndarray] = field(default_factory=list)
    written: list[np.ndarray] = field(default_factory=list)
    text: list[str | None] = field(default_factory=list)  # None: derived (reshares)
    lang: list[str] = field(default_factory=list)
    client: list[str] = field(default_factory=list)
    hashtags: list[list[str] | None] = field(default_factory=list)
    urls: list[list[str] | None] = field(default_factory=list)
    mentions: list[list[int] | None] = field(default_factory=list)
    media: list[tuple[str, ...] | None] = field(default_factory=list)
    # ground truth for campaign posts: (narrative, template) or None
    truth: list[tuple[str, str] | None] = field(default_factory=list)
    n: int = 0

    def add(self, ms: np.ndarray, author: np.ndarray, kind: np.ndarray | int,
            text: Sequence[str | None], lang: Sequence[str] | str,
            client: Sequence[str] | str,
            ref: np.ndarray | None = None, written: bool = True,
            hashtags: list[list[str] | None] | None = None,
            urls: list[list[str] | None] | None = None,
            mentions: list[list[int] | None] | None = None,
            media: list[tuple[str, ...] | None] | None = None,
            truth: list[tuple[str, str] | None] | None = None) -> np.ndarray:
        """Append posts; returns their indices. Per-post columns may be given as one value."""
        k = len(text)
        ms = np.asarray(ms, dtype=np.int64)
        if len(ms) != k or len(author) != k:
            raise ValueError("posts: columns of different lengths")
        start = self.n
        self.ms.append(ms)
        self.author.append(np.asarray(author, dtype=np.int64))
        self.kind.append(np.broadcast_to(np.asarray(kind, dtype=np.int8), (k,)).copy())
        self.ref.append(np.full(k, -1, np.int64) if ref is None
                        else np.asarray(ref, dtype=np.int64))
        self.written.append(np.full(k, written))
        self.text.extend(text)
        self.lang.extend([lang] * k if isinstance(lang, str) else lang)
        self.client.extend([client] * k if isinstance(client, str) else client)
        none: list[Any] = [None] * k
        self.hashtags.extend(hashtags if hashtags is not None else none)
        self.urls.extend(urls if urls is not None else none)
        self.mentions.extend(mentions if mentions is not None else none)
        self.media.extend(media if media is not None else none)
        self.truth.extend(truth if truth is not None else none)
        self.n += k
        return np.arange(start, start + k, dtype=np.int64)

    def column(self, name: str) -> np.ndarray:
        parts = getattr(self, name)
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def unique_ids(ids: np.ndarray) -> np.ndarray:
    """Make ids unique by adding 1 to later duplicates, keeping the order of first appearance."""
    ids = ids.copy()
    while True:
        order = np.argsort(ids, kind="stable")
        s = ids[order]
        dup = np.flatnonzero(s[1:] == s[:-1]) + 1
        if len(dup) == 0:
            return ids
        ids[order[dup]] += 1


# (date, approximate user id) anchors: before mid-2016 X user ids were sequential.
_UID_ANCHORS = (
    (day_number(2006, 7, 1), 1_000), (day_number(2007, 1, 1), 1_000_000),
    (day_number(2008, 1, 1), 12_000_000), (day_number(2009, 1, 1), 19_000_000),
    (day_number(2009, 7, 1), 60_000_000), (day_number(2010, 1, 1), 100_000_000),
    (day_number(2011, 1, 1), 240_000_000), (day_number(2012, 1, 1), 460_000_000),
    (day_number(2013, 1, 1), 1_100_000_000), (day_number(2014, 1, 1), 2_300_000_000),
    (day_number(2015, 1, 1), 2_950_000_000), (day_number(2016, 1, 1), 4_700_000_000),
    (day_number(2016, 5, 1), 4_900_000_000),
)
_SNOWFLAKE_UID_FROM_MS = _UID_ANCHORS[-1][0] * DAY_MS


def user_ids(created_ms: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Numeric user ids consistent with creation times: sequential-looking before mid-2016,
    Snowflakes of the creation millisecond after (so a batch created together has close ids)."""
    created_ms = np.asarray(created_ms, dtype=np.int64)
    days = created_ms / DAY_MS
    xs = np.array([a for a, _ in _UID_ANCHORS], dtype=np.float64)
    ys = np.array([b for _, b in _UID_ANCHORS], dtype=np.float64)
    seq = np.interp(days, xs, ys).astype(np.int64) + rng.integers(0, 40_000, len(days))
    machine = rng.integers(0, 1024, len(days), dtype=np.int64)
    snow = ((created_ms - SNOWFLAKE_EPOCH_MS) << 22) | (machine << 12)
    return np.where(created_ms >= _SNOWFLAKE_UID_FROM_MS, snow, seq)


# Hour-of-day weights (local time) for people: quiet nights, evening peak, later weekends.
HUMAN_WEEKDAY = np.array([3, 2, 1.2, .8, .6, .7, 1.5, 3, 4.5, 5, 5, 5.2, 5.8, 5.5, 5, 5, 5.3,
                          5.8, 6.5, 7.2, 7.8, 7.6, 6.5, 4.8])
HUMAN_WEEKEND = np.array([4, 3, 2, 1.2, .8, .7, .9, 1.6, 3, 4.5, 5.5, 6, 6.3, 6.2, 6, 5.8, 5.8,
                          6, 6.5, 7, 7.5, 7.5, 6.8, 5.5])
# An office: 09:00-18:00 with a lunch dip, some overtime in the evening, almost nothing at night.
OFFICE_WEEKDAY = np.array([.01, .01, .01, .01, .01, .01, .02, .05, .5, 5, 6, 6, 1.0, 2.2, 6,
                           6, 6, 5.5, .8, .7, .6, .4, .1, .01])
OFFICE_WEEKEND = OFFICE_WEEKDAY


def local_times(rng: np.random.Generator, tz_min: np.ndarray, day_lo: np.ndarray,
                day_hi: np.ndarray, weekday: np.ndarray, weekend: np.ndarray,
                weekend_factor: float = 1.0, shift_min: np.ndarray | None = None) -> np.ndarray:
    """UTC epoch ms of events drawn from an hourly rhythm in each event's own time zone.

    Each event gets a local day in [day_lo, day_hi) (weekend days kept with probability
    `weekend_factor` relative to weekdays), a local hour from the weekday or weekend profile and a
    uniform position inside the hour, shifted by `shift_min` (a person's chronotype).
    """
    n = len(tz_min)
    day_lo = np.broadcast_to(np.asarray(day_lo, np.int64), (n,))
    day_hi = np.broadcast_to(np.asarray(day_hi, np.int64), (n,))
    span = np.maximum(day_hi - day_lo, 1)
    days = day_lo + (rng.random(n) * span).astype(np.int64)
    if weekend_factor < 1.0:
        todo = np.flatnonzero(_is_weekend(days) & (rng.random(n) > weekend_factor))
        for _ in range(30):
            if len(todo) == 0:
                break
            days[todo] = day_lo[todo] + (rng.random(len(todo)) * span[todo]).astype(np.int64)
            again = _is_weekend(days[todo]) & (rng.random(len(todo)) > weekend_factor)
            todo = todo[again]
    wkend = _is_weekend(days)
    hours = np.where(wkend, _draw_hours(rng, weekend, n), _draw_hours(rng, weekday, n))
    tod = hours * HOUR_MS + rng.integers(0, HOUR_MS, n)
    if shift_min is not None:
        tod = (tod + np.asarray(shift_min, np.int64) * MINUTE_MS) % DAY_MS
    return days * DAY_MS + tod - np.asarray(tz_min, np.int64) * MINUTE_MS


def _is_weekend(days: np.ndarray) -> np.ndarray:
    # 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
    return (days + 3) % 7 >= 5


def _draw_hours(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    cdf = np.cumsum(weights) / weights.sum()
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), 23).astype(np.int64)


def sessions(rng: np.random.Generator, owner: np.ndarray, ms: np.ndarray,
             p_continue: float, mean_gap_s: float) -> np.ndarray:
    """Make activity bursty: a post continues its author's previous post's session with
    probability `p_continue`, following it after an exponential gap, as people do."""
    order = np.lexsort((ms, owner))
    o, t = owner[order], ms[order].copy()
    cont = rng.random(len(o)) < p_continue
    cont[0] = False
    cont[1:] &= o[1:] == o[:-1]
    gap = (rng.exponential(mean_gap_s * 1000, len(o)) + 2000).astype(np.int64)
    gap[~cont] = 0
    start = np.where(cont, 0, np.arange(len(o)))
    start = np.maximum.accumulate(start)
    csum = np.cumsum(gap)
    t = t[start] + csum - csum[start]
    out = np.empty_like(ms)
    out[order] = t
    return out


def weighted_choice(rng: np.random.Generator, weights: np.ndarray, size: int) -> np.ndarray:
    """Indices drawn with probability proportional to weights."""
    cdf = np.cumsum(weights, dtype=np.float64)
    return np.minimum(np.searchsorted(cdf, rng.random(size) * cdf[-1], side="right"),
                      len(weights) - 1)


_TCO_ALPHABET = np.frombuffer(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", dtype=np.uint8)


def tco(rng: np.random.Generator, n: int) -> list[str]:
    """Short t.co links as they appear in tweet text."""
    codes = _TCO_ALPHABET[rng.integers(0, len(_TCO_ALPHABET), (n, 10))]
    return ["https://t.co/" + c.decode() for c in codes.view("S10").ravel().tolist()]


def pick(rng: np.random.Generator, items: Sequence[Any], n: int) -> list[Any]:
    """n items drawn uniformly with replacement."""
    idx = rng.integers(0, len(items), n)
    return [items[i] for i in idx]


def pick_weighted(rng: np.random.Generator, items: Sequence[tuple[Any, float]],
                  n: int) -> list[Any]:
    """n items drawn by weight from (item, weight) pairs."""
    w = np.array([x[1] for x in items], dtype=np.float64)
    idx = weighted_choice(rng, w, n)
    return [items[i][0] for i in idx]


def rt_text(handle: str, text: str) -> str:
    """A retweet's text: the `RT @handle:` prefix and the original, cut at 140 characters."""
    t = f"RT @{handle}: {text}"
    return t if len(t) <= 140 else t[:139] + "…"
