"""Process-wide settings the package makes when it is imported."""

import json
import os
import subprocess
import sys

import pytest

_PROBE = """
import json, os
import inconcert.cli  # what `inconcert run` imports first: the package, then numpy
import numpy._core.multiarray as m
print(json.dumps({"env": os.environ.get("NUMPY_MADVISE_HUGEPAGE"),
                  "numpy": m._get_madvise_hugepage() if hasattr(m, "_get_madvise_hugepage")
                  else None}))
"""


def _probe(env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def test_numpy_huge_pages_are_off_unless_the_user_asks_for_them():
    """A run must not stall in the kernel's memory compaction on every large array: the
    package turns NumPy's huge-page advice off before NumPy is imported, and NumPy obeys."""
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    got = _probe(env)
    assert got["env"] == "0"
    if got["numpy"] is None:
        pytest.skip("this NumPy does not report its huge-page setting")
    assert got["numpy"] is False


def test_a_users_own_huge_page_setting_is_kept():
    got = _probe({**os.environ, "NUMPY_MADVISE_HUGEPAGE": "1"})
    assert got["env"] == "1"
    if got["numpy"] is not None:
        assert got["numpy"] is True
