"""The canonical tables as a Parquet dataset, for engines that read them where they are.

`write_dataset` copies a case database's canonical tables (the ones `inconcert ingest` fills,
`model.TABLES`) into a folder: `posts` partitioned by platform and UTC day (Hive layout,
`posts/platform=x/day=2020-01-31/*.parquet`), every other table one file in its own folder, and
`manifest.json` (tables, row counts, schema version, the ingest's datasets and quarantine
counts). It is written from the case database, so ids (strings), times (epoch ms), their
precision and what was quarantined are exactly the case's. Spark (`spark_table`) and DuckDB
(`open_case`, through `read_parquet`) read it from a local folder or from any URI they can
read (s3://, gs://, hdfs://, abfss://...).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import duckdb

from .. import __version__, model
from ..errors import InputError
from ..store import Store

# Bumped when the layout or a canonical table's columns change: a reader refuses other versions.
SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
PARTITIONS = {"posts": ("platform", "day")}
# Tables the analyses read again and again: views over the dataset, never copied to the driver.
# `datasets` and `quarantine` are small (one row per input file, rows refused) and are copied.
VIEWS = ("accounts", "posts", "post_entities", "interactions")
_ORDER = {"datasets": "dataset_id", "accounts": "platform, account_id",
          "posts": "platform, created_ms, post_id",
          "post_entities": "platform, post_id, entity, position",
          "interactions": "platform, interaction_id",
          "quarantine": "dataset_id, line, reason"}
_SPARK_TYPES = {"VARCHAR": "string", "BIGINT": "bigint", "INTEGER": "int", "BOOLEAN": "boolean"}


def _is_uri(location: str) -> bool:
    return bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+://", location))


def location(given: str | Path) -> str:
    """A dataset's location as engines are given it: a URI as is, a local path absolute (the
    run's case database keeps views over it)."""
    text = str(given)
    return text.rstrip("/") if _is_uri(text) else str(Path(text).resolve())


def write_dataset(db: Path, out: Path) -> dict[str, Any]:
    """Write the canonical tables of the case database `db` as a Parquet dataset in `out` (a
    new or empty local folder); returns the manifest, also written to `out/manifest.json`."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("--to-parquet must name a new or empty folder", str(out))
    out.mkdir(parents=True, exist_ok=True)
    tables: dict[str, Any] = {}
    with Store(db, read_only=True) as store:
        for table in model.TABLES:
            cols = ", ".join(model.columns(table))
            rows = store.count(table)
            parts = PARTITIONS.get(table, ()) if rows else ()
            target = out / table
            if parts:
                # The UTC day of the post's time (epoch_ms gives a time-zone-free timestamp).
                store.execute(
                    f"COPY (SELECT {cols}, strftime(epoch_ms(created_ms), '%Y-%m-%d') AS day "
                    f"FROM {table} ORDER BY {_ORDER[table]}) TO '{_quote(target)}' "
                    f"(FORMAT PARQUET, PARTITION_BY ({', '.join(parts)}))")
            else:
                target.mkdir()
                store.execute(f"COPY (SELECT {cols} FROM {table} ORDER BY {_ORDER[table]}) "
                              f"TO '{_quote(target / 'part-0.parquet')}' (FORMAT PARQUET)")
            tables[table] = {"path": table, "rows": rows, "partition_by": list(parts)}
        datasets = [dict(zip(("dataset_id", "path", "format", "platform", "rows_in",
                              "rows_stored", "rows_quarantined"), r, strict=True))
                    for r in store.execute(
                        "SELECT dataset_id, path, format, platform, rows_in, rows_stored, "
                        "rows_quarantined FROM datasets ORDER BY path, dataset_id")]
    manifest = {"format": "inconcert-dataset", "schema_version": SCHEMA_VERSION,
                "inconcert_version": __version__, "tables": tables, "datasets": datasets,
                "rows_quarantined": sum(d["rows_quarantined"] for d in datasets)}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                encoding="utf-8")
    return manifest


def read_manifest(con: duckdb.DuckDBPyConnection, where: str) -> dict[str, Any]:
    """The manifest of the dataset at `where` (read by DuckDB: local or remote alike)."""
    try:
        text = con.execute("SELECT content FROM read_text(?)",
                           [f"{where}/{MANIFEST}"]).fetchall()[0][0]
        manifest = json.loads(text)
    except (duckdb.Error, ValueError, IndexError) as e:
        raise InputError(f"not an inconcert Parquet dataset: no readable {MANIFEST} "
                         f"({str(e).splitlines()[0]})", where) from None
    if not isinstance(manifest, dict) or manifest.get("format") != "inconcert-dataset" or \
            manifest.get("schema_version") != SCHEMA_VERSION:
        raise InputError(f"not an inconcert Parquet dataset of schema version {SCHEMA_VERSION}",
                         where)
    # The manifest's paths go into SQL and Spark reads: only the layout `write_dataset` makes.
    tables = manifest.get("tables")
    for table in model.TABLES:
        info = tables.get(table) if isinstance(tables, dict) else None
        if not isinstance(info, dict) or info.get("path") != table or \
                info.get("partition_by") not in ([], list(PARTITIONS.get(table, ()))):
            raise InputError(f"{MANIFEST} does not describe table {table} as "
                             "`inconcert ingest --to-parquet` writes it", where)
    return manifest


def duckdb_sql(where: str, table: str, manifest: dict[str, Any]) -> str:
    """A SELECT of a canonical table from the dataset, in the case database's column types."""
    info = manifest["tables"][table]
    cols = ", ".join(f"CAST({c} AS {t.split()[0]}) AS {c}" for c, t in model.TABLES[table])
    path = _quote(f"{where}/{info['path']}")
    if info["partition_by"]:
        # Partition values stay text: a platform called "1" must not become a number.
        types = ", ".join(f"'{c}': 'VARCHAR'" for c in info["partition_by"])
        return (f"SELECT {cols} FROM read_parquet('{path}/**/*.parquet', "
                f"hive_partitioning = true, hive_types = {{{types}}})")
    return f"SELECT {cols} FROM read_parquet('{path}/*.parquet')"


def open_case(where: str, db: Path) -> Path:
    """Create the case database `db` for a run over the dataset at `where`: `VIEWS` are views
    over its Parquet files (read where they are, out of core), `datasets` and `quarantine` are
    copied. Every stage then reads it like an ingested case."""
    with Store(db) as store:
        manifest = read_manifest(store.con, where)
        for table in model.TABLES:
            sql = duckdb_sql(where, table, manifest)
            try:
                if table in VIEWS:
                    store.execute(f"DROP TABLE {table}")
                    store.execute(f"CREATE VIEW {table} AS {sql}")
                else:
                    store.execute(f"INSERT INTO {table} {sql}")
            except duckdb.Error as e:  # a missing, truncated or foreign Parquet file
                raise InputError(f"cannot read table {table} of the dataset "
                                 f"({str(e).splitlines()[0]})", where) from None
        store.execute(model.ACTIONS_VIEW)  # re-bound to the views
    return db


def spark_table(spark: Any, where: str, table: str) -> Any:
    """A canonical table of the dataset as a Spark DataFrame (read by the cluster from where
    the dataset is), in the case database's column types."""
    from pyspark.sql.types import StructType

    cols = [(c, _SPARK_TYPES[t.split()[0]]) for c, t in model.TABLES[table]]
    extra = [(c, "string") for c in PARTITIONS.get(table, ()) if c not in dict(cols)]
    # An explicit schema: partition values are read as text, columns as the model types.
    schema = StructType.fromDDL(", ".join(f"`{c}` {t}" for c, t in cols + extra))
    df = spark.read.schema(schema).parquet(f"{where}/{table}")
    return df.select(*[c for c, _ in cols])


def _quote(path: str | Path) -> str:
    return str(path).replace("'", "''")
