"""Entity rows (hashtags, cashtags, URLs, mentions, media) of posts, one by one or as columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..normalize import norm_handle, norm_hashtag, norm_url, norm_urls
from .values import parse_list

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


def entity_table(platform: str, post_ids: Sequence[str] | pa.Array,
                 hashtags: pa.Array | None = None,
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
    ids = (post_ids if isinstance(post_ids, pa.Array) else pa.array(post_ids, pa.string())
           ).take(table.column("_row"))
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


def url_cells(cells: pa.Array) -> pa.Table:
    """The URL entities of each distinct cell of a column of space-separated URLs (as
    `entity_table` gives them with `parse=str.split`): `cell`, `position`, `value`,
    `normalized`, for joining back to the rows in SQL. Cells are split in Python (Unicode
    whitespace, as `str.split`), the URLs normalised column-wise (`norm_urls`)."""
    tokens: list[str] = []
    owner: list[str] = []
    for cell in pc.unique(cells).to_pylist():
        if cell:
            parts = cell.split()
            tokens.extend(parts)
            owner.extend([cell] * len(parts))
    normalized = norm_urls(pa.array(tokens, pa.string()))
    keep = pc.is_valid(normalized)
    table = pa.table({"cell": pa.array(owner, pa.string()), "value": pa.array(tokens, pa.string()),
                      "normalized": normalized}).filter(keep)
    # Positions count only the tokens that are URLs, from 0 within each cell (cells are in
    # runs, so a run's start is its first index).
    run = pc.not_equal(table.column("cell").combine_chunks()[1:],
                       table.column("cell").combine_chunks()[:-1]).to_numpy(zero_copy_only=False)
    n = table.num_rows
    starts = np.flatnonzero(np.concatenate(([True], run))) if n else np.zeros(0, np.int64)
    lengths = np.diff(np.append(starts, n))
    position = np.arange(n) - np.repeat(starts, lengths)
    return table.add_column(1, "position", pa.array(position, pa.int32()))
