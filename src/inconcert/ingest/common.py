"""The reader helpers under their old module name, for readers written against it.

The helpers live by concern: `source` (opening and decompressing inputs), `csvread` (CSV records
and batches), `values` (one parser per value type, with its range checks), `entities` and
`times` (post times). New code imports from those modules.
"""

from .csvread import (
    BATCH_ROWS,
    FAST_BLOCK,
    CsvBatch,
    SlowPath,
    csv_batches,
    csv_rows,
    raw_row,
)
from .entities import entities, entity_table
from .times import BatchTimes, batch_times, batch_times_rows, post_time
from .values import (
    NULLS,
    ident,
    idents,
    is_hashed,
    parse_list,
    per_value,
    text,
    to_bool,
    to_int,
)

__all__ = ["BATCH_ROWS", "FAST_BLOCK", "NULLS", "BatchTimes", "CsvBatch", "SlowPath",
           "batch_times", "batch_times_rows", "csv_batches", "csv_rows", "entities",
           "entity_table", "ident", "idents", "is_hashed", "parse_list", "per_value",
           "post_time", "raw_row", "text", "to_bool", "to_int"]
