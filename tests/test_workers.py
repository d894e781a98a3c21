"""Worker processes (`inconcert.workers`): a call gives what it gives in this process, a failure
says what failed, and one worker means no process at all."""

from __future__ import annotations

import pytest

from inconcert import workers


def test_a_call_in_a_worker_returns_what_it_returns_here():
    values = [0.1] * 10 + [1e100, 1.0, -1e100]
    assert workers.call("math:fsum", values) == 2.0
    with workers.Pool(2) as pool:
        assert pool.parallel
        assert pool.submit("math:fsum", values).result() == 2.0


def test_a_failed_worker_says_which_call_failed_and_why():
    with pytest.raises(RuntimeError, match=r"(?s)worker process for math:sqrt failed.*domain"):
        workers.call("math:sqrt", -1.0)


def test_one_worker_runs_every_call_here(monkeypatch):
    monkeypatch.setattr(workers, "call", lambda *a: pytest.fail("started a worker process"))
    with workers.Pool(1) as pool:
        assert not pool.parallel
        assert pool.submit("math:fsum", [0.5, 0.25]).result() == 0.75
