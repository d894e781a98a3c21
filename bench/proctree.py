"""Resident memory and CPU of a process tree, sampled from /proc, split into driver and executors.

`os.wait4` gives the peak RSS of the *largest single process* of a step and the CPU of the
processes that were waited for. That is not enough for Spark: pyspark's driver JVM is started by
the Python process but not always waited for (its CPU can go missing), and with
`local-cluster[...]` the executors are separate JVMs started by the standalone worker that lives
inside the driver JVM, so they are descendants of the step's process and would be counted as
"the driver's". The sampler walks the tree every `interval` seconds and keeps:

- the peak of the summed RSS of the driver's processes (everything but executors), and of the
  executors' processes;
- the CPU time of every process it saw (its last sample), summed: JVMs that nobody waits for
  included, the CPU spent after a process's last sample excluded (at most `interval` each).

An executor is a process whose command line names Spark's executor backend, with all its
descendants.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

EXECUTOR_MARK = "CoarseGrainedExecutorBackend"
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    """One process as one /proc sample saw it."""

    ppid: int
    rss: int  # bytes
    cpu_s: float  # user + system, seconds, since it started
    cmdline: str


def split_rss(procs: dict[int, Proc], root: int) -> tuple[int, int, set[int]]:
    """The tree under `root` in `procs`: (RSS of the driver's processes, RSS of the executors'
    processes, the pids in the tree). An executor (`EXECUTOR_MARK` in its command line) and its
    descendants are executors; every other process of the tree, `root` included, is the
    driver's."""
    children: dict[int, list[int]] = {}
    for pid, p in procs.items():
        children.setdefault(p.ppid, []).append(pid)
    driver = executors = 0
    seen: set[int] = set()
    stack = [(root, False)] if root in procs else []
    while stack:
        pid, under_executor = stack.pop()
        if pid in seen:  # pid reuse between reads could make a cycle
            continue
        seen.add(pid)
        p = procs[pid]
        is_exec = under_executor or EXECUTOR_MARK in p.cmdline
        if is_exec:
            executors += p.rss
        else:
            driver += p.rss
        stack.extend((c, is_exec) for c in children.get(pid, ()))
    return driver, executors, seen


def _read(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(
            "utf-8", "replace")
    except OSError:  # gone between the listing and the read
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    rest = stat[stat.rindex(")") + 2:].split()
    # Fields after the name, from field 3 (state): ppid is field 4, utime 14, stime 15, rss 24.
    return Proc(ppid=int(rest[1]), rss=int(rest[21]) * _PAGE,
                cpu_s=(int(rest[11]) + int(rest[12])) / _TICK, cmdline=cmd)


def snapshot() -> dict[int, Proc]:
    """Every process of the machine now (the tree is found from parent ids)."""
    out: dict[int, Proc] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            p = _read(int(entry))
            if p is not None:
                out[int(entry)] = p
    return out


@dataclass
class TreeSampler:
    """Samples the tree under `root` in a thread until `stop()`; see the module's docstring."""

    root: int
    interval: float = 0.5
    peak_driver: int = 0
    peak_executors: int = 0
    peak_total: int = 0
    peak_root: int = 0  # the step's own process (Python: DuckDB's memory lives there)
    max_executor_procs: int = 0
    samples: int = 0
    cpu: dict[tuple[int, str], float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> TreeSampler:
        """Begin sampling (in a daemon thread)."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        procs = snapshot()
        driver, executors, pids = split_rss(procs, self.root)
        if not pids:
            return
        self.samples += 1
        self.peak_driver = max(self.peak_driver, driver)
        self.peak_executors = max(self.peak_executors, executors)
        self.peak_total = max(self.peak_total, driver + executors)
        self.peak_root = max(self.peak_root, procs[self.root].rss)
        self.max_executor_procs = max(self.max_executor_procs, sum(
            EXECUTOR_MARK in procs[p].cmdline for p in pids))
        for pid in pids:  # keyed by command line too, in case a pid is reused
            self.cpu[(pid, procs[pid].cmdline)] = procs[pid].cpu_s

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def stop(self) -> dict[str, float | int]:
        """Stop sampling; the figures in MB and seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        mb = 1024 * 1024
        return {"driver_peak_rss_mb": self.peak_driver / mb,
                "executors_peak_rss_mb": self.peak_executors / mb,
                "tree_peak_rss_mb": self.peak_total / mb,
                "root_peak_rss_mb": self.peak_root / mb,
                "executor_processes": self.max_executor_procs,
                "sampled_cpu_s": sum(self.cpu.values()), "samples": self.samples}
