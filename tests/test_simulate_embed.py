"""A real IO archive embedded in a synthetic background: one hashed release the IO readers take
whole, the archive's busiest 90 days covered, every archive account that posts labelled a
positive, and the id format no clue to who is who."""

import csv
import json

import pytest

from inconcert.errors import InputError
from inconcert.ingest import ingest_paths
from inconcert.simulate.embed import archive_files, busiest_period, embed_archive
from inconcert.store import Store

from .conftest import shared_data

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    folder = shared_data("thailand_io_092020")
    out = tmp_path_factory.mktemp("embed")
    files = embed_archive(*archive_files([folder]), out / "data", seed=2, scale=0.3,
                          home="thailand")
    store = Store(out / "case.duckdb")
    results = ingest_paths(store, files[:2])
    yield files, results, store
    store.close()


def test_the_release_ingests_whole(embedded):
    files, results, store = embedded
    assert sorted((r.format, r.rows_quarantined) for r in results) == [
        ("io-tweets", 0), ("io-users", 0)]
    summary = json.loads(files[3].read_text())
    n_bg = summary["background"]["posts"]
    assert store.execute("SELECT count(*) FROM posts")[0][0] == (
        n_bg + summary["archive"]["posts_in_period"])


def test_archive_accounts_that_post_are_the_positives(embedded):
    files, _, store = embedded
    with open(files[2], newline="", encoding="utf-8") as f:
        labels = list(csv.DictReader(f))
    # account_id is an id column: a hashed id starting with + is written exactly, no apostrophe
    assert any(r["account_id"].startswith("+") for r in labels)
    assert not any(r["account_id"].startswith("'") for r in labels)
    pos = {r["account_id"] for r in labels if r["label"] == "campaign"}
    assert all(r["role"] == "archive" for r in labels if r["label"] == "campaign")
    summary = json.loads(files[3].read_text())
    assert len(pos) == summary["archive"]["accounts_posting"] >= 400
    authors = {a for (a,) in store.execute("SELECT DISTINCT author_id FROM posts")}
    assert pos <= authors
    assert len(labels) == len({r["account_id"] for r in labels})
    # the background: organic, and most of it hashed the way the release hashes accounts
    hashed = dict(store.execute("""SELECT id_is_hashed, count(*) FROM accounts
        WHERE account_id NOT IN (SELECT unnest(?)) GROUP BY 1""", [sorted(pos)]))
    assert hashed[True] >= 0.9 * sum(hashed.values())
    ids = [a for (a,) in store.execute("SELECT account_id FROM accounts WHERE id_is_hashed")]
    assert all(36 <= len(a) <= 44 and a.endswith("=") and "/" not in a for a in ids)
    # the busiest 90 days of the archive are covered by the background
    lo, hi = store.execute("""SELECT min(created_ms), max(created_ms) FROM posts
        WHERE author_id NOT IN (SELECT unnest(?)) AND created_ms >= 1.5e12""",
                           [sorted(pos)])[0]
    assert summary["period"]["first_day"] == "2019-12-03"
    assert hi - lo >= 85 * 86_400_000


def test_background_speaks_the_home_language(embedded):
    _, _, store = embedded
    th = store.execute("""SELECT count(DISTINCT author_id) FROM posts WHERE lang = 'th'""")[0][0]
    assert th >= 300  # archive accounts and a good part of the background


def test_busiest_period_and_bad_inputs(tmp_path):
    import pyarrow as pa

    times = pa.array(["2020-01-01 10:00"] * 3 + ["2020-06-01 10:00"] * 5)
    # windows starting 2020-05-23 .. 2020-06-01 all hold the 5 June posts: the middle one
    assert busiest_period(times, days=10) == 18414 - 4
    assert busiest_period(pa.array(["2020-01-01 10:00"]), days=90) == 18262
    with pytest.raises(InputError):
        archive_files([tmp_path])
