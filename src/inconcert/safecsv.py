"""CSV output that is safe to open in a spreadsheet.

Every cell may hold attacker-written text. Cells that a spreadsheet would run as a formula (those
starting with `=`, `+`, `-`, `@`, tab or carriage return) get a leading apostrophe, per OWASP's
CSV-injection guidance. Ids stay text: they are written as they are, never through a number.

Id columns (named by the writer in `ids`) are join keys: an apostrophe would stop them joining
back to the source (7 of 926 hashed Thai account ids begin with `+`). An id made only of the
characters of platform ids, handles and base64 hashes cannot call a function or open a DDE link,
so it is written exactly; any other id is neutralised like free text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_ID = re.compile(r"[A-Za-z0-9_+/.:-][A-Za-z0-9_+/=.:-]*\Z")


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


def id_cell(value: Any) -> str:
    """An id as CSV cell text: exactly as given when it is a plain id (letters, digits and
    `_+/=.:-`, not starting with `=`), otherwise neutralised like any cell."""
    if value is None:
        return ""
    s = str(value)
    return s if _PLAIN_ID.match(s) else safe_cell(s)


def _is_number(s: str) -> bool:
    # Negative numbers (scores, offsets) are data, not formulas.
    try:
        float(s)
    except ValueError:
        return False
    return s[0] == "-" and s[1:2].isdigit()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
              ids: Collection[str] = ()) -> int:
    """Write rows under a header with every cell neutralised, except that the columns named
    in `ids` keep plain ids exact (`id_cell`); returns the number of rows."""
    cell = [id_cell if h in ids else safe_cell for h in header]
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow([c(v) for c, v in zip(cell, row, strict=True)])
            n += 1
    return n
