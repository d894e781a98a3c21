"""The Spark session the traces run on: the one `spark-submit` started, else a new one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import InputError

# Times are integers and ids strings everywhere, so only the session time zone matters (Spark
# would otherwise render and parse timestamps in the driver's local zone).
# The console progress bars would interleave with the command's own report on stderr.
DEFAULTS = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
# Set on every session, a running one too. Adaptive execution re-planning joins over the cached
# enumeration tables ran the JVM out of heap on 137 actions (Spark 4.0, co_link's window pairs,
# also with 3 GB); without it the same run completes.
REQUIRED = {"spark.sql.session.timeZone": "UTC", "spark.sql.adaptive.enabled": "false"}
# On one machine Spark's 200 shuffle partitions are 200 tiny tasks per step, most of a small
# run's time; a cluster keeps its own setting (or --spark-conf).
LOCAL = {"spark.sql.shuffle.partitions": "8"}


def parse_conf(items: list[str] | None) -> dict[str, str]:
    """`--spark-conf key=value` options as a dict (a later key wins)."""
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--spark-conf wants key=value, not {item!r}")
        out[key.strip()] = value
    return out


def session(master: str | None = None, conf: dict[str, str] | None = None) -> Any:
    """The active SparkSession when there is one (under `spark-submit`, or in a notebook: its
    master and configuration are kept, `conf` is applied on top), else a new one on `master`
    (default `local[*]`: every core of this machine)."""
    active = _session_class().getActiveSession()
    if active is not None:
        for key, value in {**REQUIRED, **(conf or {})}.items():
            try:
                active.conf.set(key, value)
            except Exception as e:  # a static setting: only spark-submit --conf can set it
                raise InputError(f"--spark-conf {key}: cannot be changed in a running "
                                 f"session ({str(e).splitlines()[0]}); pass it to "
                                 "spark-submit --conf instead") from None
        return active
    master = master or "local[*]"
    builder = _session_class().builder.master(master).appName("inconcert")
    local = LOCAL if master.startswith("local") else {}
    for key, value in {**DEFAULTS, **local, **REQUIRED, **(conf or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


@contextmanager
def spark_session(master: str | None = None,
                  conf: dict[str, str] | None = None) -> Iterator[Any]:
    """`session()` for the length of a command: a session it started is stopped at the end, one
    that was running (spark-submit, a notebook) is left running."""
    started = _session_class().getActiveSession() is None
    spark = session(master, conf)
    try:
        yield spark
    finally:
        if started:
            spark.stop()


def _session_class() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise InputError("the Spark engine needs pyspark: pip install 'inconcert[spark]'") \
            from None
    return SparkSession
