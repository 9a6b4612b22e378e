"""extract: ``raw`` -> ``documents`` (HTML to main text with resiliparse, title, charset).

Every raw record becomes one ``documents`` row. Pages that cannot give text keep their row with
``extract_status`` saying why (``too_large``: above ``extract.max_bytes``, never parsed;
``timeout``: extraction exceeded ``extract.timeout_s`` and was cut off; ``empty``, ``binary``,
``parse_error``, ``crashed``) and ``text`` null, so every drop is countable; later stages read only
``extract_status = 'ok'``. Charset: HTTP header, then ``<meta>``, then byte detection
(:mod:`crawlforge.lib.charset`). Extraction options were chosen by measured bag-of-words F1 on the
shared extraction benchmarks (``benchmarks/extraction_quality.py``).

Incremental and exactly-once per input file (:mod:`crawlforge.jobs.incremental`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.incremental import StageResult, run_file_stage
from crawlforge.jobs.ingest import snapshot_of
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import DOCUMENTS, RAW
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.extract import ExtractOptions
from crawlforge.udfs.extract_udf import INPUT_COLUMNS, OUTPUT_DDL, ExtractTaskOptions, make_extract_fn


log = logging.getLogger(__name__)
JOB = "extract"


def scope_of(cfg: CrawlforgeConfig) -> tuple[str, str]:
    return cfg.scope.source or cfg.ingest.source, cfg.scope.snapshot or snapshot_of(cfg)


def task_options(cfg: CrawlforgeConfig) -> ExtractTaskOptions:
    e = cfg.extract
    return ExtractTaskOptions(
        max_bytes=e.max_bytes,
        timeout_s=e.timeout_s,
        options=ExtractOptions(main_content=e.main_content, fallback_min_chars=e.fallback_min_chars),
    )


def describe_plan(cfg: CrawlforgeConfig) -> str:
    source, snapshot = scope_of(cfg)
    return (
        f"# extract {source}/{snapshot}: {delta_io.table_path(cfg.lake.root, RAW.name)} -> "
        f"{delta_io.table_path(cfg.lake.root, DOCUMENTS.name)}\n"
        f"# files finished by ingest and not yet extracted are processed; options: {task_options(cfg)}"
    )


def stage_stats_rows(
    spark: SparkSession, cfg: CrawlforgeConfig, source: str, snapshot: str, run_id: str
) -> list[dict]:
    """Documents in/out per extract status for this run (one aggregation over the run's rows)."""
    docs = delta_io.read_table(spark, cfg.lake.root, DOCUMENTS.name).where(
        (F.col("source") == source) & (F.col("snapshot") == snapshot) & (F.col("run_id") == run_id)
    )
    counts = {r["extract_status"]: int(r["count"]) for r in docs.groupBy("extract_status").count().collect()}
    total = sum(counts.values())
    kept = counts.get("ok", 0)
    rows = [dict(rule="kept", docs_in=total, docs_out=kept, docs_dropped=total - kept)]
    rows += [dict(rule=s, docs_in=total, docs_out=total - n, docs_dropped=n) for s, n in counts.items() if s != "ok"]
    return [{"source": source, "snapshot": snapshot, "stage": JOB, **r} for r in rows]


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> StageResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    source, snapshot = scope_of(cfg)
    fn = make_extract_fn(task_options(cfg))
    too_large = F.col("payload_length") > cfg.extract.max_bytes

    def transform(df: DataFrame) -> DataFrame:
        # a page over extract.max_bytes is 'too_large' by its length alone: its bytes never travel to Python
        inputs = df.withColumn("payload", F.when(too_large, F.lit(None)).otherwise(F.col("payload")))
        return inputs.select(*INPUT_COLUMNS).mapInPandas(fn, OUTPUT_DDL).withColumn("run_id", F.lit(run_id))

    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        delta_io.ensure_table(spark, cfg.lake.root, RAW)
        result = run_file_stage(
            spark,
            cfg.lake.root,
            stage=JOB,
            upstream="ingest",
            run_id=run_id,
            source=source,
            snapshot=snapshot,
            input_df=delta_io.read_table(spark, cfg.lake.root, RAW.name),
            output=DOCUMENTS,
            transform=transform,
            files_per_batch=cfg.extract.files_per_batch,
        )
        stats = stage_stats_rows(spark, cfg, source, snapshot, run_id)
        recorder.counts = {
            "files_processed": result.files_processed,
            "files_skipped": result.files_skipped,
            "documents": result.docs_in,
            **{f"status_{r['rule']}": r["docs_dropped"] for r in stats if r["rule"] != "kept"},
        }
        recorder.stage_stats(stats)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
