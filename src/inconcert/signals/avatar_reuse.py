"""Reused profile images: one avatar (perceptual hash within a few bits) on several accounts.

Operations give many personas the same stolen or stock photo, often flipped, recompressed or
resized. Accounts are compared by the 64-bit pHash of their avatar (`accounts.avatar_phash`)
and, when the image file is at hand, by the pHash of its mirror image too, since a horizontal
flip defeats every global hash. Accounts on a platform's default image are left out: sharing it
is the default, not reuse.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..faces.hashing import mirror_phash_file, near_groups, near_pairs
from .base import Fired, NotComputable, Signal, SignalContext, register
from .features import rows


@config.section("signals.avatar_reuse")
@dataclass
class AvatarReuseParams:
    max_distance: int = config.param(
        6, "largest Hamming distance between 64-bit pHashes of one image (copies measured at "
           "<= 4 bits; distinct faces at >= 10, and distinct GAN faces collide more)")
    mirror: bool = config.param(
        True, "also compare each avatar with the others' mirror images (reads the files)")


@register
class AvatarReuse(Signal):
    """The same profile image, possibly flipped or recompressed, on several accounts."""

    name = "avatar_reuse"
    description = "one profile image (perceptual hash, mirror included) used by several accounts"
    disarm = ("T0145.001",)
    requires = ("avatar",)

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: AvatarReuseParams = ctx.config.section("signals.avatar_reuse")
        accs = rows(ctx.con, """
            SELECT account_id, min(avatar_phash), min(avatar_path) FROM accounts
            WHERE avatar_phash IS NOT NULL AND NOT coalesce(default_profile_image, false)
            GROUP BY account_id ORDER BY account_id""")
        if not accs:
            raise NotComputable("no account has a hashed avatar")
        # One node per distinct hash: a platform-wide copy is compared once, not n^2 times.
        by_hash: dict[str, list[str]] = defaultdict(list)
        path_of: dict[str, str | None] = {}
        for account, h, path in accs:
            by_hash[h].append(account)
            path_of.setdefault(h, path)
        hashes = sorted(by_hash)
        mirrors = [mirror_phash_file(Path(path_of[h])) if p.mirror and path_of[h] else None
                   for h in hashes]
        pairs = near_pairs(hashes, mirrors, p.max_distance)
        # Groups of near-identical hashes (connected components), and each hash's nearest
        # other hash; accounts sharing the exact hash are at distance 0 from each other.
        root = near_groups(len(hashes), pairs)
        nearest: dict[int, tuple[int, bool]] = {
            i: (0, False) for i, h in enumerate(hashes) if len(by_hash[h]) > 1}
        for (i, j), match in pairs.items():
            for k in (i, j):
                if k not in nearest or match < nearest[k]:
                    nearest[k] = match
        groups: dict[int, list[str]] = defaultdict(list)
        for i, h in enumerate(hashes):
            groups[root[i]].extend(by_hash[h])
        out = []
        for i, h in enumerate(hashes):
            if i not in nearest:
                continue
            dist, mirrored = nearest[i]
            group = sorted(groups[root[i]])
            for account in by_hash[h]:
                n_others = len(group) - 1
                out.append(Fired(account, 1.0 - 0.4 * dist / max(1, p.max_distance), {
                    "finding": f"profile image shared with {n_others} other account"
                               f"{'s' if n_others > 1 else ''} (perceptual hash within "
                               f"{p.max_distance} bits{', mirror image' if mirrored else ''})",
                    "accounts": len(group),
                    "others": [a for a in group[:11] if a != account][:10],
                    "hamming": dist,
                    "mirrored": mirrored,
                    "phash": h,
                }))
        return out
