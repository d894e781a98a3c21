"""The fast JSON writer gives the standard library's bytes (findings.json is compared byte for
byte between runs, and users diff it)."""

import io
import json
import random

import pytest

from inconcert import jsontext

STD = {"ensure_ascii": False, "sort_keys": True, "indent": 1, "allow_nan": False}

STRINGS = ["", "plain", "quote \" backslash \\ slash /", "ctl \x00\x01\x1f\x7f tab\t nl\n cr\r",
           "thai ภาษาไทย", "中文", "emoji 🙂", "surrogate \ud800", "=cmd|' /C calc'!A0",
           "<script>alert(1)</script>", "\u2028\u2029"]
NUMBERS = [0, -1, 2**70, -(2**70), 0.0, -0.0, 1.5, 1e300, 5e-324, 1 / 3, 123456789.123456789]


def _random_doc(rng: random.Random, depth: int = 0):
    kind = rng.randrange(7 if depth < 4 else 4)
    if kind == 0:
        return rng.choice(STRINGS)
    if kind == 1:
        return rng.choice(NUMBERS)
    if kind == 2:
        return rng.choice([None, True, False])
    if kind == 3:
        return rng.choice(STRINGS) + str(rng.random())
    if kind == 4:
        return [_random_doc(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 5:
        return tuple(_random_doc(rng, depth + 1) for _ in range(rng.randrange(3)))
    return {rng.choice(STRINGS) + str(i): _random_doc(rng, depth + 1)
            for i in range(rng.randrange(5))}


@pytest.mark.parametrize("seed", range(40))
def test_same_bytes_as_the_standard_library(seed):
    doc = {"edges": [_random_doc(random.Random(seed * 100 + i)) for i in range(30)],
           "nested": _random_doc(random.Random(seed))}
    buf = io.StringIO()
    jsontext.dump(doc, buf)
    assert buf.getvalue() == json.dumps(doc, **STD)
    assert jsontext.dumps(doc) == json.dumps(doc, **STD)


@pytest.mark.parametrize("seed", range(20))
def test_rows_with_the_same_keys_encode_column_by_column_to_the_same_bytes(seed):
    rng = random.Random(seed)
    kinds = [STRINGS, NUMBERS, [None, True, False], [None, "x", "é"], [None, 0.5, -0.0, 1e300],
             [None, 1, 2**70], [[], ["a", "b"], ("t",)], [{}, {"k": [1, {"z": None}]}]]
    columns = {f"c{i}": rng.choice(kinds) for i in range(rng.randrange(1, 9))}
    rows = [{k: rng.choice(v) for k, v in columns.items()} for _ in range(rng.randrange(1, 60))]
    rows += [dict(rows[0], extra=1)] if seed % 3 == 0 else []  # one row of other keys
    doc = {"rows": rows}
    buf = io.StringIO()
    jsontext.dump(doc, buf)
    assert buf.getvalue() == json.dumps(doc, **STD)


def test_keys_of_every_kind_the_standard_library_takes():
    for keys in ([3, 1, 2], [1.5, -0.0, 2.25], ["b", "a", "é"]):
        doc = {k: [k] for k in keys}
        assert jsontext.dumps(doc) == json.dumps(doc, **STD)
    for key in (True, False, None):
        assert jsontext.dumps({key: 1}) == json.dumps({key: 1}, **STD)


def test_subclasses_encode_as_their_base():
    class Tag(str):
        pass

    class Count(int):
        def __repr__(self):
            return "Count()"

    doc = {"a": Tag("x"), "b": Count(7), "c": True}
    assert jsontext.dumps(doc) == json.dumps(doc, **STD)


def test_a_large_list_is_written_in_pieces_with_the_same_bytes():
    doc = {"rows": [{"i": i, "s": f"r{i}", "xs": [i, float(i) / 7]} for i in range(70_000)]}
    buf = io.StringIO()
    jsontext.dump(doc, buf)
    assert buf.getvalue() == json.dumps(doc, **STD)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_out_of_range_floats_are_refused_as_by_the_standard_library(bad):
    with pytest.raises(ValueError):
        json.dumps({"x": bad}, **STD)
    with pytest.raises(ValueError):
        jsontext.dumps({"x": [bad]})
    with pytest.raises(ValueError):
        jsontext.dump({"rows": [{"x": 1.0}, {"x": bad}]}, io.StringIO())


def test_values_json_cannot_hold_are_refused():
    with pytest.raises(TypeError):
        jsontext.dumps({"x": {1, 2}})
    with pytest.raises(TypeError):
        jsontext.dumps({(1, 2): 1})
