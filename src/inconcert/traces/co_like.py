"""Co-like: two accounts like the same post within the window, where the source gives like
times (no other open tool uses them; most platforms do not export them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import config
from .base import Trace, TraceParams, register


@config.section("traces.co_like")
@dataclass
class CoLikeParams(TraceParams):
    window_s: int = config.param(60, "two likes of the same post co-occur when at most this many "
                                     "seconds apart")


@register
class CoLike(Trace):
    name = "co_like"
    description = "liked the same post within the window"
    item_kind = "post"
    requires = ("like_edges", "like_times")
    tables = ("interactions",)
    params_class = CoLikeParams

    def actions_sql(self, params: Any) -> str:
        return """
            SELECT actor_id AS account, target_post_id AS item, created_ms AS t,
                   interaction_id AS action_id
            FROM interactions
            WHERE kind = 'like' AND created_ms IS NOT NULL AND target_post_id IS NOT NULL
                AND target_post_id <> ''
        """
