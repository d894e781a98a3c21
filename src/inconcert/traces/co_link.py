"""Co-link: two accounts post the same normalised URL within the window.

URLs are `post_entities.normalized` (scheme, `www.`, tracking parameters, fragments and
trailing slash removed by `normalize.norm_url`); an empty URL cell never becomes a URL. Reshares
are left out: they carry the original's links, which co-reshare already covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import config
from .base import Trace, TraceParams, register

URL_ACTIONS = """
    SELECT p.author_id AS account, {item} AS item, p.created_ms AS t, p.post_id AS action_id
    FROM post_entities AS e JOIN posts AS p ON p.platform = e.platform AND p.post_id = e.post_id
    WHERE e.entity = 'url' AND e.normalized IS NOT NULL AND e.normalized <> ''
        AND p.kind <> 'reshare'
"""


@config.section("traces.co_link")
@dataclass
class CoLinkParams(TraceParams):
    window_s: int = config.param(3600, "two posts of the same URL co-occur when at most this many "
                                       "seconds apart (published co-URL windows run from 60 s "
                                       "to days)")


@register
class CoLink(Trace):
    name = "co_link"
    description = "posted the same (normalised) URL within the window"
    item_kind = "url"
    requires = ("urls",)
    tables = ("posts", "post_entities")
    params_class = CoLinkParams

    def actions_sql(self, params: Any) -> str:
        return URL_ACTIONS.format(item="e.normalized")
