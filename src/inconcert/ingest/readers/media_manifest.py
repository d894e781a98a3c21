"""Media manifest: a CSV `post_id,platform,path[,type,alt,hash]` attaching images to posts.

Each row becomes a `media` entity of its post: `value` is the path as written, `media_hash` and
`normalized` the 64-bit perceptual hash (pHash, hex) of the image, computed from the file (paths
are relative to the manifest's folder) unless the row gives a `hash`. A row whose image is
missing or unreadable is quarantined with the reason. The posts themselves come from other files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..csvread import csv_rows, raw_row
from ..registry import Bad, ReadContext, Reader, Record, register
from ..source import Head, Source
from ..values import text

REQUIRED = ("post_id", "platform", "path")


def phash_file(path: Path) -> str:
    """The 64-bit pHash of an image file as 16 hex digits; OSError/ValueError when unreadable."""
    import imagehash
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            return str(imagehash.phash(img))
    except UnidentifiedImageError as e:
        raise ValueError(f"not an image ({e})") from None
    except Image.DecompressionBombError as e:
        raise ValueError(f"image too large ({e})") from None


@register
class MediaManifestReader(Reader):
    """Media manifest CSV: images attached to posts of other files, hashed on ingest."""

    name = "media-manifest"
    description = "media manifest CSV (post_id, platform, path[, type, alt, hash]); pHash on ingest"
    platform = "any"
    unit = "entities"
    capabilities = {"media": "full", "media_hashes": "full"}

    def sniff(self, head: Head) -> int:
        cols = [c.lower() for c in head.csv_header]
        return 100 if cols[:3] == list(REQUIRED) else 0

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        folder = src.path.parent
        position: dict[tuple[str, str], int] = {}
        hashes: dict[str, str] = {}  # a file shared by many posts is hashed once
        for line, row in csv_rows(src, required=REQUIRED):
            if isinstance(row, Bad):
                yield row
                continue
            post_id, platform, rel = (text(row.get(c)) for c in REQUIRED)
            if not post_id or not platform or not rel:
                missing = [c for c, v in zip(REQUIRED, (post_id, platform, rel), strict=True)
                           if not v]
                yield Bad(line, f"empty {', '.join(missing)}", raw_row(row))
                continue
            given = text(row.get("hash"))
            if given:
                digest = given.lower()
            elif rel in hashes:
                digest = hashes[rel]
            else:
                p = Path(rel)
                file = p if p.is_absolute() else folder / p
                try:
                    found = file.is_file()  # never a device or pipe: it may never end
                except OSError as e:  # a path the system refuses (too long, ...)
                    yield Bad(line, f"unusable image path ({e.strerror})", raw_row(row))
                    continue
                if not found:
                    yield Bad(line, f"image not found: {rel}", raw_row(row))
                    continue
                try:
                    digest = phash_file(file)
                except (OSError, ValueError) as e:
                    yield Bad(line, f"unreadable image {rel}: {e}", raw_row(row))
                    continue
                hashes[rel] = digest
            key = (platform, post_id)
            pos = position.get(key, 0)
            position[key] = pos + 1
            yield Record(line, entities=[{
                "platform": platform, "post_id": post_id, "entity": "media", "position": pos,
                "value": rel, "normalized": digest, "media_type": text(row.get("type")),
                "media_hash": digest, "alt_text": text(row.get("alt"))}])
