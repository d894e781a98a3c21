"""Loading a CSV source with DuckDB's own reader, for readers that turn its records into
canonical rows in SQL (fewer CPU seconds than Arrow batches through Python and DuckDB's appender).

Only input DuckDB reads exactly as the csv module reads it is taken: a plain UTF-8 file without
a byte-order mark, carriage returns, NUL bytes or a quote, spaces and a quote (DuckDB joins
`"a" "b"`), no record with too many fields, and every byte of the file accounted for by the
parsed values (so no blank line, space around a quoted field or unterminated quote was skipped
or swallowed silently). Anything else is left to the reader's own path, which quarantines each
malformed record with its line (tests/test_ingest_duckdb.py holds DuckDB's reading against the
csv module's on random quoting).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa

from ..store import Store
from .csvread import _raw
from .source import Source

RAW = "_csv_raw"
LINES = "_csv_lines"  # the line of each record, where some span several lines
_ABSENT = "<inconcert: field left out>"
VIEW = "_csv"
_CHUNK = 8 << 20


@dataclass
class _Bytes:
    size: int = 0
    newlines: int = 0
    quotes: int = 0
    cr: bool = False
    nul: bool = False
    joined: bool = False  # quoted values DuckDB would join (`_quote_spaces_quote`)
    ends_with_newline: bool = True


def _quote_spaces_quote(data: bytes) -> bool:
    """Whether `data` holds a closing quote, spaces and a quote: DuckDB joins `"a" "b"` into
    one value `a b` (it drops spaces around quoted values) where the csv module reads `a "b"`,
    and both readings account for every byte. Quotes inside a quoted value come in pairs, so an
    even run of quotes after other text closes nothing: text such as `""x"" ""y""` does not
    count."""
    i = data.find(b'" ')
    while i >= 0:
        j = i + 2
        while j < len(data) and data[j] == 0x20:
            j += 1
        if j < len(data) and data[j] == 0x22:
            k = i
            while k >= 0 and data[k] == 0x22:
                k -= 1
            run = i - k
            # A comma or line feed before the run may be a field's start or text inside
            # quotes: only an even run after other text is surely escaped quotes.
            if k < 0 or run % 2 or data[k] in b",\n":
                return True
        i = data.find(b'" ', j)
    return False


def _scan(src: Source) -> _Bytes:
    """Counts of the bytes the parse is checked against (one pass, at memory speed)."""
    out = _Bytes()
    carry = b""  # the end of the previous chunk
    with open(src.path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            out.joined = out.joined or _quote_spaces_quote(carry + chunk)
            # A run of quotes that started before a chunk's end is seen whole (or, longer
            # than the carry, taken as joined).
            carry = chunk[-256:]
            out.size += len(chunk)
            out.newlines += chunk.count(b"\n")
            out.quotes += chunk.count(b'"')
            # `in` finds a byte with memchr, far faster than counting it.
            out.cr = out.cr or b"\r" in chunk
            out.nul = out.nul or b"\x00" in chunk
            out.ends_with_newline = chunk.endswith(b"\n")
    return out


@dataclass
class RawCsv:
    """A CSV source loaded into the temporary view `_csv`: `line` (where each record starts,
    from 1), `c0` ... as text ('' for an empty field) and the computed columns, the first
    record included."""

    store: Store
    ncols: int
    longest: int  # bytes of the longest field (at least its characters)

    def cells(self, lines: list[int]) -> Iterator[tuple[int, list[str]]]:
        """(line, fields) of the records starting on these lines, in line order."""
        cols = ", ".join(f"c{i}" for i in range(self.ncols))
        for start in range(0, len(lines), 50_000):
            rows = self.store.execute(
                f"SELECT line, {cols} FROM {VIEW} WHERE line IN (SELECT unnest(?)) "
                "ORDER BY line", [lines[start:start + 50_000]])
            for r in rows:
                yield r[0], list(r[1:])

    def first(self) -> list[str]:
        """The fields of the first record (a header, or data)."""
        cols = ", ".join(f"c{i}" for i in range(self.ncols))
        return list(self.store.execute(f"SELECT {cols} FROM {RAW} LIMIT 1")[0])

    def raw(self, fields: list[str]) -> str:
        """A record back as one CSV line, for the quarantine (as the Python path gives it)."""
        return _raw(fields)

    def drop(self) -> None:
        """Free the temporary tables."""
        self.store.execute(f"DROP VIEW IF EXISTS {VIEW}")
        self.store.execute(f"DROP TABLE IF EXISTS {RAW}")
        self.store.execute(f"DROP TABLE IF EXISTS {LINES}")


def load_csv(store: Store, src: Source, ncols: int, computed: Sequence[tuple[str, str]] = (),
             pad: bool = False) -> RawCsv | None:
    """The source read by DuckDB into temporary tables, or None when DuckDB cannot be trusted
    to read it exactly as the csv module does (see the module docstring). `computed` are
    (name, SQL expression on c0 ...) columns stored with the fields, so a costly expression
    is evaluated once. With `pad`, a record may leave out trailing fields (empty, as
    `csv_rows` pads them for positional layouts). Runs outside the source's transaction: a
    read error here must not abort it."""
    if (not src.fast_csv or src.compression != "none" or src.member is not None
            or src.encoding != "utf-8"):
        return None
    counts = _scan(src)
    if counts.cr or counts.nul or counts.joined or not counts.size:
        return None
    cols = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(ncols))
    texts = ", ".join(f"coalesce(c{i}, '') AS c{i}" for i in range(ncols))
    fields = " + ".join(f"(c{i} IS NOT NULL)::INTEGER" for i in range(ncols))
    extra = "".join(f", {expr} AS {name}" for name, expr in computed)
    try:
        # One thread: records in file order (line numbers), and no guess where a quoted
        # newline starts a record. Empty fields are read as '' (no cell is `nullstr`, or the
        # byte count below fails), so NULL marks a field a short record left out.
        store.execute(
            f"CREATE OR REPLACE TEMP TABLE {RAW} AS SELECT *{extra} FROM (SELECT {texts}, "
            f"{fields} AS _fields FROM read_csv(?, columns = {{{cols}}}, header = false, "
            "auto_detect = false, delim = ',', quote = '\"', escape = '\"', "
            f"strict_mode = true, null_padding = {str(pad).lower()}, nullstr = '{_ABSENT}', "
            "new_line = '\\n', parallel = false, max_line_size = 8388608))", [str(src.path)])
    except duckdb.Error:
        store.execute(f"DROP TABLE IF EXISTS {RAW}")
        return None
    cells = [f"c{i}" for i in range(ncols)]
    value_bytes = " + ".join(f"strlen({c})" for c in cells)
    quotes = " + ".join(f"(CASE WHEN contains({c}, '\"') THEN strlen({c}) - "
                        f"strlen(replace({c}, '\"', '')) ELSE 0 END)" for c in cells)
    longest = f"greatest({', '.join(f'strlen({c})' for c in cells)})"
    records, n_bytes, n_quotes, n_fields, fewest, max_bytes = store.execute(
        f"SELECT count(*), coalesce(sum({value_bytes}), 0), coalesce(sum({quotes}), 0), "
        f"coalesce(sum(_fields), 0), min(_fields), coalesce(max({longest}), 0) FROM {RAW}")[0]
    # Every byte is a value byte, a quote that opens, closes or doubles one inside a quoted
    # field, or a separator (a comma, or the line feed ending a record: one per field): the
    # quotes in the file minus those in values are the quoting ones. A skipped blank line,
    # space dropped around a quoted field or record lost to an open quote breaks the sum.
    accounted = n_bytes + counts.quotes - n_quotes + n_fields - (not counts.ends_with_newline)
    # A record of one field may be a blank line, which the csv path skips.
    if not records or accounted != counts.size or fewest < 2:
        store.execute(f"DROP TABLE IF EXISTS {RAW}")
        return None
    if counts.newlines + (not counts.ends_with_newline) == records:
        # No value holds a line feed: record k starts on line k + 1.
        store.execute(f"CREATE OR REPLACE TEMP VIEW {VIEW} AS SELECT rowid + 1 AS line, * "
                      f"FROM {RAW}")
    else:
        # Each record's line: one plus the lines the records before it span, summed in NumPy
        # (a window in SQL sorts every field along) and stored as one column put beside the
        # records by position (in the view, every query would repeat the sum).
        spans = " + ".join(f"(strlen({c}) - strlen(replace({c}, chr(10), '')))"
                           for c in cells)
        span = 1 + store.con.sql(f"SELECT {spans} AS s FROM {RAW}").fetchnumpy()["s"]
        lines = pa.table({"line": 1 + np.concatenate(([0], np.cumsum(span)[:-1]))})
        store.con.register("_csv_lines_arrow", lines)
        try:
            store.execute(f"CREATE OR REPLACE TEMP TABLE {LINES} AS FROM _csv_lines_arrow")
        finally:
            store.con.unregister("_csv_lines_arrow")
        store.execute(f"CREATE OR REPLACE TEMP VIEW {VIEW} AS SELECT l.line, r.* FROM {RAW} r "
                      f"POSITIONAL JOIN {LINES} l")
    return RawCsv(store, ncols, int(max_bytes))
