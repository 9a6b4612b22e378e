"""The memory model: per executor core, memory is bounded by byte budgets, never by page size or file size.

Why: Common Crawl pages average ~100 KB of HTML and reach 16 MB, and a table of payloads read with
Spark's defaults holds 4,096 of them per Parquet reader batch (``spark.sql.parquet.columnarReaderBatchSize``):
780 MB per task at 190 KB a page, which killed the JVM on real pages (issue #13). Every count of rows in
a buffer is therefore derived from bytes here, once per job run, for every read and write of the session.

What one task (one executor core) holds at most, for a stage that reads payload or text and calls Python:

=========================================  ==================================================================
Parquet reader, compressed column chunks   one row group of the projected columns: <= ``row_group_bytes``
Parquet reader, decoded batch              ``reader_batch_rows`` x the largest value a table may hold
                                           (``ingest.max_record_bytes``; text is never longer than its page),
                                           x 2 for the column vector's doubling growth: <= 2 x ``batch_bytes``
Arrow batch JVM -> Python (and back)       closes at ``batch_bytes`` (``maxBytesPerBatch``), or at
                                           ``arrow_max_rows`` rows of small values; one batch in flight each way
Python worker                              the batch as Arrow and as pandas, plus the UDF's output: ~3 x
                                           ``batch_bytes``, plus the worker's models (lid.176 ~130 MB, KenLM)
Parquet writer                             one row group buffered per open file: <= ``row_group_bytes``, and at
                                           most ``concurrent_writers`` files open (``maxConcurrentOutputFileWriters``)
=========================================  ==================================================================

Writes to partitioned tables use concurrent writers instead of Spark's sort by partition values: the sort
buffered every row of a task in Tungsten pages (``long[]``) up to the task's share of execution memory, a copy of
every payload; a heap histogram of ingest on real pages showed 975 MB of them live, and the JVM's peak fell from
2.7 to 2.0 GB without it. A task that writes more partitions than ``concurrent_writers`` falls back to the sort.

With the defaults (32 MB batches, 64 MB row groups) that is ~0.25 GB of JVM heap per core whatever the
input, plus ~0.3 GB per Python worker; ``spark.driver.memory: 1536m`` (local mode, 2 cores) or
``spark.executor.memory`` of 1.5 GB per core on a cluster leaves room for Spark's own state and Delta's log.
Measured with ``benchmarks/end_to_end.py`` on 3,000 real pages (issue #13): the heap from 2 GB to 1.5 GB took
the JVM's peak in extract from 2,842 to 2,629 MB at the same speed; the batch from 64 MB to 32 MB then took it
to 2,363 MB and the pipeline from 159 to 139 s. A 16 MB page makes the batch it is in
close early; it never makes a buffer hold more than its budget.

All settings are runtime SQL confs, so they apply to sessions crawlforge did not create (spark-submit,
Databricks, EMR). ``spark.sql.execution.arrow.maxBytesPerBatch`` is Spark 4.0's; on Spark 3.5 it is
ignored and the row cap alone bounds Arrow batches.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pyspark.sql import SparkSession

from crawlforge.lib.config import CrawlforgeConfig


log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MemoryPlan:
    batch_bytes: int
    row_group_bytes: int
    max_value_bytes: int
    reader_batch_rows: int
    arrow_max_rows: int
    concurrent_writers: int

    def spark_conf(self) -> dict[str, str]:
        return {
            "spark.sql.parquet.columnarReaderBatchSize": str(self.reader_batch_rows),
            "spark.sql.execution.arrow.maxRecordsPerBatch": str(self.arrow_max_rows),
            "spark.sql.execution.arrow.maxBytesPerBatch": str(self.batch_bytes),
            # Hadoop keys set as SQL confs reach the Parquet writer of every Delta write of the session
            "parquet.block.size": str(self.row_group_bytes),
            "spark.sql.maxConcurrentOutputFileWriters": str(self.concurrent_writers),
        }

    def task_bytes(self) -> int:
        """Upper bound of the JVM bytes one task holds in the buffers of the module docstring's table."""
        writers = self.row_group_bytes * max(2, self.concurrent_writers)
        return writers + self.reader_batch_rows * self.max_value_bytes * 2 + self.batch_bytes * 2


def plan(cfg: CrawlforgeConfig) -> MemoryPlan:
    m = cfg.memory
    max_value = max(cfg.ingest.max_record_bytes, cfg.extract.max_bytes, 1)
    return MemoryPlan(
        batch_bytes=m.batch_bytes,
        row_group_bytes=m.row_group_bytes,
        max_value_bytes=max_value,
        reader_batch_rows=max(1, m.batch_bytes // max_value),
        arrow_max_rows=m.arrow_max_rows,
        # open Parquet files per task: as many row groups as two batch budgets hold, and never fewer than 2, so
        # a task writing the tables partitioned by (source, snapshot) streams into its files and never sorts
        # (with 1 writer, ingest's JVM peak rose by 340 MB on real pages: the sort came back)
        concurrent_writers=max(2, 2 * m.batch_bytes // max(m.row_group_bytes, 1)),
    )


def apply(spark: SparkSession, cfg: CrawlforgeConfig) -> MemoryPlan:
    """Set the session's batch and row-group sizes from the config's byte budgets (once per job run)."""
    p = plan(cfg)
    for key, value in p.spark_conf().items():
        spark.conf.set(key, value)
    log.debug("memory model: %s (<= %.0f MB of JVM buffers per task)", p, p.task_bytes() / 2**20)
    return p
