"""Process-wide settings the package makes when it is imported."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What `inconcert run` imports first (the package, then numpy), or a bench worker, whose
# inconcert steps must run as `inconcert` does for a user.
FIRST = ("inconcert.cli", "bench.workers")
_PROBE = """
import json, os
import {first}
import numpy._core.multiarray as m
print(json.dumps({"env": os.environ.get("NUMPY_MADVISE_HUGEPAGE"),
                  "numpy": m._get_madvise_hugepage() if hasattr(m, "_get_madvise_hugepage")
                  else None}))
"""


def _probe(env: dict[str, str], first: str = FIRST[0]) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE.replace("{first}", first)], env=env,
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout)


@pytest.mark.parametrize("first", FIRST)
def test_numpy_huge_pages_are_off_unless_the_user_asks_for_them(first):
    """A run must not stall in the kernel's memory compaction on every large array: the
    package turns NumPy's huge-page advice off before NumPy is imported, and NumPy obeys."""
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    got = _probe(env, first)
    assert got["env"] == "0"
    if got["numpy"] is None:
        pytest.skip("this NumPy does not report its huge-page setting")
    assert got["numpy"] is False


def test_a_users_own_huge_page_setting_is_kept():
    got = _probe({**os.environ, "NUMPY_MADVISE_HUGEPAGE": "1"})
    assert got["env"] == "1"
    if got["numpy"] is not None:
        assert got["numpy"] is True
