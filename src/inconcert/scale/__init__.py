"""Scale-out: the canonical tables as a Parquet dataset, and the traces on a Spark cluster
reading it (docs/scale-out.md)."""
