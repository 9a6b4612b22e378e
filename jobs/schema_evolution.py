"""Columns added to an existing table: older lakes get them with ``ALTER TABLE ... ADD COLUMNS``.

A table spec in :mod:`crawlforge.jobs.tables` can gain columns (``raw.http_headers``, the corpus's licence
columns). A lake created before has the table without them, and every write conforms the data to the spec, so
the writer adds the missing columns first (nullable, at the end: Delta reads them as null in the old rows). The
change is explicit and logged, never ``mergeSchema`` on a write, as :mod:`crawlforge.jobs.quality` does for new
classifier columns. Columns are only ever added, so old readers keep working.
"""

from __future__ import annotations

import logging

from pyspark.sql import SparkSession

from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import TableSpec


log = logging.getLogger(__name__)


def add_missing_columns(spark: SparkSession, root: str, spec: TableSpec) -> list[str]:
    """Create the table if needed, add the spec's columns the stored table lacks; return the names added."""
    path = delta_io.ensure_table(spark, root, spec)
    current = set(delta_io.read_table(spark, root, spec.name).columns)
    missing = [f for f in spec.schema.fields if f.name not in current]
    if not missing:
        return []
    cols = ", ".join(f"`{f.name}` {f.dataType.simpleString()}" for f in missing)

    def alter() -> None:
        spark.sql(f"ALTER TABLE delta.`{path}` ADD COLUMNS ({cols})")

    try:
        delta_io.with_commit_retries(alter, f"add columns to {spec.name}")
    except Exception as exc:  # another writer added them first
        now = set(delta_io.read_table(spark, root, spec.name).columns)
        if not all(f.name in now for f in missing):
            raise RuntimeError(f"cannot add columns {cols} to {path}: {exc}") from exc
    log.info("%s: added columns %s (older lake)", spec.name, cols)
    return [f.name for f in missing]
