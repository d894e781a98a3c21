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
            if not (all(type(k) is str for k in sections) and _splice(real, sections, out)):
                out.seek(0)
                out.truncate()
                _rewrite(real, sections, out)
        shutil.copymode(real, tmp)
        os.replace(tmp, real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


# Read and copied this many bytes at a time (tests make it small to cross chunk boundaries).
_CHUNK = 1 << 22
# Where a top-level member starts, in what jsontext.dump writes: at indent 1 only the top-level
# keys are (nested lines are indented by 2 spaces or more, closing brackets of top-level values
# are followed by "]" or "}"), and strings hold no raw newline.
_MEMBER = b'\n "'
# What a value written by jsontext neither starts nor ends with.
_EDGE = b" \t\r\n,"


def _splice(path: Path, sections: dict[str, Any], out: io.TextIOWrapper) -> bool:
    """Write to out what `_rewrite` would, copying path's members and writing sections' members
    at their sorted places, if path is laid out as `jsontext.dump` + "\\n" writes (a file
    written by write_findings or add_sections); else return False, out half written."""
    new = sorted(sections.items())
    raw = out.buffer
    written = 0  # members written so far (the ones after the first take a comma)

    def add(key: str, value: Any) -> None:
        nonlocal written
        if written:
            out.write(",")
        jsontext.dump_member(key, value, out)
        written += 1

    with open(path, "rb") as src:
        buf = src.read(4)
        if buf not in (b"{}\n", b'{\n "'):
            return False
        members = buf != b"{}\n"
        out.write("{")
        start = 1  # where the current member starts in buf
        last: str | None = None
        while members:
            # The member's key: its string, then ": " and the first byte of the value.
            while (end := _string_end(buf, start + 3)) < 0 or end + 4 > len(buf):
                chunk = src.read(_CHUNK)
                if not chunk:
                    return False
                buf, start = buf[start:] + chunk, 0
            key = _canonical_key(buf[start + 2:end + 1])
            if (key is None or (last is not None and key <= last)
                    or buf[end + 1:end + 3] != b": " or buf[end + 3] in _EDGE):
                return False
            last = key
            while new and new[0][0] < key:
                add(*new.pop(0))
            keep = not (new and new[0][0] == key)
            if keep:
                if written:
                    raw.write(b",")
                written += 1
            else:
                add(*new.pop(0))
            # The member's value: up to the comma before the next member, or to the "\n}\n"
            # that ends the file; without space or comma at either end (so never empty: the
            # ": " before it ends with a space).
            search = end + 1
            while True:
                found = buf.find(_MEMBER, search)
                if found >= 0:
                    stop, members = found - 1, True
                    if buf[stop] != ord(","):
                        return False
                    break
                chunk = src.read(_CHUNK)
                if not chunk:
                    stop, members = len(buf) - 3, False
                    if not buf.endswith(b"\n}\n"):
                        return False
                    break
                # The last 4 bytes may begin the next member's _MEMBER, with its comma.
                cut = len(buf) - 4
                if keep:
                    raw.write(memoryview(buf)[start:cut])
                buf = buf[cut:] + chunk
                start = search = 0
            if buf[stop - 1] in _EDGE:
                return False
            if keep:
                raw.write(memoryview(buf)[start:stop])
            start = found
    for member in new:
        add(*member)
    out.write("\n}\n" if written else "}\n")
    return True


def _string_end(buf: bytes, start: int) -> int:
    """Where the JSON string whose text starts at buf[start] ends (its closing quote), or -1
    if not within buf."""
    end = buf.find(b'"', start)
    while end >= 0:
        slashes = end
        while buf[slashes - 1] == 0x5C:
            slashes -= 1
        if (end - slashes) % 2 == 0:
            return end
        end = buf.find(b'"', end + 1)
    return -1


def _canonical_key(text: bytes) -> str | None:
    """The key a JSON string encodes, if jsontext writes that key as exactly this text."""
    try:
        key = json.loads(text)
        return key if jsontext.dumps(key).encode("utf-8") == text else None
    except ValueError:  # also UnicodeDecodeError and UnicodeEncodeError (lone surrogates)
        return None


# add_sections has always taken any JSON object: one laid out otherwise (hand-written, compact
# as the narratives stage's tests write it, without the final newline...), or sections whose
# keys are not all strings, is loaded and dumped whole as before.
def _rewrite(path: Path, sections: dict[str, Any], out: io.TextIOWrapper) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.update(sections)
    jsontext.dump(doc, out)
    out.write("\n")
