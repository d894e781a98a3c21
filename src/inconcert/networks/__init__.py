"""The account network: fused trace edges, communities (networks) and roles.

`fusion` combines every trace's significant edges into one weighted graph (`fused_edges`),
`communities` finds and scores networks in it (`networks`, `memberships`), and `roles` adds the
seeders the networks amplify and labels each member seeder, amplifier or hybrid.
"""

from .communities import find_networks
from .fusion import fuse_edges
from .roles import assign_roles

__all__ = ["assign_roles", "find_networks", "fuse_edges"]
