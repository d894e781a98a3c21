"""Limits on what one input may cost or hold, so that a hostile or broken file ends in a clear
exit 2 (or its rows in quarantine) instead of unbounded time or memory.

Each limit has a documented default (docs/reliability.md) and is overridden on the command line
with `--limit name=value` (repeatable), or in code by passing a `Limits` to `ingest_paths`.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

from ..errors import InputError
from ..timeutil import parse_time

DAY_MS = 86_400_000
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


@dataclass(frozen=True)
class Limits:
    """Per-source limits; see docs/reliability.md for what exceeding each one gets."""

    # Decompressed bytes per compressed byte of a .gz file or zip member (real archives: 3-10),
    # enforced once the decompressed output passes `ratio_floor_bytes`.
    max_ratio: float = 100.0
    ratio_floor_bytes: int = 64 << 20
    # Rows (records) one source may hold.
    max_rows: int = 200_000_000
    # Characters one CSV field, JSON string or id may hold.
    max_field: int = 1_000_000
    max_id: int = 256
    # Files in one zip archive.
    max_members: int = 1_000
    # Post times (and account creation times) outside [earliest, now + future_days] are
    # quarantined: a year-0 or year-33658 time is a broken value, not a post.
    earliest: str = "2000-01-01"
    future_days: float = 1.0

    @property
    def earliest_ms(self) -> int:
        """`earliest` as epoch milliseconds."""
        return parse_time(self.earliest)[0]

    def latest_ms(self) -> int:
        """The latest plausible time: now plus `future_days`."""
        return int(time.time() * 1000 + self.future_days * DAY_MS)

    @classmethod
    def parse(cls, settings: list[str]) -> Limits:
        """Limits with `name=value` overrides; InputError names a setting that is not one."""
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, object] = {}
        for s in settings:
            name, eq, raw = s.partition("=")
            name = name.strip().replace("-", "_")
            if not eq or name not in fields:
                raise InputError(f"--limit {s!r}: expected name=value with a name among "
                                 + ", ".join(fields))
            kind = type(getattr(cls, name))
            try:
                value = kind(raw.strip())
            except ValueError:
                raise InputError(f"--limit {s!r}: {raw.strip()!r} is not a {kind.__name__}"
                                 ) from None
            if kind is not str and value <= 0:  # type: ignore[operator]
                raise InputError(f"--limit {s!r}: must be positive")
            values[name] = value
        limits = cls(**values)  # type: ignore[arg-type]
        try:
            limits.earliest_ms  # noqa: B018 - validates the date now, not mid-ingest
        except ValueError:
            raise InputError(f"--limit earliest={limits.earliest!r}: not a date") from None
        return limits
