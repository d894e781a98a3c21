"""Bounds on the numbers the platform readers store: the canonical tables hold counts and times
as 64-bit integers, and hostile JSON can hold any integer (`1e30` likes, a `time_us` past the
year 10^15), which must become "no value" or a quarantined row, never a crash at insert time."""

from __future__ import annotations

from typing import Any

from ..values import to_int

# Far inside int64, so that later window arithmetic (t + W) cannot overflow either.
MAX_MS = 1 << 62


def count(v: Any) -> int | None:  # noqa: ANN401 - cells and JSON values alike
    """A count (`to_int`), or None when it does not fit a 64-bit integer."""
    n = to_int(v)
    return n if n is not None and -(1 << 63) <= n < (1 << 63) else None


def in_range(ms: int | None) -> int | None:
    """An epoch-ms time, or None when it lies beyond what the tables can hold and compare."""
    return ms if ms is not None and -MAX_MS < ms < MAX_MS else None
