"""Writing and reading the narrative stage's tables in the case database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from ..signals.features import has_table, rows


def replace_table(con: duckdb.DuckDBPyConnection, table: str, ddl: str,
                  data: Sequence[Sequence[Any]]) -> None:
    """(Re)create a table with `ddl` and fill it with rows given in its column order."""
    con.execute(ddl).fetchall()
    if not data:
        return
    described = rows(con, f"DESCRIBE {table}")
    names = [r[0] for r in described]
    # Through Arrow: row-by-row inserts cost about a millisecond each in DuckDB.
    staged = pa.table({n: pa.array([r[i] for r in data]) for i, n in enumerate(names)})
    con.register("_narr_stage", staged)
    try:
        con.execute(f"INSERT INTO {table} SELECT * FROM _narr_stage").fetchall()
    finally:
        con.unregister("_narr_stage")


def table_dicts(con: duckdb.DuckDBPyConnection, table: str, order: str) -> list[dict[str, Any]]:
    """Every row of a table as a dict, in the given order ([] when the table does not exist)."""
    if not has_table(con, table):
        return []
    cur = con.execute(f"SELECT * FROM {table} ORDER BY {order}")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
