"""Co-domain: two accounts link to the same web domain within the window.

The domain is the host of a URL's `post_entities.normalized` (no `www.`, no port; a host without
a dot is no domain — anonymised `url_id:N` values are not URLs), or a `domain` entity where the
source gives domains itself (CooRTweet's `domain_id:N`). Ubiquitous domains
(news sites, video platforms) co-occur by chance all the time: their rarity weight is small and the
null model expects them, so they rarely make an edge on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import config
from .base import Trace, TraceParams, register


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
        return """
            WITH d AS (
                SELECT platform, post_id, entity = 'domain' AS given,
                       CASE WHEN entity = 'domain' THEN normalized
                            ELSE split_part(split_part(normalized, '/', 1), ':', 1) END AS item
                FROM post_entities
                WHERE entity IN ('url', 'domain') AND normalized IS NOT NULL
                    AND normalized <> ''
            )
            SELECT p.author_id AS account, d.item AS item, p.created_ms AS t,
                   p.post_id AS action_id
            FROM d JOIN posts AS p ON p.platform = d.platform AND p.post_id = d.post_id
            WHERE p.kind <> 'reshare' AND d.item <> '' AND (d.given OR d.item LIKE '%.%')
        """
