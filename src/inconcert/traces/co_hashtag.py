"""Co-hashtag: two accounts post the same set (or ordered sequence) of at least `min_tags`
hashtags within the window (OSoMe's hashtag sequences; Luceri et al. 2024).

One hashtag is a topic, shared by everyone who talks about it; the same combination of several is
a fingerprint. An item is the tags, space-separated (sorted for sets, in order for sequences).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import config
from ..errors import InputError
from .base import Trace, TraceParams, register


@config.section("traces.co_hashtag")
@dataclass
class CoHashtagParams(TraceParams):
    window_s: int = config.param(3600, "two posts with the same hashtags co-occur when at most "
                                       "this many seconds apart")
    mode: str = config.param("set", "'set' (same hashtags in any order) or 'sequence' (same "
                                    "order)")
    min_tags: int = config.param(2, "posts with fewer distinct hashtags are ignored")


@register
class CoHashtag(Trace):
    name = "co_hashtag"
    description = "posted the same combination of hashtags within the window"
    item_kind = "hashtags"
    requires = ("hashtags",)
    tables = ("posts", "post_entities")
    params_class = CoHashtagParams

    def actions_sql(self, params: Any) -> str:
        if params.mode == "set":
            # Not string_agg(DISTINCT ... ORDER BY ...): Spark 4 fails on its transpilation.
            agg = "array_to_string(list_sort(list_distinct(list(normalized))), ' ')"
        elif params.mode == "sequence":
            agg = "string_agg(normalized, ' ' ORDER BY position)"
        else:
            raise InputError(f"traces.co_hashtag.mode must be 'set' or 'sequence', "
                             f"not {params.mode!r}")
        return f"""
            WITH tags AS (
                SELECT platform, post_id, {agg} AS item, count(DISTINCT normalized) AS n
                FROM post_entities
                WHERE entity = 'hashtag' AND normalized IS NOT NULL AND normalized <> ''
                GROUP BY platform, post_id
            )
            SELECT p.author_id AS account, tags.item AS item, p.created_ms AS t,
                   p.post_id AS action_id
            FROM tags JOIN posts AS p ON p.platform = tags.platform AND p.post_id = tags.post_id
            WHERE tags.n >= {int(params.min_tags)} AND p.kind <> 'reshare'
        """
