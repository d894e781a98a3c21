"""Cross-platform personas (`inconcert.operations.personas`), on cases written by hand from the
stage's definition: rare shared values link, common names and default avatars do not, the
platform is part of every key, and the output does not depend on row order."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from inconcert import config
from inconcert.operations import find_operations
from inconcert.operations.personas import (
    components,
    fold,
    handle_stem,
    link_personas,
    name_derived,
    name_key,
)
from inconcert.report.html import _env
from inconcert.report.operations import persona_rows
from inconcert.store import Store

H0 = 0x9F3B_61C2_0D4E_A857  # a profile photo's 64-bit pHash
DEFAULT = "8000000000000000"  # a platform's default image
T0 = 1_617_000_000_000


def _hex(h: int) -> str:
    return f"{h:016x}"


def _background(n: int = 20) -> list[dict]:
    """n unrelated people on each of x and facebook, each with their own name, handle and photo
    (so the case has a population against which a value is rare)."""
    firsts = ["Ada", "Bela", "Cyril", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ilse", "Jonas",
              "Kemal", "Lidia", "Marek", "Nora", "Oskar", "Pia", "Quentin", "Rosa", "Saul", "Tove"]
    lasts = ["Abbott", "Brandt", "Castillo", "Dvorak", "Eriksen", "Fontaine", "Grieg", "Hughes",
             "Ivanova", "Jensen", "Kaur", "Lindgren", "Moreno", "Novak", "Okafor", "Petit",
             "Quinn", "Rahman", "Silva", "Tanaka"]
    rows = []
    for plat, shift in (("x", 0), ("facebook", 7)):
        for i in range(n):
            name = f"{firsts[i]} {lasts[(i + shift) % n]}"
            rows.append({"platform": plat, "account_id": f"{plat[0]}bg{i}", "display_name": name,
                         "handle": f"{plat}_user_{i}x{shift}",
                         "avatar_phash": hashlib.sha256(f"{plat}{i}".encode()).hexdigest()[:16]})
    return rows


def _case(tmp_path: Path, accounts: list[dict], posts: list[dict] = (), name: str = "case"
          ) -> Store:
    store = Store(tmp_path / f"{name}.duckdb")
    store.insert_rows("accounts", [{"dataset_id": "d1", **a} for a in accounts])
    store.insert_rows("posts", [{"time_precision": "ms", "time_source": "test", "kind": "original",
                                 "dataset_id": "d1", **p} for p in posts])
    return store


def _links(store: Store, *overrides: str) -> list[tuple]:
    link_personas(store.con, config.load(overrides=list(overrides)))
    return store.execute("SELECT platform_a, account_a, platform_b, account_b, kinds "
                         "FROM persona_links ORDER BY ALL")


def test_a_rare_avatar_and_the_same_name_link_two_platforms(tmp_path):
    accounts = _background() + [
        {"platform": "x", "account_id": "x1", "display_name": "Olga Petrova",
         "handle": "sunrise_walker", "avatar_phash": _hex(H0)},
        # the same photo recompressed (3 bits off), the name in Cyrillic
        {"platform": "facebook", "account_id": "f1", "display_name": "Ольга Петрова",
         "handle": "o.p.page", "avatar_phash": _hex(H0 ^ 0b1011)},
    ]
    with _case(tmp_path, accounts) as store:
        links = _links(store)
        assert links == [("facebook", "f1", "x", "x1", "avatar;name")]
        ev = json.loads(store.execute("SELECT evidence FROM persona_links")[0][0])
        assert ev["name"] == {"a": "Ольга Петрова", "b": "Olga Petrova", "holders": 1,
                              "value": "olga petrova"}
        assert ev["avatar"]["holders"] == 1


def test_fifty_john_smiths_on_the_default_avatar_are_not_linked(tmp_path):
    accounts = _background()
    for plat in ("x", "facebook"):
        for i in range(50):
            # half the sources flag the default image, half only show its hash
            accounts.append({"platform": plat, "account_id": f"{plat}js{i}",
                             "display_name": "John Smith", "handle": f"john_smith{i + 100}",
                             "avatar_phash": DEFAULT, "default_profile_image": i % 2 == 0 or None})
    with _case(tmp_path, accounts) as store:
        assert _links(store) == []
        # the name and the default image are held by 50 accounts per platform: no evidence
        assert store.count("persona_candidates") == 0


def test_a_default_avatar_is_no_evidence_even_when_only_two_share_it(tmp_path):
    accounts = _background() + [
        {"platform": plat, "account_id": f"{plat}1", "display_name": "Zofia Wrzesińska",
         "handle": f"{plat}_zw", "avatar_phash": DEFAULT, "default_profile_image": True}
        for plat in ("x", "facebook")]
    with _case(tmp_path, accounts) as store:
        assert _links(store) == []
        kinds = store.execute("SELECT kinds, status FROM persona_candidates")
        assert kinds == [("name", "too few kinds")]


def test_the_same_id_on_two_platforms_is_two_accounts(tmp_path):
    accounts = _background() + [
        {"platform": "x", "account_id": "12345", "display_name": "Olga Petrova",
         "handle": "sunrise_walker", "avatar_phash": _hex(H0)},
        {"platform": "facebook", "account_id": "777", "display_name": "Olga Petrova",
         "handle": "sunrise.walker", "avatar_phash": _hex(H0)},
        # another person who happens to have the same id on Facebook
        {"platform": "facebook", "account_id": "12345", "display_name": "Ivan Orlov",
         "handle": "ivan_builds", "avatar_phash": _hex(H0 ^ 0xFFFF_0000_FFFF_0000)},
    ]
    with _case(tmp_path, accounts) as store:
        links = _links(store)
        assert links == [("facebook", "777", "x", "12345", "avatar;handle;name")]
        persona = components(r[:4] for r in links)
        assert ("facebook", "12345") not in persona
        assert persona[("x", "12345")] == persona[("facebook", "777")]


def test_a_handle_spelled_from_the_name_is_not_a_second_kind(tmp_path):
    pair = [{"platform": "x", "account_id": "x1", "display_name": "Amanda Nelson",
             "handle": "AmandaNelson1987"},
            {"platform": "facebook", "account_id": "f1", "display_name": "Amanda Nelson",
             "handle": "amanda.nelson"}]
    with _case(tmp_path, _background() + pair) as store:
        assert _links(store) == []
        ev = json.loads(store.execute("SELECT evidence FROM persona_candidates")[0][0])
        assert ev["handle"]["from_name"] is True
    # the same two with a bio link in common are one persona
    pair[0]["url"] = "https://amanda-nelson.example/contact"
    pair[1]["description"] = "Runner. Contact: www.amanda-nelson.example/contact"
    with _case(tmp_path, _background() + pair, name="with_link") as store:
        assert _links(store) == [("facebook", "f1", "x", "x1", "handle;link;name")]


def _copies(author: str, plat: str, start: int, gap_ms: int) -> list[dict]:
    texts = ["The harbour project was approved without any public consultation at all",
             "Ask yourself who profits when the harbour project goes ahead next spring"]
    return [{"platform": plat, "post_id": f"{plat}-{author}-{i}", "author_id": author,
             "created_ms": start + i * 86_400_000 + gap_ms, "text": t}
            for i, t in enumerate(texts)]


def test_content_within_hours_corroborates_a_rare_name(tmp_path):
    people = [{"platform": "x", "account_id": "x1", "display_name": "Teodor Vasilescu",
               "handle": "harbour_watch"},
              {"platform": "facebook", "account_id": "f1", "display_name": "Teodor Vasilescu",
               "handle": "tv.page.official"}]
    near = _copies("x1", "x", T0, 0) + _copies("f1", "facebook", T0, 2 * 3_600_000)
    with _case(tmp_path, _background() + people, near) as store:
        assert _links(store) == [("facebook", "f1", "x", "x1", "content;name")]
    # the same texts two days apart are not posting together
    far = _copies("x1", "x", T0, 0) + _copies("f1", "facebook", T0, 2 * 86_400_000 + 3_600_000)
    with _case(tmp_path, _background() + people, far, name="far") as store:
        assert _links(store) == []


def test_two_namesakes_posting_the_same_content_are_ambiguous(tmp_path):
    people = [{"platform": "x", "account_id": "x1", "display_name": "Teodor Vasilescu",
               "handle": "harbour_watch"}]
    posts = _copies("x1", "x", T0, 0)
    for k in (1, 2):
        people.append({"platform": "facebook", "account_id": f"f{k}",
                       "display_name": "Teodor Vasilescu", "handle": f"page_number_{k}a"})
        posts += _copies(f"f{k}", "facebook", T0, k * 3_600_000)
    with _case(tmp_path, _background() + people, posts) as store:
        assert _links(store) == []
        assert {r[0] for r in store.execute("SELECT status FROM persona_candidates")} == {
            "ambiguous"}


def test_output_does_not_depend_on_row_order(tmp_path):
    accounts = _background() + [
        {"platform": "x", "account_id": "x1", "display_name": "Olga Petrova",
         "handle": "sunrise_walker", "avatar_phash": _hex(H0)},
        {"platform": "facebook", "account_id": "f1", "display_name": "Olga Petrova",
         "handle": "sunrise.walker", "avatar_phash": _hex(H0)},
        {"platform": "x", "account_id": "x2", "display_name": "Teodor Vasilescu",
         "handle": "harbour_watch"},
        {"platform": "facebook", "account_id": "f2", "display_name": "Teodor Vasilescu",
         "handle": "tv.page.official"}]
    for i in range(40):  # enough pairs for hash joins to come out in another order
        for plat in ("x", "facebook"):
            accounts.append({"platform": plat, "account_id": f"{plat}-p{i}",
                             "display_name": f"Person Number{chr(97 + i % 26)}{chr(97 + i // 26)}",
                             "handle": f"own_handle_{chr(97 + i % 26)}{chr(97 + i // 26)}"})
    posts = _copies("x2", "x", T0, 0) + _copies("f2", "facebook", T0, 3_600_000)
    out = []
    for name, order in (("fwd", 1), ("rev", -1)):
        with _case(tmp_path, accounts[::order], posts[::order], name=name) as store:
            link_personas(store.con, config.load())
            out.append(store.execute("SELECT * FROM persona_links"))
    assert out[0] == out[1] and len(out[0]) == 42


@pytest.mark.parametrize(("handle", "name", "derived"), [
    ("olgapetrova", "Olga Petrova", True), ("petrovaolga", "Olga Petrova", True),
    ("opetrova", "Olga Petrova", True), ("olgap", "Olga Petrova", True),
    ("rhyspearce", "Rhys P.", True), ("archiep", "Archie", True),
    ("sunrisewalker", "Olga Petrova", False), ("olgarunner", "Olga Petrova", False)])
def test_name_derived_handles(handle, name, derived):
    assert name_derived(handle, name) is derived


def test_folding_names_and_handles():
    assert fold("Ольга Петрова") == "olga petrova"
    assert name_key("Matteo Yılmaz 🇹🇷") == name_key("YILMAZ, Matteo") == "matteo yilmaz"
    assert name_key("J") is None
    assert handle_stem("@Olga_P1984") == "olgap"
    assert handle_stem("@ab12") is None


def _two_networks(tmp_path: Path, n_pairs: int) -> Store:
    """Network N001 of three X accounts and N002 of three Facebook accounts; the first n_pairs
    X accounts have a Facebook twin (same rare photo and name) in N002."""
    accounts = _background()
    for i in range(3):
        twin = i < n_pairs
        for plat in ("x", "facebook"):
            accounts.append({"platform": plat, "account_id": f"{plat[0]}m{i}",
                             "display_name": f"{('Aino', 'Bruno', 'Cleo')[i]} "
                                             f"{'Twin' if twin else plat.title()}",
                             "handle": f"{plat}_member_{i}",
                             "avatar_phash": _hex(H0 ^ (0xFFFF_FFFF << (16 * i))) if twin
                             else hashlib.sha256(f"m{plat}{i}".encode()).hexdigest()[:16]})
    store = _case(tmp_path, accounts, name=f"nets{n_pairs}")
    store.execute("CREATE TABLE networks (network_id VARCHAR, size BIGINT, n_flagged BIGINT, "
                  "inauthentic BOOLEAN, inauthentic_share DOUBLE, score DOUBLE, "
                  "significance DOUBLE, traces VARCHAR, first_ms BIGINT, last_ms BIGINT)")
    store.execute("INSERT INTO networks VALUES ('N001', 3, 0, false, 0, 0.5, 0.9, 'co_reshare', "
                  "1, 2), ('N002', 3, 0, false, 0, 0.4, 0.9, 'co_reshare', 1, 2)")
    store.execute("CREATE TABLE memberships (account_id VARCHAR, network_id VARCHAR)")
    store.execute("INSERT INTO memberships VALUES ('xm0', 'N001'), ('xm1', 'N001'), "
                  "('xm2', 'N001'), ('fm0', 'N002'), ('fm1', 'N002'), ('fm2', 'N002')")
    return store


def test_networks_whose_members_are_linked_personas_are_one_operation(tmp_path):
    with _two_networks(tmp_path, 2) as store:
        assert find_operations(store.con, config.load()) == 1
        op = store.execute("SELECT networks, platforms, links FROM operations")[0]
        assert op[:2] == ("N001;N002", "facebook;x")
        assert json.loads(op[2])[0]["personas"]["shared"] == 2
        assert store.execute("SELECT DISTINCT linked_by FROM operation_networks") == [
            ("personas",)]
    # one persona link is not enough to join two networks (min_persona_links = 2)
    with _two_networks(tmp_path, 1) as store:
        assert find_operations(store.con, config.load()) == 2
        assert sorted(store.execute("SELECT platforms FROM operations")) == [("facebook",),
                                                                             ("x",)]


def test_the_report_prints_persona_evidence_escaped(tmp_path):
    evil = "<img src=x onerror=\"window.__pwned='img'\">"
    accounts = _background() + [
        {"platform": "x", "account_id": "x1", "display_name": f"Olga {evil}",
         "handle": "sunrise_walker", "avatar_phash": _hex(H0),
         "url": "https://evil.example/a?q=\"'><script>window.__pwned=1</script>"},
        {"platform": "facebook", "account_id": "f1", "display_name": f"Olga {evil}",
         "handle": "sunrise.walker", "avatar_phash": _hex(H0),
         "description": "see https://evil.example/a?q=\"'><script>window.__pwned=1</script>"}]
    with _case(tmp_path, accounts) as store:
        link_personas(store.con, config.load())
        rows = persona_rows(store.con, [{"x1"}])[0]
    assert len(rows) == 1 and rows[0]["a_name"] == f"Olga {evil}"  # raw: escaped once, below
    op = {"platform_list": ["facebook", "x"], "n_persona_links": 1, "persona_links": rows}
    html = _env().get_template("personas.html").render(op=op)
    assert "<img" not in html and "<script" not in html and "&lt;img" in html
    assert "bio link or contact “evil[.]example/a" in html  # a shared link is defanged
    assert "facebook, x; 1 persona link across platforms" in html


def test_a_hostile_name_cannot_make_the_handle_check_slow():
    # forty initials and a 64-letter handle: an unbounded search would try every split
    assert name_derived("a" * 63 + "z", " ".join(["a"] * 40)) is True
    assert name_derived("q" * 64, " ".join(["a"] * 40)) is False
    # repeated two-letter words and a stem that fails at its end: 87 s unbounded at 8 words
    assert name_derived("a" * 16 + "bc", " ".join(["aa"] * 8)) is False
