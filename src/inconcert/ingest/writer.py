"""Writes one source's records into the store, counting every row and quarantining the bad.

Invariant, checked before commit: rows in = rows stored + rows quarantined.

Readers hand over either one `Record` (or `Bad`) per input row, or, on the fast path for large
tables, a `Batch` of many rows as Arrow columns. Both end in the same checks: a second row with
the id of an earlier row of the same file is quarantined as a duplicate; a post another file
already stored is quarantined as "already stored" (counted, but not held against the file as
malformed); an auxiliary post (an expansion such as a retweeted original) is stored once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import InputError
from ..store import Store, arrow_schema, once
from ..timeutil import iso_utc
from .limits import INT64_MAX, INT64_MIN
from .registry import Bad, ReadContext, Reader, Record
from .source import Source
from .values import shown_value

FLUSH_ROWS = 100_000
RAW_LIMIT = 2000
QUARANTINE_FLUSH = 10_000  # quarantined rows held before they go to the store
# Columns holding ids: their values are held to `--limit max_id`, the others to max_field.
_ID_COLUMNS = frozenset({"post_id", "author_id", "account_id", "interaction_id", "ref_post_id",
                         "ref_author_id", "reply_to_post_id", "reply_to_author_id",
                         "quoted_post_id", "source_id", "target_id"})
_YEAR_1, _YEAR_9999 = 62_135_596_800_000, 253_402_300_799_000  # |ms| iso_utc can show


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


@dataclass(slots=True)
class Batch:
    """Many input rows of a posts-unit source at once, as Arrow columns (the fast path).

    `posts` has one row per input row, with columns of the canonical `posts` table (absent
    ones are null; `dataset_id` is filled by the writer); `lines[i]` is the input line of row i.
    `entities` rows carry an extra column `_row`, the index of their post in `posts`, so the
    entities of a row found to be a duplicate go with it. `raw(i)` is row i as written, for the
    quarantine. `bad` are the malformed rows met in the same stretch of input.
    """

    posts: pa.Table
    lines: Sequence[int] | np.ndarray
    entities: pa.Table | None = None
    accounts: list[dict] = field(default_factory=list)
    bad: list[Bad] = field(default_factory=list)
    raw: Callable[[int], str] | None = None


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for k, v in new.items():
        if v is not None and v != "" and into.get(k) in (None, ""):
            into[k] = v


def conform(table: pa.Table, name: str) -> pa.Table:
    """A table with exactly the canonical columns of `name`, in order and typed (absent columns
    become null)."""
    schema = arrow_schema(name)
    n = table.num_rows
    cols = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            cols.append(col if col.type == f.type else col.cast(f.type))
        else:
            cols.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(cols, schema=schema)


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
        self.post_tables: list[pa.Table] = []
        self.entity_tables: list[pa.Table] = []
        self.pending = 0
        self.accounts: dict[tuple[str, str], dict] = {}
        # Unit ids of this file, per platform: id -> line of its first row.
        self.seen: dict[str, dict[str, int]] = {}
        # Auxiliary posts (expansions) of this file, per platform.
        self.seen_aux: dict[str, set[str]] = {}
        # Posts of this file that another file had already stored (dropped with their entities).
        self.dropped: set[tuple[str, str]] = set()
        self.platforms: set[str] = set()
        self.check_db = (store.count("posts") > 0 if self.unit == "posts"
                         else store.count("interactions") > 0)
        # Quarantined rows wait here and go to the store with each flush (in the source's
        # transaction), so a file of millions of bad rows does not hold them all in memory.
        self.quarantine: list[tuple[int | None, str, str]] = []
        self.n_bad = 0  # rows quarantined as malformed or duplicated (flushed or not)
        self.first_bad: tuple[int | None, str, str] | None = None  # lowest line among them
        limits = src.limits
        self.limits = limits
        self.window = (limits.earliest_ms, limits.latest_ms())
        # Rows quarantined because another file already stored their post: counted, but not
        # held against this file as malformed (collections overlap).
        self.known: list[tuple[int | None, str, str]] = []
        self.rows_in = 0
        self.dropped_times = 0  # account creation times outside the window, left out

    # -- adding -------------------------------------------------------------------------------
    def add(self, item: Record | Bad | Batch) -> None:
        """Take one reader item: a row's Record, a Bad row, or a Batch of rows."""
        if isinstance(item, Batch):
            self._add_batch(item)
            return
        self.rows_in += 1
        self._check_rows()
        if isinstance(item, Bad):
            self._bad(item.line, item.reason, item.raw)
            return
        problem = self._record_problem(item)
        if problem is not None:
            self._bad(item.line, problem, item.raw or json.dumps(
                (item.posts or item.accounts or item.interactions or [{}])[0], default=str,
                ensure_ascii=False))
            return
        if self.unit != "accounts":
            for acc in item.accounts:
                if self._time_problem("", acc.get("created_ms")):
                    acc["created_ms"] = None
                    self.dropped_times += 1
        if self.unit == "posts" and not item.posts:
            self._add_continuation(item)
            return
        primary = self._primary(item)
        keys = [self._key(r) for r in primary]
        for platform, uid in keys:
            first = self.seen.get(platform, {}).get(uid)
            if first is not None:
                self._bad(item.line, f"duplicate {self._what()} id {uid!r} (first at line "
                          f"{first})", item.raw or json.dumps(primary, default=str))
                return
        for platform, uid in keys:
            self.seen.setdefault(platform, {})[uid] = item.line
            self.platforms.add(platform)
            if self.unit == "posts" and uid in self.seen_aux.get(platform, ()):
                self._replace_aux(platform, uid)
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
                pl, pid = p["platform"], p["post_id"]
                if pid in self.seen.get(pl, ()) or pid in self.seen_aux.get(pl, ()):
                    continue
                self.seen_aux.setdefault(pl, set()).add(pid)
                kept.add(pid)
                self.posts.append(p)
            self.posts.append(item.posts[0])
            self.entities.extend(e for e in item.entities if e["post_id"] in kept)
        else:
            # accounts / interactions / entities units: entities are stored as given (a media
            # manifest attaches media to posts of other files).
            self.entities.extend(item.entities)
        self.interactions.extend(item.interactions)
        self.pending += len(item.posts) + len(item.entities) + len(item.interactions) + 1
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def _add_batch(self, batch: Batch) -> None:
        if self.unit != "posts":
            raise TypeError("a Batch holds posts; this reader's unit is " + self.unit)
        self.rows_in += batch.posts.num_rows + len(batch.bad)
        self._check_rows()
        for b in batch.bad:
            self._bad(b.line, b.reason, b.raw)
        batch = self._screen_batch(batch)
        n = batch.posts.num_rows
        if not n:
            return
        ids = batch.posts.column("post_id").to_pylist()
        lines = [int(x) for x in batch.lines]
        plats = batch.posts.column("platform")
        distinct = pc.unique(plats).to_pylist()
        self.platforms.update(distinct)
        per_row = plats.to_pylist() if len(distinct) > 1 else None
        keep = np.ones(n, dtype=bool)
        if per_row is None and self._all_new(distinct[0], ids):
            # The common case, decided by set operations: no id repeats within the batch or
            # an earlier one, and none was an expansion.
            self.seen.setdefault(distinct[0], {}).update(zip(ids, lines, strict=True))
            distinct = []
        for platform in distinct:
            seen = self.seen.setdefault(platform, {})
            aux = self.seen_aux.get(platform, ())
            rows = range(n) if per_row is None else [
                i for i, p in enumerate(per_row) if p == platform]
            for i in rows:
                uid = ids[i]
                first = seen.get(uid)
                if first is None:
                    seen[uid] = lines[i]
                    if uid in aux:
                        self._replace_aux(platform, uid)
                    continue
                keep[i] = False
                raw = batch.raw(i) if batch.raw else json.dumps(
                    batch.posts.slice(i, 1).to_pylist()[0], default=str)
                self._bad(lines[i], f"duplicate post id {uid!r} (first at line {first})", raw)
        posts, ents = batch.posts, batch.entities
        if not keep.all():
            mask = pa.array(keep)
            posts = posts.filter(mask)
            if ents is not None:
                ents = ents.filter(mask.take(ents.column("_row").combine_chunks()))
        self.post_tables.append(posts)
        if ents is not None and ents.num_rows:
            self.entity_tables.append(ents.drop_columns(["_row"]))
        for acc in batch.accounts:
            k = (acc["platform"], acc["account_id"])
            if k in self.accounts:
                _merge(self.accounts[k], acc)
            else:
                self.accounts[k] = dict(acc)
        self.pending += posts.num_rows + (ents.num_rows if ents is not None else 0)
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def add_stored(self, rows_in: int, platform: str, bad: list[Bad],
                   accounts: list[dict]) -> None:
        """Take the count of rows a reader stored itself in SQL (see `Reader.bulk_load`), its
        quarantined rows and the accounts it saw; `finish` then checks and records them as for
        any other source."""
        self.rows_in += rows_in
        self._check_rows()
        self.platforms.add(platform)
        for b in bad:
            self._bad(b.line, b.reason, b.raw)
        for acc in accounts:
            k = (acc["platform"], acc["account_id"])
            if k in self.accounts:
                _merge(self.accounts[k], acc)
            else:
                self.accounts[k] = dict(acc)

    def _all_new(self, platform: str, ids: list[str]) -> bool:
        """Whether a batch's post ids of one platform are distinct, unseen in this file and
        not among its expansions."""
        unique = set(ids)
        return (len(unique) == len(ids) and self.seen.get(platform, {}).keys().isdisjoint(unique)
                and unique.isdisjoint(self.seen_aux.get(platform, ())))

    def _bad(self, line: int | None, reason: str, raw: str) -> None:
        """Quarantine one row (as malformed or duplicated)."""
        entry = (line, reason, raw[:RAW_LIMIT])
        self.quarantine.append(entry)
        self.n_bad += 1
        if self.first_bad is None or (line or 0) < (self.first_bad[0] or 0):
            self.first_bad = entry
        if len(self.quarantine) >= QUARANTINE_FLUSH:
            self._flush_quarantine()

    def _check_rows(self) -> None:
        if self.rows_in > self.limits.max_rows:
            raise InputError(f"more than {self.limits.max_rows:,} rows (raise it with --limit "
                             "max_rows=N)", self.src.display)

    def _time_problem(self, what: str, ms: object) -> str | None:
        """Why a time cannot be stored: outside the plausible window (`--limit earliest`,
        `--limit future_days`) or not an integer the store holds."""
        if ms is None:
            return None
        lo, hi = self.window
        if type(ms) is int and lo <= ms <= hi:
            return None
        shown = iso_utc(ms) if type(ms) is int and -_YEAR_1 < ms < _YEAR_9999 else repr(ms)[:40]
        return (f"{what} {shown} is outside {self.limits.earliest} .. now + "
                f"{self.limits.future_days:g} days (see --limit earliest / future_days)")

    def _record_problem(self, item: Record) -> str | None:
        """Why a record's values cannot be stored (the checks every reader's values pass): an
        integer beyond 64 bits, an over-long id or text, a time outside the window."""
        max_id, max_field = self.limits.max_id, self.limits.max_field
        for kind, rows in (("post", item.posts), ("account", item.accounts),
                           ("interaction", item.interactions), ("entity", item.entities)):
            for row in rows:
                for k, v in row.items():
                    if type(v) is int:
                        if not INT64_MIN <= v <= INT64_MAX:
                            return f"{kind} {k}: {shown_value(v)} is outside the 64-bit range"
                    elif type(v) is str:
                        limit = max_id if k in _ID_COLUMNS else max_field
                        if len(v) > limit:
                            return (f"{kind} {k}: {len(v):,} characters, more than {limit:,} "
                                    f"(see --limit {'max_id' if limit == max_id else 'max_field'})")
        for p in item.posts[:1]:
            problem = self._time_problem("post time", p.get("created_ms"))
            if problem:
                return problem
        for a in item.accounts[:1] if self.unit == "accounts" else ():
            problem = self._time_problem("account creation time", a.get("created_ms"))
            if problem:
                return problem
        return None

    def _screen_batch(self, batch: Batch) -> Batch:
        """The batch without posts whose ids are too long or whose time is outside the window
        (quarantined with the reason); the batch's accounts lose creation times outside it."""
        posts = batch.posts
        lo, hi = self.window
        created = posts.column("created_ms").cast(pa.int64())
        bad = pc.or_(pc.less(created, lo), pc.greater(created, hi))
        for col in ("post_id", "author_id"):
            if col in posts.column_names:
                ids = posts.column(col).cast(pa.string())  # all-null columns have no type
                bad = pc.or_(bad, pc.greater(pc.utf8_length(ids), self.limits.max_id))
        rows = np.flatnonzero(pc.fill_null(bad, False).to_numpy(zero_copy_only=False)).tolist()
        for a in batch.accounts:
            if self._time_problem("", a.get("created_ms")):
                a["created_ms"] = None
                self.dropped_times += 1
        if not rows:
            return batch
        ids = posts.column("post_id")
        for i in rows:
            pid = ids[i].as_py() or ""
            why = (f"post_id of {len(pid):,} characters, more than {self.limits.max_id}"
                   if len(pid) > self.limits.max_id else
                   self._time_problem("post time", created[i].as_py())
                   or f"author_id longer than {self.limits.max_id} characters")
            raw = batch.raw(i) if batch.raw else json.dumps(posts.slice(i, 1).to_pylist()[0],
                                                            default=str)
            self._bad(int(batch.lines[i]), why, raw)
        keep = np.ones(posts.num_rows, dtype=bool)
        keep[rows] = False
        kept = np.flatnonzero(keep)
        mask = pa.array(keep)
        ents = batch.entities
        if ents is not None:
            # Entities point at their post by index: renumber them into the kept posts.
            ents = ents.filter(mask.take(ents.column("_row").combine_chunks()))
            renumber = np.full(posts.num_rows, -1, dtype=np.int64)
            renumber[kept] = np.arange(len(kept))
            ents = ents.set_column(ents.schema.get_field_index("_row"), "_row", pa.array(
                renumber[ents.column("_row").to_numpy()]))
        raw_of = batch.raw
        return Batch(posts.filter(mask), np.asarray(batch.lines)[kept], ents, batch.accounts,
                     [], (lambda j: raw_of(int(kept[j]))) if raw_of else None)

    def _flush_quarantine(self) -> None:
        self.store.insert_rows("quarantine", [
            {"dataset_id": self.dataset_id, "path": self.src.display, "line": line,
             "reason": reason, "raw": raw} for line, reason, raw in self.quarantine])
        self.quarantine = []

    def _replace_aux(self, platform: str, post_id: str) -> None:
        """A file's own row for a post it earlier gave only as an expansion: the row wins, so
        the expansion (and its entities) is taken out again."""
        self.seen_aux[platform].discard(post_id)
        before = len(self.posts)
        self.posts = [p for p in self.posts
                      if not (p["post_id"] == post_id and p["platform"] == platform)]
        if len(self.posts) < before:
            self.entities = [e for e in self.entities
                             if not (e["post_id"] == post_id and e["platform"] == platform)]
            return
        gone = self.store.execute(
            "DELETE FROM posts WHERE dataset_id = ? AND platform = ? AND post_id = ? "
            "RETURNING post_id", [self.dataset_id, platform, post_id])
        if gone:
            self.store.execute("DELETE FROM post_entities WHERE platform = ? AND post_id = ?",
                               [platform, post_id])

    def _add_continuation(self, item: Record) -> None:
        """A row that adds entities to a post an earlier row of the same file gave (layouts
        with one row per post and shared object, such as CooRTweet's)."""
        missing = next((e["post_id"] for e in item.entities
                        if e["post_id"] not in self.seen.get(e["platform"], ())), None)
        if missing is not None:
            self._bad(item.line, f"refers to post {missing!r}, which no earlier row of this file "
                      "gives", item.raw or "")
            return
        self.entities.extend(item.entities)
        self.interactions.extend(item.interactions)
        # Event streams (Bluesky identity and profile events, YouTube channel lists) describe
        # accounts in rows that hold no post.
        for acc in item.accounts:
            k = (acc["platform"], acc["account_id"])
            if k in self.accounts:
                _merge(self.accounts[k], acc)
            else:
                self.accounts[k] = dict(acc)

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
        """Write everything buffered to the store."""
        posts = self._table("posts", self.posts, self.post_tables)
        ents = self._table("post_entities", self.entities, self.entity_tables)
        if self.check_db and posts.num_rows:
            posts = self._drop_stored(posts)
        if self.dropped and ents.num_rows:
            ents = ents.filter(pa.array(self._kept(ents)))
        if posts.num_rows:
            posts = posts.set_column(posts.schema.get_field_index("dataset_id"), "dataset_id",
                                     pa.array([self.dataset_id] * posts.num_rows, pa.string()))
        for r in self.interactions:
            r["dataset_id"] = self.dataset_id
        for name, table in (("posts", posts), ("post_entities", ents)):
            if table.num_rows:
                self.store.insert_arrow(name, table)
        self.store.insert_rows("interactions", self.interactions)
        self.posts, self.entities, self.interactions = [], [], []
        self.post_tables, self.entity_tables = [], []
        self.pending = 0

    @staticmethod
    def _table(name: str, rows: list[dict], tables: list[pa.Table]) -> pa.Table:
        parts = [conform(t, name) for t in tables]
        if rows:
            parts.insert(0, pa.Table.from_pylist(rows, schema=arrow_schema(name)))
        if not parts:
            return arrow_schema(name).empty_table()
        return pa.concat_tables(parts) if len(parts) > 1 else parts[0]

    def _kept(self, table: pa.Table) -> list[bool]:
        return [(pl, pid) not in self.dropped for pl, pid in
                zip(table.column("platform").to_pylist(), table.column("post_id").to_pylist(),
                    strict=True)]

    def _drop_stored(self, posts: pa.Table) -> pa.Table:
        """Posts stored by an earlier dataset are not stored twice: a primary one is
        quarantined as already stored, an auxiliary one (an expansion) is dropped silently."""
        keys = posts.select(["platform", "post_id"])
        self.store.con.register("_keys", once(keys))
        try:
            dup = self.store.execute(
                "SELECT DISTINCT k.platform, k.post_id, d.path FROM _keys k JOIN posts p "
                "USING (platform, post_id) JOIN datasets d ON d.dataset_id = p.dataset_id "
                "WHERE p.dataset_id <> ?", [self.dataset_id])
        finally:
            self.store.con.unregister("_keys")
        if not dup:
            return posts
        where = {}
        for pl, pid, path in dup:
            where.setdefault((pl, pid), path)
        self.dropped.update(where)
        kept = self._kept(posts)
        gone = posts.filter(pa.array([not k for k in kept])).to_pylist()
        for p in gone:
            k = (p["platform"], p["post_id"])
            line = self.seen.get(k[0], {}).get(k[1])
            if line is not None:  # a row of this file, not an expansion
                self.known.append((line, f"duplicate post id {k[1]!r}: already stored "
                                        f"from {where[k]}", json.dumps(
                                            {c: v for c, v in p.items() if v is not None},
                                            default=str, ensure_ascii=False)[:RAW_LIMIT]))
        return posts.filter(pa.array(kept))

    # -- finishing ----------------------------------------------------------------------------
    def finish(self, ctx: ReadContext) -> IngestResult:
        """Flush, check the counts and record the dataset; raises InputError for a file that
        is not what its layout says."""
        self.flush()
        for acc in self.accounts.values():
            # The source that described the account, so signals can tell a field the source
            # lacks (no bios in a handle list) from a field the account left empty.
            if acc.get("dataset_id") is None:
                acc["dataset_id"] = self.dataset_id
            if self.unit == "accounts":
                self.platforms.add(acc["platform"])
        self.store.upsert_accounts(list(self.accounts.values()))
        self._check(self.rows_in - self.n_bad - len(self.known))
        q = self.n_bad + len(self.known)
        stored = self.rows_in - q
        caps = dict(self.reader.capabilities)
        caps.update(ctx.capabilities)
        caps = {k: v for k, v in sorted(caps.items()) if v in ("full", "partial")}
        self.quarantine.extend(self.known)
        self.quarantine.sort(key=lambda x: (x[0] is None, x[0] or 0))
        self._flush_quarantine()
        notes = list(ctx.notes)
        if self.dropped_times:
            notes.append(f"{self.dropped_times} account creation times outside "
                         f"{self.limits.earliest} .. now + {self.limits.future_days:g} days "
                         "were left out")
        if self.known:
            notes.append(f"{len(self.known)} rows were already stored from other files "
                         "(quarantined as duplicates, not counted as malformed)")
        tmin, tmax = self.store.execute(
            "SELECT min(created_ms), max(created_ms) FROM posts WHERE dataset_id = ?",
            [self.dataset_id])[0]
        platform = ",".join(sorted(self.platforms)) or self.reader.platform
        self.store.execute(
            "INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.dataset_id, self.src.display, self.src.sha256, self.reader.name,
             platform, self.unit, self.rows_in, stored, q, tmin, tmax,
             json.dumps(caps, sort_keys=True), "; ".join(notes) or None])
        return IngestResult(self.src.display, self.reader.name, self.dataset_id, self.unit,
                            self.rows_in, stored, q, notes=notes)

    def _check(self, stored: int) -> None:
        path = self.src.display
        if self.rows_in == 0:
            raise InputError(f"no rows after the header: no {self.unit} to read", path, 1)
        first = self.first_bad
        if first is None:
            return
        if stored == 0:
            raise InputError(f"no row could be stored; first problem: {first[1]}", path, first[0])
        malformed = self.n_bad
        if malformed > self.max_bad_fraction * (self.rows_in - len(self.known)):
            raise InputError(
                f"{malformed} of {self.rows_in} rows are malformed or duplicated (more than "
                f"{self.max_bad_fraction:.0%}), so the file is probably not what its layout "
                f"says (raise --max-bad to keep the good rows); first problem: {first[1]}",
                path, first[0])
