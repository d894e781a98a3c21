"""add_sections: later stages' sections spliced into findings.json give the bytes that loading the
file, updating it and dumping it again gives (users diff findings.json between runs), without
loading it (a large case's findings.json is 1 GB)."""

from __future__ import annotations

import json
import math
import os
import random
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from inconcert.outputs import findings
from inconcert.outputs.findings import add_sections

STD = {"ensure_ascii": False, "sort_keys": True, "indent": 1, "allow_nan": False}

# Keys and strings JSON escapes or that look like the file's layout once escaped.
HOSTILE = ["", "a", "A", "z", "é", "中文", "🙂", "\uffff", 'quote "', "back\\", "\\", '\\"',
           'x": 1,\n "y', "\n \"", "\t\r\x00\x1f\x7f", "\u2028", "a b", "}\n{", "],"]
NUMBERS = [0, 1, -1, 2**70, -(2**70), 0.1, 1e-7, -0.0, 0.0, 1e300, 5e-324, 1 / 3, 123456.789]


def _value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(8 if depth < 3 else 4)
    if kind == 0:
        return rng.choice(HOSTILE) + rng.choice(["", str(rng.random())])
    if kind == 1:
        return rng.choice(NUMBERS)
    if kind == 2:
        return rng.choice([None, True, False])
    if kind == 3:
        return rng.choice([[], {}, "", 0])
    if kind == 4:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(5))]
    if kind == 5:  # rows with the same keys, which jsontext encodes column by column
        keys = rng.sample(HOSTILE, rng.randrange(1, 4))
        return [{k: _value(rng, depth + 2) for k in keys} for _ in range(rng.randrange(1, 6))]
    return {rng.choice(HOSTILE) + str(i): _value(rng, depth + 1) for i in range(rng.randrange(4))}


def _keys(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(HOSTILE) + rng.choice(["", "edges", "x", "é"]) for _ in range(n)]


def _write(path: Path, doc: Any) -> None:
    """findings.json as write_findings and add_sections write it."""
    path.write_bytes((json.dumps(doc, **STD) + "\n").encode("utf-8"))


def _expected(text: str, sections: dict[Any, Any]) -> bytes:
    """What add_sections wrote before it spliced: load, update, dump, newline."""
    doc = json.loads(text)
    doc.update(sections)
    return (json.dumps(doc, **STD) + "\n").encode("utf-8")


def _check(path: Path, sections: dict[Any, Any]) -> None:
    expected = _expected(path.read_text(encoding="utf-8"), sections)
    assert add_sections(path, sections) == path
    assert path.read_bytes() == expected
    assert os.listdir(path.parent) == [path.name]  # no temporary file left behind


@pytest.fixture
def not_loaded(monkeypatch: Any) -> None:
    """Files laid out as write_findings writes them are copied, never loaded whole."""
    def load(*args: Any) -> None:
        raise AssertionError("findings.json was loaded whole")
    monkeypatch.setattr(findings, "_rewrite", load)


# Chunks small enough for keys, commas and the final "\n}\n" to fall across reads.
CHUNKS = [1, 2, 3, 5, 13, 4096, findings._CHUNK]


@pytest.mark.parametrize("seed", range(60))
@pytest.mark.usefixtures("not_loaded")
def test_same_bytes_as_loading_updating_and_dumping(tmp_path: Path, monkeypatch: Any,
                                                    seed: int) -> None:
    rng = random.Random(seed)
    doc = {k: _value(rng) for k in _keys(rng, rng.randrange(0, 9))}
    existing = sorted(doc)
    # Replaced (the first, the last, any) and new keys, before, between and after the others.
    replaced = rng.sample(existing, rng.randrange(len(existing) + 1)) if existing else []
    sections = {k: _value(rng) for k in replaced + _keys(rng, rng.randrange(4))}
    path = tmp_path / "findings.json"
    for chunk in CHUNKS:
        monkeypatch.setattr(findings, "_CHUNK", chunk)
        _write(path, doc)
        _check(path, sections)


BASE = {"accounts": [{"account_id": "a1", "flagged": True, "score": 0.1}],
        "edges": [], "inputs_digest": "cc53", "summary": {"edges": 0, "ratio": 1e-7},
        "trace_runs": [{"trace": "t", "note": None}]}


@pytest.mark.parametrize("base, sections", [
    (BASE, {}),  # nothing to add: the same bytes
    (BASE, {"accounts": "replaced first"}),
    (BASE, {"trace_runs": ["replaced", "last"]}),
    (BASE, {"edges": {"replaced": "middle"}, "summary": []}),
    (BASE, {"aaa": "before the first", "a": -0.0}),
    (BASE, {"zzz": "after the last", "~": {}}),
    (BASE, {"": 1, "b": [[]], "f": {"g": {}}, "s": [{"x": 1}, {"x": 2.5}], "zz": None}),
    (BASE, {"accounts": [], "inputs_digest": 2**70, "trace_runs": {}, "narratives": []}),
    (BASE, {'k"ey': 1, "k\\ey": 2, "ké": 3, "k\n \"x\": 1,": 4, "k🙂": 5, "K": 6}),
    ({"only": 1}, {"only": 2}),
    ({"only": [1, 2]}, {"before": True, "zzz": False}),
    ({}, {"narratives": [{"id": "N1", "share": 0.5}], "targets": []}),
    ({}, {}),
])
@pytest.mark.usefixtures("not_loaded")
def test_sections_are_added_and_replaced_at_their_sorted_places(
        tmp_path: Path, base: dict[str, Any], sections: dict[str, Any]) -> None:
    path = tmp_path / "findings.json"
    _write(path, base)
    _check(path, sections)


@pytest.mark.parametrize("text", [
    '{"networks": []}\n',  # compact, as the narratives stage's tests write it
    "{}", "{ }\n", "{}\n\n", "\n{}\n",
    '{\n  "a": 1,\n  "b": 2\n}\n',  # indent 2
    '{\n"a": 1,\n"b": 2\n}\n',  # indent 0
    '{\r\n "a": 1,\r\n "b": 2\r\n}\r\n',
    '{\n "b": 1,\n "a": 2\n}\n',  # unsorted
    '{\n "a": 1,\n "a": 2\n}\n',  # a key twice: the last one counts
    '{\n "\\u00e9": 1\n}\n',  # a key escaped as ensure_ascii does
    '{\n "a": 1 ,\n "b": 2\n}\n', '{\n "a":  1\n}\n', '{\n "a": 1\n}', '{\n "a": 1\n} \n',
    '{\n "a": [\n  1\n ]\n,\n "b": 2\n}\n',
])
def test_files_in_another_layout_are_rewritten_as_before(tmp_path: Path, text: str) -> None:
    path = tmp_path / "findings.json"
    for sections in ({}, {"a": "new"}, {"narratives": [1]}):
        path.write_text(text, encoding="utf-8", newline="")
        _check(path, sections)


@pytest.mark.parametrize("text, sections, error", [
    ('{\n "a": 1,\n}\n', {"b": 1}, json.JSONDecodeError),  # not JSON
    ('[\n 1\n]\n', {"b": 1}, AttributeError),  # not an object
    ('{\n "a": 1\n}\n', {"b": math.nan}, ValueError),
    ('{\n "a": 1\n}\n', {"b": [object()]}, TypeError),
    ('{\n "a": 1\n}\n', {1: "a key of another type"}, TypeError),
    ('{\n "a": 1\n}\n', {"b": "\ud800"}, UnicodeEncodeError),
])
def test_what_cannot_be_written_is_refused_and_the_file_left_as_it_was(
        tmp_path: Path, text: str, sections: dict[Any, Any], error: type[Exception]) -> None:
    path = tmp_path / "findings.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error):
        add_sections(path, sections)
    assert path.read_text(encoding="utf-8") == text
    assert os.listdir(tmp_path) == [path.name]


def test_keys_of_another_type_are_written_as_before_into_an_empty_object(tmp_path: Path) -> None:
    path = tmp_path / "findings.json"
    _write(path, {})
    _check(path, {1: "one", 2.5: None})


@pytest.mark.usefixtures("not_loaded")
def test_the_file_keeps_its_permissions_and_its_symlink(tmp_path: Path) -> None:
    target = tmp_path / "runs" / "findings.json"
    target.parent.mkdir()
    _write(target, BASE)
    target.chmod(0o640)
    link = tmp_path / "findings.json"
    link.symlink_to(target)
    expected = _expected(target.read_text(encoding="utf-8"), {"narratives": []})
    add_sections(link, {"narratives": []})
    assert link.is_symlink() and target.read_bytes() == expected
    assert target.stat().st_mode & 0o777 == 0o640


def test_memory_does_not_grow_with_the_file(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "findings.json"
    rows = [{"source": f"s{i}", "target": f"t{i}", "weight": i / 7, "traces": ["a", "é"]}
            for i in range(60_000)]
    _write(path, {"accounts": rows, "edges": rows, "summary": {"edges": len(rows)}})
    size = path.stat().st_size
    monkeypatch.setattr(findings, "_CHUNK", 1 << 16)
    expected = _expected(path.read_text(encoding="utf-8"), {"narratives": [], "targets": []})
    tracemalloc.start()
    try:
        add_sections(path, {"narratives": [], "targets": []})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert path.read_bytes() == expected
    assert size > 10_000_000 and peak < 1_000_000, (size, peak)
