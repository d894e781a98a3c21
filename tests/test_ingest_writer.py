"""The writer's rules: overlap with files already in the case, expansions given before a file's
own row for the same post, and the share of malformed rows a file may have."""

import pytest

from inconcert.errors import InputError
from inconcert.ingest import Record, ingest_paths, writer
from inconcert.ingest.registry import ReadContext, Reader
from inconcert.ingest.source import sources_for
from inconcert.store import Store

from .conftest import FIXTURES

HEADER = "message_id,user_id,username,repost_id,reply_id,message,timestamp,urls\n"


def _cnt(path, ids, bad=0):
    rows = [f"{i},7,user7,,,text {i},{1600000000 + i},https://example.com/{i}\n" for i in ids]
    rows += [f"{9000 + k},7,user7,,,broken,not a time,\n" for k in range(bad)]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_overlap_with_another_file_is_counted_not_malformed(tmp_path):
    db = tmp_path / "c.duckdb"
    first = _cnt(tmp_path / "a.csv", range(100, 110))
    # half of the second file is already in the case: more than --max-bad, yet not malformed
    second = _cnt(tmp_path / "b.csv", range(105, 115))
    with Store(db) as s:
        res = ingest_paths(s, [first, second])
        assert [(r.rows_in, r.rows_stored, r.rows_quarantined) for r in res] == [
            (10, 10, 0), (10, 5, 5)]
        assert "5 rows were already stored from other files" in res[1].notes[-1]
        assert s.count("posts") == 15
        assert s.count("post_entities") == 15  # the overlap's URLs are not stored twice
        q = s.execute("SELECT line, reason FROM quarantine ORDER BY line")
        assert [line for line, _ in q] == [2, 3, 4, 5, 6]
        assert all(f"already stored from {first}" in r for _, r in q)
        ds = s.execute("SELECT rows_in, rows_stored, rows_quarantined, notes FROM datasets "
                       "WHERE path = ?", [str(second)])[0]
        assert ds[:3] == (10, 5, 5) and "already stored" in ds[3]


def test_a_file_entirely_in_the_case_stores_nothing_and_says_so(tmp_path):
    db = tmp_path / "c.duckdb"
    first = _cnt(tmp_path / "a.csv", range(100, 110))
    again = _cnt(tmp_path / "b.csv", range(109, 99, -1))  # same rows, other bytes
    with Store(db) as s:
        res = ingest_paths(s, [first, again])
        assert (res[1].rows_in, res[1].rows_stored, res[1].rows_quarantined) == (10, 0, 10)
        assert s.count("posts") == 10


def test_max_bad_share(tmp_path):
    f = _cnt(tmp_path / "a.csv", range(100, 107), bad=3)  # 30% malformed
    with Store(tmp_path / "c.duckdb") as s, pytest.raises(InputError) as e:
        ingest_paths(s, [f])
    assert "3 of 10 rows are malformed" in e.value.problem and "--max-bad" in e.value.problem
    assert e.value.line == 9  # the first bad row
    with Store(tmp_path / "d.duckdb") as s:
        res = ingest_paths(s, [f], max_bad_fraction=0.5)
        assert (res[0].rows_stored, res[0].rows_quarantined) == (7, 3)


class _Posts(Reader):
    """A reader that is not registered: the writer's input is built by hand."""

    name = "test-posts"
    description = "test"
    unit = "posts"


def _post(pid, text, **kw):
    return {"platform": "x", "post_id": pid, "author_id": "1", "created_ms": 1_600_000_000_000,
            "time_precision": "ms", "time_source": "declared", "kind": "original",
            "text": text, **kw}


@pytest.mark.parametrize("flush_between", [False, True])
def test_a_files_own_row_replaces_its_earlier_expansion(tmp_path, monkeypatch, flush_between):
    if flush_between:
        monkeypatch.setattr(writer, "FLUSH_ROWS", 1)
    f = tmp_path / "any.txt"
    f.write_text("x", encoding="utf-8")
    src = sources_for(f)[0]
    with Store(tmp_path / "c.duckdb") as s:
        w = writer.DatasetWriter(s, src, _Posts(), "ds1", 0.2)
        ent = {"platform": "x", "post_id": "20", "entity": "hashtag", "position": 0,
               "value": "old", "normalized": "old"}
        # line 1: a reshare that carries its original (post 20) as an expansion
        w.add(Record(1, posts=[_post("10", "RT", kind="reshare", ref_post_id="20"),
                               _post("20", "truncated original")], entities=[ent]))
        # line 2: the file's own row for post 20
        w.add(Record(2, posts=[_post("20", "the full original", like_count=5)]))
        res = w.finish(ReadContext())
        assert (res.rows_in, res.rows_stored, res.rows_quarantined) == (2, 2, 0)
        assert s.execute("SELECT post_id, text, like_count FROM posts ORDER BY 1") == [
            ("10", "RT", None), ("20", "the full original", 5)]
        assert s.count("post_entities") == 0  # the expansion's entities went with it


def test_dataset_records_its_platforms_and_capabilities(tmp_path):
    with Store(tmp_path / "c.duckdb") as s:
        ingest_paths(s, [FIXTURES / "coortweet/objects.csv"])
        ds = s.datasets()[0]
    assert ds["platform"] == "facebook,x"
    assert ds["capabilities"]["media_hashes"] == "partial"
