"""CSV output that is safe to open in a spreadsheet.

Every cell may hold attacker-written text. Cells that a spreadsheet would run as a formula (those
starting with `=`, `+`, `-`, `@`, tab, carriage return or line feed, after folding fullwidth and
other compatibility forms such as `＝` with NFKC) get a leading apostrophe, per OWASP's
CSV-injection guidance. A cell holding a carriage return, line feed, quote or comma is quoted: a
bare carriage return left unquoted would start a new row in every CSV reader. Ids stay text: they
are written as they are, never through a number.

Id columns (named by the writer in `ids`) are join keys: an apostrophe would stop them joining
back to the source (7 of 926 hashed Thai account ids begin with `+`). An id made only of the
characters of platform ids, handles and base64 hashes cannot call a function or open a DDE link,
so it is written exactly; any other id is neutralised like free text.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import pyarrow as pa
import pyarrow.compute as pc

from .arrowtext import SLICE, text_column, write_texts

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n")
_NEGATIVE_NUMBER = re.compile(r"-[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_PLAIN_ID = re.compile(r"[A-Za-z0-9_+/.:-][A-Za-z0-9_+/=.:-]*\Z")
# The same tests for Arrow's RE2: a cell `safe_cell` might change (led by a non-ASCII
# character, a space or a dangerous one; every other cell it leaves as it is), and a plain id.
_SUSPECT_RE2 = r"\A(?:[^\x{0}-\x{7f}]|[ =+\-@\t\r\n])"
_PLAIN_ID_RE2 = r"\A[A-Za-z0-9_+/.:-][A-Za-z0-9_+/=.:-]*\z"


def safe_cell(value: Any) -> str:  # noqa: ANN401 - any value a row may hold
    """A value as CSV cell text, neutralised if a spreadsheet would evaluate it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    s = str(value)
    if not s:
        return s
    # The common case, decided without normalising: a first character that is ASCII, not a
    # space and not dangerous stays so under NFKC (a following combining mark composes it into
    # a non-ASCII letter at most).
    if s[0] < "\x80" and s[0] != " " and s[0] not in _DANGEROUS:
        return s
    # Only the first characters decide; NFKC folds `＝`, `﹢`, `＠` ... to their ASCII forms.
    lead = unicodedata.normalize("NFKC", s[:8]).lstrip(" ")
    if lead.startswith(_DANGEROUS) and not _is_number(s):
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
        self.write_cells([safe_cell(v) for v in row])

    def write_cells(self, cells: Sequence[str]) -> None:
        """Write one row of cells already made safe (`safe_cell`, `id_cell`)."""
        (self._all if any("\r" in c for c in cells) else self._minimal).writerow(cells)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
              ids: Collection[str] = ()) -> int:
    """Write rows under a header with every cell neutralised, except that the columns named
    in `ids` keep plain ids exact (`id_cell`); returns the number of rows."""
    cell = [id_cell if h in ids else safe_cell for h in header]
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = SafeWriter(f)
        w.writerow(header)
        for row in rows:
            w.write_cells([c(v) for c, v in zip(cell, row, strict=True)])
            n += 1
    return n


def _guarded(col: pa.Array, ids: bool) -> pa.Array:
    """`safe_cell` (or `id_cell`) of every text of a column (null as ""). Arrow picks the
    cells a rule could change; only those go through the per-value function, so the rule
    lives in one place."""
    col = col.fill_null("")
    suspect = pc.match_substring_regex(col, _SUSPECT_RE2)
    if ids:
        suspect = pc.invert(pc.match_substring_regex(col, _PLAIN_ID_RE2))
    rows = pc.indices_nonzero(suspect)
    if len(rows) == 0:
        return col
    fix = id_cell if ids else safe_cell
    fixed = pa.array([fix(v) for v in col.take(rows).to_pylist()], pa.string())
    return pc.replace_with_mask(col, suspect, fixed)


def _quoted(col: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise('"', pc.replace_substring(col, '"', '""'), '"', "")


def _lines(columns: Sequence[pa.Array | pa.ChunkedArray], ids: Sequence[bool]) -> pa.Array:
    """The CSV lines (each ending in a line feed) of these columns: every cell guarded as
    `write_csv` does, quoted where Python's csv module quotes (a comma, quote or line feed;
    every cell of a row holding a carriage return)."""
    cells = [_guarded(text_column(c), is_id) for c, is_id in zip(columns, ids, strict=True)]
    minimal = [pc.if_else(pc.match_substring_regex(c, '[,"\n]'), _quoted(c), c) for c in cells]
    if len(cells) == 1:
        # The csv module quotes an empty cell standing alone, so the line is not blank.
        minimal = [pc.if_else(pc.equal(cells[0], ""), '""', minimal[0])]
    has_cr = pc.match_substring(cells[0], "\r")
    for c in cells[1:]:
        has_cr = pc.or_(has_cr, pc.match_substring(c, "\r"))
    return pc.binary_join_element_wise(
        pc.if_else(has_cr, pc.binary_join_element_wise(*map(_quoted, cells), ","),
                   pc.binary_join_element_wise(*minimal, ",")), "\n", "")


def write_csv_columns(path: Path, header: Sequence[str],
                      columns: Sequence[pa.Array | pa.ChunkedArray],
                      ids: Collection[str] = ()) -> int:
    """`write_csv` for data held as Arrow columns (one per header name, any type): the same
    bytes, built column-wise a slice of rows at a time; returns the number of rows."""
    n = len(columns[0])
    with open(path, "wb") as f:
        # The header passes the same guard as every cell (never the ids' exception).
        write_texts(f, _lines([pa.array([h], pa.string()) for h in header],
                              [False] * len(header)))
        for start in range(0, n, SLICE):
            write_texts(f, _lines([c.slice(start, SLICE) for c in columns],
                                  [h in ids for h in header]))
    return n
