"""Readers for account-only profile files: MIB (Cresci et al.) users.csv and handle+counts lists
(the random control sample beside the China 2019 rosters)."""

import json

from inconcert.ingest import ingest_paths
from inconcert.store import Store

from .conftest import FIXTURES, shared_data


def _accounts(store: Store) -> dict[str, dict]:
    cur = store.con.execute("SELECT * FROM accounts")
    names = [d[0] for d in cur.description]
    return {r[1]: dict(zip(names, r, strict=True)) for r in cur.fetchall()}


def test_mib_users_fixture_maps_profiles_and_quarantines_a_bad_date(tmp_path):
    with Store(tmp_path / "c.duckdb") as s:
        [res] = ingest_paths(s, [FIXTURES / "signals/mib_users.csv"], max_bad_fraction=0.5)
        assert (res.format, res.rows_in, res.rows_stored, res.rows_quarantined) == (
            "mib-users", 3, 2, 1)
        assert "yesterday" in s.execute("SELECT reason FROM quarantine")[0][0]
        accs = _accounts(s)
        caps = s.capabilities()
    genuine = accs["1001"]
    assert genuine["handle"] == "annarossi" and genuine["display_name"] == "Anna Rossi"
    assert genuine["description"] == 'Giornalista, "Roma" e dintorni.\nSecond line.'
    assert (genuine["followers"], genuine["following"], genuine["posts_count"]) == (350, 300, 2000)
    assert genuine["created_precision"] == "s"
    assert genuine["default_profile_image"] is None  # empty is unknown, not false
    assert genuine["observed_ms"] is not None
    assert json.loads(genuine["extra"])["time_zone"] == "Rome"
    fake = accs["9007199254740993"]  # above 2**53: kept exactly, never through a float
    assert fake["default_profile_image"] is True and fake["description"] is None
    assert caps["account_profile"] == "full" and caps["account_counts"] == "full"


def test_handle_counts_uses_the_handle_as_id_and_claims_no_profile(tmp_path):
    with Store(tmp_path / "c.duckdb") as s:
        [res] = ingest_paths(s, [FIXTURES / "signals/handle_counts.csv"], max_bad_fraction=0.6)
        assert (res.format, res.rows_in, res.rows_stored, res.rows_quarantined) == (
            "handle-counts", 4, 2, 2)
        assert any("handle is the account id" in n for n in res.notes)
        accs = _accounts(s)
        caps = s.capabilities()
    assert set(accs) == {"alice_w", "bob"}
    assert accs["alice_w"]["handle"] == "Alice_W"
    assert (accs["alice_w"]["following"], accs["alice_w"]["followers"]) == (49, 25)
    assert accs["bob"]["followers"] is None
    assert caps["account_profile"] == "partial" and "account_created" not in caps


def test_real_profile_files_ingest_whole(tmp_path):
    mib = shared_data("cresci2015_mib_profiles")
    control = shared_data("china_io_082019_accounts", "random_users_control.csv.gz")
    with Store(tmp_path / "c.duckdb") as s:
        res = ingest_paths(s, [mib / "E13_genuine_users.csv.gz",
                               mib / "INT_fake_followers_users.csv.gz", control])
        # One E13 row holds bytes that are not UTF-8, and the control sample repeats 168 handles
        # (sampled with replacement: 832 distinct): quarantined with the reason, not lost.
        assert [(r.format, r.rows_in, r.rows_stored) for r in res] == [
            ("mib-users", 1481, 1480), ("mib-users", 1337, 1337), ("handle-counts", 1000, 832)]
        assert s.count("quarantine", "reason LIKE 'duplicate account id%'") == 168
        assert s.count("accounts") == 1480 + 1337 + 832
