"""Small shared pieces of the account signals: table checks, time bins, statistics.

Times are integer epoch milliseconds (see `timeutil`), so hour and day bins are integer
arithmetic that DuckDB and Python agree on exactly.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import duckdb

from ..timeutil import iso_utc

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
# 1970-01-01 was a Thursday: adding three days of hours makes bin 0 Monday 00:00.
MONDAY_SHIFT_H = 72
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None
         ) -> list[tuple]:
    """Run a query and return all its rows (DuckDB wants results consumed at once)."""
    return con.execute(sql, params or []).fetchall()


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when the case database holds a table or view of that name."""
    return bool(rows(con, "SELECT 1 FROM information_schema.tables WHERE table_name = ?",
                     [name]))


def how_sql(col: str = "created_ms", offset_h: int = 0) -> str:
    """SQL for the hour-of-week bin (0 = Monday 00:00) of an epoch-ms column, shifted by a UTC
    offset in hours."""
    return (f"CAST(((({col}) // {HOUR_MS} + {MONDAY_SHIFT_H + offset_h}) % 168 + 168) % 168 "
            "AS INTEGER)")


def day_iso(ms: int) -> str:
    """The UTC date (YYYY-MM-DD) of an epoch-ms time."""
    return iso_utc(ms)[:10]


def hour_iso(ms: int) -> str:
    """The UTC hour (YYYY-MM-DDTHH:00Z) of an epoch-ms time."""
    return iso_utc(ms)[:13] + ":00Z"


def poisson_sf(k: int, lam: float) -> float:
    """P(X >= k) for X ~ Poisson(lam): how surprising k events are at background rate lam."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    if k <= lam:  # the lower tail is the shorter sum here
        lower = sum(math.exp(-lam + j * math.log(lam) - math.lgamma(j + 1)) for j in range(k))
        return max(0.0, 1.0 - lower)
    # Sum the upper tail in log space: k can be far above lam, and the terms fall fast.
    log_term = -lam + k * math.log(lam) - math.lgamma(k + 1)
    total = 0.0
    i = k
    while True:
        total += math.exp(log_term)
        i += 1
        log_term += math.log(lam) - math.log(i)
        if math.exp(log_term) <= total * 1e-12:
            return min(1.0, total)


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    return min(1.0, sum(math.exp(math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
                                 + i * lp + (n - i) * lq) for i in range(k, n + 1)))


def tvd(a: Counter, b: Counter) -> float:
    """Total variation distance between two count distributions (0 same, 1 disjoint)."""
    na, nb = sum(a.values()), sum(b.values())
    if not na or not nb:
        return 0.0
    return 0.5 * sum(abs(a[k] / na - b[k] / nb) for k in set(a) | set(b))


def shares(counts: Counter, top: int = 3) -> dict[str, float]:
    """The most frequent values with their share, for evidence (ties broken by value)."""
    n = sum(counts.values())
    items = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[:top]
    return {str(k): round(v / n, 3) for k, v in items} if n else {}


def rounded(x: float, nd: int = 4) -> float:
    """A float rounded for evidence, so outputs are byte-stable."""
    return round(float(x), nd)


def noisy_or(parts: Iterable[float]) -> float:
    """Combine independent pieces of evidence in [0, 1]: 1 - prod(1 - p)."""
    out = 1.0
    for p in parts:
        out *= 1.0 - min(1.0, max(0.0, p))
    return 1.0 - out


# Unicode blocks of the scripts that tell a language family apart from Latin text.
_SCRIPTS = (
    ("kana", ((0x3040, 0x30FF),)),
    ("han", ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0xF900, 0xFAFF))),
    ("hangul", ((0xAC00, 0xD7AF), (0x1100, 0x11FF))),
    ("cyrillic", ((0x0400, 0x04FF),)),
    ("arabic", ((0x0600, 0x06FF), (0x0750, 0x077F))),
    ("hebrew", ((0x0590, 0x05FF),)),
    ("greek", ((0x0370, 0x03FF),)),
    ("thai", ((0x0E00, 0x0E7F),)),
    ("devanagari", ((0x0900, 0x097F),)),
    ("latin", ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F))),
)
_SCRIPT_RES = tuple(
    (name, re.compile("[" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in ranges) + "]"))
    for name, ranges in _SCRIPTS)
# Languages written in each non-Latin script.
SCRIPT_LANGS = {
    "kana": ("ja",), "han": ("zh", "ja"), "hangul": ("ko",),
    "cyrillic": ("ru", "uk", "bg", "sr", "be", "kk", "mk", "mn"),
    "arabic": ("ar", "fa", "ur", "ps"), "hebrew": ("he", "yi"), "greek": ("el",),
    "thai": ("th",), "devanagari": ("hi", "mr", "ne"),
}


def script_of(text: str | None) -> str | None:
    """The dominant script of a text ('han', 'cyrillic', 'latin', ...), None without letters.

    Japanese mixes kana into Han, so any kana makes a Han-dominant text 'kana'.
    """
    if not text:
        return None
    counts = {}
    for name, pattern in _SCRIPT_RES:
        n = len(pattern.findall(text))
        if n:
            # One CJK character carries about a word: count it as two letters.
            counts[name] = 2 * n if name in ("han", "kana", "hangul") else n
    if not counts:
        return None
    top = max(sorted(counts), key=lambda k: counts[k])
    if top == "han" and "kana" in counts:
        return "kana"
    return top


def base_lang(code: str | None) -> str | None:
    """A language tag reduced to its primary subtag ('zh-cn' -> 'zh'); None for no language."""
    if not code:
        return None
    c = code.strip().lower().replace("_", "-").split("-")[0]
    return c or None
