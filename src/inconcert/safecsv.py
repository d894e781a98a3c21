"""CSV output that is safe to open in a spreadsheet.

Every cell may hold attacker-written text. Cells that a spreadsheet would run as a formula (those
starting with `=`, `+`, `-`, `@`, tab or carriage return) get a leading apostrophe, per OWASP's
CSV-injection guidance. Ids stay text: they are written as they are, never through a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A value as CSV cell text, neutralised if a spreadsheet would evaluate it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    s = str(value)
    if s.startswith(_DANGEROUS) and not _is_number(s):
        return "'" + s
    return s


def _is_number(s: str) -> bool:
    # Negative numbers (scores, offsets) are data, not formulas.
    try:
        float(s)
    except ValueError:
        return False
    return s[0] == "-" and s[1:2].isdigit()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows under a header with every cell neutralised; returns the number of rows."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([safe_cell(v) for v in row])
            n += 1
    return n
