"""findings.json: everything a run concluded, with what it was run on and how.

Holds the inconcert version, the inputs (file name, sha256, format, counts, capabilities) and one
digest over their sha256s, every parameter (`Config.as_dict()`), the trace and signal runs
(including "not computable" answers and their reasons), the networks, every account's verdict
with the evidence of the account signals that fired on it, and every trace edge. Keys are sorted
and numbers rounded, and nothing depends on the clock or the machine, so the same input and
parameters give the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Any

import duckdb

from .. import __version__, jsontext
from ..config import Config
from ..store import Store


def _table_rows(con: duckdb.DuckDBPyConnection, table: str, order: str) -> list[dict[str, Any]]:
    exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                         [table]).fetchall()[0][0]
    if not exists:
        return []
    cur = con.execute(f"SELECT * FROM {table} ORDER BY {order}")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def inputs(store: Store) -> tuple[list[dict[str, Any]], str]:
    """The case's inputs (file name only: where a file sits is not what it holds) and a digest
    over their sorted sha256s."""
    items = [{"name": PurePath(d["path"]).name, "sha256": d["sha256"], "format": d["format"],
              "platform": d["platform"], "unit": d["unit"], "rows_in": d["rows_in"],
              "rows_stored": d["rows_stored"], "rows_quarantined": d["rows_quarantined"],
              "capabilities": d["capabilities"]} for d in store.datasets()]
    items.sort(key=lambda d: (d["sha256"], d["name"]))
    digest = hashlib.sha256("\n".join(sorted(d["sha256"] for d in items)).encode()).hexdigest()
    return items, digest


def evidence_by_account(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """The fired account signals of each account: signal, strength, DISARM ids, evidence."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in _table_rows(con, "account_signals", "account_id, signal"):
        out.setdefault(r["account_id"], []).append({
            "signal": r["signal"], "strength": round(float(r["strength"]), 6),
            "disarm": [x for x in (r["disarm"] or "").split(";") if x],
            "evidence": json.loads(r["evidence"]) if r["evidence"] else {}})
    return out


# The libraries whose versions can change a result: Leiden's partition for a seed differs
# between igraph/leidenalg releases (lag=seconds seed 4 of the grid: F1 0.986 with igraph
# 0.11.9 and leidenalg 0.10.2, 0.239 with 1.0.0 and 0.12.0 before the unit rule was fixed),
# and the engines' and numeric libraries' releases can move ties and rounding.
RESULT_LIBRARIES = ("duckdb", "igraph", "leidenalg", "numpy", "scipy", "pyarrow", "datasketch")


def library_versions() -> dict[str, str | None]:
    """The installed version of each library that can change a result (None if absent), so
    that "same input, same parameters, same output" can be checked across machines."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in RESULT_LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def write_findings(store: Store, cfg: Config, accounts: list[dict[str, Any]],
                   networks: list[dict[str, Any]], edges: list[dict[str, Any]],
                   path: Path) -> Path:
    """Write findings.json from the rows written to the CSV files and the case's runs."""
    con = store.con
    items, digest = inputs(store)
    evidence = evidence_by_account(con)
    acc = []
    for a in accounts:
        row = dict(a)
        if a["account_id"] in evidence:
            row["evidence"] = evidence[a["account_id"]]
        acc.append(row)
    doc = {
        "inconcert_version": __version__,
        "libraries": library_versions(),
        "inputs": items,
        "inputs_digest": digest,
        "capabilities": store.capabilities(),
        "parameters": cfg.as_dict(),
        "parameters_digest": cfg.digest(),
        "trace_runs": _table_rows(con, "trace_runs", "trace"),
        "signal_runs": _table_rows(con, "signal_runs", "signal"),
        "summary": {
            "accounts": len(accounts),
            "networks": len(networks),
            "accounts_in_networks": sum(1 for a in accounts if a["network_id"]),
            "flagged": sum(1 for a in accounts if a["flagged"]),
            "edges": len(edges),
        },
        "networks": networks,
        "accounts": acc,
        "edges": edges,
    }
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        jsontext.dump(doc, f)
        f.write("\n")
    return path


# -- Sections of later stages ------------------------------------------------------------------
# The narratives stage (inconcert.narratives) runs after detection has written findings.json and
# adds its sections (narratives, targets, sources, matches) through this function.
def add_sections(path: Path, sections: dict[str, Any]) -> Path:
    """Add or replace top-level sections of an existing findings.json, in the same format.

    The file is copied, not parsed: a 1 GB findings.json would take tens of seconds and several
    GB to load. Its members are copied as they are, so the bytes are the ones loading, updating
    and dumping it gives when it was written by write_findings or add_sections, which is taken
    to be the case when its top level is laid out as they lay it out (any other file is loaded
    and dumped). The copy goes to a temporary file next to it that then replaces it, so a
    failure leaves the file as it was."""
    real = path.resolve()  # a symlinked findings.json is replaced where it points, not unlinked
    fd, name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".tmp")
    tmp = Path(name)
    try:
        # write_through: jsontext's text and the copied bytes reach out.buffer in order.
        with io.TextIOWrapper(os.fdopen(fd, "wb"), encoding="utf-8", newline="\n",
                              write_through=True) as out:
            with open(real, "rb") as src:
                spliced = jsontext.splice_members(src, sections, out, chunk_size=_CHUNK)
            if not spliced:
                out.seek(0)
                out.truncate()
                _rewrite(real, sections, out)
        shutil.copymode(real, tmp)
        os.replace(tmp, real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# add_sections reads and copies the file this many bytes at a time (jsontext.splice_members's
# chunk_size; tests make it small to cross chunk boundaries).
_CHUNK = 1 << 22


# add_sections has always taken any JSON object: one laid out otherwise (hand-written, compact
# as the narratives stage's tests write it, without the final newline...), or sections whose
# keys are not all strings, is loaded and dumped whole as before.
def _rewrite(path: Path, sections: dict[str, Any], out: io.TextIOWrapper) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.update(sections)
    jsontext.dump(doc, out)
    out.write("\n")
