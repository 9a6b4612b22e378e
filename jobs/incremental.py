"""Exactly-once, incremental processing of a stage, one input file (``file_id``) at a time.

Every table downstream of ``raw`` carries the ``file_id`` of the crawl file its document came from.
A stage (extract, annotate, ...) processes the files its upstream stage has finished and it has not:

1. the batch's output rows are written with ``replaceWhere`` on ``source``, ``snapshot`` and the
   batch's ``file_id`` values (rows of an interrupted earlier attempt are replaced, never doubled);
2. one ``stage_progress`` row per file records that the stage finished it.

A run killed between 1 and 2 re-processes the batch and step 1 replaces its rows, so reruns give the
tables of a clean run, and a new snapshot's files are processed without touching finished ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyspark.sql import DataFrame, Observation, SparkSession, Window
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import INGEST_FILES, STAGE_PROGRESS, TableSpec
from crawlforge.lib.warc_reader import STATUS_DONE, STATUS_PARTIAL


log = logging.getLogger(__name__)


@dataclass
class StageResult:
    stage: str
    source: str
    snapshot: str
    files_available: int = 0
    files_skipped: int = 0
    files_processed: int = 0
    docs_in: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def _scope(df: DataFrame, source: str, snapshot: str) -> DataFrame:
    return df.where((F.col("source") == source) & (F.col("snapshot") == snapshot))


def latest_ingest_attempts(spark: SparkSession, root: str, source: str, snapshot: str) -> DataFrame:
    """The latest ``ingest_files`` row per input file of a snapshot, with ``attempts`` (how many so far)."""
    ledger = _scope(delta_io.read_table(spark, root, INGEST_FILES.name), source, snapshot)
    w = Window.partitionBy("file_id").orderBy(F.col("attempt").desc(), F.col("finished_at").desc())
    return (
        ledger.withColumn("_rank", F.row_number().over(w))
        .withColumn("attempts", F.count(F.lit(1)).over(Window.partitionBy("file_id")))
        .where("_rank = 1")
        .drop("_rank")
    )


def finished_files(spark: SparkSession, root: str, stage: str, source: str, snapshot: str) -> set[str]:
    """file_ids a stage has finished ('ingest' reads the ingest ledger: latest attempt done or partial)."""
    return finished_files_of(spark, root, (stage,), source, snapshot)[stage]


def finished_files_of(
    spark: SparkSession, root: str, stages: tuple[str, ...], source: str, snapshot: str
) -> dict[str, set[str]]:
    """:func:`finished_files` of several stages, with one read of ``stage_progress`` for all of them.

    Each read of a Delta table is a Spark job (~0.4 s on a small lake) and a stage needs its own and its
    upstream's lists, so they come from one scan; the rows are collected as they are (one short id per
    file and stage: plan metadata, never document data) and made distinct here, with no shuffle.
    """
    out: dict[str, set[str]] = {s: set() for s in stages}
    if "ingest" in stages and delta_io.table_exists(spark, root, INGEST_FILES.name):
        latest = latest_ingest_attempts(spark, root, source, snapshot)
        done = latest.where(F.col("status").isin(STATUS_DONE, STATUS_PARTIAL)).select("file_id")
        out["ingest"] = {r[0] for r in done.collect()}
    others = [s for s in stages if s != "ingest"]
    if others and delta_io.table_exists(spark, root, STAGE_PROGRESS.name):
        progress = _scope(delta_io.read_table(spark, root, STAGE_PROGRESS.name), source, snapshot)
        for r in progress.where(F.col("stage").isin(*others)).select("stage", "file_id").collect():
            out[r[0]].add(r[1])
    return out


def default_batch(spark: SparkSession) -> int:
    try:
        parallelism = spark.sparkContext.defaultParallelism
    except Exception:  # noqa: BLE001 - Spark Connect has no SparkContext
        parallelism = int(spark.conf.get("spark.default.parallelism", "8") or 8)
    return max(4, 4 * parallelism)


def run_file_stage(
    spark: SparkSession,
    root: str,
    *,
    stage: str,
    upstream: str,
    run_id: str,
    source: str,
    snapshot: str,
    input_df: DataFrame,
    output: TableSpec,
    transform: Callable[[DataFrame], DataFrame],
    files_per_batch: int = 0,
) -> StageResult:
    """Run ``transform`` over the input rows of every pending file, batch by batch (see module docstring).

    The number of output rows per batch comes from an Observation, in the same pass as the write.
    """
    delta_io.ensure_table(spark, root, output)
    delta_io.ensure_table(spark, root, STAGE_PROGRESS)
    finished = finished_files_of(spark, root, (upstream, stage), source, snapshot)
    available, done = finished[upstream], finished[stage]
    pending = sorted(available - done)
    result = StageResult(stage, source, snapshot, files_available=len(available), files_skipped=len(available & done))
    log.info(
        "%s %s/%s: %d file(s) ready upstream, %d already done, %d to process",
        stage,
        source,
        snapshot,
        len(available),
        result.files_skipped,
        len(pending),
    )
    per_batch = files_per_batch or default_batch(spark)
    batches = [pending[i : i + per_batch] for i in range(0, len(pending), per_batch)]
    scoped = _scope(input_df, source, snapshot)
    t_start = time.time()
    for n, batch in enumerate(batches, 1):
        t0 = time.time()
        out = transform(scoped.where(F.col("file_id").isin(batch)))
        obs = Observation(f"{stage}-{run_id}-{n}")
        out = out.observe(obs, F.count(F.lit(1)).alias("rows"))
        predicate = delta_io.scope_predicate(source, snapshot, batch)
        delta_io.replace_where(out, root, output, predicate, run_id)
        rows = int(obs.get.get("rows") or 0)
        now = datetime.now(UTC)
        progress = spark.createDataFrame(
            [(source, snapshot, stage, f, run_id, now) for f in batch], STAGE_PROGRESS.schema
        )
        delta_io.append(progress, root, STAGE_PROGRESS, run_id)
        result.files_processed += len(batch)
        result.docs_in += rows
        log.info(
            "%s batch %d/%d: %d file(s), %d row(s) in %.1fs; files %d/%d; %.0f rows/s overall",
            stage,
            n,
            len(batches),
            len(batch),
            rows,
            time.time() - t0,
            result.files_processed + result.files_skipped,
            result.files_available,
            result.docs_in / max(time.time() - t_start, 1e-9),
        )
    return result
