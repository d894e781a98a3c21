"""A list of accounts by handle with follower and following counts, and nothing else.

Researchers keep such lists as baselines (the random control sample beside the China 2019
rosters: `screen_name,following_count,follower_count`, counts written as `49.0`). The file has no
platform ids, so the (case-folded) handle stands in as the account id, and a note says so; it has
no bios, names or dates, so it claims only counts and handles.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...normalize import norm_handle
from ..csvread import csv_rows, raw_row
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import text, to_int

_HANDLE = {"screen_name": "screen_name", "username": "screen_name", "handle": "screen_name",
           "user_screen_name": "screen_name"}
_COUNTS = {"follower_count": "followers", "followers_count": "followers", "followers": "followers",
           "following_count": "following", "friends_count": "following", "following": "following"}


@register
class HandleCountsReader(Reader):
    """Handles with follower/following counts (a baseline or control sample), no ids."""

    name = "handle-counts"
    description = "accounts by handle with follower/following counts only (e.g. a control sample)"
    unit = "accounts"
    capabilities = {"account_counts": "full", "account_names": "partial",
                    "account_profile": "partial"}

    def sniff(self, head: Head) -> int:
        cols = {c.lower() for c in head.csv_header}
        if not cols or not cols & set(_HANDLE) or not cols & set(_COUNTS):
            return 0
        # Only handles and counts: anything richer is another reader's layout.
        return 70 if cols <= set(_HANDLE) | set(_COUNTS) else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        aliases = {**_HANDLE, **_COUNTS}
        ctx.notes.append("no account ids in this file: the case-folded handle is the account id")
        for line, row in csv_rows(src, required=("screen_name",), header_aliases=aliases,
                                  ints=("followers", "following")):
            if isinstance(row, Bad):
                yield row
                continue
            handle = text(row.get("screen_name"))
            if not handle or not norm_handle(handle):
                yield Bad(line, "empty screen_name", raw_row(row))
                continue
            counts = {k: to_int(row.get(k)) for k in ("followers", "following")}
            bad = [k for k, v in counts.items() if v is None and text(row.get(k))]
            if bad:
                yield Bad(line, f"{bad[0]} count {row[bad[0]]!r} is not a number", raw_row(row))
                continue
            acc = {"platform": "x", "account_id": norm_handle(handle), "id_is_hashed": False,
                   "handle": handle.strip().lstrip("@"), **counts}
            yield Record(line, accounts=[acc])
