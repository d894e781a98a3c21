"""Reading CSV: records with line numbers, row by row (exact, quarantining each malformed
record) or in fast columnar batches (Arrow), and records back as CSV text for the quarantine."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputError
from .registry import Bad
from .source import BROKEN_STREAM, Source, broken_stream
from .values import BadValue, per_value, to_int

BATCH_ROWS = 50_000  # records per batch on the row-by-row (precise) path
FAST_BLOCK = 8 << 20  # bytes per block on the fast path; a longer record falls back
# A record spanning this many lines probably holds an unclosed quote that swallowed the rest.
_SWALLOWED_LINES = 50
# The csv module refuses (and the file fails) a field this many times longer than max_field.
_FIELD_SLACK = 8
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


class SlowPath(Exception):  # noqa: N818 - a signal to retry, not an error for users
    """The fast CSV path met something it cannot read exactly (a malformed record, bytes that
    are not UTF-8, a blank line ...). The framework reads the source again row by row, which
    quarantines precisely what is wrong."""


# -- CSV: header ------------------------------------------------------------------------------
def _header_names(header: list[str], src: Source, required: Sequence[str],
                  header_aliases: dict[str, str] | None,
                  positional: Sequence[str] | None) -> list[str]:
    """Field names for the columns of a header record. A repeated name keeps its first column
    (later ones are renamed `name#2`, ...), so a row never silently takes the last."""
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    if positional is not None:
        missing = [c for c in required if positional.index(c) >= len(header)]
        if missing:
            raise InputError(
                f"the first row has {len(header)} columns, so column "
                f"{positional.index(missing[0]) + 1} ({missing[0]!r}) is missing; this layout "
                f"takes columns by position: {', '.join(positional)}", src.display, 1)
        return list(positional) + [f"_extra{i}" for i in range(len(header) - len(positional))]
    aliases = header_aliases or {}
    names: list[str] = []
    for h in header:
        name = aliases.get(h.lower(), h.lower())
        k = 2
        base = name
        while name in names:
            name = f"{base}#{k}"
            k += 1
        names.append(name)
    missing = [c for c in required if c not in names]
    if missing:
        raise InputError("missing required column" + ("s " if len(missing) > 1 else " ")
                         + ", ".join(repr(m) for m in missing)
                         + f" (header has {len(header)} columns: "
                         + ", ".join(header[:12])[:200] + ("..." if len(header) > 12 else "")
                         + ")", src.display, 1)
    return names


# -- CSV: row by row --------------------------------------------------------------------------
def _records(src: Source, required: Sequence[str], header_aliases: dict[str, str] | None,
             positional: Sequence[str] | None, is_header: Callable[[list[str]], bool] | None,
             ints: Sequence[str] = ()
             ) -> tuple[list[str], Iterator[tuple[int, list[str] | Bad]]]:
    """Column names, and (start line, fields) or a Bad for every record after the header
    (malformed, or holding a value `screen_cells` refuses)."""
    # A field far beyond max_field is refused by the csv module before it is held in memory
    # (the whole file then fails); one up to that bound is read and its row quarantined.
    csv.field_size_limit(src.limits.max_field * _FIELD_SLACK)
    f = src.open_text()
    reader = csv.reader(f)
    try:
        first = next(reader)
    except StopIteration:
        f.close()
        raise InputError("empty file: no header row", src.display, 1) from None
    except BaseException:
        f.close()
        raise
    header_row = is_header is None or is_header(first)
    names = _header_names(first if header_row else [""] * len(first), src, required,
                          header_aliases, positional)
    n = len(names)
    int_cols = [(names.index(c), c) for c in ints if c in names]
    max_field = src.limits.max_field

    def screened(start: int, rec: list[str], end: int
                 ) -> Iterator[tuple[int, list[str] | Bad]]:
        for line, r in _check(start, rec, n, positional is not None, end):
            if not isinstance(r, Bad):
                problem = screen_cells(r, int_cols, max_field)
                if problem:
                    r = Bad(line, problem, _raw(r))
            yield line, r

    def rows() -> Iterator[tuple[int, list[str] | Bad]]:
        with f:
            prev = reader.line_num
            if not header_row:
                yield from screened(1, first, reader.line_num)
            for rec in reader:
                start = prev + 1
                prev = reader.line_num
                if not rec or (len(rec) == 1 and not rec[0].strip()):
                    continue
                yield from screened(start, rec, prev)

    return names, rows()


def screen_cells(rec: Sequence[str], int_cols: Sequence[tuple[int, str]],
                 max_field: int) -> str | None:
    """Why a record's cells cannot be stored (a field longer than `max_field` characters, an
    integer column out of range), or None."""
    longest = max(map(len, rec), default=0)
    if longest > max_field:
        return (f"a field of {longest:,} characters, more than {max_field:,} (raise it with "
                "--limit max_field=N)")
    for i, name in int_cols:
        try:
            to_int(rec[i])
        except BadValue as e:
            return f"{name}: {e}"
    return None


def _check(start: int, rec: list[str], n: int, pad: bool,
           end: int) -> Iterator[tuple[int, list[str] | Bad]]:
    if pad and len(rec) < n:
        rec = rec + [""] * (n - len(rec))  # empty trailing columns may be left out
    if len(rec) != n:
        hint = ""
        if end - start >= _SWALLOWED_LINES:
            hint = (f"; the record runs to line {end}, so a quote is probably left open "
                    "at its start")
        yield start, Bad(start, f"expected {n} columns, found {len(rec)}{hint}", _raw(rec))
        return
    if _BAD_CHARS.search("".join(rec)):
        yield start, Bad(start, "NUL or undecodable bytes (not UTF-8) in this row",
                         _raw(rec).encode("utf-8", "replace").decode().replace("\x00", "\\0"))
        return
    yield start, rec


def csv_rows(src: Source, required: Sequence[str] = (),
             header_aliases: dict[str, str] | None = None,
             positional: Sequence[str] | None = None,
             is_header: Callable[[list[str]], bool] | None = None,
             ints: Sequence[str] = (),
             ) -> Iterator[tuple[int, dict[str, str] | Bad]]:
    """(start line, row dict) for each CSV record, or a Bad for a record that is malformed.

    The header maps names to fields (case- and space-insensitive; aliases allowed). With
    `positional`, names are ignored and columns are taken in that order (the coordination-network-
    toolkit layout); `is_header(first record)` then says whether the file has a header at all.
    Raises InputError when a required column is missing. A record with a field longer than
    `src.limits.max_field`, or an integer out of range in one of the `ints` columns (the
    reader's counts), is a Bad with the reason.
    """
    names, rows = _records(src, required, header_aliases, positional, is_header, ints)
    for line, rec in rows:
        yield line, (rec if isinstance(rec, Bad) else dict(zip(names, rec, strict=True)))


# -- CSV: columnar batches --------------------------------------------------------------------
@dataclass
class CsvBatch:
    """Consecutive CSV records as Arrow string columns ('' for an empty cell), with the line
    each record starts on and the malformed records met on the way (already Bad)."""

    names: list[str]
    table: pa.Table
    lines: np.ndarray
    bad: list[Bad] = field(default_factory=list)

    def __len__(self) -> int:
        return self.table.num_rows

    def column(self, name: str) -> pa.Array:
        """One column as a single Arrow array (empty cells when the file lacks the column)."""
        if name not in self.names:
            return pa.array([""] * len(self), pa.string())
        return self.table.column(name).combine_chunks()

    def values(self, name: str) -> list[str]:
        """One column as Python strings (empty when the file lacks the column)."""
        if name not in self.names:
            return [""] * len(self)
        return self.table.column(name).to_pylist()

    def first_rows(self, keys: Sequence[str | None], seen: set[str | None]
                   ) -> list[tuple[int, dict[str, str]]]:
        """(index, cells by column) of each record whose key is not in `seen` yet, the first
        per key; their keys join `seen` (account columns repeat on every post of a file)."""
        rows = []
        for i, k in enumerate(keys):
            if k not in seen:
                seen.add(k)
                rows.append(i)
        taken = self.table.take(pa.array(rows, pa.int64())).to_pylist() if rows else []
        return list(zip(rows, taken, strict=True))

    def raw(self, i: int) -> str:
        """Record `i` as one CSV line, for the quarantine."""
        return _raw([c[i].as_py() for c in self.table.columns])

    def take(self, rows: list[int]) -> CsvBatch:
        """The batch restricted to some records (its Bad records are left behind)."""
        if len(rows) == len(self):
            return CsvBatch(self.names, self.table, self.lines)
        return CsvBatch(self.names, self.table.take(pa.array(rows, pa.int64())),
                        self.lines[rows])


def csv_batches(src: Source, required: Sequence[str] = (),
                header_aliases: dict[str, str] | None = None,
                positional: Sequence[str] | None = None,
                is_header: Callable[[list[str]], bool] | None = None,
                ints: Sequence[str] = (),
                ) -> Iterator[CsvBatch]:
    """The records of a CSV source in columnar batches (same header and screening rules as
    `csv_rows`: refused records are in each batch's `bad`).

    Clean UTF-8 input is parsed by Arrow's CSV reader, far faster than row by row; anything it
    cannot read exactly raises SlowPath, and the framework reads the source again row by row
    (`src.fast_csv` is then False), which quarantines each malformed record with its line.
    """
    if src.fast_csv and src.encoding in ("utf-8", "utf-8-sig"):
        for cb in _fast_batches(src, required, header_aliases, positional, is_header):
            yield _screen_batch(cb, ints, src.limits.max_field)
        return
    names, rows = _records(src, required, header_aliases, positional, is_header, ints)
    recs: list[list[str]] = []
    lines: list[int] = []
    bad: list[Bad] = []
    for line, rec in rows:
        if isinstance(rec, Bad):
            bad.append(rec)
            continue
        recs.append(rec)
        lines.append(line)
        if len(recs) >= BATCH_ROWS:
            yield _batch(names, recs, lines, bad)
            recs, lines, bad = [], [], []
    if recs or bad:
        yield _batch(names, recs, lines, bad)


def _screen_batch(cb: CsvBatch, ints: Sequence[str], max_field: int) -> CsvBatch:
    """The batch without the records `screen_cells` refuses, which join its `bad`; decided
    column-wise, so a clean batch costs one length scan per column."""
    problems: dict[int, str] = {}
    for name in cb.names:
        lens = pc.utf8_length(cb.column(name)).to_numpy(zero_copy_only=False)
        for i in np.flatnonzero(lens > max_field).tolist():
            problems.setdefault(i, screen_cells([cb.table.column(name)[i].as_py()], (),
                                                max_field) or "")
    for name in ints:
        if name not in cb.names:
            continue
        reasons = per_value(cb.column(name), _int_problem)
        for i, why in enumerate(reasons):
            if why:
                problems.setdefault(i, f"{name}: {why}")
    if not problems:
        return cb
    keep = [i for i in range(len(cb)) if i not in problems]
    lines = cb.lines.tolist()
    bad = [*cb.bad, *(Bad(lines[i], why, cb.raw(i)) for i, why in sorted(problems.items()))]
    kept = cb.take(keep)
    return CsvBatch(cb.names, kept.table, kept.lines, bad)


def _int_problem(cell: str) -> str | None:
    try:
        to_int(cell)
    except BadValue as e:
        return str(e)
    return None


def _batch(names: list[str], recs: list[list[str]], lines: list[int],
           bad: list[Bad]) -> CsvBatch:
    cols = list(zip(*recs, strict=True)) if recs else [()] * len(names)
    table = pa.Table.from_arrays([pa.array(c, pa.string()) for c in cols], names=names)
    return CsvBatch(names, table, np.asarray(lines, dtype=np.int64), bad)


def _fast_batches(src: Source, required: Sequence[str],
                  header_aliases: dict[str, str] | None, positional: Sequence[str] | None,
                  is_header: Callable[[list[str]], bool] | None) -> Iterator[CsvBatch]:
    with src.open_text() as f:
        try:
            first = next(csv.reader(f))
        except StopIteration:
            raise InputError("empty file: no header row", src.display, 1) from None
        # Lone carriage returns end lines that Arrow counts differently: read row by row.
        if "\r" in f.read(1 << 16).replace("\r\n", ""):
            raise SlowPath("carriage-return line ends")
    header_row = is_header is None or is_header(first)
    names = _header_names(first if header_row else [""] * len(first), src, required,
                          header_aliases, positional)
    n = len(names)
    tmp = [f"c{i}" for i in range(n)]

    def refuse(row: Any) -> str:  # noqa: ANN401 - Arrow's InvalidRow
        return "error"

    line = 1
    skip_header = header_row
    with src.open_binary() as stream:
        raw = _LineCounter(stream)
        try:
            reader = pacsv.open_csv(
                raw,
                read_options=pacsv.ReadOptions(column_names=tmp, block_size=FAST_BLOCK,
                                               use_threads=True),
                parse_options=pacsv.ParseOptions(newlines_in_values=True,
                                                 invalid_row_handler=refuse),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in tmp}, strings_can_be_null=False,
                    quoted_strings_can_be_null=False))
            for rb in reader:
                if raw.nul:
                    raise SlowPath("NUL byte")
                table = pa.Table.from_batches([rb])
                newlines = np.zeros(table.num_rows, dtype=np.int64)
                for col in table.columns:
                    newlines += pc.count_substring(col, "\n").to_numpy(zero_copy_only=False)
                spans = newlines + 1
                starts = line + np.concatenate(([0], np.cumsum(spans)[:-1]))
                line += int(spans.sum())
                table = table.rename_columns(names)
                if skip_header:
                    table, starts = table.slice(1), starts[1:]
                    skip_header = False
                if table.num_rows:
                    yield CsvBatch(names, table, starts)
        except pa.ArrowException as e:
            raise SlowPath(str(e)) from None
        except BROKEN_STREAM as e:
            # The lines counted so far end where the stream breaks off.
            raise broken_stream(src, e, raw.newlines + 1) from None
    if raw.nul:
        raise SlowPath("NUL byte")
    # Arrow skips blank lines; line numbers hold only if every line was part of a record.
    if raw.newlines + (not raw.ends_with_newline) != line - 1:
        raise SlowPath("blank lines")


class _LineCounter(io.RawIOBase):
    """A byte stream that counts the line feeds (and notices NUL bytes) it passes on."""

    def __init__(self, stream: Any) -> None:  # noqa: ANN401 - any binary file object
        self._stream = stream
        self.newlines = 0
        self.nul = False
        self.ends_with_newline = True  # an empty stream has no unterminated line
        self._broken: Exception | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:  # noqa: ANN401 - buffer protocol
        if self._broken is not None:
            raise self._broken
        n = 0
        # Small reads, so a stream that breaks off has its last good lines counted (and
        # delivered) before the error surfaces on the next call.
        while n < len(b):
            try:
                data = self._stream.read(min(1 << 18, len(b) - n))
            except BROKEN_STREAM as e:
                if not n:
                    raise
                self._broken = e
                break
            if not data:
                break
            b[n:n + len(data)] = data
            n += len(data)
            self.newlines += data.count(b"\n")
            self.nul = self.nul or b"\x00" in data
            self.ends_with_newline = data.endswith(b"\n")
        return n


def _raw(rec: Sequence[str | None]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(rec)
    return buf.getvalue()


def raw_row(row: dict[str, str]) -> str:
    """A row dict back as one CSV line, for the quarantine file."""
    return _raw(list(row.values()))
