"""Co-domain: two accounts link to the same web domain within the window.

The domain is the host of `post_entities.normalized` (no `www.`, no port). Ubiquitous domains
(news sites, video platforms) co-occur by chance all the time: their rarity weight is small and the
null model expects them, so they rarely make an edge on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import config
from .base import Trace, TraceParams, register
from .co_link import URL_ACTIONS


@config.section("traces.co_domain")
@dataclass
class CoDomainParams(TraceParams):
    window_s: int = config.param(3600, "two links to the same domain co-occur when at most this "
                                       "many seconds apart")
    min_count: int = config.param(3, "an edge needs at least this many distinct shared domains")


@register
class CoDomain(Trace):
    name = "co_domain"
    description = "linked to the same domains within the window"
    item_kind = "domain"
    requires = ("urls",)
    tables = ("posts", "post_entities")
    params_class = CoDomainParams

    def actions_sql(self, params: Any) -> str:
        return URL_ACTIONS.format(item="split_part(split_part(e.normalized, '/', 1), ':', 1)")
