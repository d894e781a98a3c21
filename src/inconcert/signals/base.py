"""The signal interface, registry and runner.

A signal reads the canonical tables (and, for network-stage signals, `memberships`), and returns
the accounts it fires on with a strength in [0, 1] and the evidence behind it. When the data
cannot support it (a capability is missing), it is "not computable" with the reason — never a
silent "no signal".
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from dataclasses import dataclass, field
from typing import Any, ClassVar

import duckdb
import pyarrow as pa

from ..config import Config


@dataclass(frozen=True)
class Fired:
    """One account on which a signal fired."""

    account_id: str
    strength: float
    evidence: dict[str, Any] = field(default_factory=dict)
    # The techniques this firing evidences when narrower than the signal's list (a signal that
    # detects several things, e.g. office hours and machine regularity, maps each separately).
    disarm: tuple[str, ...] = ()


@dataclass
class SignalContext:
    """What a signal may read: the case connection, the run's config and the case's capabilities."""

    con: duckdb.DuckDBPyConnection
    config: Config
    capabilities: dict[str, str]


class NotComputable(Exception):
    """Raised by a signal that finds, while running, that the data cannot support it."""


class Signal:
    """Base class: one account signal."""

    name: ClassVar[str]
    description: ClassVar[str]
    disarm: ClassVar[tuple[str, ...]] = ()  # DISARM v1.6 technique ids this signal evidences
    requires: ClassVar[tuple[str, ...]] = ()  # capabilities (model.CAPABILITIES) it needs
    stage: ClassVar[str] = "account"  # "account": before networks; "network": after them

    def compute(self, ctx: SignalContext) -> list[Fired]:
        """The accounts this signal fires on."""
        raise NotImplementedError

    @classmethod
    def section(cls) -> str:
        """The config section holding this signal's parameters."""
        return f"signals.{cls.name}"

    def params(self, ctx: SignalContext) -> Any:
        """This signal's parameters (its config section's dataclass)."""
        return ctx.config.section(self.section())


_SIGNALS: dict[str, type[Signal]] = {}


def register(cls: type[Signal]) -> type[Signal]:
    """Class decorator that makes a signal available by its `name`."""
    if cls.name in _SIGNALS and _SIGNALS[cls.name] is not cls:
        raise ValueError(f"two signals are named {cls.name!r}")
    _SIGNALS[cls.name] = cls
    return cls


def signals() -> dict[str, type[Signal]]:
    """Every registered signal by name (importing each module of this package)."""
    pkg = importlib.import_module(__name__.rsplit(".", 1)[0])
    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{mod.name}")
    return dict(sorted(_SIGNALS.items()))


RUNS_DDL = """
CREATE OR REPLACE TABLE signal_runs (
    signal VARCHAR, status VARCHAR, reason VARCHAR, disarm VARCHAR, fired BIGINT,
    params VARCHAR);
"""
SIGNALS_DDL = """
CREATE TABLE IF NOT EXISTS account_signals (
    account_id VARCHAR, signal VARCHAR, strength DOUBLE, evidence VARCHAR, disarm VARCHAR);
"""


def _insert_fired(con: duckdb.DuckDBPyConnection, name: str, fired: list[Fired],
                  disarm: str) -> None:
    # Through Arrow: row-by-row inserts cost seconds per ten thousand rows.
    table = pa.table({
        "account_id": pa.array([f.account_id for f in fired], pa.string()),
        "signal": pa.array([name] * len(fired), pa.string()),
        "strength": pa.array([round(min(1.0, max(0.0, float(f.strength))), 6) for f in fired],
                             pa.float64()),
        "evidence": pa.array([json.dumps(f.evidence, sort_keys=True, ensure_ascii=False,
                                         default=str) for f in fired], pa.string()),
        "disarm": pa.array([";".join(f.disarm) if f.disarm else disarm for f in fired],
                           pa.string()),
    })
    con.register("_fired", table)
    try:
        con.execute("INSERT INTO account_signals SELECT account_id, signal, strength, evidence, "
                    "disarm FROM _fired").fetchall()
    finally:
        con.unregister("_fired")


def _params_json(config: Config, section: str) -> str | None:
    if section not in config.names():
        return None
    return json.dumps(config.as_dict()[section], sort_keys=True)


def run_signals(con: duckdb.DuckDBPyConnection, config: Config, capabilities: dict[str, str],
                stage: str = "account") -> dict[str, str]:
    """Run every signal of a stage; (re)write their rows in `account_signals` and `signal_runs`.

    Returns {signal: status}. Rows are written in a stable order so outputs are byte-identical.
    """
    con.execute(SIGNALS_DDL).fetchall()
    if stage == "account":
        con.execute(RUNS_DDL).fetchall()
    ctx = SignalContext(con, config, capabilities)
    status: dict[str, str] = {}
    for name, cls in signals().items():
        if cls.stage != stage:
            continue
        sig = cls()
        con.execute("DELETE FROM account_signals WHERE signal = ?", [name]).fetchall()
        missing = [c for c in sig.requires if c not in capabilities]
        disarm = ";".join(sig.disarm)
        params = _params_json(config, cls.section())
        if missing:
            reason = "the data has no " + ", ".join(missing)
            con.execute("INSERT INTO signal_runs VALUES (?, 'not computable', ?, ?, 0, ?)",
                        [name, reason, disarm, params]).fetchall()
            status[name] = "not computable"
            continue
        try:
            fired = sig.compute(ctx)
        except NotComputable as e:
            con.execute("INSERT INTO signal_runs VALUES (?, 'not computable', ?, ?, 0, ?)",
                        [name, str(e), disarm, params]).fetchall()
            status[name] = "not computable"
            continue
        fired = sorted(fired, key=lambda f: f.account_id)
        if fired:
            _insert_fired(con, name, fired, disarm)
        con.execute("INSERT INTO signal_runs VALUES (?, 'ok', NULL, ?, ?, ?)",
                    [name, disarm, len(fired), params]).fetchall()
        status[name] = "ok"
    return status
