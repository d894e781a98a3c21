"""Parameters of the report and the map layout (config section `report`)."""

from __future__ import annotations

import dataclasses

from .. import config


@config.section("report")
@dataclasses.dataclass
class ReportParams:
    """What the report shows and how much of it."""

    max_table_accounts: int = config.param(
        5000, "accounts in the report's table: every network member and flagged account, then "
              "the highest scores up to this many (the CSV has all)")
    max_evidence_accounts: int = config.param(
        5000, "accounts whose full evidence is written into the report (flagged first, then "
              "network members by score)")
    max_partners: int = config.param(
        12, "co-action partners listed per account in its evidence (strongest first)")
    top_items: int = config.param(10, "co-shared items listed per kind and network")
    max_other_networks: int = config.param(
        20, "other networks named per narrative as also posting it, those posting it most "
            "first; the rest are counted (narratives.csv names all). Uncapped, the lists of a "
            "10^6-row case with 2,002 networks were 308 MB of its 525 MB report")
    representative_posts: int = config.param(6, "representative posts shown per network")
    layout_seed: int = config.param(7, "seed of the network map layout (fixed: same map)")
    layout_iterations: int = config.param(
        500, "Fruchterman-Reingold iterations of the map layout (graphs up to 3,000 nodes; "
             "larger graphs use DrL)")
    attacked_hostile_share: float = config.param(
        0.3, "a target counts as attacked when at least this share of the network's posts about "
             "it use hostile wording; the others are listed as amplified or addressed")
