"""CSV output that is safe to open in a spreadsheet.

Every cell may hold attacker-written text. Cells that a spreadsheet would run as a formula (those
starting with `=`, `+`, `-`, `@`, tab, carriage return or line feed, after folding fullwidth and
other compatibility forms such as `＝` with NFKC) get a leading apostrophe, per OWASP's
CSV-injection guidance. A cell holding a carriage return, line feed, quote or comma is quoted: a
bare carriage return left unquoted would start a new row in every CSV reader. Ids stay text: they
are written as they are, never through a number.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def safe_cell(value: Any) -> str:  # noqa: ANN401 - any value a row may hold
    """A value as CSV cell text, neutralised if a spreadsheet would evaluate it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    s = str(value)
    if not s:
        return s
    # Only the first characters decide; NFKC folds `＝`, `﹢`, `＠` ... to their ASCII forms.
    lead = unicodedata.normalize("NFKC", s[:8]).lstrip(" ")
    if lead.startswith(_DANGEROUS) and not _is_number(s):
        return "'" + s
    return s


def _is_number(s: str) -> bool:
    # Negative numbers (scores, offsets) are data, not formulas; float() would also take
    # surrounding whitespace, other scripts' digits and `-inf`, so match the form exactly.
    return _NEGATIVE_NUMBER.fullmatch(s) is not None


class SafeWriter:
    """Writes rows with every cell neutralised. Python's csv module quotes a cell holding the
    line terminator's characters only, so a row with a carriage return in any cell is written
    with every cell quoted (still one row to every reader)."""

    def __init__(self, f: TextIO) -> None:
        self._minimal = csv.writer(f, lineterminator="\n")
        self._all = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row: Sequence[Any]) -> None:
        """Write one row (a header too: its names pass the same guard)."""
        cells = [safe_cell(v) for v in row]
        (self._all if any("\r" in c for c in cells) else self._minimal).writerow(cells)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows under a header with every cell neutralised; returns the number of rows."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = SafeWriter(f)
        w.writerow(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n
