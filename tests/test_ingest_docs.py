"""The reader and data-model docs cannot drift from the code: the capability matrix is the
generated one, and every table, column and capability of the model is described."""

import re
from pathlib import Path

from inconcert import model
from inconcert.ingest import capability_matrix
from inconcert.ingest.registry import readers

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_committed_capability_matrix_is_the_generated_one():
    text = (DOCS / "readers.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- capability-matrix:start -->\n(.*?)\n<!-- capability-matrix:end -->",
                  text, re.DOTALL)
    assert m, "docs/readers.md lost its capability-matrix markers"
    assert m.group(1) == capability_matrix(), (
        "docs/readers.md is out of date: paste the output of "
        "`python -c 'from inconcert.ingest import capability_matrix; "
        "print(capability_matrix())'` between its markers")


def test_matrix_has_every_reader_and_only_known_capabilities():
    rows = capability_matrix().splitlines()[2:]
    assert [r.split("|")[1].strip(" `") for r in rows] == list(readers())
    for cls in readers().values():
        declared = {**getattr(cls, "file_capabilities", {}), **cls.capabilities}
        assert set(declared) <= set(model.CAPABILITIES), cls.name
        assert set(declared.values()) <= set(model.CAPABILITY_LEVELS), cls.name


def test_data_model_describes_every_table_column_and_capability():
    text = (DOCS / "data-model.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### `(\w+)`.*?\n(.*?)(?=^##)", text, re.DOTALL | re.MULTILINE))
    for table, cols in model.TABLES.items():
        assert table in sections, f"no section for table {table}"
        described = set(re.findall(r"`(\w+)`", sections[table]))
        missing = [c for c, _ in cols if c not in described]
        assert not missing, f"{table}: columns not described: {missing}"
    for cap in model.CAPABILITIES:
        assert f"| `{cap}` |" in text, f"capability {cap} not described"
