"""AI-generated profile photos: the avatar's eyes sit where StyleGAN-family generators put them.

Each account's local avatar (`accounts.avatar_path`) goes through the eye-position test
(`inconcert.faces`): with exactly one face whose GANEyeDistance is below the threshold, the image
is "consistent with a GAN face". That is a feature to weigh with account age, naming and
coordination, never proof: the test detects the FFHQ crop geometry, not synthesis, so a real
photo cropped by an avatar app the same way scores alike. Without the optional `faces` extra
the signal is "not computable", with the install command as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from .. import config
from ..faces import THRESHOLD, Assessment, assess_file
from ..faces.backends import BackendUnavailable, load_backend
from .base import Fired, NotComputable, Signal, SignalContext, register
from .features import rounded, rows


@config.section("signals.gan_face")
@dataclass
class GanFaceParams:
    threshold: float = config.param(
        THRESHOLD, "eye distance (GANED) below which an avatar is consistent with a GAN face "
                   "(Yang, Singh & Menczer 2024)")
    backend: str = config.param("dlib", "face-landmark backend (needs the `faces` extra)")
    cnn_fallback: bool = config.param(
        True, "retry with dlib's CNN face detector when HOG finds no face (about 1 s per image)")


@register
class GanFace(Signal):
    """A profile image consistent with a StyleGAN-family (FFHQ-trained) generated face."""

    name = "gan_face"
    description = "profile image consistent with a GAN face (eye positions of FFHQ crops)"
    disarm = ("T0145.002",)
    requires = ("avatar",)

    def compute(self, ctx: SignalContext) -> list[Fired]:
        p: GanFaceParams = ctx.config.section("signals.gan_face")
        try:
            backend = load_backend(p.backend, p.cnn_fallback)
        except BackendUnavailable as e:
            raise NotComputable(e.problem) from None
        avatars = rows(ctx.con, "SELECT DISTINCT account_id, avatar_path FROM accounts "
                                "WHERE avatar_path IS NOT NULL ORDER BY account_id, avatar_path")
        if not avatars:
            raise NotComputable("no account has a local avatar file")
        # Accounts sharing one image are assessed once.
        done: dict[str, Assessment] = {}
        for _, path in avatars:
            if path not in done:
                done[path] = assess_file(backend, Path(path), p.threshold)
        if all(a.faces is None for a in done.values()):
            raise NotComputable(f"none of the {len(done)} avatar files could be read "
                                f"(first: {PurePath(avatars[0][1]).name})")
        fired: dict[str, Fired] = {}
        for account, path in avatars:
            a = done[path]
            if a.gan_like != "true" or account in fired or a.eye_distance is None:
                continue
            fired[account] = Fired(account, 1.0 - 0.5 * a.eye_distance / p.threshold, {
                "finding": "profile image consistent with a GAN face (eyes at the FFHQ "
                           "positions); a crop geometry, not proof of synthesis",
                "eye_distance": rounded(a.eye_distance),
                "threshold": p.threshold,
                "backend": backend.name,
                "reference": backend.reference.source,
                # The file name, not the path: a published report must not show where the
                # analyst keeps the case, and the same images elsewhere must give the same bytes.
                "avatar_file": PurePath(path).name,
            })
        return list(fired.values())
