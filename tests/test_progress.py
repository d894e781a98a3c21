"""Stage progress: the step's result comes back, and a console gets its label and duration."""

from __future__ import annotations

import re

from rich.console import Console

from inconcert.progress import timed_step


def test_a_step_reports_its_label_and_duration_to_a_console():
    console = Console(record=True, width=80)
    assert timed_step(console, "fused account graph", lambda: 42) == 42
    assert re.fullmatch(r"  fused account graph: \d+\.\d s\n", console.export_text())


def test_without_a_console_a_step_only_runs():
    ran = []
    assert timed_step(None, "verdict", lambda: ran.append(1) or "done") == "done"
    assert ran == [1]
