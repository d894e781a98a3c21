"""Co-reply: two accounts reply to the same post within the window (reply brigades)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import config
from .base import Trace, TraceParams, register


@config.section("traces.co_reply")
@dataclass
class CoReplyParams(TraceParams):
    window_s: int = config.param(600, "two replies to the same post co-occur when at most this "
                                      "many seconds apart")


@register
class CoReply(Trace):
    name = "co_reply"
    description = "replied to the same post within the window"
    item_kind = "post"
    requires = ("reply_edges",)
    tables = ("posts",)
    params_class = CoReplyParams

    def actions_sql(self, params: Any) -> str:
        return """
            SELECT author_id AS account, reply_to_post_id AS item, created_ms AS t,
                   post_id AS action_id
            FROM posts
            WHERE kind <> 'reshare' AND reply_to_post_id IS NOT NULL AND reply_to_post_id <> ''
        """
