"""Shared fixtures: paths to the repo's small fixtures and to the real data sets."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped (with why) when it is absent."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"real data not present: {p} (needs ../shared/data beside the repo)")
    return p


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def worker_calls(monkeypatch) -> list[str]:
    """The target of every call `inconcert.workers` runs in a worker process, in order (the
    calls still run): a test comparing the worker path with the in-process one checks that the
    worker path was taken."""
    import inconcert.workers

    calls: list[str] = []
    call = inconcert.workers.call
    monkeypatch.setattr(inconcert.workers, "call",
                        lambda target, *args: calls.append(target) or call(target, *args))
    return calls
