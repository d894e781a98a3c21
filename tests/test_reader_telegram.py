"""Telegram Desktop export reader: the mapping of tdesktop's result.json (one chat and all
chats), on fixtures written from tdesktop's export format, and its malformed inputs."""

import duckdb
from typer.testing import CliRunner

from inconcert.cli import app
from inconcert.ingest import ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES

TG = FIXTURES / "telegram"


def _ingest(tmp_path, *paths, max_bad=0.2):
    db = tmp_path / "case.duckdb"
    with Store(db) as s:
        res = ingest_paths(s, list(paths), max_bad_fraction=max_bad)
    return db, res


def _rows(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_one_chat_maps_messages_forwards_replies_and_entities(tmp_path):
    db, res = _ingest(tmp_path, TG / "result.json", max_bad=0.5)
    r = res[0]
    assert (r.format, r.rows_in, r.rows_stored, r.rows_quarantined) == ("telegram", 7, 4, 3)
    posts = {p[0]: p for p in _rows(db, """
        SELECT post_id, platform, author_id, created_ms, time_precision, kind, ref_post_id,
               ref_author_id, reply_to_post_id, reply_to_author_id, text FROM posts""")}
    assert set(posts) == {"1500000001/2", "1500000001/3", "1500000001/4"}
    first = posts["1500000001/2"]
    # date_unixtime 1709290805, never the offset-less local `date`
    assert first[1:6] == ("telegram", "channel1500000001", 1709290805000, "s", "original")
    fwd = posts["1500000001/3"]
    assert fwd[5] == "reshare" and fwd[7] == "channel1600000002"
    assert fwd[6].startswith("fwd:channel1600000002:")
    # text given as a list of strings and entity objects is joined
    assert fwd[10] == "Read this and ask @TruthBot or Ivan P"
    reply = posts["1500000001/4"]
    assert reply[5:10] == ("reply", "1500000001/2", "channel1500000001", "1500000001/2",
                           "channel1500000001")
    ents = _rows(db, "SELECT post_id, entity, value, normalized FROM post_entities "
                     "ORDER BY post_id, entity, position")
    assert ("1500000001/3", "url", "https://example.org/story?id=1",
            "example.org/story?id=1") in ents
    assert ("1500000001/3", "mention", "Ivan P", "user777") in ents  # mention_name -> from_id
    assert ("1500000001/3", "mention", "TruthBot", "truthbot") in ents
    assert ("1500000001/4", "cashtag", "TSLA", "tsla") in ents
    media = [e for e in ents if e[1] == "media"]
    # the photo left out of the export is not a media entity; the exported one is
    assert media == [("1500000001/4", "media", "photos/photo_1@01-03-2024_11-03-00.jpg",
                      "photos/photo_1@01-03-2024_11-03-00.jpg")]
    q = _rows(db, "SELECT line, reason FROM quarantine ORDER BY line")
    assert [line for line, _ in q] == [81, 89, 98]
    assert "no date_unixtime" in q[0][1] and "unparseable date_unixtime 'yesterday'" in q[1][1]
    assert "no from_id" in q[2][1]
    ds = _rows(db, "SELECT platform, rows_in, rows_stored, rows_quarantined, notes "
                   "FROM datasets")[0]
    assert ds[0] == "telegram" and ds[1] == ds[2] + ds[3]
    assert "1 service messages" in ds[4] and "not included in the export" in ds[4]


def test_all_chats_export_and_forwards_of_one_post_share_an_item(tmp_path):
    db, res = _ingest(tmp_path, TG / "all_chats.json")
    assert [(r.rows_in, r.rows_stored) for r in res] == [(3, 3)]
    rows = _rows(db, "SELECT post_id, author_id, ref_post_id FROM posts WHERE kind = 'reshare' "
                     "ORDER BY post_id")
    # chats and left_chats both read; message ids are per chat, so 10 appears twice
    assert [r[0] for r in rows] == ["2000000001/10", "2000000002/10"]
    # the same channel post forwarded into two groups: one stand-in original for both
    assert rows[0][2] == rows[1][2] is not None
    names = dict(_rows(db, "SELECT account_id, display_name FROM accounts"))
    assert names == {"user1001": "Olga", "user1002": "Pavel"}


def _cli(tmp_path, path):
    return CliRunner().invoke(app, ["ingest", str(path), "--db", str(tmp_path / "c.duckdb")])


def test_truncated_export_exits_2_with_file_and_line(tmp_path):
    text = (TG / "result.json").read_text(encoding="utf-8")
    cut = tmp_path / "result.json"
    cut.write_text(text[: text.index('"id": 4')], encoding="utf-8")
    r = _cli(tmp_path, cut)
    assert r.exit_code == 2
    msg = r.stderr.strip()
    assert "result.json" in msg and "line " in msg and "Traceback" not in msg


def test_garbage_after_a_message_exits_2_with_its_line(tmp_path):
    text = (TG / "all_chats.json").read_text(encoding="utf-8")
    bad = tmp_path / "all_chats.json"
    bad.write_text(text.replace('"text": "agree"}', '"text": "agree"} %%%', 1), encoding="utf-8")
    r = _cli(tmp_path, bad)
    assert r.exit_code == 2
    line = next(i for i, ln in enumerate(bad.read_text().splitlines(), 1) if "%%%" in ln)
    assert f"line {line}" in r.stderr and "malformed JSON" in r.stderr
