from inconcert.timeutil import best_time, iso_utc, parse_time, snowflake_ms


def test_snowflake_documented_example():
    # formats.md §19: tweet 1196659470232772609 -> 2019-11-19 05:20:25.218 UTC
    assert iso_utc(snowflake_ms("1196659470232772609")) == "2019-11-19T05:20:25.218Z"


def test_old_sequential_ids_are_not_snowflakes():
    assert snowflake_ms("20") is None
    assert snowflake_ms("1234567890") is None
    assert snowflake_ms("abc=") is None


def test_snowflake_used_only_when_it_agrees_with_declared_time():
    declared, prec = parse_time("2019-11-19 05:20")
    assert prec == "minute"
    ms, p, src = best_time("1196659470232772609", declared, prec)
    assert (p, src) == ("ms", "snowflake") and iso_utc(ms).endswith("05:20:25.218Z")
    other, _ = parse_time("2020-01-01 00:00")
    ms, p, src = best_time("1196659470232772609", other, "minute")
    assert (ms, p, src) == (other, "minute", "declared")


def test_parse_time_formats():
    assert parse_time("2020-05-12T17:05:47.000Z") == (1589303147000, "ms")
    assert parse_time("Wed Oct 10 20:19:24 +0000 2018")[1] == "s"
    assert parse_time("Wed Oct 10 22:19:24 +0200 2018")[0] == parse_time(
        "Wed Oct 10 20:19:24 +0000 2018")[0]
    assert parse_time("10/1/2017 19:58") == parse_time("2017-10-01 19:58")
    assert parse_time("2017-08-30") [1] == "day"
    assert parse_time("1623881091") == (1623881091000, "s")
    assert parse_time("1623881091.5") == (1623881091500, "ms")


def _iso_reference(ms: int) -> str:
    # The formula iso_utc used before its arithmetic fast path: the same text for every value.
    from datetime import UTC, datetime
    return (datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{ms % 1000:03d}Z")


def test_iso_utc_is_the_datetime_text_across_its_whole_range():
    import random

    import pytest

    rng = random.Random(5)
    last = 253_402_300_800_000 - 1  # 9999-12-31T23:59:59.999Z
    edges = [0, 1, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, 951_782_400_000,
             1_582_934_400_000, 1_582_934_399_999, 2_147_483_647_999, last, -1, -86_400_001,
             -62_135_596_800_000]
    values = edges + [rng.randrange(-10**13, last) for _ in range(20_000)]
    for ms in values:
        assert iso_utc(ms) == _iso_reference(ms), ms
    assert iso_utc(last) == "9999-12-31T23:59:59.999Z"
    for absurd in (last + 1, 10**18, -10**18):
        with pytest.raises((ValueError, OverflowError, OSError)):
            _iso_reference(absurd)
        with pytest.raises((ValueError, OverflowError, OSError)):
            iso_utc(absurd)
