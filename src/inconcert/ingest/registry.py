"""Readers register themselves here; the format of an input is chosen by its content.

A reader is one module in `inconcert.ingest.readers` that subclasses `Reader` and decorates the
class with `@register`. Nothing else needs editing to add a format.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol

from ..errors import InputError
from .source import Head, Source

if TYPE_CHECKING:  # the writer and store import this module
    from ..store import Store
    from .writer import DatasetWriter


@dataclass(slots=True)
class Record:
    """What one input row (the reader's unit) contributes to the canonical tables."""

    line: int
    posts: list[dict] = field(default_factory=list)
    accounts: list[dict] = field(default_factory=list)
    entities: list[dict] = field(default_factory=list)
    interactions: list[dict] = field(default_factory=list)
    raw: str | None = None


@dataclass(slots=True)
class Bad:
    """An input row that cannot be stored, and why; it goes to quarantine."""

    line: int | None
    reason: str
    raw: str = ""


@dataclass
class ReadContext:
    """Per-source facts a reader learns while reading (capabilities that turn out partial...)."""

    capabilities: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Reader:
    """Base class: one input format."""

    name: ClassVar[str]  # format id, as given to --format
    description: ClassVar[str]
    platform: ClassVar[str] = "x"
    unit: ClassVar[str] = "posts"  # what one row is: posts | accounts | interactions | entities
    capabilities: ClassVar[dict[str, str]] = {}

    def sniff(self, head: Head) -> int:
        """How sure the reader is that it reads this input: 0 (no) to 100 (certain)."""
        raise NotImplementedError

    def read(self, src: Source, head: Head, ctx: ReadContext) -> Iterator[Record | Bad]:
        """Yield one Record or Bad per input row."""
        raise NotImplementedError

    def bulk_load(self, store: Store, src: Source, head: Head) -> BulkLoad | None:
        """A loader that stores the source in SQL, skipping `read`, or None (the default:
        read row by row or in batches). Called before the source's transaction opens."""
        return None


class BulkLoad(Protocol):
    """A source staged by `Reader.bulk_load` (in temporary tables), to be stored in SQL."""

    def store(self, ctx: ReadContext, writer: DatasetWriter) -> bool:
        """Store every row (in the source's transaction) and hand the counts, quarantined
        rows and accounts to `writer.add_stored`; False, having stored nothing, when the rows
        need the reader's own path after all."""
        ...

    def close(self) -> None:
        """Drop the temporary tables (may be called more than once)."""
        ...


_READERS: dict[str, type[Reader]] = {}


def register(cls: type[Reader]) -> type[Reader]:
    """Class decorator that makes a reader available by its `name`."""
    if cls.name in _READERS and _READERS[cls.name] is not cls:
        raise ValueError(f"two readers are named {cls.name!r}")
    _READERS[cls.name] = cls
    return cls


def readers() -> dict[str, type[Reader]]:
    """All registered readers, by name (importing every module of the readers package)."""
    pkg = importlib.import_module(__name__.rsplit('.', 1)[0] + ".readers")
    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{mod.name}")
    return dict(sorted(_READERS.items()))


def choose(head: Head, src: Source, forced: str | None = None) -> Reader:
    """The reader for an input: the forced one, or the most confident sniffer."""
    all_readers = readers()
    if forced:
        if forced not in all_readers:
            raise InputError(f"unknown format {forced!r}; known formats: "
                             + ", ".join(all_readers))
        return all_readers[forced]()
    scored = sorted(((cls().sniff(head), name) for name, cls in all_readers.items()),
                    key=lambda t: (-t[0], t[1]))
    if not scored or scored[0][0] <= 0:
        first = head.first_line[:80]
        raise InputError(
            f"unknown layout: no reader recognises this input (first line: {first!r}); "
            "pass --format with one of: " + ", ".join(all_readers), src.display, 1)
    return all_readers[scored[0][1]]()
