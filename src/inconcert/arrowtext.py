"""Arrow columns as the text Python's `str` gives their values, and string columns written
straight from their UTF-8 buffers: for writers that build files from columns (GEXF, GraphML,
Gephi CSV) and must write the bytes the per-value writers did."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Rows built and written at a time: bounds the memory of the lines of a large graph.
SLICE = 65_536


def per_distinct(col: pa.Array | pa.ChunkedArray, fn: Callable[[Any], Any],
                 kind: pa.DataType) -> pa.Array:
    """`fn` of every value of a column, called once per distinct value (a column of few
    distinct values, such as post counts or network ids, costs as many calls). Distinct
    floats are distinct bit patterns: 0.0 and -0.0 each get their own call."""
    distinct = pc.unique(col)
    return pa.array([fn(v) for v in distinct.to_pylist()], kind).take(pc.index_in(col, distinct))


def text_column(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Every value as `str(value)` (booleans `true`/`false`), null where the value is null."""
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if pa.types.is_floating(col.type):
        # Arrow's own cast writes 1e-07 as "1e-7" and 2.0 as "2"; the files have always held
        # Python's shortest repr, taken once per distinct value (edge weights and p-values
        # repeat: three writers turn each of the 742,205 edges' numbers into text).
        return per_distinct(col, lambda v: None if v is None else repr(v), pa.string())
    # Integers and strings cast as str() writes them; booleans become "true"/"false".
    return col.cast(pa.string())


def write_texts(f: BinaryIO, texts: pa.Array | pa.ChunkedArray) -> None:
    """Write the texts of a string column one after another, from its UTF-8 data buffers (no
    Python string per row)."""
    if texts.null_count:
        raise ValueError("a null text has no bytes to write")
    for chunk in texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]:
        if len(chunk):
            _, offsets, data = chunk.buffers()
            ends = np.frombuffer(offsets, np.int32, len(chunk) + 1, chunk.offset * 4)
            f.write(memoryview(data)[ends[0]:ends[-1]])


def slices(t: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    """(first row, rows) of a table, SLICE rows at a time (views, not copies)."""
    for start in range(0, t.num_rows, SLICE):
        yield start, t.slice(start, SLICE)


def write_lines(f: BinaryIO, t: pa.Table, lines: Callable[[pa.Table, int], pa.Array]) -> None:
    """Write `lines(rows, first row)` for the table a slice at a time."""
    for start, rows in slices(t):
        write_texts(f, lines(rows, start).cast(pa.string()))
