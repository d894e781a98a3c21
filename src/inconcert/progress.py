"""Stage progress on the terminal: a spinner while a step runs, then its duration."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from rich.console import Console

T = TypeVar("T")


def timed_step(console: Console | None, label: str, step: Callable[[], T]) -> T:
    """Run `step`; with a console, show `label` while it runs and print how long it took."""
    if console is None:
        return step()
    started = time.perf_counter()
    with console.status(f"{label} ..."):
        result = step()
    console.print(f"  {label}: {time.perf_counter() - started:.1f} s", highlight=False)
    return result
