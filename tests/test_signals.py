"""Account signals and the inauthenticity score, on small cases built row by row.

Each case is written straight into the canonical tables (the contract the signals read), with
times generated from stated rules (a working week in UTC+3 or UTC+5:30, a person's day drawn from
the measured human day at any offset, ...), so every expectation below follows from how the case
was built and from each signal's definition, not from the code under test or the simulator.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from inconcert import config
from inconcert.signals import disarm as D
from inconcert.signals import run_signals
from inconcert.signals.activity_rhythm import fit_time_zone, hour_of_week, network_hour_of_week
from inconcert.signals.dormant_reactivated import permutation_p
from inconcert.signals.handles_profiles import handle_shape, mask_bio
from inconcert.signals.persona_mismatch import location_claim
from inconcert.signals.score import inauthenticity_scores
from inconcert.store import Store

DAY = 86_400_000
HOUR = 3_600_000
ALL_CAPS = {"account_profile": "full", "account_names": "full", "account_created": "full",
            "account_counts": "full", "post_text": "full", "post_time_ms": "full",
            "post_time_s": "full", "client": "full", "post_lang": "full", "hashtags": "full"}


def ms(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> int:
    return int(datetime(y, mo, d, h, mi, tzinfo=UTC).timestamp() * 1000)


class Case:
    """A case database filled row by row."""

    def __init__(self, tmp_path, caps: dict | None = None) -> None:
        self.store = Store(tmp_path / "case.duckdb")
        self.caps = ALL_CAPS if caps is None else caps
        self.accounts: list[dict] = []
        self.posts: list[dict] = []
        self.entities: list[dict] = []
        self._n = 0

    def account(self, account_id: str, **kw) -> None:
        self.accounts.append({"platform": "x", "account_id": account_id, "dataset_id": "d1",
                              **kw})

    def post(self, author: str, t: int, lang: str | None = "en", client: str | None = None,
             text: str = "a post", hashtags: tuple[str, ...] = ()) -> None:
        self._n += 1
        pid = f"p{self._n:06d}"
        self.posts.append({"platform": "x", "post_id": pid, "author_id": author, "created_ms": t,
                           "time_precision": "ms", "time_source": "snowflake", "text": text,
                           "lang": lang, "client": client, "kind": "original",
                           "dataset_id": "d1"})
        for i, h in enumerate(hashtags):
            self.entities.append({"platform": "x", "post_id": pid, "entity": "hashtag",
                                  "position": i, "value": h, "normalized": h.lower()})

    def run(self, *overrides: str, stage: str = "account") -> dict[str, str]:
        s = self.store
        if not s.count("datasets"):
            s.insert_rows("datasets", [{
                "dataset_id": "d1", "path": "built.csv", "sha256": "0" * 64, "format": "test",
                "platform": "x", "unit": "posts", "rows_in": len(self.posts),
                "rows_stored": len(self.posts), "rows_quarantined": 0,
                "capabilities": json.dumps(self.caps)}])
            s.upsert_accounts(self.accounts)
            s.insert_rows("posts", self.posts)
            s.insert_rows("post_entities", self.entities)
        self.cfg = config.load(overrides=overrides)
        status = run_signals(s.con, self.cfg, self.caps, stage)
        inauthenticity_scores(s.con, self.cfg)
        return status

    def fired(self, signal: str) -> dict[str, tuple[float, dict]]:
        return {a: (st, json.loads(ev)) for a, st, ev in self.store.execute(
            "SELECT account_id, strength, evidence FROM account_signals WHERE signal = ?",
            [signal])}

    def scores(self) -> dict[str, tuple[float, str]]:
        return {a: (sc, sig) for a, sc, sig in self.store.execute(
            "SELECT account_id, inauthenticity_score, signals FROM account_scores")}


@pytest.fixture
def case(tmp_path):
    c = Case(tmp_path)
    yield c
    c.store.close()


def office_times(rng: np.random.Generator, n: int, utc_offset: float, start: int,
                 first_h: int = 8, hours: int = 9) -> list[int]:
    """n posts on local weekdays within `hours` hours from `first_h` local time (UTC+utc_offset,
    half hours allowed), from a Monday on."""
    out = []
    while len(out) < n:
        day = int(rng.integers(0, 60))
        local_h = first_h + int(rng.integers(0, hours))
        t = start + day * DAY + int((local_h - utc_offset) * HOUR) + int(rng.integers(0, HOUR))
        local_day = (t + int(utc_offset * HOUR) - start) // DAY
        if local_day % 7 < 5:
            out.append(t)
    return sorted(out)


def human_times(rng: np.random.Generator, n: int, utc_offset: float, start: int) -> list[int]:
    """n posts any day, local hours drawn from the measured human day (UTC+utc_offset)."""
    from inconcert.signals.activity_rhythm import human_day

    hours = rng.choice(24, size=n, p=human_day())
    return sorted(start + int(rng.integers(0, 60)) * DAY + int((h - utc_offset) * HOUR)
                  + int(rng.integers(0, HOUR)) for h in hours)


# ---- batch creation ------------------------------------------------------------------------

def test_batch_creation_finds_the_burst_and_spares_the_background(case):
    rng = np.random.default_rng(3)
    start = ms(2019, 1, 1)
    for i in range(300):  # about one account every 2.4 days for two years
        case.account(f"bg{i:03d}", created_ms=start + int(rng.integers(0, 730)) * DAY
                     + int(rng.integers(0, DAY)), created_precision="s")
    burst_day = ms(2020, 3, 10, 10)
    for i in range(25):  # 25 accounts within 90 minutes
        case.account(f"batch{i:02d}", created_ms=burst_day + i * 216_000,
                     created_precision="s")
    case.run()
    fired = case.fired("batch_creation")
    assert set(fired) == {f"batch{i:02d}" for i in range(25)}
    cohorts = fired["batch00"][1]["cohorts"]
    day = next(c for c in cohorts if c["unit"] == "day")
    assert day["bin"] == "2020-03-10" and day["accounts"] == 25 and day["expected"] < 2
    assert any(c["unit"] == "hour" and c["bin"] == "2020-03-10T10:00Z" for c in cohorts)
    assert fired["batch00"][1]["created_precision"] == "s"


def test_batch_creation_finds_each_of_an_operations_batches_days_apart(case):
    """An operation registers its accounts in batches days apart (the Thailand 2020 archive:
    eleven days within two months). A small batch beside a week of large ones is still a burst:
    the background is the window's ordinary day (its median), not a mean that counts the
    neighbouring batches (15 accounts against a mean background of 6.5 a day: ratio 2.3)."""
    rng = np.random.default_rng(5)
    start = ms(2019, 1, 1)
    week = ms(2020, 3, 2)
    batch_days = {week + d * DAY for d in (0, 1, 2, 3, 4, 11)}
    for i in range(300):  # about one account every 2.4 days for two years, none on batch days
        day = start + int(rng.integers(0, 730)) * DAY
        case.account(f"bg{i:03d}", created_ms=day + 30 * DAY * (day in batch_days),
                     created_precision="day")
    for d in range(5):  # a week of big batches
        for i in range(70):
            case.account(f"big{d}-{i:02d}", created_ms=week + d * DAY, created_precision="day")
    for i in range(15):  # a small batch eleven days later
        case.account(f"small{i:02d}", created_ms=week + 11 * DAY, created_precision="day")
    case.run()
    fired = case.fired("batch_creation")
    assert {f"small{i:02d}" for i in range(15)} <= set(fired)
    assert {f"big{d}-{i:02d}" for d in range(5) for i in range(70)} <= set(fired)
    assert [a for a in fired if a.startswith("bg")] == []


def test_batch_creation_without_dates_is_not_computable(tmp_path):
    c = Case(tmp_path, caps={"account_profile": "full"})
    c.account("a", handle="alice")
    status = c.run()
    assert status["batch_creation"] == "not computable"
    reason, params = c.store.execute(
        "SELECT reason, params FROM signal_runs WHERE signal = 'batch_creation'")[0]
    assert "account_created" in reason
    assert json.loads(params)["min_accounts"] == 5  # the run records its parameters
    c.store.close()


def test_network_batch_creation_needs_networks_and_finds_small_cohorts(case):
    rng = np.random.default_rng(5)
    for i in range(400):
        case.account(f"bg{i:03d}", created_ms=ms(2015, 1, 1) + int(rng.integers(0, 2000)) * DAY,
                     created_precision="day")
    for i in range(4):  # too few for the case-wide test, plenty inside a 6-member network
        case.account(f"m{i}", created_ms=ms(2018, 5, 5), created_precision="day")
    case.run()
    assert not case.fired("batch_creation")
    assert case.run(stage="network")["batch_creation_network"] == "not computable"
    case.store.execute("CREATE TABLE memberships (account_id VARCHAR, network_id VARCHAR)")
    case.store.execute("INSERT INTO memberships VALUES ('m0','N1'),('m1','N1'),('m2','N1'),"
                       "('m3','N1'),('bg001','N1'),('bg002','N1')")
    assert case.run(stage="network")["batch_creation_network"] == "ok"
    fired = case.fired("batch_creation_network")
    assert set(fired) == {"m0", "m1", "m2", "m3"}
    assert fired["m0"][1]["cohorts"][0]["scope"] == "N1"


# ---- dormant, then reactivated -------------------------------------------------------------

def _old_life(case: Case, acc: str, rng: np.random.Generator) -> None:
    for t in human_times(rng, 30, -5, ms(2012, 3, 5)):
        case.post(acc, t, lang="en", client="Twitter for iPhone", hashtags=("nba",))


def test_dormant_fires_on_a_changed_return_not_on_a_plain_pause(case):
    rng = np.random.default_rng(11)
    for acc in ("hijacked", "returning", "brief"):
        case.account(acc, created_ms=ms(2011, 6, 1), created_precision="day")
    _old_life(case, "hijacked", rng)
    for t in office_times(rng, 40, 3, ms(2019, 8, 5)):  # six years later, another person
        case.post("hijacked", t, lang="ru", client="Twitter Web App", hashtags=("выборы",))
    _old_life(case, "returning", rng)
    for t in human_times(rng, 40, -5, ms(2019, 8, 5)):  # same language, phone and hours
        case.post("returning", t, lang="en", client="Twitter for iPhone", hashtags=("nba",))
    case.post("brief", ms(2012, 1, 1))  # one old post is not an earlier life
    for t in office_times(rng, 40, 3, ms(2019, 8, 5)):
        case.post("brief", t, lang="ru", client="Twitter Web App")
    case.run()
    fired = case.fired("dormant_reactivated")
    assert set(fired) == {"hijacked"}
    strength, ev = fired["hijacked"]
    assert set(ev["changes"]) == {"language", "client", "hours", "topic"}
    assert strength == 1.0 and ev["gap_days"] > 365 * 6
    assert ev["changes"]["language"]["before"] == {"en": 1.0}
    assert ev["changes"]["language"]["after"] == {"ru": 1.0}


def test_dormant_fires_on_changed_company_and_links_alone(tmp_path):
    # COMPA's axes, none required: same language, client and hours on both sides, but after the
    # silence the account links to other sites and talks to other accounts (0.5 + 0.5 = 1).
    # Another changes only its hashtags (0.5): interests drift, it does not fire.
    c = Case(tmp_path)
    rng = np.random.default_rng(5)
    for acc in ("taken", "drifted"):
        c.account(acc)
    for acc in ("taken", "drifted"):
        for i, t in enumerate(human_times(rng, 20, 1, ms(2015, 5, 4))):
            c.post(acc, t, client="Twitter for Android", hashtags=("football",))
            pid = c.posts[-1]["post_id"]
            c.entities += [
                {"platform": "x", "post_id": pid, "entity": "url", "position": 0,
                 "value": f"https://localnews.example/a{i}",
                 "normalized": f"localnews.example/a{i}"},
                {"platform": "x", "post_id": pid, "entity": "mention", "position": 0,
                 "value": "clubfan", "normalized": "clubfan"}]
    for i, t in enumerate(human_times(rng, 20, 1, ms(2017, 9, 4))):
        for acc in ("taken", "drifted"):
            c.post(acc, t, client="Twitter for Android",
                   hashtags=("football",) if acc == "taken" else ("cooking",))
            pid = c.posts[-1]["post_id"]
            site, who = (("pressfeed.example", "newsdesk") if acc == "taken"
                         else ("localnews.example", "clubfan"))
            c.entities += [
                {"platform": "x", "post_id": pid, "entity": "url", "position": 0,
                 "value": f"https://{site}/b{i}", "normalized": f"{site}/b{i}"},
                {"platform": "x", "post_id": pid, "entity": "mention", "position": 0,
                 "value": who, "normalized": who}]
    c.run()
    fired = c.fired("dormant_reactivated")
    assert set(fired) == {"taken"}
    assert set(fired["taken"][1]["changes"]) == {"links", "interaction"}
    c.store.close()


def test_permutation_test_is_deterministic_and_calibrated():
    same = permutation_p(["a", "b"] * 10, ["a", "b"] * 10, 999, 1)
    assert same[0] == 0.0 and same[1] == 1.0
    disjoint = permutation_p(["a"] * 10, ["b"] * 10, 999, 1)
    assert disjoint[0] == 1.0 and disjoint[1] == 0.001  # nothing beats it: 1 / (999 + 1)
    assert permutation_p(["a", "b", "a"], ["b"] * 5, 199, 7) == \
        permutation_p(["a", "b", "a"], ["b"] * 5, 199, 7)


# ---- activity rhythm -----------------------------------------------------------------------

def _profile(times: list[int]) -> np.ndarray:
    prof = np.zeros(168)
    for t in times:
        prof[(t // HOUR + 72) % 168] += 1
    return prof


@pytest.mark.parametrize("offset", [3, -5, 5.5, 8, -8, 0, 12, -3])
def test_time_zone_of_a_person_at_any_offset(offset):
    # A person's day is the measured human day; its offset is recovered within an hour (a half
    # hour zone to either neighbour), and an everyday week is never an office week.
    rng = np.random.default_rng(int(offset * 10) + 100)
    fit = fit_time_zone(_profile(human_times(rng, 400, offset, ms(2021, 3, 1))))
    assert fit.template == "human_day"
    assert abs((fit.offset_h - offset + 12) % 24 - 12) <= 1, fit  # UTC+12 is UTC-12 a day on


def test_a_weekend_only_account_has_no_weekend_ratio_but_valid_json():
    # Every post on a Saturday: no weekday posts, so posts per weekend day / per weekday is
    # unbounded; the evidence says null rather than a number JSON cannot hold.
    sat = ms(2021, 3, 6, 12)
    fit = fit_time_zone(_profile([sat + i * 7 * DAY + (i % 5) * HOUR for i in range(30)]))
    assert fit.template == "human_day" and fit.weekday_share == 0.0
    assert json.loads(json.dumps(fit.evidence(), allow_nan=False))["weekend_ratio"] is None


@pytest.mark.parametrize(("offset", "first_h"), [(3, 8), (-5, 9), (5.5, 10), (8, 8), (-3, 7),
                                                 (1, 9)])
def test_time_zone_of_a_working_week_at_any_offset(offset, first_h):
    # Weekdays only, nine local hours from first_h: an office week whose busiest nine hours are
    # taken to be centred on 13:00 local, so a day from first_h reads as offset + 13 - its centre.
    rng = np.random.default_rng(int(offset * 10) + 200 + first_h)
    fit = fit_time_zone(_profile(office_times(rng, 150, offset, ms(2021, 3, 1), first_h)))
    assert fit.template == "office_week"
    assert abs(fit.offset_h - (offset + 13 - (first_h + 4.5))) <= 1, fit
    assert fit.weekday_share == 1.0 and fit.shift_share >= 0.95  # a half-hour zone spills over


def test_activity_rhythm_office_shift_and_machine_regularity(case):
    rng = np.random.default_rng(4)
    start = ms(2020, 1, 6)
    for acc in ("office", "person", "bot"):
        case.account(acc)
    for t in office_times(rng, 60, 3, start):
        case.post("office", t)
    for t in human_times(rng, 80, -5, start):
        case.post("person", t)
    for i in range(200):  # every 15 minutes, to the second, around the clock
        case.post("bot", start + i * 900_000 + int(rng.integers(0, 1000)))
    case.run()
    fired = case.fired("activity_rhythm")
    assert set(fired) == {"office", "bot"}
    office = fired["office"][1]
    assert set(office["findings"]) == {"office_hours"}
    assert office["utc_offset"] in ("UTC+2", "UTC+3", "UTC+4")
    assert {"regular_intervals", "round_the_clock"} <= set(fired["bot"][1]["findings"])
    rows = case.store.execute("SELECT account_id, disarm FROM account_signals "
                              "WHERE signal = 'activity_rhythm' ORDER BY 1")
    assert rows == [("bot", "T0146.007"), ("office", "T0049.001")]
    # the helpers the report uses: per account and summed over a network
    prof = hour_of_week(case.store.con, ["office"])["office"]
    assert prof.sum() == 60
    case.store.execute("CREATE TABLE memberships (account_id VARCHAR, network_id VARCHAR)")
    case.store.execute("INSERT INTO memberships VALUES ('office', 'N1'), ('person', 'N1')")
    assert network_hour_of_week(case.store.con, "N1").sum() == 140


# ---- persona mismatch ----------------------------------------------------------------------

def test_location_claims():
    assert location_claim("Austin, TX").regions == ("US",)
    assert location_claim("Houston, Texas, USA").regions == ("US",)
    assert location_claim("London") .regions == ("UK",)
    assert location_claim("Perth").regions == ("Australia",)
    assert location_claim("Latin America") is None
    assert location_claim("Beijing") is None


def test_persona_mismatch_ohioan_posting_hindi_on_indian_office_hours(case):
    rng = np.random.default_rng(8)
    start = ms(2021, 3, 1)
    case.account("claims", handle="buckeye_laura", display_name="Laura Becker",
                 location="Columbus, Ohio")
    case.account("ohioan", handle="laurab77", display_name="Laura Becker", location="Ohio")
    case.account("londoner", handle="jsmith", display_name="John Smith", location="London")
    for i, t in enumerate(office_times(rng, 60, 5.5, start, first_h=10)):
        case.post("claims", t, lang="hi" if i % 3 else "en")
    for t in human_times(rng, 60, -5, start):
        case.post("ohioan", t, lang="en")
    for i, t in enumerate(human_times(rng, 60, 0, start)):
        case.post("londoner", t, lang="en" if i % 5 else "fr")
    case.run()
    fired = case.fired("persona_mismatch")
    assert set(fired) == {"claims"}
    ev = fired["claims"][1]
    assert ev["claim"]["regions"] == ["US"]
    assert set(ev["contradictions"]) == {"language", "office_hours_elsewhere"}
    assert ev["contradictions"]["office_hours_elsewhere"]["utc_offset"] in ("UTC+5", "UTC+6")


@pytest.mark.parametrize(("name", "where"), [("Jennifer", "usa"), ("Luca", "italy"),
                                             ("Mohammed", "arabia"), ("Wei", "china")])
def test_a_first_name_claims_the_countries_where_it_is_common(name, where):
    from inconcert.signals.persona_mismatch import name_claim

    claim = name_claim(f"{name} Doe", None)
    assert where in claim.regions and claim.source == "name"
    assert name_claim("Xqzv Doe", "xqzv") is None


def test_persona_mismatch_reads_the_script_of_untagged_posts(case):
    case.account("p", handle="mike_w", display_name="Mike W", location="Ohio")
    for i in range(24):  # untagged: Han text is judged, Latin text is left unjudged
        case.post("p", ms(2020, 2, 1 + i, 15), lang=None, text="今天下午的会议很重要" if i % 2
                  else "Good morning Ohio")
    case.run()
    ev = case.fired("persona_mismatch")["p"][1]
    assert ev["contradictions"]["language"] == {"foreign_share": 1.0, "posts": 12,
                                                "languages": {"han": 1.0}}


# ---- handles and profiles ------------------------------------------------------------------

@pytest.mark.parametrize(("handle", "name", "shape"), [
    ("whitfieldhzbja", "Arnetta Whitfield", "name_filler"),  # name + random letters
    ("RossiQkzv", "Marco Rossi", "name_filler"),
    ("MarcoRossi48215903", "Marco Rossi", "default_style"),  # the platform's suggestion
    ("john_smith1987", "John Smith", None),  # a birth year
    ("maria2004", "Maria", None),
    ("gamer420", "Gamer", None),
    ("AnaSilva8342", "Ana Silva", None),  # people pick digits too: never filler alone
    ("KyleCooper94", "Kyle", None),
    ("loganwilson", "Logan W.", None),
    ("jane_doe", "Jane Doe", None),
    ("annabelle", "Anna Belle", None),  # the rest reads as a word
])
def test_handle_shapes(handle, name, shape):
    got = handle_shape(handle, name)
    assert (got[0] if got else None) == shape


def test_handles_profiles_template_bios_and_absent_fields(case):
    for i in range(3):
        case.account(f"t{i}", handle=f"user_t{i}", display_name=f"T {i}",
                     description=f"Proud mom of {i + 2}. Love my country! https://x.co/{i}",
                     followers=3, following=400)
    case.account("real", handle="anna", display_name="Anna", description="Baker in Leeds.",
                 followers=300, following=200)
    case.account("blank", handle="blank", followers=40, following=30)
    case.run()
    fired = case.fired("handles_profiles")
    assert set(fired) == {"t0", "t1", "t2"}
    ind = fired["t0"][1]["indicators"]
    assert set(ind) == {"template_bio", "follow_spam"}
    assert ind["template_bio"]["accounts"] == 3
    assert mask_bio("Mom of 2 https://a.b/c @x") == mask_bio("mom of 5 https://d.e/f @y")


def test_handles_profiles_judges_empty_profiles_only_where_the_source_has_them(tmp_path):
    from inconcert.ingest import ingest_paths

    from .conftest import FIXTURES

    with Store(tmp_path / "c.duckdb") as s:
        ingest_paths(s, [FIXTURES / "signals/handle_counts.csv"], max_bad_fraction=0.6)
        cfg = config.load(overrides=["signals.handles_profiles.min_strength=0.0"])
        run_signals(s.con, cfg, s.capabilities())
        for (ev,) in s.execute("SELECT evidence FROM account_signals "
                               "WHERE signal = 'handles_profiles'"):
            assert "empty_profile" not in json.loads(ev)["indicators"]


# ---- client apps ---------------------------------------------------------------------------

def test_client_apps(case):
    for acc in ("bot", "newsroom", "webonly", "phone"):
        case.account(acc)
    for i in range(30):
        t = ms(2020, 3, 1) + i * 7 * HOUR
        case.post("bot", t, client="twittbot.net")
        case.post("newsroom", t, client="SocialFlow")
        case.post("webonly", t, client="Twitter Web App" if i % 2 else "Twitter Web Client")
        case.post("phone", t, client="Twitter for iPhone" if i % 2 else "Twitter Web App")
    case.run()
    fired = case.fired("client_apps")
    assert set(fired) == {"bot", "newsroom", "webonly"}
    assert fired["bot"][0] > fired["newsroom"][0] >= fired["webonly"][0]
    assert "automation_client" in fired["bot"][1]["findings"]


# ---- the score -----------------------------------------------------------------------------

def _insert_signals(store: Store, rows: list[tuple[str, str, float]]) -> None:
    store.execute("CREATE TABLE IF NOT EXISTS account_signals (account_id VARCHAR, "
                  "signal VARCHAR, strength DOUBLE, evidence VARCHAR, disarm VARCHAR)")
    for a, sig, st in rows:
        store.execute("INSERT INTO account_signals VALUES (?, ?, ?, '{}', '')", [a, sig, st])


def _odds(p: float) -> float:
    return p / (1 - p)


def test_score_multiplies_the_prior_odds_by_each_signals_likelihood_ratio(tmp_path):
    # Ratios given in the config, so the expectations follow from the definition alone:
    # odds(score) = odds(prior) x product of the ratios, a family counted once (its largest).
    ratios = ("signals.score.ratios={client_apps={fired=[2.0, 4.0, 8.0]}, "
              "batch_creation={fired=[5.0, 10.0, 20.0], absent=0.5}, "
              "handles_profiles={fired=[3.0, 3.0, 3.0], absent=0.25}}")
    with Store(tmp_path / "c.duckdb") as s:
        s.upsert_accounts([{"platform": "x", "account_id": a, "created_ms": c} for a, c in (
            ("one", None), ("two", None), ("none", None), ("dated", ms(2020, 1, 1)),
            ("fam", None), ("new", None))])
        _insert_signals(s, [("one", "client_apps", 1.0),
                            ("two", "client_apps", 0.3), ("two", "batch_creation", 0.6),
                            ("fam", "batch_creation", 0.5),
                            ("fam", "batch_creation_network", 0.9),
                            ("new", "someone_elses_signal", 1.0)])
        cfg = config.load(overrides=[ratios, "signals.score.prior=0.2",
                                     "signals.score.default_ratio=3.0"])
        assert inauthenticity_scores(s.con, cfg) == 6
        got = {a: (sc, sig) for a, sc, sig in s.execute("SELECT * FROM account_scores")}
        prior = _odds(0.2)
        assert got["none"] == (0.2, "")  # no run recorded: silence is not evidence
        assert _odds(got["one"][0]) == pytest.approx(prior * 8.0, rel=1e-5)
        assert got["one"][1] == "client_apps"
        assert _odds(got["two"][0]) == pytest.approx(prior * 2.0 * 10.0, rel=1e-5)
        assert got["two"][1] == "batch_creation;client_apps"
        assert _odds(got["fam"][0]) == pytest.approx(prior * 20.0, rel=1e-5)
        assert _odds(got["new"][0]) == pytest.approx(prior * 3.0, rel=1e-5)
        first = s.execute("SELECT * FROM account_scores")
        inauthenticity_scores(s.con, cfg)
        assert s.execute("SELECT * FROM account_scores") == first
        # Once the profile signal has run, its silence counts; no creation burst does not (old,
        # bought accounts have none).
        s.execute("CREATE TABLE signal_runs (signal VARCHAR, status VARCHAR)")
        s.execute("INSERT INTO signal_runs VALUES ('handles_profiles', 'ok'), "
                  "('batch_creation', 'ok'), ('client_apps', 'ok')")
        inauthenticity_scores(s.con, cfg)
        got = {a: sc for a, sc, _ in s.execute("SELECT * FROM account_scores")}
        assert _odds(got["none"]) == pytest.approx(prior * 0.25, rel=1e-5)
        assert got["dated"] == got["none"]
        assert _odds(got["one"]) == pytest.approx(prior * 8.0 * 0.25, rel=1e-5)


def test_shipped_ratios_are_bounded_monotone_and_not_the_simulators_alone():
    from inconcert.signals.score import measured

    table = measured()
    assert table["bins"] == sorted(table["bins"]) and table["bins"][0] == 0.0
    for sig, entry in table["signals"].items():
        fired = entry["fired"]
        assert len(fired) == len(table["bins"]) and fired == sorted(fired), sig
        assert all(0.01 <= x <= 100 for x in [*fired, entry["absent"]]), sig
        if set(entry["measured_on"]) == {"sim"}:  # the simulator alone says little
            assert max(fired) <= 3 and entry["absent"] >= 1 / 3, sig


def test_disarm_ids_of_every_signal_are_v16_and_named():
    from inconcert.signals import signals

    for name, cls in signals().items():
        for tid in cls.disarm:
            assert tid in D.TECHNIQUES, (name, tid)
    rows = D.describe("T0150.008;T0090.004")
    assert [r["id"] for r in rows] == ["T0150.008", "T0143.002"]  # legacy id mapped to v1.6
    assert rows[0]["name"] == "Bulk Created Asset" and rows[0]["tactic"] == "TA15"
    assert D.name("T0141.001").endswith("(legacy, before v1.6)")


def test_weights_given_replace_the_defaults_one_by_one(case):
    rng = np.random.default_rng(4)
    start = ms(2020, 1, 6)
    case.account("office")
    case.account("bot")
    for t in office_times(rng, 60, -5, start):
        case.post("office", t)
    for i in range(200):
        case.post("bot", start + i * 900_000)
    case.run("signals.activity_rhythm.weights={office_hours=0.2}")
    fired = case.fired("activity_rhythm")
    assert fired["office"][0] == 0.2
    assert fired["bot"][0] >= 0.7  # regular_intervals keeps its default weight
