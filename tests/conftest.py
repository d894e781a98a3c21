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
