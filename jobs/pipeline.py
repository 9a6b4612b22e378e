"""pipeline: run every stage that exists, in order, from one config; then print the tables.

Today the chain is ingest; each new job adds itself to ``STAGES``. A stage that fails stops the
pipeline with the stage's name; finished stages and files are committed, so running the same
command again resumes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import annotate, delta_io, extract, ingest, select
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.run_records import new_run_id
from crawlforge.jobs.tables import ALL_TABLES
from crawlforge.lib.config import CrawlforgeConfig


log = logging.getLogger(__name__)
JOB = "pipeline"

STAGES: list[tuple[str, Callable[[SparkSession, CrawlforgeConfig, str], Any]]] = [
    ("ingest", lambda spark, cfg, run_id: ingest.run(spark, cfg, run_id=f"{run_id}.ingest")),
    ("extract", lambda spark, cfg, run_id: extract.run(spark, cfg, run_id=f"{run_id}.extract")),
    ("annotate", lambda spark, cfg, run_id: annotate.run(spark, cfg, run_id=f"{run_id}.annotate")),
    ("select", lambda spark, cfg, run_id: select.run(spark, cfg, run_id=f"{run_id}.select")),
]


def describe_plan(cfg: CrawlforgeConfig) -> str:
    return "# stages: " + " -> ".join(name for name, _ in STAGES) + "\n" + ingest.describe_plan(cfg)


def describe_tables(spark: SparkSession, cfg: CrawlforgeConfig) -> str:
    """Where each table is and what it holds (row counts per source/snapshot, a few breakdowns)."""
    root = cfg.lake.root
    lines = [f"lake: {root}"]
    for name in ALL_TABLES:
        if not delta_io.table_exists(spark, root, name):
            continue
        df = delta_io.read_table(spark, root, name)
        lines.append(f"  {name:<13} {delta_io.table_path(root, name)}  ({df.count()} rows)")
        if name == "raw":
            for r in df.groupBy("source", "snapshot", "warc_type").count().orderBy("source", "snapshot").collect():
                lines.append(f"      {r['source']}/{r['snapshot']} {r['warc_type']}: {r['count']} records")
        elif name == "ingest_files":
            agg = df.groupBy("status").agg(F.count(F.lit(1)).alias("files"), F.sum("records_kept").alias("kept"))
            for r in agg.orderBy("status").collect():
                lines.append(f"      {r['status']}: {r['files']} file attempt(s), {r['kept']} records kept")
            reasons = df.select(F.explode("drops_by_reason").alias("reason", "n")).groupBy("reason")
            for r in reasons.agg(F.sum("n").alias("n")).orderBy(F.desc("n")).collect():
                lines.append(f"      dropped {r['reason']}: {r['n']}")
        elif name == "documents":
            for r in df.groupBy("extract_status").count().orderBy(F.desc("count")).collect():
                lines.append(f"      extract_status={r['extract_status']}: {r['count']} documents")
        elif name == "signals":
            top = df.groupBy("language").count().orderBy(F.desc("count"), "language").limit(12).collect()
            lines.append("      languages: " + ", ".join(f"{r['language']}={r['count']}" for r in top))
        elif name == "decisions":
            for r in (
                df.groupBy("source", "snapshot", "recipe", "keep").count().orderBy("source", "snapshot").collect()
            ):
                lines.append(f"      {r['source']}/{r['snapshot']} {r['recipe']} keep={r['keep']}: {r['count']}")
            top = df.where(~F.col("keep")).groupBy("first_failing_rule").count().orderBy(F.desc("count")).limit(10)
            for r in top.collect():
                lines.append(f"      dropped {r['first_failing_rule']}: {r['count']}")
        elif name == "runs":
            for r in df.orderBy(F.desc("started_at")).limit(5).collect():
                lines.append(f"      {r['run_id']} {r['job']} {r['status']}")
    return "\n".join(lines)


def run(spark: SparkSession, cfg: CrawlforgeConfig) -> dict[str, Any]:
    run_id = cfg.run.run_id or new_run_id(JOB)
    results: dict[str, Any] = {}
    for name, stage in STAGES:
        log.info("pipeline %s: stage %s", run_id, name)
        try:
            results[name] = stage(spark, cfg, run_id)
        except Exception as exc:
            raise RuntimeError(f"stage {name!r} failed: {exc}") from exc
    print(describe_tables(spark, cfg))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
