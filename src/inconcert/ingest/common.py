"""Helpers shared by readers: CSV rows with line numbers, list cells, numbers, entities, times."""

from __future__ import annotations

import ast
import csv
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..normalize import norm_handle, norm_hashtag, norm_url
from ..timeutil import best_time, parse_time
from .registry import Bad
from .source import Source

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

NULLS = frozenset({"", "absent", "none", "null", "nan", "n/a"})


def _nul_safe(lines: Iterable[str]) -> Iterator[str]:
    # The csv module aborts the whole file on a NUL; mark it as an undecodable byte instead, so
    # only the row holding it is quarantined.
    for line in lines:
        yield line.replace("\x00", "\udc80") if "\x00" in line else line


def csv_rows(src: Source, required: Sequence[str] = (),
             header_aliases: dict[str, str] | None = None,
             positional: Sequence[str] | None = None
             ) -> Iterator[tuple[int, dict[str, str] | Bad]]:
    """(start line, row dict) for each CSV record, or a Bad for a record that is malformed.

    The header maps names to fields (case- and space-insensitive; aliases allowed). With
    `positional`, names are ignored and columns are taken in that order (the coordination-network-
    toolkit layout). Raises InputError when a required column is missing.
    """
    from ..errors import InputError

    with src.open_text() as f:
        reader = csv.reader(_nul_safe(f))
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("empty file: no header row", src.display, 1) from None
        header = [h.strip().lstrip("\ufeff").strip() for h in header]
        if positional is not None:
            names = list(positional) + [f"_extra{i}" for i in range(len(header) - len(positional))]
        else:
            aliases = header_aliases or {}
            names = [aliases.get(h.lower(), h.lower()) for h in header]
            missing = [c for c in required if c not in names]
            if missing:
                raise InputError("missing required column" + ("s " if len(missing) > 1 else " ")
                                 + ", ".join(repr(m) for m in missing)
                                 + f" (header has {len(header)} columns)", src.display, 1)
        n = len(names)
        prev = reader.line_num
        for rec in reader:
            start = prev + 1
            prev = reader.line_num
            if not rec or (len(rec) == 1 and not rec[0].strip()):
                continue
            if positional is not None and len(rec) < n:
                rec = rec + [""] * (n - len(rec))  # empty trailing columns are allowed
            if len(rec) != n:
                yield start, Bad(start, f"expected {n} columns, found {len(rec)}",
                                 _raw(rec))
                continue
            if _has_surrogate(rec):
                yield start, Bad(start, "undecodable bytes (not UTF-8) in this row",
                                 _raw(rec).encode("utf-8", "replace").decode())
                continue
            yield start, dict(zip(names, rec, strict=True))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(rec: list[str]) -> bool:
    return _SURROGATE.search("".join(rec)) is not None


def _raw(rec: Sequence[str]) -> str:
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(rec)
    return buf.getvalue()


def raw_row(row: dict[str, str]) -> str:
    """A row dict back as one CSV line, for the quarantine file."""
    return _raw(list(row.values()))


def text(v: str | None) -> str | None:
    """A cell as text, or None when it holds nothing."""
    if v is None:
        return None
    s = v.strip()
    return None if s.lower() in NULLS else s


def ident(v: Any) -> str | None:
    """An id as a string, never through a float. Integers keep all their digits."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        # Never key on a float: it has already lost digits (the "Death to Excel" trap).
        return None
    s = str(v).strip()
    if s.lower() in NULLS:
        return None
    if s.endswith(".0") and s[:-2].isdigit():
        return s[:-2]
    return s


def to_int(v: Any) -> int | None:
    """An integer count from a cell (`1,234`, `12.0`, empty, `absent`), or None."""
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


def to_bool(v: Any) -> bool | None:
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
    if not s or s.lower() in NULLS or s in ("[]", "''"):
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


def is_hashed(account_id: str) -> bool:
    """IO archives mix numeric and pseudonymous ids; test each value, never the follower count."""
    return not account_id.isdigit()


def entities(platform: str, post_id: str, hashtags: Iterable[str] = (),
             urls: Iterable[str] = (), mentions: Iterable[str] = (),
             media: Iterable[dict[str, Any]] = (), cashtags: Iterable[str] = (),
             mentions_are_ids: bool = False) -> list[dict[str, Any]]:
    """Entity rows for a post. Empty values are never entities (an empty URL is not a URL).

    Mentions are handles (case-folded when normalised) unless `mentions_are_ids`, in which case
    they are account ids and kept exactly (hashed ids are case-sensitive).
    """
    out: list[dict[str, Any]] = []
    for i, h in enumerate(x for x in hashtags if x and x.strip().lstrip("#")):
        out.append({"platform": platform, "post_id": post_id, "entity": "hashtag",
                    "position": i, "value": h.strip().lstrip("#"), "normalized": norm_hashtag(h)})
    for i, h in enumerate(x for x in cashtags if x and x.strip().lstrip("$")):
        out.append({"platform": platform, "post_id": post_id, "entity": "cashtag",
                    "position": i, "value": h.strip().lstrip("$"),
                    "normalized": h.strip().lstrip("$").casefold()})
    pos = 0
    for u in urls:
        n = norm_url(u) if u else None
        if n is None:
            continue
        out.append({"platform": platform, "post_id": post_id, "entity": "url", "position": pos,
                    "value": u.strip(), "normalized": n})
        pos += 1
    for i, m in enumerate(x for x in mentions if x and x.strip().lstrip("@")):
        out.append({"platform": platform, "post_id": post_id, "entity": "mention",
                    "position": i, "value": m.strip().lstrip("@"),
                    "normalized": m.strip() if mentions_are_ids else norm_handle(m)})
    for i, md in enumerate(media):
        value = md.get("value") or md.get("url") or md.get("path") or md.get("hash")
        if not value:
            continue
        out.append({"platform": platform, "post_id": post_id, "entity": "media", "position": i,
                    "value": str(value), "normalized": md.get("hash") or str(value),
                    "media_type": md.get("type"), "media_hash": md.get("hash"),
                    "alt_text": md.get("alt")})
    return out


def post_time(post_id: str | None, declared: str | None,
              snowflake: bool = True) -> tuple[int, str, str, int | None]:
    """(created_ms, precision, time source, declared_ms) for a post; ValueError when no time.

    The declared time is the row's own; for X ids, the Snowflake time replaces it when the two
    agree (it is exact to the millisecond), and is used alone only when the row has no time.
    """
    declared_ms = prec = None
    if declared is not None and declared.strip():
        declared_ms, prec = parse_time(declared)
    if not snowflake:
        if declared_ms is None:
            raise ValueError("no time")
        return declared_ms, prec or "s", "declared", declared_ms
    ms, p, source = best_time(post_id, declared_ms, prec)
    if ms is None or p is None:
        raise ValueError("no time")
    return ms, p, source, declared_ms
