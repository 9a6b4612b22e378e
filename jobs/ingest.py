"""ingest: WARC/WET files -> the ``raw`` table (kept records) and ``ingest_files`` (one row per file attempt).

Unit of work: one input file. Files are processed in batches; one batch is one Spark job whose
tasks each read one file, and whose output is written in two Delta commits:

1. ``raw``: the batch's records, with ``replaceWhere`` on ``source``, ``snapshot`` and the batch's
   ``file_id`` values, so rows left by an earlier, interrupted attempt at the same files are
   replaced atomically rather than duplicated;
2. ``ingest_files``: one row per file of the batch (status, error, counts by type and by reason),
   collected from the same pass through a Spark ``Observation``.

A file is finished when its latest ``ingest_files`` row says ``done`` or ``partial``. A run killed
at any moment leaves at worst a batch whose records are in ``raw`` but whose files are not in
``ingest_files``; the next run reads those files again and step 1 replaces their rows, so the
tables end equal to those of a clean run. Files that failed transiently (HTTP 5xx after retries,
resets) are retried on the next run, up to ``ingest.max_attempts``; files that failed on corrupt
input are final unless ``ingest.retry_failed`` is set.

Concurrent ingests of *different* snapshots into the same lake do not conflict: every write names
its ``source``/``snapshot`` partition. Two ingests of the *same* snapshot at once are not supported.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyspark.sql import DataFrame, Observation, SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.incremental import default_batch, latest_ingest_attempts
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.schema_evolution import add_missing_columns
from crawlforge.jobs.tables import INGEST_FILES, RAW
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.input_plan import InputFile, resolve_inputs
from crawlforge.lib.remote_io import RetryPolicy
from crawlforge.lib.warc_reader import STATUS_DONE, STATUS_FAILED, STATUS_PARTIAL, ReadOptions
from crawlforge.udfs.warc_ingest import SPARK_DDL, IngestTaskOptions, make_ingest_fn


log = logging.getLogger(__name__)
JOB = "ingest"


@dataclass
class IngestResult:
    run_id: str
    source: str
    snapshot: str
    files_planned: int = 0
    files_skipped: int = 0
    files_read: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    records_kept: int = 0
    records_total: int = 0
    failed_files: list[tuple[str, str]] = field(default_factory=list)
    batch_seconds: float = 0.0  # time inside batches (read + both commits), without per-run set-up


def snapshot_of(cfg: CrawlforgeConfig) -> str:
    ing = cfg.ingest
    if ing.snapshot:
        return ing.snapshot
    if ing.input.kind == "snapshot" and ing.input.snapshot_id:
        return ing.input.snapshot_id
    if ing.input.kind == "sample":
        return cfg.sample.snapshot
    raise ValueError("set ingest.snapshot (the snapshot partition value) for this input")


def retry_policy(cfg: CrawlforgeConfig) -> RetryPolicy:
    h = cfg.ingest.http
    return RetryPolicy(
        retries=h.retries, backoff_base_s=h.backoff_base_s, backoff_max_s=h.backoff_max_s, timeout_s=h.timeout_s
    )


def plan_inputs(cfg: CrawlforgeConfig) -> list[InputFile]:
    sample_paths = None
    if cfg.ingest.input.kind == "sample":
        from crawlforge.jobs.generate_sample import generate

        sample_paths = [str(p) for p in generate(cfg)]
    return resolve_inputs(cfg.ingest.input, retry_policy(cfg), sample_paths)


def describe_plan(cfg: CrawlforgeConfig) -> str:
    files = plan_inputs(cfg)
    lines = [
        f"# input plan: {len(files)} file(s) -> source={cfg.ingest.source} snapshot={snapshot_of(cfg)}",
        f"# tables: {delta_io.table_path(cfg.lake.root, RAW.name)}, "
        f"{delta_io.table_path(cfg.lake.root, INGEST_FILES.name)}",
        "# files already done or partial in ingest_files are skipped at run time",
    ]
    lines += [f"{f.file_id}  {f.uri}" for f in files[:50]]
    if len(files) > 50:
        lines.append(f"... and {len(files) - 50} more")
    return "\n".join(lines)


def _ledger_state(spark: SparkSession, cfg: CrawlforgeConfig, source: str, snapshot: str) -> dict[str, dict[str, Any]]:
    """Latest attempt per file of this source/snapshot: status, error_kind, attempts so far."""
    latest = latest_ingest_attempts(spark, cfg.lake.root, source, snapshot).select(
        "file_id", "status", "error_kind", "attempts"
    )
    # One small row per input file (the ledger of this snapshot), never document data.
    return {r["file_id"]: r.asDict() for r in latest.toLocalIterator()}


def _needs_work(state: dict[str, Any] | None, cfg: CrawlforgeConfig) -> tuple[bool, int]:
    """(read this file now?, its attempt number)."""
    if state is None:
        return True, 1
    attempts = int(state["attempts"])
    if state["status"] in (STATUS_DONE, STATUS_PARTIAL):
        return False, attempts
    if attempts >= cfg.ingest.max_attempts:
        return False, attempts
    if state["status"] == STATUS_FAILED and state["error_kind"] == "transient":
        return True, attempts + 1
    if state["status"] == STATUS_FAILED and cfg.ingest.retry_failed:
        return True, attempts + 1
    return False, attempts


def _files_frame(spark: SparkSession, batch: Sequence[tuple[InputFile, int]]) -> DataFrame:
    """One row per file, one file per partition (Spark schedules tasks as cores free up)."""
    n = len(batch)
    files = spark.createDataFrame(
        [(i, f.uri, f.key, f.file_id, attempt) for i, (f, attempt) in enumerate(batch)],
        "idx long, uri string, file_key string, file_id string, attempt int",
    )
    return spark.range(0, n, 1, numPartitions=n).withColumnRenamed("id", "idx").join(F.broadcast(files), "idx")


def _ledger_rows(summaries: list[dict[str, Any]], source: str, snapshot: str, run_id: str) -> list[dict[str, Any]]:
    rows = []
    for s in summaries:
        rows.append(
            {
                "source": source,
                "snapshot": snapshot,
                "file_path": s["file_path"],
                "file_id": s["file_id"],
                "attempt": s["attempt"],
                "run_id": run_id,
                "status": s["status"],
                "error_kind": s["error_kind"],
                "error": s["error"],
                "file_size": s["file_size"],
                "records_total": s["records_total"],
                "records_kept": s["records_kept"],
                "records_dropped": s["records_dropped"],
                "counts_by_type": s["counts_by_type"],
                "drops_by_reason": s["drops_by_reason"],
                "http_status_counts": s["http_status_counts"],
                "corrupt_regions": s["corrupt_regions"],
                "bytes_skipped": s["bytes_skipped"],
                "retries": s["retries"],
                "started_at": datetime.fromisoformat(s["started_at"]),
                "finished_at": datetime.fromisoformat(s["finished_at"]),
                "duration_s": s["duration_s"],
            }
        )
    return rows


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> IngestResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    source, snapshot = cfg.ingest.source, snapshot_of(cfg)
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        result = _ingest(spark, cfg, run_id, source, snapshot)
        recorder.counts = {
            "files_planned": result.files_planned,
            "files_skipped": result.files_skipped,
            "files_read": result.files_read,
            "records_total": result.records_total,
            "records_kept": result.records_kept,
            **{f"files_{k}": v for k, v in result.by_status.items()},
        }
        if result.failed_files:
            recorder.message = f"{len(result.failed_files)} file(s) failed; see ingest_files where status='failed'"
        recorder.stage_stats(_stage_rows(spark, cfg, source, snapshot, run_id))
    return result


def _ingest(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str, source: str, snapshot: str) -> IngestResult:
    root = cfg.lake.root
    plan = plan_inputs(cfg)
    add_missing_columns(spark, root, RAW)  # creates it; a raw table of an older lake gets http_headers
    delta_io.ensure_table(spark, root, INGEST_FILES)
    state = _ledger_state(spark, cfg, source, snapshot)
    todo: list[tuple[InputFile, int]] = []
    for f in plan:
        needed, attempt = _needs_work(state.get(f.file_id), cfg)
        if needed:
            todo.append((f, attempt))
    result = IngestResult(run_id, source, snapshot, files_planned=len(plan), files_skipped=len(plan) - len(todo))
    log.info(
        "ingest %s/%s: %d file(s) planned, %d already finished, %d to read",
        source,
        snapshot,
        len(plan),
        result.files_skipped,
        len(todo),
    )
    opts = IngestTaskOptions(
        source=source,
        snapshot=snapshot,
        run_id=run_id,
        read=ReadOptions(
            keep_mime_types=frozenset(m.lower() for m in cfg.ingest.keep_mime_types),
            keep_status=frozenset(cfg.ingest.keep_status),
            max_record_bytes=cfg.ingest.max_record_bytes,
            resync=cfg.ingest.resync,
            keep_headers=frozenset(h.lower() for h in cfg.ingest.keep_headers),
        ),
        retry=retry_policy(cfg),
        max_batch_bytes=cfg.memory.batch_bytes,
    )
    fn = make_ingest_fn(opts)
    per_batch = cfg.ingest.files_per_batch or default_batch(spark)
    batches = [todo[i : i + per_batch] for i in range(0, len(todo), per_batch)]
    t_start = time.time()
    for n, batch in enumerate(batches, 1):
        t0 = time.time()
        out = _files_frame(spark, batch).mapInArrow(fn, SPARK_DDL)
        obs = Observation(f"ingest-{run_id}-{n}")
        out = out.observe(
            obs,
            F.concat_ws("\n", F.collect_list("_file_summary")).alias("summaries"),
            F.count(F.col("doc_id")).alias("records"),
        )
        records = out.where(F.col("_file_summary").isNull())
        predicate = delta_io.scope_predicate(source, snapshot, [f.file_id for f, _ in batch])
        delta_io.replace_where(records, root, RAW, predicate, run_id)
        metrics = obs.get
        summaries = [json.loads(line) for line in (metrics.get("summaries") or "").split("\n") if line]
        if len(summaries) != len(batch):
            raise RuntimeError(f"batch {n}: {len(summaries)} file summaries for {len(batch)} files")
        ledger = spark.createDataFrame(_ledger_rows(summaries, source, snapshot, run_id), INGEST_FILES.schema)
        delta_io.append(ledger, root, INGEST_FILES, run_id)
        for s in summaries:
            result.by_status[s["status"]] = result.by_status.get(s["status"], 0) + 1
            result.records_kept += s["records_kept"]
            result.records_total += s["records_total"]
            if s["status"] == STATUS_FAILED:
                result.failed_files.append((s["file_path"], s["error"] or ""))
        result.files_read += len(batch)
        elapsed = time.time() - t0
        result.batch_seconds += elapsed
        log.info(
            "ingest batch %d/%d: %d file(s) in %.1fs (%s); files %d/%d; %d records kept, %.0f records/s overall",
            n,
            len(batches),
            len(batch),
            elapsed,
            ", ".join(f"{k}={v}" for k, v in sorted(result.by_status.items())),
            result.files_read + result.files_skipped,
            result.files_planned,
            result.records_kept,
            result.records_total / max(time.time() - t_start, 1e-9),
        )
    for path, error in result.failed_files[:20]:
        log.warning("failed file %s: %s", path, error)
    return result


def _stage_rows(spark: SparkSession, cfg: CrawlforgeConfig, source: str, snapshot: str, run_id: str) -> list[dict]:
    """Records in/out per drop reason for this run's files (from the ledger, a small table)."""
    ledger = delta_io.read_table(spark, cfg.lake.root, INGEST_FILES.name).where(
        (F.col("run_id") == run_id) & (F.col("source") == source) & (F.col("snapshot") == snapshot)
    )
    totals = ledger.agg(F.sum("records_total").alias("total"), F.sum("records_kept").alias("kept")).first()
    total = int(totals["total"] or 0) if totals else 0
    kept = int(totals["kept"] or 0) if totals else 0
    reasons = ledger.select(F.explode("drops_by_reason").alias("rule", "n")).groupBy("rule").agg(F.sum("n").alias("n"))
    rows = [
        {
            "source": source,
            "snapshot": snapshot,
            "stage": JOB,
            "rule": "kept",
            "docs_in": total,
            "docs_out": kept,
            "docs_dropped": total - kept,
        }
    ]
    for r in reasons.collect():  # one row per drop reason
        rows.append(
            {
                "source": source,
                "snapshot": snapshot,
                "stage": JOB,
                "rule": r["rule"],
                "docs_in": total,
                "docs_out": total - int(r["n"]),
                "docs_dropped": int(r["n"]),
            }
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
