"""Worker processes for the pure, CPU-bound steps that would otherwise hold one core while the
other waits: the group test's Leiden partitions (`inconcert.leiden`) and the semantic-copy
clustering (`traces.semantic_copy`).

A worker is a fresh interpreter (`python -m inconcert.workers`) fed one pickled call on stdin,
which imports the function's module and writes the pickled result on stdout. Not
`multiprocessing`: its spawn re-runs a user's unguarded main script, and forking a process whose
DuckDB threads may hold locks can deadlock the child. Only functions named by this package are
called, on values this process made; the result is the same as calling the function here (the
steps that use workers are deterministic, and tests compare the two).
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any


def call(target: str, *args: Any) -> Any:
    """`module:function` called on `args` in a fresh interpreter that finds this package where
    this one found it; its result, or RuntimeError with the worker's error."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        x for x in (str(Path(__file__).resolve().parent.parent), env.get("PYTHONPATH")) if x)
    job = pickle.dumps((target, args), protocol=pickle.HIGHEST_PROTOCOL)
    proc = subprocess.run([sys.executable, "-m", "inconcert.workers"], input=job,
                          capture_output=True, env=env, check=False)
    if proc.returncode:
        tail = proc.stderr.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"the worker process for {target} failed (exit {proc.returncode}): "
                           f"{tail}")
    return pickle.loads(proc.stdout)


class Pool:
    """At most `workers` calls in worker processes at once, run while the caller goes on; with
    one worker (or an interpreter that does not know its own executable) every call runs in the
    caller, at once."""

    def __init__(self, workers: int) -> None:
        self._pool = (ThreadPoolExecutor(max_workers=workers)
                      if workers > 1 and sys.executable else None)

    @property
    def parallel(self) -> bool:
        """Whether calls run in worker processes."""
        return self._pool is not None

    def submit(self, target: str, *args: Any) -> Future:
        """`module:function(*args)` as a future: in a worker process when `parallel`."""
        if self._pool is None:
            done: Future = Future()
            module, name = target.split(":")
            done.set_result(getattr(importlib.import_module(module), name)(*args))
            return done
        return self._pool.submit(call, target, *args)

    def close(self) -> None:
        """Wait for the running calls and stop the pool."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _main() -> None:
    target, args = pickle.load(sys.stdin.buffer)
    module, name = target.split(":")
    out = getattr(importlib.import_module(module), name)(*args)
    sys.stdout.buffer.write(pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    _main()
