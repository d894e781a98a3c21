"""Ingest: read input files with the right reader into the canonical case store."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb

from .. import model
from ..errors import InputError
from ..store import Store
from . import registry
from .csvread import SlowPath
from .limits import Limits
from .registry import Bad, ReadContext, Reader, Record, choose, register
from .source import BROKEN_STREAM, Head, Source, broken_stream, read_head, sources_for
from .values import BadValue
from .writer import Batch, DatasetWriter, IngestResult

# `readers()` stays in `registry`: a function named like the `readers` subpackage would be
# rebound to the module by the first import of any reader.
__all__ = ["Bad", "Batch", "IngestResult", "Limits", "Reader", "Record", "capability_matrix",
           "ingest_paths", "register"]

Progress = Callable[[str, int, int], None]  # (label, bytes done, bytes total)


def ingest_paths(store: Store, paths: Sequence[str | Path], fmt: str | None = None,
                 max_bad_fraction: float = 0.2,
                 progress: Progress | None = None,
                 limits: Limits | None = None) -> list[IngestResult]:
    """Ingest every input path (plain, gzip or zip) into the store.

    Each source is stored in its own transaction: a source that fails leaves nothing behind, and
    a source already ingested (same content digest) is skipped, so repeating an ingest never
    duplicates rows. Raises InputError for a source that cannot be read or breaks one of
    `limits` (defaults: `Limits()`).
    """
    results = []
    for p in paths:
        for src in sources_for(Path(p), limits):
            results.append(_ingest_source(store, src, fmt, max_bad_fraction, progress))
    return results


def _ingest_source(store: Store, src: Source, fmt: str | None, max_bad_fraction: float,
                   progress: Progress | None) -> IngestResult:
    done = store.dataset_by_sha(src.sha256)
    if done is not None:
        return IngestResult(src.display, done["format"], done["dataset_id"], done["unit"],
                            skipped=True, notes=[f"already ingested from {done['path']}"])
    head = read_head(src)
    reader = choose(head, src, fmt)
    try:
        result = _read_into(store, src, head, reader, max_bad_fraction, progress)
    except SlowPath:
        # The fast columnar path met something it cannot read exactly; nothing of this source
        # was kept (rolled back), so read it again row by row, which quarantines precisely.
        src.fast_csv = False
        result = _read_into(store, src, head, type(reader)(), max_bad_fraction, progress)
    if progress is not None:
        progress(src.display, src.size, src.size)
    return result


def _read_into(store: Store, src: Source, head: Head, reader: Reader, max_bad_fraction: float,
               progress: Progress | None) -> IngestResult:
    """Read one source into the store in one transaction: all of it, or nothing."""
    dataset_id = src.sha256[:16]
    ctx = ReadContext()
    bulk = reader.bulk_load(store, src, head)
    store.execute("BEGIN TRANSACTION")
    writer = DatasetWriter(store, src, reader, dataset_id, max_bad_fraction)
    line = 0
    try:
        stored = False
        if bulk is not None:
            try:
                stored = bulk.store(ctx, writer)
            finally:
                # Before the reader's own path reads the file, not after: the staged copy
                # of a declined file would double its memory.
                bulk.close()
        for item in () if stored else reader.read(src, head, ctx):
            writer.add(item)
            if isinstance(item, Batch):
                line = int(item.lines[-1]) if len(item.lines) else line
            else:
                line = item.line or line
            if progress is not None and (isinstance(item, Batch) or writer.rows_in % 5000 == 0):
                progress(src.display, src.bytes_read, src.size)
        result = writer.finish(ctx)
    except InputError as e:
        _rollback(store)
        if e.path is None:
            raise InputError(e.problem, src.display, e.line) from None
        raise
    except BROKEN_STREAM as e:
        _rollback(store)
        raise broken_stream(src, e, line + 1) from None
    except csv.Error as e:
        _rollback(store)
        raise InputError(f"malformed CSV ({e})", src.display, line + 1) from None
    except UnicodeError as e:
        _rollback(store)
        raise InputError(f"cannot decode text ({e})", src.display, line + 1) from None
    except (ValueError, OverflowError, RecursionError) as e:
        # A value no reader rule caught (an integer beyond any range, nesting beyond the
        # parser's depth): the input is bad, not the program.
        _rollback(store)
        problem = str(e) if isinstance(e, BadValue) else f"{type(e).__name__}: {e}"
        raise InputError(f"cannot read a value ({problem[:300]})", src.display,
                         line + 1) from None
    except BaseException:
        _rollback(store)
        raise
    finally:
        if bulk is not None:
            bulk.close()
    store.execute("COMMIT")
    return result


def _rollback(store: Store) -> None:
    """Undo the source's transaction. After Ctrl-C inside a statement DuckDB may have aborted
    it already; the rollback's own error must not hide the reason the ingest stopped."""
    with contextlib.suppress(duckdb.Error):
        store.execute("ROLLBACK")


def capability_matrix() -> str:
    """What every registered reader supplies, as a Markdown table (formats x capabilities).

    `docs/readers.md` holds a copy, which a test keeps equal to this output. ✓ full, ~ partial,
    ? set per file (a file of the format may supply it, see the reader's page).
    """
    marks = {"full": "✓", "partial": "~"}
    caps = list(model.CAPABILITIES)
    lines = ["| format | unit | " + " | ".join(f"`{c}`" for c in caps) + " |",
             "|---|---|" + "---|" * len(caps)]
    # registry.readers, not the package attribute: importing the `readers` subpackage rebinds
    # `inconcert.ingest.readers` to the module.
    for name, cls in registry.readers().items():
        static = cls.capabilities
        per_file = getattr(cls, "file_capabilities", {})
        cells = [marks.get(static.get(c, ""), "?" if c in per_file else "") for c in caps]
        lines.append(f"| `{name}` | {cls.unit} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
