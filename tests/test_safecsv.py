"""Every CSV the tool writes must read back as the same rows in every common CSV reader, and no
cell may start a formula — whatever the cells hold."""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from pathlib import Path

import duckdb
import pyarrow.csv as pacsv
import pytest

from inconcert.safecsv import safe_cell, write_csv

SRC = Path(__file__).resolve().parents[1] / "src" / "inconcert"
# Pieces hostile senders put in names, bios and texts.
PIECES = ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", '"', ",", ";", "'", " ",
          "=cmd|' /C calc'!A0",
          "＝", "＋", "－", "＠", "﹦", "\u202e", "\u2066", "\x00", "1", "-1", "2.5", "é", "漢",
          "\ufeff", "a", "HYPERLINK(", "\\", "\x0b", "\x85", "\u2028"]
FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def _hostile(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))


def _starts_formula(cell: str) -> bool:
    lead = unicodedata.normalize("NFKC", cell[:8]).lstrip(" ")
    if not lead.startswith(FORMULA):
        return False
    return not re.fullmatch(r"-[0-9][0-9.eE+-]*", cell)  # negative numbers are data


@pytest.mark.parametrize("seed", range(5))
def test_hostile_cells_read_back_as_written_rows(tmp_path, seed):
    rng = random.Random(seed)
    rows = [[_hostile(rng) for _ in range(4)] for _ in range(200)]
    path = tmp_path / "out.csv"
    assert write_csv(path, ["a", "b", "c", "d"], rows) == len(rows)
    expected = [[safe_cell(c) for c in r] for r in rows]

    with open(path, newline="", encoding="utf-8") as f:
        back = list(csv.reader(f))
    assert back[0] == ["a", "b", "c", "d"] and back[1:] == expected

    table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                           convert_options=pacsv.ConvertOptions(
                               column_types=dict.fromkeys("abcd", "string"),
                               strings_can_be_null=False, quoted_strings_can_be_null=False))
    assert table.num_rows == len(rows)
    assert [list(r.values()) for r in table.to_pylist()] == expected

    con = duckdb.connect()
    got = con.execute(
        "SELECT * FROM read_csv(?, header=true, all_varchar=true, delim=',', quote='\"', "
        "escape='\"', auto_detect=false, columns={'a': 'VARCHAR', 'b': 'VARCHAR', "
        "'c': 'VARCHAR', 'd': 'VARCHAR'}, strict_mode=false)", [str(path)]).fetchall()
    assert len(got) == len(rows)
    for r in got:
        for cell in r:
            assert cell is None or not _starts_formula(cell), repr(cell)
    for r in back[1:]:
        for cell in r:
            assert not _starts_formula(cell), repr(cell)


@pytest.mark.parametrize(("cell", "written"), [
    ("a\r=cmd|' /C calc'!A0", "a\r=cmd|' /C calc'!A0"),  # one quoted cell, not a second row
    ("＝HYPERLINK(\"x\")", "'＝HYPERLINK(\"x\")"),
    ("\n=1+1", "'\n=1+1"),
    ("-12.5", "-12.5"),
    ("-1+cmd", "'-1+cmd"),
    ("-١", "'-١"),
])
def test_cells_that_once_passed(tmp_path, cell, written):
    path = tmp_path / "x.csv"
    write_csv(path, ["n"], [[cell]])
    with open(path, newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == [["n"], [written]]


def test_every_csv_writer_goes_through_safecsv():
    """A module writing CSV with its own csv.writer would bypass the guard."""
    allowed = {SRC / "safecsv.py", SRC / "ingest" / "csvread.py"}  # the latter: quarantine raw
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if p not in allowed and re.search(r"csv\.(writer|DictWriter)\(", p.read_text())]
    assert offenders == []


def test_every_csv_of_a_run_on_hostile_data_reads_back_whole(tmp_path_factory):
    """Every CSV `inconcert run` writes on poisoned data (tests/test_report.py: scripts,
    formulas, a carriage return before a formula, U+202E) has the same rows in Python's csv,
    Arrow and DuckDB, and no cell that starts a formula."""
    from .test_report import hostile_case

    out = hostile_case(tmp_path_factory)
    files = sorted(out.rglob("*.csv"))
    assert any(p.name == "accounts.csv" for p in files) and len(files) >= 5
    for path in files:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        for row in rows[1:]:
            for cell in row:
                assert not _starts_formula(cell), (path.name, cell)
        if len(rows) < 2:
            continue
        table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                               read_options=pacsv.ReadOptions(autogenerate_column_names=False),
                               convert_options=pacsv.ConvertOptions(
                                   column_types=dict.fromkeys(rows[0], "string")))
        assert table.num_rows == len(rows) - 1, path.name
        n = duckdb.connect().execute(
            "SELECT count(*) FROM read_csv(?, header=true, all_varchar=true, delim=',', "
            "quote='\"', escape='\"', strict_mode=false)", [str(path)]).fetchall()[0][0]
        assert n == len(rows) - 1, path.name


def test_every_cell_follows_the_nfkc_rule():
    """The shortcut for ASCII-led cells gives what the rule gives: NFKC of the first
    characters, leading spaces dropped, a dangerous lead neutralised unless a negative number."""
    rng = random.Random(0)
    alphabet = list("=+-@\t\r\n a1.eE_,\"'") + ["\uff1d", "\ufe62", "\uff20", "\u0338",
                                                "\u0301", "\u2212", "\u00a0", "\u3000",
                                                "\ufe63", "\uff0d", "\u2028", "\u0e31"]
    for _ in range(50_000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        lead = unicodedata.normalize("NFKC", s[:8]).lstrip(" ")
        number = re.fullmatch(r"-[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?", s) is not None
        want = "'" + s if lead.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) \
            and not number else s
        assert safe_cell(s) == want, repr(s)
