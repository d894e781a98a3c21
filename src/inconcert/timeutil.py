"""Time parsing and Snowflake ids: everything becomes integer epoch milliseconds in UTC.

Integer milliseconds are used everywhere after ingestion so that DuckDB and Spark compute the same
windows (engines disagree on fractional timestamps; integers they agree on).
"""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime

SNOWFLAKE_EPOCH_MS = 1288834974657
# The first Snowflake ids appeared on 2010-11-04; anything smaller is an old sequential id.
MIN_SNOWFLAKE_ID = 29_700_859_247_125_504
# Precision names, from finest to coarsest.
PRECISIONS = ("us", "ms", "s", "minute", "hour", "day")
_PRECISION_MS = {"us": 0, "ms": 1, "s": 1000, "minute": 60_000, "hour": 3_600_000,
                 "day": 86_400_000}

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|UTC|[+-]\d{2}:?\d{2})?$"
)
_US_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_TWITTER_RE = re.compile(
    r"^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}) (\d{4})$"
)
_MONTHS = {m: i + 1 for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])}


def precision_ms(precision: str) -> int:
    """Width of one unit of the named precision, in milliseconds."""
    return _PRECISION_MS[precision]


def _epoch_ms(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0,
              offset_min: int = 0) -> int:
    dt = datetime(y, mo, d, h, mi, s, us, tzinfo=UTC)
    return int(dt.timestamp()) * 1000 + us // 1000 - offset_min * 60_000


def _offset_minutes(tz: str | None) -> int:
    if not tz or tz in ("Z", "UTC"):
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4]))


def parse_time(value: str) -> tuple[int, str]:
    """Parse a timestamp string into (epoch ms UTC, precision).

    Accepts ISO 8601 (with or without offset; a missing offset means UTC), `YYYY-MM-DD HH:MM`,
    dates alone, `M/D/YYYY H:MM`, Twitter v1.1 `Wed Oct 10 20:19:24 +0000 2018` and Unix seconds
    or milliseconds. Raises ValueError with the offending value otherwise.
    """
    v = value.strip()
    if not v:
        raise ValueError("empty time")
    m = _ISO_RE.match(v)
    if m:
        y, mo, d, h, mi, s, frac, tz = m.groups()
        if h is None:
            return _epoch_ms(int(y), int(mo), int(d)), "day"
        us = 0
        precision = "minute"
        if s is not None:
            precision = "s"
            if frac:
                precision = "ms" if len(frac) <= 3 else "us"
                us = int(frac[:6].ljust(6, "0"))
        return (_epoch_ms(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), us,
                          _offset_minutes(tz)), precision)
    m = _TWITTER_RE.match(v)
    if m:
        mon, d, h, mi, s, tz, y = m.groups()
        if mon not in _MONTHS:
            raise ValueError(f"unparseable time {value!r}")
        return (_epoch_ms(int(y), _MONTHS[mon], int(d), int(h), int(mi), int(s), 0,
                          _offset_minutes(tz)), "s")
    m = _US_RE.match(v)
    if m:
        mo, d, y, h, mi, s = m.groups()
        if h is None:
            return _epoch_ms(int(y), int(mo), int(d)), "day"
        return (_epoch_ms(int(y), int(mo), int(d), int(h), int(mi), int(s or 0)),
                "s" if s else "minute")
    return parse_epoch(v)


def parse_epoch(value: str) -> tuple[int, str]:
    """Parse Unix seconds (int or float) or milliseconds (13+ digits) into (epoch ms, precision)."""
    v = value.strip()
    try:
        f = float(v)
    except ValueError:
        raise ValueError(f"unparseable time {value!r}") from None
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"unparseable time {value!r}")
    if v.isdigit() and len(v) >= 13:
        return int(v), "ms"
    if "." in v:
        return int(round(f * 1000)), "ms"
    return int(f) * 1000, "s"


def snowflake_ms(post_id: str | None) -> int | None:
    """Milliseconds encoded in an X/Twitter Snowflake id, or None for non-Snowflake ids."""
    if not post_id or not (post_id.isascii() and post_id.isdigit()):
        return None
    if len(post_id.lstrip("0")) > 19:  # beyond 2**63 (and int() refuses 4,300+ digits)
        return None
    n = int(post_id)
    if n < MIN_SNOWFLAKE_ID or n >= 1 << 63:
        return None
    return (n >> 22) + SNOWFLAKE_EPOCH_MS


def best_time(post_id: str | None, declared_ms: int | None,
              declared_precision: str | None) -> tuple[int | None, str | None, str]:
    """Choose a post's time: the Snowflake time when it agrees with the declared one.

    Returns (ms, precision, source) where source is `snowflake`, `declared` or
    `snowflake-unchecked` (no declared time to check against; used only for plausible ids).
    A Snowflake time agrees when it falls inside the declared time's unit (a tweet_time of
    `05:20` covers 05:20:00.000-05:20:59.999), with one second of slack for clock rounding.
    """
    sf = snowflake_ms(post_id)
    if declared_ms is None:
        if sf is not None:
            return sf, "ms", "snowflake-unchecked"
        return None, None, "none"
    if sf is not None and declared_precision is not None:
        unit = max(precision_ms(declared_precision), 1000)
        if declared_ms - 1000 <= sf < declared_ms + unit + 1000:
            return sf, "ms", "snowflake"
    return declared_ms, declared_precision, "declared"


# Epoch ms of 0001-01-01 and of 10000-01-01: datetime's range. Inside it a time of day is plain
# arithmetic and a day's text is formatted once (a case's times fall on few days); outside it
# datetime raises, as it always did.
_DAY_MS = 86_400_000
_MAX_MS = 253_402_300_800_000


@functools.lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, tz=UTC).strftime("%Y-%m-%d")


def iso_utc(ms: int | None) -> str:
    """ISO 8601 UTC text with milliseconds for an epoch-ms value ('' for None)."""
    if ms is None:
        return ""
    if type(ms) is int and 0 <= ms < _MAX_MS:
        day, t = divmod(ms, _DAY_MS)
        s, milli = divmod(t, 1000)
        h, s = divmod(s, 3600)
        m, s = divmod(s, 60)
        return f"{_day_text(day)}T{h:02d}:{m:02d}:{s:02d}.{milli:03d}Z"
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
