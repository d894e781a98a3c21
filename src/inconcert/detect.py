"""`inconcert detect`: from a case database to networks, roles, verdicts and their outputs.

Order: traces → account signals → fused graph → networks → roles → network-stage signals →
verdict → operations (networks sharing seeders, content or creation cohorts grouped; see
`inconcert.operations`) → accounts.csv, networks.csv, edges.csv, findings.json. Every step
(re)creates its tables in the case database, so a run can be inspected with SQL and repeated
with other parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
from rich.console import Console

from .config import Config
from .config import load as load_config
from .engine import Engine
from .errors import InputError
from .narratives.stage import drop_tables as drop_narrative_tables
from .networks import assign_roles, find_networks, fuse_edges
from .networks.communities import describe_networks
from .operations import find_operations
from .operations.cohorts import join_cohorts
from .outputs.accounts import account_rows, write_accounts
from .outputs.edges import edge_rows, write_edges
from .outputs.findings import write_findings
from .outputs.networks import network_rows, write_networks
from .progress import timed_step
from .store import Store
from .verdict import judge

OUTPUTS = ("accounts.csv", "networks.csv", "edges.csv", "findings.json")


def _steps(con: duckdb.DuckDBPyConnection, cfg: Config, caps: dict[str, str],
           engine: Engine | None = None) -> list[tuple[str, Callable[[], object]]]:
    from .collective import describe_networks as describe_groups
    from .collective import run_collective
    from .signals import run_signals
    from .traces import compute_traces

    return [
        ("behavioural traces", lambda: compute_traces(con, cfg, caps, engine)),
        ("group test", lambda: run_collective(con, cfg)),
        ("account signals", lambda: run_signals(con, cfg, caps, "account")),
        ("fused account graph", lambda: fuse_edges(con, cfg)),
        ("networks (Leiden)", lambda: find_networks(con, cfg)),
        ("roles and seeders", lambda: (place_members(con, cfg), describe_networks(con, cfg),
                                       describe_groups(con))),
        ("network signals", lambda: run_signals(con, cfg, caps, "network")),
        ("verdict", lambda: judge(con, cfg)),
        ("creation cohorts", lambda: place_cohorts(con, cfg)),
        ("operations", lambda: find_operations(con, cfg)),
    ]


def place_members(con: duckdb.DuckDBPyConnection, cfg: Config) -> None:
    """Seeders and amplifiers join the networks (`assign_roles`), then the coordinated groups'
    periphery (`join_periphery`), then roles again: the seeders the periphery reshares, and the
    outsiders resharing those seeders, join by the same rules. In one pass they were left out
    (slow random squads, seed 1: 23 of 56 seeders and 101 of 400 amplifiers in no network)."""
    from .collective import join_periphery

    assign_roles(con, cfg)
    join_periphery(con, cfg)
    assign_roles(con, cfg)


def place_cohorts(con: duckdb.DuckDBPyConnection, cfg: Config) -> int:
    """The burst-mates of flagged accounts that nothing else placed join their networks
    (`operations.cohorts`); the networks are described and judged again with them. Returns the
    number of accounts that joined."""
    added = join_cohorts(con, cfg)
    if added:
        describe_networks(con, cfg)
        judge(con, cfg)
    return added


def detect(db_path: Path, out_dir: Path, cfg: Config | None = None,
           console: Console | None = None, engine: Engine | None = None) -> list[Path]:
    """Run the detection stages on a case database and write the four outputs into `out_dir`.

    Returns the written paths. Raises InputError when the database does not exist.
    With a console, each step is reported as it finishes, with its duration. `engine` runs the
    traces' pair enumeration (default: the one `traces.engine` names).
    """
    cfg = cfg if cfg is not None else load_config()
    if not Path(db_path).exists():
        raise InputError("no such case database", str(db_path))
    out_dir.mkdir(parents=True, exist_ok=True)
    with Store(db_path) as store:
        drop_narrative_tables(store.con)
        caps = store.capabilities()
        for label, step in _steps(store.con, cfg, caps, engine):
            timed_step(console, label, step)
        accounts = account_rows(store.con)
        networks = network_rows(store.con)
        edges = edge_rows(store.con)
        return [write_accounts(accounts, out_dir / OUTPUTS[0]),
                write_networks(networks, out_dir / OUTPUTS[1]),
                write_edges(edges, out_dir / OUTPUTS[2]),
                write_findings(store, cfg, accounts, networks, edges, out_dir / OUTPUTS[3])]
