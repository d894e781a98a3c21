"""The case store: one DuckDB file per case holding the canonical tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from . import model

_ARROW = {"VARCHAR": pa.string(), "BIGINT": pa.int64(), "INTEGER": pa.int32(),
          "BOOLEAN": pa.bool_()}


def once(data: pa.Table) -> pa.RecordBatchReader:
    """An Arrow table as a stream DuckDB scans once and copies. A registered table stays
    referenced by an open transaction until it commits, so a large ingest (one transaction per
    file) would otherwise hold every batch it inserted in memory."""
    return pa.RecordBatchReader.from_batches(data.schema, data.to_batches())


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a canonical table (types from the model)."""
    return pa.schema([(c, _ARROW[t.split()[0]]) for c, t in model.TABLES[table]])


class Store:
    """An open case database. Creates the canonical tables on first use."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        self.path = Path(path)
        if read_only and not self.path.exists():
            from .errors import InputError

            raise InputError("no such case database", str(path))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as e:
            from .errors import InputError

            raise InputError(f"not a usable DuckDB case database ({e})", str(path)) from None
        if not read_only:
            self.con.execute(model.ddl()).fetchall()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        """Run one statement and return all its rows (DuckDB wants results consumed before the
        connection does other work)."""
        return self.con.execute(sql, params or []).fetchall()

    def count(self, table: str, where: str = "", params: list[Any] | None = None) -> int:
        """Row count of a table, optionally filtered."""
        sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
        return int(self.con.execute(sql, params or []).fetchall()[0][0])

    def dataset_by_sha(self, sha256: str) -> dict[str, Any] | None:
        """The dataset already ingested from a stream with this digest, if any."""
        cur = self.con.execute("SELECT * FROM datasets WHERE sha256 = ?", [sha256])
        rows = cur.fetchall()
        if not rows:
            return None
        return dict(zip([d[0] for d in cur.description], rows[0], strict=True))

    def datasets(self) -> list[dict[str, Any]]:
        """Every ingested dataset, with its capabilities decoded."""
        cur = self.con.execute("SELECT * FROM datasets ORDER BY path, dataset_id")
        names = [d[0] for d in cur.description]
        out = []
        for row in cur.fetchall():
            d = dict(zip(names, row, strict=True))
            d["capabilities"] = json.loads(d["capabilities"])
            out.append(d)
        return out

    def capabilities(self) -> dict[str, str]:
        """Capabilities of the case: the best level any dataset offers for each."""
        best: dict[str, str] = {}
        for ds in self.datasets():
            for cap, level in ds["capabilities"].items():
                if best.get(cap) != "full":
                    best[cap] = level
        return dict(sorted(best.items()))

    def insert_rows(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Append rows (dicts keyed by column; missing keys are null) to a canonical table."""
        if not rows:
            return
        t = pa.Table.from_pylist(rows, schema=arrow_schema(table))
        self.insert_arrow(table, t)

    def insert_arrow(self, table: str, data: pa.Table) -> None:
        """Append an Arrow table whose columns match the canonical table."""
        cols = ", ".join(model.columns(table))
        self.con.register("_stage", once(data))
        try:
            self.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _stage")
        finally:
            self.con.unregister("_stage")

    def upsert_accounts(self, rows: list[dict[str, Any]]) -> None:
        """Insert accounts; for one already stored, fill its empty fields from the new row."""
        if not rows:
            return
        t = pa.Table.from_pylist(rows, schema=arrow_schema("accounts"))
        cols = model.columns("accounts")
        keys = model.KEYS["accounts"]
        sets = ", ".join(f"{c} = COALESCE(accounts.{c}, EXCLUDED.{c})"
                         for c in cols if c not in keys)
        self.con.register("_stage_acc", once(t))
        try:
            self.execute(
                f"INSERT INTO accounts ({', '.join(cols)}) SELECT {', '.join(cols)} "
                f"FROM _stage_acc ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}")
        finally:
            self.con.unregister("_stage_acc")


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether the case database has this table or view (temporary ones included)."""
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [table]).fetchall()[0][0])
