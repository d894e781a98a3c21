"""Time the `semantic_copy` trace's clustering alone on a case database.

    PYTHONPATH=src .venv/bin/python -m bench.semantic_time CASE.duckdb [--set k=v ...] [--labels F]

Loads the distinct texts as the trace does (`load_docs`), runs `semantic_clusters` with the
configured parameters (`--set traces.semantic_copy.KEY=VALUE` overrides) and prints the wall and
CPU seconds, the work counts and a digest of the clusters; `--labels` writes each text's cluster
(one a line, in text order) so two runs can be compared. The load average is printed beside the
times: the machine is shared (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path

import duckdb

from inconcert import config
from inconcert.traces.semantic_copy import _encoder, load_docs, semantic_clusters


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--labels", type=Path, help="write each text's cluster here")
    opts = ap.parse_args()
    params = config.load(overrides=opts.set).section("traces.semantic_copy")
    con = duckdb.connect(str(opts.db), read_only=True)
    docs = load_docs(con, params)
    print(f"{len(docs)} distinct texts; load average {os.getloadavg()}", flush=True)
    wall, cpu = time.perf_counter(), time.process_time()
    label, counts = semantic_clusters(docs, params, _encoder(params))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    text = "".join(f"{x}\n" for x in label)
    print(f"clusters: wall {wall:.1f} s, CPU {cpu:.1f} s; load average {os.getloadavg()}")
    print(f"{counts}; {len(set(label) - {None})} clusters; labels md5 "
          f"{hashlib.md5(text.encode()).hexdigest()}")
    if opts.labels:
        opts.labels.write_text(text)


if __name__ == "__main__":
    main()
