"""Co-reshare: two accounts reshare the same original post within the window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import config
from .base import Trace, TraceParams, register


@config.section("traces.co_reshare")
@dataclass
class CoReshareParams(TraceParams):
    window_s: int = config.param(60, "two reshares of the same post co-occur when at most this "
                                     "many seconds apart (coordination-network-toolkit README, "
                                     "performance.md: 60 s)")


@register
class CoReshare(Trace):
    name = "co_reshare"
    description = "reshared the same original post within the window"
    item_kind = "post"
    requires = ("reshare_edges",)
    tables = ("posts",)
    params_class = CoReshareParams

    def actions_sql(self, params: Any) -> str:
        return """
            SELECT author_id AS account, ref_post_id AS item, created_ms AS t,
                   post_id AS action_id
            FROM posts
            WHERE kind = 'reshare' AND ref_post_id IS NOT NULL AND ref_post_id <> ''
        """
