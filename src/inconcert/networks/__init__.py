"""The account network: fused trace edges, communities (networks) and roles.

`fusion` combines every trace's evidence into one weighted graph (`fused_edges`), `communities`
finds and scores networks in it (`networks`, `memberships`), and `roles` adds the seeders and
amplifiers the networks exchange reshares with and labels each member seeder, amplifier or hybrid.
The verdict on those networks (`inconcert.verdict`) is re-exported here, which also registers its
config section wherever the configuration gathers the networks package's sections.
"""

from ..verdict import judge
from .communities import describe_networks, find_networks
from .fusion import fuse_edges
from .roles import assign_roles

__all__ = ["assign_roles", "describe_networks", "find_networks", "fuse_edges", "judge"]
