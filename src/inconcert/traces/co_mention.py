"""Co-mention: two accounts mention the same account within the window (targeting, pile-ons).

Reshares are left out (they repeat the original's mentions) and so are self-mentions. An item is
the mentioned account as the source names it (an id, or a case-folded handle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import config
from .base import Trace, TraceParams, register


@config.section("traces.co_mention")
@dataclass
class CoMentionParams(TraceParams):
    window_s: int = config.param(600, "two mentions of the same account co-occur when at most "
                                      "this many seconds apart")


@register
class CoMention(Trace):
    name = "co_mention"
    description = "mentioned the same account within the window"
    item_kind = "account"
    requires = ("mentions",)
    tables = ("posts", "post_entities")
    params_class = CoMentionParams

    def actions_sql(self, params: Any) -> str:
        return """
            SELECT p.author_id AS account, COALESCE(e.normalized, lower(e.value)) AS item,
                   p.created_ms AS t, p.post_id AS action_id
            FROM post_entities AS e
            JOIN posts AS p ON p.platform = e.platform AND p.post_id = e.post_id
            WHERE e.entity = 'mention' AND p.kind <> 'reshare' AND e.value <> ''
                AND COALESCE(e.normalized, lower(e.value)) <> p.author_id
        """
