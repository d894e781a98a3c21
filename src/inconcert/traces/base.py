"""The trace interface and registry.

A trace is one module in `inconcert.traces` that subclasses `Trace`, decorates the class with
`@register`, and declares its parameters as the config section `traces.<name>`. It turns the
canonical tables into actions — one row per (account, item, time) — with one SQL query; the engine
does the rest (hot-item guard, pair enumeration within the window, significance).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, ClassVar

import duckdb

from .. import config
from ..workers import Pool

# Columns every trace's actions query returns, in this order. `item` is what two accounts must
# share (a post id, a URL, a hashtag set...), `t` integer epoch ms, `action_id` the post or
# interaction that is the action (ties and hot-item sampling are decided on it).
ACTION_COLUMNS = ("account", "item", "t", "action_id")


class NotComputable(Exception):
    """Raised by a trace that finds, while preparing, that the data cannot support it."""


@dataclass
class TraceParams:
    """Parameters every trace has (each trace's section repeats them with its own defaults)."""

    enabled: bool = config.param(True, "compute this trace")
    window_s: int = config.param(60, "two actions on the same item co-occur when at most this "
                                     "many seconds apart")
    min_count: int = config.param(2, "an edge needs at least this many distinct shared items")


class Trace:
    """Base class: one behavioural trace."""

    name: ClassVar[str]
    description: ClassVar[str]
    item_kind: ClassVar[str] = "post"  # what an item id is, for readers of `examples`
    # True when an edge means the two accounts each posted the same content as their own (a
    # text, its paraphrase or translation, an image), not a reshare that names its source: the
    # verdict's evidence of undisclosed copying (`inconcert.copying`).
    copies_content: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ()  # capabilities (model.CAPABILITIES) it needs
    # Tables its actions query reads (a Spark engine ships exactly these).
    tables: ClassVar[tuple[str, ...]] = ()
    # Tables it keeps in the case for later stages; dropped before every run, so a trace now
    # disabled or not computable leaves none from an earlier run behind.
    outputs: ClassVar[tuple[str, ...]] = ()
    params_class: ClassVar[type]

    def start(self, con: duckdb.DuckDBPyConnection, params: Any, pool: Pool) -> None:
        """Before any trace runs: hand `pool` the work `prepare` will need that runs in a worker
        process (pure, CPU-bound, reading nothing from the case), so it runs while the traces
        before this one do. `prepare` must give the same result whether or not this was
        called. Default: nothing."""

    def prepare(self, con: duckdb.DuckDBPyConnection, params: Any) -> list[str]:
        """Build helper tables the actions query reads (text keys, clusters...); returns notes.

        Raises NotComputable when the data turns out not to support the trace.
        """
        return []

    def actions_sql(self, params: Any) -> str:
        """One SELECT returning `ACTION_COLUMNS`, in the DuckDB dialect subset that SQLGlot
        transpiles to Spark SQL (integers for times; no DuckDB-only functions)."""
        raise NotImplementedError

    def universe_sql(self, params: Any) -> str | None:
        """(account, item) rows that define activity and popularity for the null model, when
        they are more than the actions (fast reshares are tested against all reshares: an
        account's fast reshares are a subset of its reshares). None: the actions themselves."""
        return None


_TRACES: dict[str, type[Trace]] = {}


def register(cls: type[Trace]) -> type[Trace]:
    """Class decorator that makes a trace available by its `name`."""
    if cls.name in _TRACES and _TRACES[cls.name] is not cls:
        raise ValueError(f"two traces are named {cls.name!r}")
    _TRACES[cls.name] = cls
    return cls


def traces() -> dict[str, type[Trace]]:
    """Every registered trace by name (importing each module of this package)."""
    pkg = importlib.import_module(__name__.rsplit(".", 1)[0])
    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{mod.name}")
    return dict(sorted(_TRACES.items()))


@config.section("traces")
@dataclass
class EngineParams:
    """How every trace's pairs are enumerated."""

    engine: str = config.param("duckdb", "'duckdb' (default, out of core) or 'spark' (needs the "
                                         "spark extra; same SQL, transpiled by SQLGlot)")
    max_per_bucket: int = config.param(200, "hot-item guard: an item's actions in one window-wide "
                                            "time bucket beyond this many are left out of pair "
                                            "enumeration (a deterministic hash sample is kept, "
                                            "and trace_runs.notes says so); a bucket and its "
                                            "neighbour then give at most ~60,000 pairs")
