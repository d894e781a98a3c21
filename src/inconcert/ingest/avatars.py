"""Profile images from local files: a folder of avatars named by account id, or a manifest.

Nothing is downloaded. A folder holds one image per account, named `<account_id>.<ext>` (or
without extension); a manifest is a CSV with columns `account_id,path[,platform]` (paths relative
to the manifest), for ids that cannot be file names. Each image is matched to an account already
in the case and stored as `accounts.avatar_path` (absolute, so the signals can read it from any
directory; outputs show only the file name) and `accounts.avatar_phash` (64-bit pHash, 16 hex
digits). An image that cannot be read, names no account of the case, names an id
found on several platforms, or is a second avatar for an account is quarantined with the reason.
The folder or manifest is recorded as a dataset (format `avatars`) with the `avatar` capability.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

import pyarrow as pa

from ..errors import InputError
from ..faces.images import find_images
from ..store import Store
from .csvread import csv_rows, raw_row
from .readers.media_manifest import phash_file
from .registry import Bad, ReadContext, Reader, Record
from .source import Head, Source, sources_for
from .values import ident, text
from .writer import DatasetWriter, IngestResult


@dataclass(frozen=True)
class _Item:
    line: int | None  # manifest line; None for a file of a folder
    account_id: str
    path: Path
    platform: str | None
    raw: str


class AvatarReader(Reader):
    """Avatar images matched to the accounts of a case (not sniffed: asked for by --avatars)."""

    name = "avatars"
    description = "profile images: a folder named by account id, or an account_id,path manifest"
    unit = "accounts"
    capabilities = {"avatar": "partial"}

    def __init__(self, items: list[_Item], known: dict[str, dict[str, str | None]]) -> None:
        self.items = items
        self.known = known  # account id -> {platform: avatar_path already stored}

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        given: dict[tuple[str, str], Path] = {}
        for it in self.items:
            bad = self._problem(it)
            if bad is not None:
                yield Bad(it.line, bad, it.raw)
                continue
            platform = it.platform or next(iter(self.known[it.account_id]))
            first = given.get((platform, it.account_id))
            if first is not None:
                yield Bad(it.line, f"a second avatar for account {it.account_id!r} (the first, "
                          f"{first.name!r}, is kept)", it.raw)
                continue
            digest = _phash(it.path)
            if digest is None:
                yield Bad(it.line, f"cannot read image {it.path.name!r}", it.raw)
                continue
            given[(platform, it.account_id)] = it.path
            yield Record(it.line or 0, accounts=[{
                "platform": platform, "account_id": it.account_id,
                "avatar_path": str(it.path.resolve()), "avatar_phash": digest}], raw=it.raw)

    def _problem(self, it: _Item) -> str | None:
        where = self.known.get(it.account_id, {})
        if it.platform is not None:
            where = {p: v for p, v in where.items() if p == it.platform}
        if not where:
            return (f"no account with id {it.account_id!r} in the case (ingest the account "
                    "files first)")
        if len(where) > 1:
            return (f"account id {it.account_id!r} is on several platforms "
                    f"({', '.join(sorted(where))}); name the platform in a manifest")
        existing = next(iter(where.values()))
        if existing is not None:
            return (f"account {it.account_id!r} already has an avatar "
                    f"({PurePath(existing).name}); kept")
        return None


def _phash(path: Path) -> str | None:
    try:
        # Never a device or pipe (a manifest may name /dev/zero): it may never end.
        return phash_file(path) if path.is_file() else None
    except Exception:  # noqa: BLE001 - a hostile file may make any decoder raise anything
        return None


def _folder_items(folder: Path) -> list[_Item]:
    # The stem is the id: `123.jpg` is account 123; a file without extension is named by its id.
    # The raw cell (quarantine) is the path inside the folder: where the folder sits is the
    # analyst's, not the data's.
    return [_Item(None, f.stem if f.suffix else f.name, f, None,
                  f.relative_to(folder).as_posix()) for f in find_images([folder])]


def _manifest_items(src: Source) -> list[_Item]:
    items = []
    base = src.path.parent
    for line, row in csv_rows(src, required=("account_id", "path")):
        if isinstance(row, Bad):
            raise InputError(row.reason, src.display, line)
        uid, rel = ident(row["account_id"]), text(row["path"])
        if not uid or not rel:
            raise InputError("empty account_id or path", src.display, line)
        items.append(_Item(line, uid, base / rel, text(row.get("platform")), raw_row(row)))
    return items


def _digest(first: str, base: Path, items: list[_Item]) -> tuple[str, int]:
    """A digest of the listing and every image's bytes (so a changed image is a new dataset).

    Paths enter relative to `base`, so the same folder named another way is the same dataset.
    """
    h = hashlib.sha256(first.encode())
    size = 0
    for it in items:
        rel = it.path.relative_to(base) if it.path.is_relative_to(base) else it.path
        h.update(f"\0{it.account_id}\0{rel}\0".encode("utf-8", "surrogateescape"))
        try:
            data = it.path.read_bytes() if it.path.is_file() else b""
        except OSError:
            data = b""
        size += len(data)
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest(), size


def _known(store: Store, ids: list[str]) -> dict[str, dict[str, str | None]]:
    store.con.register("_avatar_ids", pa.table({"account_id": pa.array(ids, pa.string())}))
    try:
        found = store.execute(
            "SELECT a.account_id, a.platform, a.avatar_path FROM accounts a "
            "JOIN (SELECT DISTINCT account_id FROM _avatar_ids) i USING (account_id) "
            "ORDER BY a.account_id, a.platform")
    finally:
        store.con.unregister("_avatar_ids")
    out: dict[str, dict[str, str | None]] = {}
    for uid, platform, path in found:
        out.setdefault(uid, {})[platform] = path
    return out


def ingest_avatars(store: Store, path: Path) -> IngestResult:
    """Attach the avatars of a folder or manifest to the accounts of the case.

    Runs in one transaction; an identical folder or manifest ingested before is skipped. Raises
    InputError when the path does not exist, holds no image, or no image matches an account.
    """
    if not path.exists():
        raise InputError("no such file or folder", str(path))
    if path.is_dir():
        items = _folder_items(path)
        sha, size = _digest("folder", path, items)
        src = Source(path=path, sha256=sha, size=size)
    else:
        (manifest,) = sources_for(path)
        items = _manifest_items(manifest)
        sha, size = _digest(manifest.sha256, path.parent, items)
        src = Source(path=path, compression=manifest.compression, sha256=sha, size=size)
    done = store.dataset_by_sha(sha)
    if done is not None:
        return IngestResult(src.display, done["format"], done["dataset_id"], done["unit"],
                            skipped=True, notes=[f"already ingested from {done['path']}"])
    reader = AvatarReader(items, _known(store, sorted({it.account_id for it in items})))
    ctx = ReadContext()
    store.execute("BEGIN TRANSACTION")
    try:
        # Unmatched images are not malformed rows: any share may be quarantined, but not all.
        writer = DatasetWriter(store, src, reader, sha[:16], max_bad_fraction=1.0)
        for item in reader.read(src, Head(src.name, "", True), ctx):
            writer.add(item)
        without = store.count("accounts", "avatar_path IS NULL")
        if len(writer.accounts) == without:
            ctx.capabilities["avatar"] = "full"
        result = writer.finish(ctx)
    except BaseException:
        store.execute("ROLLBACK")
        raise
    store.execute("COMMIT")
    return result


def hash_listed_avatars(store: Store) -> int:
    """Fill `avatar_phash` for accounts whose data gave a local `avatar_path` but no hash.

    Relative paths are taken from the current directory. Returns the number of hashes added;
    a path that cannot be read is left without a hash (the signals report it).
    """
    todo = store.execute("SELECT DISTINCT avatar_path FROM accounts WHERE avatar_path IS NOT "
                         "NULL AND avatar_phash IS NULL ORDER BY avatar_path")
    n = 0
    for (p,) in todo:
        digest = _phash(Path(p))
        if digest is None:
            continue
        store.execute("UPDATE accounts SET avatar_phash = ? WHERE avatar_path = ? AND "
                      "avatar_phash IS NULL", [digest, p])
        n += 1
    return n
