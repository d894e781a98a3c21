"""The columnar fast path reads exactly what the row-by-row path reads; anything it cannot read
exactly sends the file back through the row-by-row path, with exact line numbers."""

import gzip

import pytest

from inconcert.errors import InputError
from inconcert.ingest import csvread, ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES

TABLES = ("datasets", "accounts", "posts", "post_entities", "interactions", "quarantine")
CNT_HEADER = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"


def _dump(db):
    """Every canonical table, sorted, without the path-dependent dataset columns."""
    with Store(db) as s:
        out = {}
        for t in TABLES:
            cols = [c[0] for c in s.execute(f"DESCRIBE {t}")
                    if c[0] not in ("path", "dataset_id", "sha256")]
            out[t] = s.execute(f"SELECT {', '.join(cols)} FROM {t} ORDER BY ALL")
        return out


def _ingest(db, *paths, fmt=None):
    with Store(db) as s:
        return ingest_paths(s, list(paths), fmt=fmt)


def _slow_only(monkeypatch):
    """Make the fast path give up at once, as it does on input it cannot read exactly."""
    def refuse(*args, **kwargs):
        raise csvread.SlowPath("test")
        yield  # pragma: no cover - a generator, like the real one

    monkeypatch.setattr(csvread, "_fast_batches", refuse)


INPUTS = [("io/campaign_tweets_csv_hashed.csv", None), ("cnt/messages.csv", None),
          ("cnt/headerless.csv", "cnt-csv"), ("ira/IRAhandle_tweets_fixture.csv", None),
          ("ira/ira_tweets_fixture.csv", None)]


@pytest.mark.parametrize(("name", "fmt"), INPUTS)
def test_fast_and_row_by_row_paths_store_the_same(tmp_path, monkeypatch, name, fmt):
    monkeypatch.setattr(csvread, "FAST_BLOCK", 256)  # many small Arrow blocks
    fast = tmp_path / "fast.duckdb"
    _ingest(fast, FIXTURES / name, fmt=fmt)
    _slow_only(monkeypatch)
    monkeypatch.setattr(csvread, "BATCH_ROWS", 2)
    slow = tmp_path / "slow.duckdb"
    _ingest(slow, FIXTURES / name, fmt=fmt)
    assert _dump(fast) == _dump(slow)


def _cnt_rows(n, start=0):
    return "".join(f"{1000 + i},{i % 7},user{i % 7},,,\"message {i}\nsecond line\","
                   f"{1600000000 + i},https://example.com/{i}\n" for i in range(start, n))


def _lines(db):
    with Store(db) as s:
        return dict(s.execute("SELECT post_id, source_line FROM posts"))


def test_line_numbers_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "FAST_BLOCK", 1 << 10)
    f = tmp_path / "many.csv"
    f.write_text(CNT_HEADER + _cnt_rows(300), encoding="utf-8")
    db = tmp_path / "c.duckdb"
    res = _ingest(db, f)
    assert (res[0].rows_in, res[0].rows_stored) == (300, 300)
    # every record is two lines long, after a one-line header
    assert _lines(db) == {str(1000 + i): 2 + 2 * i for i in range(300)}


@pytest.mark.parametrize("trap", ["blank line", "NUL byte", "short record", "CR line ends"])
def test_what_the_fast_path_cannot_read_is_read_row_by_row(tmp_path, trap):
    body = CNT_HEADER + _cnt_rows(20)
    lines = body.split("\n")  # lines[k] is line k + 1; record i spans lines 2 + 2i, 3 + 2i

    def line_of(i):
        return 2 + 2 * i

    expected_bad = None
    if trap == "blank line":
        lines.insert(11, "")  # a blank line 12, after record 4

        def line_of(i):
            return 2 + 2 * i + (i >= 5)
    elif trap == "NUL byte":
        lines[9] = lines[9].replace("message", "mes\x00sage")  # record 4, line 10
        expected_bad = (10, "NUL or undecodable bytes")
    elif trap == "short record":
        lines[11:13] = ["1099,1,user1,,,one line,1600000099,,one column too many"]

        def line_of(i):
            return 2 + 2 * i - (i > 5)
        expected_bad = (12, "expected 8 columns, found 9")
    sep = "\r" if trap == "CR line ends" else "\n"
    f = tmp_path / "trap.csv"
    f.write_bytes(sep.join(lines).encode("utf-8"))
    db = tmp_path / "c.duckdb"
    res = _ingest(db, f)
    assert res[0].rows_in == res[0].rows_stored + res[0].rows_quarantined
    got = _lines(db)
    with Store(db) as s:
        q = s.execute("SELECT line, reason FROM quarantine ORDER BY line")
    if expected_bad is None:
        assert q == []
        assert got == {str(1000 + i): line_of(i) for i in range(20)}
    else:
        assert len(q) == 1 and q[0][0] == expected_bad[0] and expected_bad[1] in q[0][1]
        assert got == {str(1000 + i): line_of(i) for i in range(20)
                       if line_of(i) != expected_bad[0]}


def test_gzip_truncated_past_the_head_names_the_line(tmp_path):
    data = gzip.compress((CNT_HEADER + _cnt_rows(20000)).encode("utf-8"), mtime=0)
    f = tmp_path / "big.csv.gz"
    f.write_bytes(data[: int(len(data) * 0.7)])
    db = tmp_path / "c.duckdb"
    with pytest.raises(InputError) as e:
        _ingest(db, f)
    assert "truncated compressed stream" in e.value.problem and e.value.line > 1000
    with Store(db) as s:
        assert all(s.count(t) == 0 for t in TABLES)


def test_same_input_same_case(tmp_path):
    inputs = [FIXTURES / "io/campaign_tweets_csv_hashed.csv",
              FIXTURES / "io/campaign_users_csv_hashed.csv", FIXTURES / "cnt/messages.csv",
              FIXTURES / "coortweet/objects.csv", FIXTURES / "ira/ira_tweets_fixture.csv"]
    a, b = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    _ingest(a, *inputs)
    _ingest(b, *inputs)
    assert _dump(a) == _dump(b)
