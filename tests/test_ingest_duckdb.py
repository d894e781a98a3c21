"""cnt-csv through DuckDB's own CSV reader (SQL) stores exactly what the Arrow batches and the
row-by-row path store, hostile cells included; input DuckDB might read differently from the
csv module goes through the reader's own path."""

import csv
import random

import pyarrow as pa
import pytest

from inconcert.ingest import csvread, ingest_paths
from inconcert.ingest.entities import url_cells
from inconcert.ingest.readers import cnt_csv
from inconcert.normalize import norm_url, norm_urls

from .conftest import FIXTURES
from .test_ingest_columns import HOSTILE, _texts
from .test_ingest_fastpath import _dump

HEADER = ["message_id", "user_id", "username", "repost_id", "reply_id", "message", "timestamp",
          "urls"]
SNOW = 1212345678901234567  # a Snowflake id of 2020-02-01
SNOW_S = (SNOW >> 22) + 1288834974657  # its time, in ms
URLS = ["", "https://a.example/x", "http://WWW.B.example/y/", "www.c.example/?utm_source=1&b=2",
        "https://d.example/a#frag https://e.example", "no-url-here", "''", "https://x.example:8080/",
        "https://u@f.example/p", "https://g.example/é", "https://h.example/\u3000https://i.example",
        "  https://j.example/a  https://j.example/a ", "https://[::1]/v6", "https://k.example./"]
TIMES = ["", " ", "1600000000", "1600000000.5", "1600000000123", "2020-09-13T12:26:40Z",
         "2020-09-13 12:26", "13/09/2020", "not a time", "1e300", "-5", "99999999999999",
         "000001600000000", str(SNOW_S // 1000), str(SNOW_S), "4102444800", "946684799"]


def _hostile_rows(seed: int, n: int) -> list[list[str]]:
    """Rows whose ids are ASCII digits (or empty) and whose other cells are anything; some
    leave out trailing empty fields."""
    rng = random.Random(seed)
    texts = _texts(seed, n)
    rows = []
    for i, body in enumerate(texts):
        mid = rng.choice([str(1000 + i), str(SNOW + i * 4_194_304_000), str(1000 + i // 2), "",
                          "0" + str(1000 + i), "9" * 19])
        repost = rng.choice(["", "", str(SNOW), "77", "0077"])
        reply = rng.choice(["", "", str(SNOW + 1), "78"])
        if repost and rng.random() < 0.7:
            body = rng.choice(["RT @", "RT @\u0e2a", "rt  @x", "RT\x1c@"]) + body + ": x"
        rows.append([mid, rng.choice(["1", "2", "", "40"]),
                     rng.choice(["alice", "", " B\u00f6b ", "null", "\u3000"]), repost, reply,
                     body + rng.choice(["", "\nsecond line", '"quoted"', ","]),
                     rng.choice(TIMES), rng.choice(URLS)])
        while rows[-1][-1] == "" and len(rows[-1]) > 6 and rng.random() < 0.5:
            rows[-1].pop()  # trailing empty fields may be left out
    return rows


def _write(path, rows, header=True):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        if header:
            w.writerow(HEADER)
        w.writerows(rows)
    return path


def _ingest(db, path, fmt=None):
    from inconcert.store import Store

    with Store(db) as s:
        return ingest_paths(s, [path], fmt=fmt, max_bad_fraction=0.99)


@pytest.fixture
def spy(monkeypatch):
    """Which cnt-csv sources were stored in SQL (True) or declined (False)."""
    taken: list[bool] = []
    store = cnt_csv._Bulk.store

    def record(self, ctx, writer):
        taken.append(store(self, ctx, writer))
        return taken[-1]

    monkeypatch.setattr(cnt_csv._Bulk, "store", record)
    return taken


def _three_ways(tmp_path, monkeypatch, path, fmt=None):
    """The dumps of the SQL path, the Arrow batches and the row-by-row path."""
    sql = _dump_of(tmp_path / "sql.duckdb", path, fmt)
    monkeypatch.setattr(cnt_csv, "load_csv", lambda *a, **k: None)
    arrow = _dump_of(tmp_path / "arrow.duckdb", path, fmt)

    def refuse(*args, **kwargs):
        raise csvread.SlowPath("test")
        yield  # pragma: no cover - a generator, like the real one

    monkeypatch.setattr(csvread, "_fast_batches", refuse)
    rows = _dump_of(tmp_path / "rows.duckdb", path, fmt)
    return sql, arrow, rows


def _dump_of(db, path, fmt):
    """Every table sorted, and posts and entities in the order they were stored (row order:
    analyses may read them without ORDER BY)."""
    from inconcert.store import Store

    _ingest(db, path, fmt)
    out = _dump(db)
    with Store(db) as s:
        out["stored order"] = (s.execute("SELECT source_line FROM posts"),
                               s.execute("SELECT post_id, position FROM post_entities"))
    return out


@pytest.mark.parametrize(("name", "fmt"), [("cnt/messages.csv", None),
                                           ("cnt/headerless.csv", "cnt-csv"),
                                           ("cnt/indexed.csv", None),
                                           ("cnt/renamed.csv", "cnt-csv")])
def test_fixtures_store_the_same_three_ways(tmp_path, monkeypatch, spy, name, fmt):
    sql, arrow, rows = _three_ways(tmp_path, monkeypatch, FIXTURES / name, fmt)
    assert spy == [True]
    assert sql == arrow == rows


@pytest.mark.parametrize("seed", range(3))
def test_hostile_cells_store_the_same_three_ways(tmp_path, monkeypatch, spy, seed):
    path = _write(tmp_path / "hostile.csv", _hostile_rows(seed, 600))
    sql, arrow, rows = _three_ways(tmp_path, monkeypatch, path, "cnt-csv")
    assert spy == [True]
    assert sql["quarantine"] and sql == arrow == rows
    (ds,) = sql["datasets"]
    n_in, n_stored, n_quarantined = ds[3:6]
    assert n_in == 600 == n_stored + n_quarantined


def test_plain_file_keeps_row_order(tmp_path, monkeypatch, spy):
    """Plain times and ASCII texts: no lookup join, so no sort either."""
    rows = [[str(SNOW + i * 4_194_304_000), str(i % 7), f"u{i % 7}", "", "",
             f"message {i}" + ("\nsecond line" if i % 3 else ""), str(1600000000 + i),
             URLS[i % 5]] for i in range(3000)]
    path = _write(tmp_path / "plain.csv", rows)
    sql, arrow, rows_ = _three_ways(tmp_path, monkeypatch, path)
    assert spy == [True] and sql == arrow == rows_


def test_headerless_file_without_final_newline(tmp_path, monkeypatch, spy):
    path = _write(tmp_path / "h.csv", _hostile_rows(5, 50), header=False)
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    sql, arrow, rows = _three_ways(tmp_path, monkeypatch, path, "cnt-csv")
    assert spy == [True] and sql == arrow == rows


GOOD = "".join(f"{i},2,alice,,,hello,1600000000,https://a.example\n" for i in range(1, 300))


@pytest.mark.parametrize(("body", "why"), [
    (GOOD + "3000,4,bob,,,x\x00y,1600000001,\n", "NUL byte"),
    (GOOD.replace("\n", "\r\n"), "carriage returns"),
    (GOOD + "\n" + "3000,4,bob,,,hi,1600000001,\n", "blank line"),
    (GOOD + "3000,4,bob,,,hi,1600000001,,extra\n", "long record"),
    (GOOD + '3000,4,bob,,, "spaced" ,1600000001,\n', "space around a quoted field"),
    (GOOD + '3000,4,bob,,,"open,1600000001,\n', "unterminated quote"),
    (GOOD + "   \n", "a record that may be a blank line"),
    (GOOD + "3.0,4,bob,,,hi,1600000001,\n", "an id ident rewrites"),
    (GOOD + "3000,4,bob,,,\udcff,1600000001,\n", "not UTF-8"),
])
def test_what_duckdb_might_read_differently_goes_the_readers_way(tmp_path, spy, body, why):
    path = tmp_path / "t.csv"
    path.write_bytes((",".join(HEADER) + "\n" + body).encode("utf-8", "surrogateescape"))
    res = _ingest(tmp_path / "c.duckdb", path)[0]
    assert spy in ([], [False]), why
    assert res.rows_in == res.rows_stored + res.rows_quarantined


@pytest.mark.parametrize("seed", range(2))
def test_duckdb_reads_what_it_takes_as_the_csv_module_does(tmp_path, seed):
    """Random quoting, spaces, line feeds and short records: whenever `load_csv` takes a file,
    its records (fields, field counts, lines) are those of `csv.reader` as `csv_rows` reads
    it (short records padded, blank ones skipped)."""
    from inconcert.ingest.duckcsv import VIEW, load_csv
    from inconcert.ingest.source import sources_for
    from inconcert.store import Store

    rng = random.Random(seed)
    pieces = ["a", " ", "  ", '"', '""', ",", "\n", 'x"y', '"z"', "\t", "é", "\\", "'"]
    taken = 0
    with Store(tmp_path / "c.duckdb") as store:
        for trial in range(300):
            text = "\n".join(",".join("".join(rng.choice(pieces)
                                               for _ in range(rng.randint(0, 4)))
                                       for _ in range(3)) for _ in range(rng.randint(1, 4)))
            path = tmp_path / f"t{trial}.csv"
            path.write_text(text + rng.choice(["", "\n"]), encoding="utf-8")
            raw = load_csv(store, sources_for(path)[0], 3, pad=True)
            if raw is None:
                continue
            taken += 1
            got = store.execute(f"SELECT line, c0, c1, c2, _fields FROM {VIEW} ORDER BY line")
            raw.drop()
            want = []
            reader = csv.reader(path.open(encoding="utf-8", newline=""))
            prev = 0
            for rec in reader:
                start, prev = prev + 1, reader.line_num
                if rec and not (len(rec) == 1 and not rec[0].strip()):
                    want.append((start, *rec, *[""] * (3 - len(rec)), len(rec)))
            assert got == want, text
    assert taken > 20


def test_posts_already_stored_go_the_writers_way(tmp_path, spy):
    a = _write(tmp_path / "a.csv", [["1", "2", "x", "", "", "hi", "1600000000", ""]])
    b = _write(tmp_path / "b.csv", [["1", "2", "x", "", "", "hi", "1600000000", ""],
                                    ["3", "2", "x", "", "", "ho", "1600000000", ""]])
    from inconcert.store import Store

    with Store(tmp_path / "c.duckdb") as s:
        ingest_paths(s, [a, b])
        assert s.count("quarantine") == 1 and s.count("posts") == 2
    assert spy == [True, False]


def test_norm_urls_equals_norm_url():
    cells = URLS + [u + s for u in URLS for s in ("", "/", "?a=1", "#x", ":80", "/ä", "//")]
    tokens = [t for c in cells for t in c.split()] + [None]
    assert norm_urls(pa.array(tokens, pa.string())).to_pylist() == [
        None if t is None else norm_url(t) for t in tokens]


def test_url_cells_split_and_number_as_entities_do():
    from inconcert.ingest.entities import _urls

    cells = URLS + [" ".join(random.Random(1).sample(URLS, 4)) + h for h in HOSTILE]
    got = {}
    for r in url_cells(pa.array(cells)).to_pylist():
        got.setdefault(r["cell"], []).append((r["position"], r["value"], r["normalized"]))
    want = {c: [(i, v, n) for i, (v, n) in enumerate(_urls(c.split()))] for c in set(cells)}
    assert got == {c: w for c, w in want.items() if w}
