"""Fast reshare: reshares made within tau of the original, by accounts acting together.

Only reshares whose latency to the original (table `reshares`, see `reshares.py`) is at most
`tau_s` count. By default an item is the original post, so two accounts that fast-reshare the same
posts are paired; with `per = "author"` an item is the original's author (Luceri et al. 2024:
accounts that fast-retweet the same authors), and the window should then be long. The per-author
totals are in `amplification.n_fast` either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from .. import config
from .base import NotComputable, Trace, TraceParams, register


@config.section("traces.fast_reshare")
@dataclass
class FastReshareParams(TraceParams):
    tau_s: int = config.param(60, "a reshare is fast when made at most this many seconds after "
                                  "the original (Luceri et al. 2024 use 10 s, which catches "
                                  "automation but misses amplifiers working by hand)")
    window_s: int = config.param(60, "two fast reshares of the same item co-occur when at most "
                                     "this many seconds apart")
    per: str = config.param("post", "what two accounts must fast-reshare: 'post' (the same "
                                    "original) or 'author' (the same original author; use a "
                                    "window of hours or days)")


@register
class FastReshare(Trace):
    name = "fast_reshare"
    description = "fast-reshared the same originals (within tau of their publication)"
    item_kind = "post"
    requires = ("reshare_edges",)
    tables = ("reshares",)
    params_class = FastReshareParams

    def prepare(self, con: duckdb.DuckDBPyConnection, params: Any) -> list[str]:
        if params.per not in ("post", "author"):
            from ..errors import InputError

            raise InputError(f"traces.fast_reshare.per must be 'post' or 'author', "
                             f"not {params.per!r}")
        known = con.execute("SELECT count(*), count(latency_ms) FROM reshares "
                            "WHERE kind = 'reshare'").fetchall()[0]
        if known[0] and not known[1]:
            raise NotComputable("no reshare has a known original time (no ref_created_ms and "
                                "the originals are not in the data)")
        if known[1] < known[0]:
            return [f"{known[0] - known[1]} of {known[0]} reshares have no known original time "
                    "and cannot be fast"]
        return []

    def actions_sql(self, params: Any) -> str:
        item = "seeder" if params.per == "author" else "original_id"
        return f"""
            SELECT amplifier AS account, {item} AS item, created_ms AS t, action_id
            FROM reshares
            WHERE kind = 'reshare' AND latency_ms BETWEEN 0 AND {int(params.tau_s) * 1000}
        """

    def universe_sql(self, params: Any) -> str:
        item = "seeder" if params.per == "author" else "original_id"
        return f"SELECT amplifier AS account, {item} AS item FROM reshares WHERE kind = 'reshare'"
