"""Writes one source's records into the store, counting every row and quarantining the bad.

Invariant, checked before commit: rows in = rows stored + rows quarantined.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..store import Store
from .registry import Bad, ReadContext, Reader, Record
from .source import Source

FLUSH_ROWS = 100_000
RAW_LIMIT = 2000


@dataclass
class IngestResult:
    """Counts and facts of one ingested source."""

    path: str
    format: str
    dataset_id: str
    unit: str
    rows_in: int = 0
    rows_stored: int = 0
    rows_quarantined: int = 0
    skipped: bool = False
    notes: list[str] = field(default_factory=list)


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for k, v in new.items():
        if v is not None and v != "" and into.get(k) in (None, ""):
            into[k] = v


class DatasetWriter:
    """Buffers a source's records and flushes them to the store in batches."""

    def __init__(self, store: Store, src: Source, reader: Reader, dataset_id: str,
                 max_bad_fraction: float) -> None:
        self.store = store
        self.src = src
        self.reader = reader
        self.dataset_id = dataset_id
        self.max_bad_fraction = max_bad_fraction
        self.unit = reader.unit
        self.posts: list[dict] = []
        self.entities: list[dict] = []
        self.interactions: list[dict] = []
        self.accounts: dict[tuple[str, str], dict] = {}
        self.seen: dict[tuple[str, str], int] = {}  # unit key -> first line
        self.seen_aux: set[tuple[str, str]] = set()
        self.primary_lines: dict[tuple[str, str], int] = {}
        self.check_db = (store.count("posts") > 0 if self.unit == "posts"
                         else store.count("interactions") > 0)
        self.quarantine: list[tuple[int | None, str, str]] = []
        self.rows_in = 0

    # -- adding -------------------------------------------------------------------------------
    def add(self, item: Record | Bad) -> None:
        self.rows_in += 1
        if isinstance(item, Bad):
            self.quarantine.append((item.line, item.reason, item.raw[:RAW_LIMIT]))
            return
        if self.unit == "posts" and not item.posts:
            self._add_continuation(item)
            return
        primary = self._primary(item)
        keys = [self._key(r) for r in primary]
        for key in keys:
            if key in self.seen:
                self.quarantine.append((item.line, f"duplicate {self._what()} id {key[1]!r} "
                                        f"(first at line {self.seen[key]})",
                                        (item.raw or json.dumps(primary, default=str))[:RAW_LIMIT]))
                return
        for key in keys:
            self.seen[key] = item.line
            self.primary_lines[key] = item.line
        kept = {r["post_id"] for r in primary} if self.unit == "posts" else set()
        for acc in item.accounts:
            k = (acc["platform"], acc["account_id"])
            if self.unit == "accounts" and acc is item.accounts[0]:
                self.accounts[k] = dict(acc)
                continue
            if k in self.accounts:
                _merge(self.accounts[k], acc)
            else:
                self.accounts[k] = dict(acc)
        if self.unit == "posts":
            for p in item.posts[1:]:
                k = (p["platform"], p["post_id"])
                if k in self.seen or k in self.seen_aux:
                    continue
                self.seen_aux.add(k)
                kept.add(p["post_id"])
                self.posts.append(p)
            self.posts.append(item.posts[0])
            self.entities.extend(e for e in item.entities if e["post_id"] in kept)
        else:
            # accounts / interactions / entities units: entities are stored as given (a media
            # manifest attaches media to posts of other files).
            self.entities.extend(item.entities)
        self.interactions.extend(item.interactions)
        if len(self.posts) + len(self.interactions) + len(self.entities) >= FLUSH_ROWS:
            self.flush()

    def _add_continuation(self, item: Record) -> None:
        """A row that adds entities to a post an earlier row of the same file gave (layouts
        with one row per post and shared object, such as CooRTweet's)."""
        ents = [e for e in item.entities if (e["platform"], e["post_id"]) in self.seen]
        if len(ents) != len(item.entities):
            missing = next(e["post_id"] for e in item.entities
                           if (e["platform"], e["post_id"]) not in self.seen)
            self.quarantine.append((item.line, f"refers to post {missing!r}, which no earlier "
                                    "row of this file gives", (item.raw or "")[:RAW_LIMIT]))
            return
        self.entities.extend(ents)
        self.interactions.extend(item.interactions)

    def _primary(self, item: Record) -> list[dict]:
        if self.unit == "posts":
            return item.posts[:1]
        if self.unit == "accounts":
            return item.accounts[:1]
        if self.unit == "interactions":
            return item.interactions
        return []

    def _what(self) -> str:
        return {"posts": "post", "accounts": "account", "interactions": "interaction",
                "entities": "entity"}[self.unit]

    def _key(self, row: dict) -> tuple[str, str]:
        idcol = {"posts": "post_id", "accounts": "account_id",
                 "interactions": "interaction_id"}[self.unit]
        return (row["platform"], row[idcol])

    # -- flushing -----------------------------------------------------------------------------
    def flush(self) -> None:
        for rows in (self.posts, self.interactions):
            for r in rows:
                r["dataset_id"] = self.dataset_id
        if self.check_db and self.posts:
            self._drop_stored_posts()
        self.store.insert_rows("posts", self.posts)
        self.store.insert_rows("post_entities", self.entities)
        self.store.insert_rows("interactions", self.interactions)
        self.posts, self.entities, self.interactions = [], [], []

    def _drop_stored_posts(self) -> None:
        """Posts stored by an earlier dataset are not stored twice: a primary one is
        quarantined as a duplicate, an auxiliary one (an expansion) is dropped silently."""
        import pyarrow as pa

        keys = pa.table({"platform": [p["platform"] for p in self.posts],
                         "post_id": [p["post_id"] for p in self.posts]})
        self.store.con.register("_keys", keys)
        try:
            dup = self.store.con.execute(
                "SELECT k.platform, k.post_id, d.path FROM _keys k JOIN posts p "
                "USING (platform, post_id) JOIN datasets d ON d.dataset_id = p.dataset_id"
            ).fetchall()
        finally:
            self.store.con.unregister("_keys")
        if not dup:
            return
        where = {(pl, pid): path for pl, pid, path in dup}
        drop = set()
        for p in self.posts:
            k = (p["platform"], p["post_id"])
            if k in where:
                drop.add(p["post_id"])
                if k in self.primary_lines:
                    self.quarantine.append((self.primary_lines[k],
                                            f"duplicate post id {k[1]!r}: already stored from "
                                            f"{where[k]}", json.dumps(p, default=str)[:RAW_LIMIT]))
        self.posts = [p for p in self.posts if p["post_id"] not in drop]
        self.entities = [e for e in self.entities if e["post_id"] not in drop]

    # -- finishing ----------------------------------------------------------------------------
    def finish(self, ctx: ReadContext) -> IngestResult:
        self.flush()
        for acc in self.accounts.values():
            # The source that described the account, so signals can tell a field the source
            # lacks (no bios in a handle list) from a field the account left empty.
            if acc.get("dataset_id") is None:
                acc["dataset_id"] = self.dataset_id
        self.store.upsert_accounts(list(self.accounts.values()))
        q = len(self.quarantine)
        stored = self.rows_in - q
        self._check(stored, q)
        caps = dict(self.reader.capabilities)
        caps.update(ctx.capabilities)
        caps = {k: v for k, v in sorted(caps.items()) if v in ("full", "partial")}
        self.store.insert_rows("quarantine", [
            {"dataset_id": self.dataset_id, "path": self.src.display, "line": line,
             "reason": reason, "raw": raw} for line, reason, raw in self.quarantine])
        tmin, tmax = self.store.con.execute(
            "SELECT min(created_ms), max(created_ms) FROM posts WHERE dataset_id = ?",
            [self.dataset_id]).fetchall()[0]
        self.store.execute(
            "INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.dataset_id, self.src.display, self.src.sha256, self.reader.name,
             self.reader.platform, self.unit, self.rows_in, stored, q, tmin, tmax,
             json.dumps(caps, sort_keys=True), "; ".join(ctx.notes) or None])
        return IngestResult(self.src.display, self.reader.name, self.dataset_id, self.unit,
                            self.rows_in, stored, q, notes=list(ctx.notes))

    def _check(self, stored: int, q: int) -> None:
        path = self.src.display
        if self.rows_in == 0:
            raise InputError(f"no {self.unit} in the file (only a header?)", path)
        first = min(self.quarantine, key=lambda x: x[0] or 0) if self.quarantine else None
        if stored == 0 and first is not None:
            raise InputError(f"no row could be stored; first problem: {first[1]}", path, first[0])
        if first is not None and q > self.max_bad_fraction * self.rows_in:
            raise InputError(
                f"{q} of {self.rows_in} rows are malformed (more than "
                f"{self.max_bad_fraction:.0%}), so the file is probably not what its layout "
                f"says; first problem: {first[1]}", path, first[0])


def write_all(writer: DatasetWriter, items: Iterable[Record | Bad]) -> None:
    """Feed every item a reader yields to the writer."""
    for item in items:
        writer.add(item)
