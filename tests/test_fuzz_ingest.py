"""Seeded fuzzing of every reader: real fixtures, mutated the way broken downloads and hostile
senders mutate files, must end in exit 0 (the damage quarantined, every row counted) or exit 2
(one line, nothing of the file kept) — never exit 1, never a traceback.

The cases are drawn from a fixed seed, so a failure reproduces; `FUZZ_CASES` bounds the run
(about a minute on a CI runner; set INCONCERT_FUZZ_CASES for a longer search).
docs/reliability.md reports the coverage (readers x mutations x cases run).
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.store import Store

from .conftest import FIXTURES
from .test_malformed import SAMPLES, TABLE_NAMES

SEED = 20261204
# Seeded cases per reader and mutation; INCONCERT_FUZZ_CASES=N runs a deeper search locally.
FUZZ_CASES = int(os.environ.get("INCONCERT_FUZZ_CASES", "3"))
_DIGITS = re.compile(rb"\d+")
_BAD_NUMBERS = (b"99999999999999999999", b"9" * 5000, b"1e300", b"-1e300", b"NaN",
                b"-0", b"0x1F", b"33658-01-01T00:00:00Z", b"0000-01-01 00:00:00",
                b"18446744073709551616", b"\xd9\xa1\xd9\xa2")


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _truncate_gzip(data: bytes, rng: random.Random) -> bytes:
    packed = gzip.compress(data, mtime=0)
    return packed[: rng.randrange(10, len(packed))]


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def _huge_field(data: bytes, rng: random.Random) -> bytes:
    # Inside a line of text: one field (or JSON string) grows to megabytes.
    at = _inside_line(data, rng)
    return data[:at] + b"A" * rng.choice((70_000, 1_500_000, 3_000_000)) + data[at:]


def _deep_nesting(data: bytes, rng: random.Random) -> bytes:
    depth = rng.choice((500, 5_000, 100_000))
    at = _inside_line(data, rng)
    nest = b"[" * depth + b'"\\ud800"' + b"]" * depth
    return data[:at] + nest + data[at:]


def _bad_number(data: bytes, rng: random.Random) -> bytes:
    runs = list(_DIGITS.finditer(data))
    out = data
    for m in sorted(rng.sample(runs, min(len(runs), rng.randint(1, 6))),
                    key=lambda m: -m.start()):
        out = out[:m.start()] + rng.choice(_BAD_NUMBERS) + out[m.end():]
    return out


def _inside_line(data: bytes, rng: random.Random) -> int:
    lines = [m.end() for m in re.finditer(rb"\n", data)]
    start = rng.choice(lines[:-1]) if len(lines) > 1 else 0
    end = data.find(b"\n", start)
    return rng.randint(start, end if end > start else len(data))


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate, "truncate-gzip": _truncate_gzip, "flip": _flip,
    "huge-field": _huge_field, "deep-nesting": _deep_nesting, "bad-number": _bad_number,
}


def _cases() -> list:
    return [pytest.param(reader, mutation, id=f"{reader}-{mutation}")
            for reader in SAMPLES for mutation in MUTATIONS]


def _snapshot(db: Path) -> dict[str, int]:
    with Store(db) as s:
        return {t: s.count(t) for t in TABLE_NAMES}


@pytest.mark.parametrize(("reader", "mutation"), _cases())
def test_fuzzed_fixture_exits_0_or_2(tmp_path, reader, mutation):
    sample = FIXTURES / SAMPLES[reader]
    folder = tmp_path / "in"
    shutil.copytree(sample.parent, folder)  # media paths are relative to the manifest
    data = sample.read_bytes()
    rng = random.Random(f"{SEED}:{reader}:{mutation}")
    runner = CliRunner()
    for case in range(FUZZ_CASES):
        suffix = ".gz" if mutation == "truncate-gzip" else ""
        path = folder / f"fuzz{case}{sample.suffix}{suffix}"
        path.write_bytes(MUTATIONS[mutation](data, rng))
        db = tmp_path / f"case{case}.duckdb"
        result = runner.invoke(app, ["ingest", str(path), "--db", str(db), "--format", reader])
        where = f"{reader} {mutation} case {case}: {result.output[-500:]}"
        assert result.exit_code in (0, 2), where
        assert "Traceback" not in result.output and "internal error" not in result.output, where
        counts = _snapshot(db)
        if result.exit_code == 2:
            assert len(result.stderr.strip().splitlines()) == 1, where
            assert counts == dict.fromkeys(TABLE_NAMES, 0), where  # nothing partial kept
            continue
        with Store(db) as s:
            rows_in, stored, quarantined = s.execute(
                "SELECT rows_in, rows_stored, rows_quarantined FROM datasets")[0]
        assert rows_in == stored + quarantined, where
        assert counts["quarantine"] == quarantined, where
