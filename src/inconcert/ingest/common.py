"""Helpers shared by readers: CSV records with line numbers (row by row, or in fast columnar
batches), list cells, numbers, ids, entities and post times."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..errors import InputError
from ..normalize import norm_handle, norm_hashtag, norm_url
from ..timeutil import (
    MIN_SNOWFLAKE_ID,
    PRECISIONS,
    SNOWFLAKE_EPOCH_MS,
    best_time,
    parse_time,
    precision_ms,
    snowflake_ms,
)
from .registry import Bad
from .source import BROKEN_STREAM, Source, broken_stream

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

NULLS = frozenset({"", "absent", "none", "null", "nan", "n/a"})
BATCH_ROWS = 50_000  # records per batch on the row-by-row (precise) path
FAST_BLOCK = 8 << 20  # bytes per block on the fast path; a longer record falls back
# A record spanning this many lines probably holds an unclosed quote that swallowed the rest.
_SWALLOWED_LINES = 50
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
             positional: Sequence[str] | None, is_header: Callable[[list[str]], bool] | None
             ) -> tuple[list[str], Iterator[tuple[int, list[str] | Bad]]]:
    """Column names, and (start line, fields) or a Bad for every record after the header."""
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

    def rows() -> Iterator[tuple[int, list[str] | Bad]]:
        with f:
            prev = reader.line_num
            if not header_row:
                yield from _check(1, first, n, positional is not None, reader.line_num)
            for rec in reader:
                start = prev + 1
                prev = reader.line_num
                if not rec or (len(rec) == 1 and not rec[0].strip()):
                    continue
                yield from _check(start, rec, n, positional is not None, prev)

    return names, rows()


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
             ) -> Iterator[tuple[int, dict[str, str] | Bad]]:
    """(start line, row dict) for each CSV record, or a Bad for a record that is malformed.

    The header maps names to fields (case- and space-insensitive; aliases allowed). With
    `positional`, names are ignored and columns are taken in that order (the coordination-network-
    toolkit layout); `is_header(first record)` then says whether the file has a header at all.
    Raises InputError when a required column is missing.
    """
    names, rows = _records(src, required, header_aliases, positional, is_header)
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
                ) -> Iterator[CsvBatch]:
    """The records of a CSV source in columnar batches (same header rules as `csv_rows`).

    Clean UTF-8 input is parsed by Arrow's CSV reader, far faster than row by row; anything it
    cannot read exactly raises SlowPath, and the framework reads the source again row by row
    (`src.fast_csv` is then False), which quarantines each malformed record with its line.
    """
    if src.fast_csv and src.encoding in ("utf-8", "utf-8-sig"):
        yield from _fast_batches(src, required, header_aliases, positional, is_header)
        return
    names, rows = _records(src, required, header_aliases, positional, is_header)
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


# -- cells ------------------------------------------------------------------------------------
def text(v: str | None) -> str | None:
    """A cell as text, or None when it holds nothing."""
    if v is None:
        return None
    s = v.strip()
    return None if s.lower() in NULLS else s


def ident(v: Any) -> str | None:  # noqa: ANN401 - cells and JSON values alike
    """An id as a string, never through a float. Integers keep all their digits."""
    if type(v) is str:
        s = v.strip()
        if s.isascii() and s.isdigit():  # the common case, decided without more work
            return s
    elif v is None or isinstance(v, bool):
        return None
    elif isinstance(v, int):
        return str(v)
    elif isinstance(v, float):
        # Never key on a float: it has already lost digits (the "Death to Excel" trap).
        return None
    else:
        s = str(v).strip()
    if s.lower() in NULLS:
        return None
    if s.endswith(".0") and s[:-2].isdigit():
        return s[:-2]
    return s


def idents(cells: Iterable[str]) -> list[str | None]:
    """`ident` of every cell of a column (empty cells, the common case, cost nothing)."""
    return [ident(v) if v else None for v in cells]


def to_int(v: Any) -> int | None:  # noqa: ANN401 - cells and JSON values alike
    """An integer count from a cell (`1,234`, `12.0`, empty, `absent`), or None."""
    if type(v) is str and v.isascii() and v.isdigit():
        return int(v)
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    s = str(v).strip().replace(",", "")
    if s.lower() in NULLS:
        return None
    try:
        return int(s)
    except ValueError:
        try:
            f = float(s)
        except ValueError:
            return None
        return int(f) if f == f and abs(f) < 2**63 else None


def to_bool(v: Any) -> bool | None:  # noqa: ANN401 - cells and JSON values alike
    """A boolean from `true`/`True`/`1`/`yes` (and their negatives), or None."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("true", "t", "1", "yes", "y"):
        return True
    if s in ("false", "f", "0", "no", "n"):
        return False
    return None


def parse_list(cell: str | None) -> list[str]:
    """A list cell: `['a', 'b']`, `[a, b]`, a JSON array, or space/comma-separated text."""
    if cell is None:
        return []
    s = cell.strip()
    if not s or s in ("[]", "''") or s.lower() in NULLS:
        return []
    if s.startswith("['") and s.endswith("']") and "\\" not in s and '"' not in s:
        # The IO-archive form ['a', 'b'] (the common case, parsed without an evaluator).
        parts = s[2:-2].split("', '")
        if all("'" not in p for p in parts):
            return [p.strip() for p in parts if p.strip()]
    if s.startswith("["):
        try:
            val = json.loads(s)
        except ValueError:
            try:
                val = ast.literal_eval(s)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                val = [p.strip().strip("'\"").strip() for p in s[1:-1].split(",")]
        if isinstance(val, list | tuple):
            return [str(x).strip() for x in val if x is not None and str(x).strip()]
        return [str(val)]
    return [p for p in s.replace(",", " ").split() if p]


def per_value(values: pa.Array | pa.ChunkedArray, fn: Callable[[str], Any]) -> list[Any]:
    """`fn` of every cell of a column, computed once per distinct value (times, languages and
    clients repeat across rows, so this costs a fraction of a call per row)."""
    enc = pc.dictionary_encode(values)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks()
    mapped = [fn(v) for v in enc.dictionary.to_pylist()]
    return list(map(mapped.__getitem__, enc.indices.to_numpy(zero_copy_only=False).tolist()))


def is_hashed(account_id: str) -> bool:
    """IO archives mix numeric and pseudonymous ids; test each value, never the follower count."""
    return not (account_id.isascii() and account_id.isdigit())


# URLs repeat across the posts of a campaign; normalising each distinct one once pays.
_norm_url = lru_cache(maxsize=1 << 16)(norm_url)


def _tags(values: Iterable[str], sigil: str) -> list[tuple[str, str]]:
    out = []
    for x in values:
        v = x.strip().lstrip(sigil) if x else ""
        if v:
            out.append((v, norm_hashtag(x) if sigil == "#" else v.casefold()))
    return out


def _urls(values: Iterable[str]) -> list[tuple[str, str]]:
    out = []
    for u in values:
        n = _norm_url(u) if u else None
        if n is not None:  # an empty or link-less cell is never a URL
            out.append((u.strip(), n))
    return out


def _mentions(values: Iterable[str], are_ids: bool) -> list[tuple[str, str]]:
    out = []
    for m in values:
        v = m.strip().lstrip("@") if m else ""
        if v:
            out.append((v, m.strip() if are_ids else norm_handle(m)))
    return out


def entities(platform: str, post_id: str, hashtags: Iterable[str] = (),
             urls: Iterable[str] = (), mentions: Iterable[str] = (),
             media: Iterable[dict[str, Any]] = (), cashtags: Iterable[str] = (),
             mentions_are_ids: bool = False) -> list[dict[str, Any]]:
    """Entity rows for a post. Empty values are never entities (an empty URL is not a URL).

    Mentions are handles (case-folded when normalised) unless `mentions_are_ids`, in which case
    they are account ids and kept exactly (hashed ids are case-sensitive).
    """
    out: list[dict[str, Any]] = []
    for kind, pairs in (("hashtag", _tags(hashtags, "#")), ("cashtag", _tags(cashtags, "$")),
                        ("url", _urls(urls)), ("mention", _mentions(mentions, mentions_are_ids))):
        for i, (value, normalized) in enumerate(pairs):
            out.append({"platform": platform, "post_id": post_id, "entity": kind,
                        "position": i, "value": value, "normalized": normalized})
    for i, md in enumerate(media):
        value = md.get("value") or md.get("url") or md.get("path") or md.get("hash")
        if not value:
            continue
        out.append({"platform": platform, "post_id": post_id, "entity": "media", "position": i,
                    "value": str(value), "normalized": md.get("hash") or str(value),
                    "media_type": md.get("type"), "media_hash": md.get("hash"),
                    "alt_text": md.get("alt")})
    return out


def entity_table(platform: str, post_ids: Sequence[str], hashtags: pa.Array | None = None,
                 urls: pa.Array | None = None, mentions: pa.Array | None = None,
                 mentions_are_ids: bool = False,
                 parse: Callable[[str], list[str]] = parse_list) -> pa.Table | None:
    """`entities` for a batch of posts whose list cells are columns, built as one Arrow table
    (with `_row`, the index of each entity's post; see `writer.Batch`). Each distinct cell is
    parsed and normalised once, and its entities are spread to the rows holding it by index
    arithmetic. None when the batch has no entities."""
    parts = []
    for kind, col, conv in (
            ("hashtag", hashtags, lambda c: _tags(parse(c), "#")),
            ("url", urls, lambda c: _urls(parse(c))),
            ("mention", mentions, lambda c: _mentions(parse(c), mentions_are_ids))):
        if col is not None:
            part = _spread(kind, col, conv)
            if part is not None:
                parts.append(part)
    if not parts:
        return None
    table = pa.concat_tables(parts)
    n = table.num_rows
    ids = pa.array(post_ids, pa.string()).take(table.column("_row"))
    return table.add_column(0, "platform", pa.array([platform] * n, pa.string())) \
                .add_column(1, "post_id", ids)


def _spread(kind: str, col: pa.Array, conv: Callable[[str], list[tuple[str, str]]]
            ) -> pa.Table | None:
    """The entities of one list column: distinct cells converted once, then repeated for
    every row that holds them (rows in order, positions from 0 within each row)."""
    enc = pc.dictionary_encode(col)
    cells = [conv(c) for c in enc.dictionary.to_pylist()]
    length = np.array([len(c) for c in cells], dtype=np.int64)
    start = np.concatenate(([0], np.cumsum(length)[:-1]))
    idx = enc.indices.to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(length[idx])
    if not len(rows):
        return None
    lens = length[idx[rows]]
    total = int(lens.sum())
    position = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
    flat = np.repeat(start[idx[rows]], lens) + position
    values = pa.array([v for c in cells for v, _ in c], pa.string()).take(flat)
    normalized = pa.array([n for c in cells for _, n in c], pa.string()).take(flat)
    return pa.table({"entity": pa.array([kind] * total, pa.string()),
                     "position": pa.array(position, pa.int32()), "value": values,
                     "normalized": normalized, "_row": pa.array(np.repeat(rows, lens))})


@dataclass
class BatchTimes:
    """Post times of the records of a batch that have ids and a usable time (`keep`)."""

    keep: list[int]
    created_ms: list[int]
    precision: list[str]
    source: list[str]
    declared_ms: list[int | None]
    bad: list[Bad]


def batch_times(cb: CsvBatch, required: Sequence[tuple[str, Sequence[str | None]]],
                post_ids: Sequence[str | None], time_column: str,
                snowflake: bool = True) -> BatchTimes:
    """`post_time` of every record of a batch, after checking the record's required ids
    (`(column name, values)` pairs: an empty one makes the record Bad).

    The common cases (Unix seconds or milliseconds, numeric ids) are decided column-wise with
    Arrow and NumPy; every other distinct time cell is parsed once by `parse_time`, and a value
    the arrays cannot hold exactly is decided by the per-record rules (`batch_times_rows`), so
    the result is always exactly theirs.
    """
    n = len(cb)
    try:
        ids = pa.array(post_ids, pa.string()) if snowflake else None
        empty_name = _empty_ids(required, n)
    except (pa.ArrowException, TypeError, ValueError):
        # Ids that are not strings (or not UTF-8): only the per-record rules know them.
        return batch_times_rows(cb, required, post_ids, time_column, snowflake)
    ms, status, prec, slow, declared = _declared_column(cb.column(time_column))
    ok = status == _OK
    sf, sf_ok = _snowflake_column(ids, post_ids) if ids is not None else (None, None)
    if sf is None or sf_ok is None:
        timed = ok
        use_sf = np.zeros(n, dtype=bool)
        unchecked = use_sf
    else:
        # best_time: the Snowflake time wins when it falls inside the declared unit, with one
        # second of slack each side; alone (unchecked) only when nothing is declared.
        unit = np.maximum(_PREC_MS[prec], 1000)
        agree = sf_ok & ok & (ms - 1000 <= sf) & (sf < ms + unit + 1000)
        unchecked = sf_ok & (status == _NONE)
        use_sf = agree | unchecked
        timed = ok | unchecked
    has_ids = empty_name < 0
    keep_mask = has_ids & ~slow & timed
    bad_mask = ~has_ids | (~slow & ~timed)
    slow_rows = np.flatnonzero(has_ids & slow).tolist()

    created = np.where(use_sf, sf if sf is not None else ms, ms)
    prec_out = np.where(use_sf, _MS_CODE, prec)
    source = np.where(unchecked, 2, np.where(use_sf, 1, 0))
    keep = np.flatnonzero(keep_mask)
    # Python ints (not NumPy scalars) in the lists, as the per-record rules give.
    dms_obj = ms[keep].astype(object)
    dms_obj[unchecked[keep]] = None
    out = BatchTimes(keep.tolist(), created[keep].tolist(), _PREC_NAMES[prec_out[keep]].tolist(),
                     _SOURCE_NAMES[source[keep]].tolist(), dms_obj.tolist(), list(cb.bad))
    bad_rows = np.flatnonzero(bad_mask).tolist()
    if not slow_rows and not bad_rows:
        return out
    # Rare: records the arrays could not decide, and Bad records, in record order.
    lines = cb.lines.tolist()
    names = [name for name, _ in required]
    fixed: dict[int, tuple[int, str, str, int | None]] = {}
    bad: dict[int, str] = {}
    for i in slow_rows:
        try:
            fixed[i] = _choose(post_ids[i], declared[i], snowflake)
        except ValueError:
            bad[i] = _time_problem(cb, time_column, i)
    for i in bad_rows:
        k = int(empty_name[i])
        bad[i] = f"empty {names[k]}" if k >= 0 else _time_problem(cb, time_column, i)
    for i in sorted(bad):
        out.bad.append(Bad(lines[i], bad[i], cb.raw(i)))
    if fixed:
        _merge(out, fixed)
    return out


def _time_problem(cb: CsvBatch, time_column: str, i: int) -> str:
    cell = cb.table.column(time_column)[i].as_py()
    return f"unparseable {time_column} {cell!r}" if cell.strip() else f"empty {time_column}"


def _merge(out: BatchTimes, fixed: dict[int, tuple[int, str, str, int | None]]) -> None:
    """Insert the records decided one by one into the kept ones, in record order."""
    rows = sorted([(i, j) for j, i in enumerate(out.keep)] + [(i, -1) for i in fixed])
    old = (out.created_ms, out.precision, out.source, out.declared_ms)
    new: tuple[list[Any], ...] = ([], [], [], [])
    for i, j in rows:
        vals = fixed[i] if j < 0 else tuple(col[j] for col in old)
        for col, v in zip(new, vals, strict=True):
            col.append(v)
    out.keep = [i for i, _ in rows]
    out.created_ms, out.precision, out.source, out.declared_ms = new


def _empty_ids(required: Sequence[tuple[str, Sequence[str | None]]], n: int) -> np.ndarray:
    """Index into `required` of the first empty id of each record (-1 when none is empty)."""
    first = np.full(n, -1, dtype=np.int64)
    for k in range(len(required) - 1, -1, -1):  # the first required column named wins
        vals = pa.array(required[k][1], pa.string())
        empty = pc.fill_null(pc.equal(pc.binary_length(vals), 0), True)
        first[empty.to_numpy(zero_copy_only=False)] = k
    return first


# Status of a declared time cell.
_OK, _NONE, _BAD = 0, 1, 2
_PREC_NAMES = np.array(PRECISIONS, dtype=object)
_PREC_MS = np.array([precision_ms(p) for p in PRECISIONS], dtype=np.int64)
_PREC_CODE = {p: i for i, p in enumerate(PRECISIONS)}
_MS_CODE = _PREC_CODE["ms"]
_S_CODE = _PREC_CODE["s"]
_SOURCE_NAMES = np.array(["declared", "snowflake", "snowflake-unchecked"], dtype=object)
# Declared values far from the int64 limits, so that the window arithmetic cannot overflow.
_SAFE_MS = 1 << 62
# Cells parse_epoch reads exactly as below. Only ASCII digits (str.isdigit and float also
# take other scripts' digits, which are left to parse_time); the lengths keep every value
# inside int64, and below 2**53 where parse_epoch goes through a float.
#   all digits, 13-18 of them: int(v), "ms"
#   all digits, 1-12 of them, or a minus and 1-12 digits: int(float(v)) * 1000, "s"
#   decimal fraction: round(float(v) * 1000), "ms"
_NEGATIVE = r"^-[0-9]{1,12}$"
_FRACTION = r"^-?[0-9]{1,12}\.[0-9]{1,12}$"


def _np(arr: pa.Array) -> np.ndarray:
    """A boolean Arrow array as NumPy, null counting as False."""
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def _digits(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(all ASCII digits, length in bytes) of every cell; ascii_is_decimal is far cheaper
    than a regular expression, which is kept for the cells that are not plain digits."""
    length = pc.fill_null(pc.binary_length(col), 0).to_numpy(zero_copy_only=False)
    return _np(pc.ascii_is_decimal(col)), length


def _declared_column(col: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                             dict[int, tuple[int | None, str | None]]]:
    """(ms, status, precision code, slow, declared) of a column of declared time cells.

    Plain Unix seconds and milliseconds are converted column-wise; every other distinct cell
    goes through `_declared` once. `slow` marks records whose value the arrays cannot hold
    (`declared` keeps their (ms, precision) for the per-record rules).
    """
    n = len(col)
    ms = np.zeros(n, dtype=np.int64)
    status = np.full(n, _BAD, dtype=np.int8)
    prec = np.full(n, _S_CODE, dtype=np.int8)
    slow = np.zeros(n, dtype=bool)
    digits, length = _digits(col)
    empty = length == 0
    status[empty] = _NONE

    def convert(rows: np.ndarray, to: pa.DataType) -> np.ndarray:
        return pc.cast(col.take(pa.array(rows)), to).to_numpy()

    rows = np.flatnonzero(digits & (length >= 13) & (length <= 18))
    ms[rows], prec[rows], status[rows] = convert(rows, pa.int64()), _MS_CODE, _OK
    rows = np.flatnonzero(digits & (length <= 12))
    ms[rows], status[rows] = convert(rows, pa.int64()) * 1000, _OK
    rest = np.flatnonzero(~digits & ~empty)
    if len(rest):
        sub = col.take(pa.array(rest))
        rows = rest[_np(pc.match_substring_regex(sub, _NEGATIVE))]
        ms[rows], status[rows] = convert(rows, pa.int64()) * 1000, _OK
        rows = rest[_np(pc.match_substring_regex(sub, _FRACTION))]
        # round() and rint both round halves to even, on the same float64 product.
        ms[rows] = np.rint(convert(rows, pa.float64()) * 1000).astype(np.int64)
        prec[rows], status[rows] = _MS_CODE, _OK
    declared: dict[int, tuple[int | None, str | None]] = {}
    rest = np.flatnonzero(status == _BAD)
    if len(rest):
        parsed = per_value(col.take(pa.array(rest)), _declared_cached)
        for i, d in zip(rest.tolist(), parsed, strict=True):
            v, p = d
            if d is _UNPARSEABLE:
                continue  # status stays _BAD
            if v is None:
                status[i] = _NONE
            elif type(v) is int and -_SAFE_MS < v < _SAFE_MS and p in _PREC_CODE:
                ms[i], prec[i], status[i] = v, _PREC_CODE[p], _OK
            else:
                slow[i] = True
                declared[i] = d
    return ms, status, prec, slow, declared


def _snowflake_column(ids: pa.Array, post_ids: Sequence[str | None]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(Snowflake ms, is a Snowflake) of every id, by the rules of `snowflake_ms`."""
    n = len(ids)
    sf = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    digits, length = _digits(ids)
    # Up to 19 digits is below 10**19 < 2**64: exact as uint64.
    rows = np.flatnonzero(digits & (length <= 19))
    if len(rows):
        v = pc.cast(ids.take(pa.array(rows)), pa.uint64()).to_numpy()
        sf[rows] = (v >> np.uint64(22)).astype(np.int64) + SNOWFLAKE_EPOCH_MS
        ok[rows] = (v >= MIN_SNOWFLAKE_ID) & (v < np.uint64(1 << 63))
    # Longer digit strings (leading zeros) are left to snowflake_ms itself.
    for i in np.flatnonzero(digits & (length > 19)).tolist():
        s = snowflake_ms(post_ids[i])
        if s is not None:
            sf[i], ok[i] = s, True
    return sf, ok


def batch_times_rows(cb: CsvBatch, required: Sequence[tuple[str, Sequence[str | None]]],
                     post_ids: Sequence[str | None], time_column: str,
                     snowflake: bool = True) -> BatchTimes:
    """`batch_times` decided record by record: the definition the column-wise path keeps to,
    and its fallback for ids that are not strings."""
    out = BatchTimes([], [], [], [], [], list(cb.bad))
    lines = cb.lines.tolist()
    declared = per_value(cb.column(time_column), _declared_cached)
    empty: dict[int, str] = {}
    for name, vals in reversed(required):  # the first required column named wins
        empty.update((i, name) for i, v in enumerate(vals) if not v)
    for i, d in enumerate(declared):
        if empty and i in empty:
            out.bad.append(Bad(lines[i], f"empty {empty[i]}", cb.raw(i)))
            continue
        try:
            ms, prec, source, declared_ms = _choose(post_ids[i], d, snowflake)
        except ValueError:
            cell = cb.table.column(time_column)[i].as_py()
            what = (f"unparseable {time_column} {cell!r}" if cell.strip()
                    else f"empty {time_column}")
            out.bad.append(Bad(lines[i], what, cb.raw(i)))
            continue
        out.keep.append(i)
        out.created_ms.append(ms)
        out.precision.append(prec)
        out.source.append(source)
        out.declared_ms.append(declared_ms)
    return out


_UNPARSEABLE = (None, "unparseable")


def _declared(cell: str | None) -> tuple[int | None, str | None]:
    """(ms, precision) of a declared time cell; (None, None) when empty, _UNPARSEABLE when
    it holds something that is not a time."""
    if cell is None or not cell.strip():
        return None, None
    try:
        return parse_time(cell)
    except ValueError:
        return _UNPARSEABLE


def _choose(post_id: str | None, declared: tuple[int | None, str | None],
            snowflake: bool) -> tuple[int, str, str, int | None]:
    declared_ms, prec = declared
    if declared is _UNPARSEABLE:
        raise ValueError("unparseable time")
    if not snowflake:
        if declared_ms is None:
            raise ValueError("no time")
        return declared_ms, prec or "s", "declared", declared_ms
    ms, p, source = best_time(post_id, declared_ms, prec)
    if ms is None or p is None:
        raise ValueError("no time")
    return ms, p, source, declared_ms


# Declared times repeat (minute-precision archives have one value per minute); parse each once.
_declared_cached = lru_cache(maxsize=1 << 16)(_declared)


def post_time(post_id: str | None, declared: str | None,
              snowflake: bool = True) -> tuple[int, str, str, int | None]:
    """(created_ms, precision, time source, declared_ms) for a post; ValueError when no time.

    The declared time is the row's own; for X ids, the Snowflake time replaces it when the two
    agree (it is exact to the millisecond), and is used alone only when the row has no time.
    """
    return _choose(post_id, _declared_cached(declared), snowflake)
