"""pipeline: run the configured stages in order from one config; then print the tables and the report's path.

``pipeline.stages`` (default: every per-page stage plus the two training steps) picks the stages, in
:data:`~crawlforge.lib.config.PIPELINE_STAGES` order: ingest (or ingest-text) -> extract -> annotate -> train-lm ->
ccnet -> train-classifier -> quality -> decontam -> rights -> select -> dedup -> publish -> export -> report
(``rights`` is not in the default list: add it for licence and opt-out evidence).
The order is FineWeb's for dedup (filters first, then MinHash on what they kept) and DESIGN.md's for the score
jobs (every score before the one select step). The training steps run only when the ``models`` table has no model
of their kind yet (``pipeline.retrain`` forces them): training is deterministic, so a rerun reuses the model.

Each stage is exactly once on its own (per file or per scope), so a stage that fails stops the pipeline with the
stage's name and the same command resumes: finished stages and files are skipped or replaced, never doubled.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io, ingest, model_registry
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.run_records import latest_runs, new_run_id
from crawlforge.jobs.tables import ALL_TABLES
from crawlforge.lib.config import CrawlforgeConfig


log = logging.getLogger(__name__)
JOB = "pipeline"

# stage -> module under crawlforge.jobs (each has run(spark, cfg, run_id=...))
STAGE_MODULES: dict[str, str] = {
    "ingest-text": "ingest_text",
    "ingest": "ingest",
    "extract": "extract",
    "annotate": "annotate",
    "train-lm": "train_lm",
    "ccnet": "ccnet",
    "train-classifier": "train_classifier",
    "quality": "quality",
    "decontam": "decontam",
    "rights": "rights",
    "select": "select",
    "dedup": "dedup",
    "publish": "publish",
    "export": "export",
    "report": "report",
}


def skip_reason(spark: SparkSession, cfg: CrawlforgeConfig, stage: str) -> str | None:
    """Why a configured stage has nothing to do (logged), or None to run it."""
    root = cfg.lake.root
    lm = cfg.ccnet.lm.name
    if stage == "train-lm" and not cfg.pipeline.retrain and model_registry.latest(spark, root, "lm", lm):
        return f"an lm model '{cfg.ccnet.lm.name}' exists (pipeline.retrain=true trains again)"
    if stage in ("train-classifier", "quality") and not cfg.quality.classifiers:
        return "no quality.classifiers configured"
    if stage == "train-classifier" and not cfg.pipeline.retrain:
        wanted = [c.name for c in cfg.quality.classifiers if c.model_path is None]
        have = {c for c in wanted if model_registry.latest(spark, root, "quality", c)}
        if set(wanted) <= have:
            return f"models exist for every classifier {sorted(wanted)} (pipeline.retrain=true trains again)"
    return None


def _stage(name: str) -> Callable[[SparkSession, CrawlforgeConfig, str], Any]:
    def call(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str) -> Any:
        module = importlib.import_module(f"crawlforge.jobs.{STAGE_MODULES[name]}")
        return module.run(spark, cfg, run_id=f"{run_id}.{name}")

    return call


STAGES: list[tuple[str, Callable[[SparkSession, CrawlforgeConfig, str], Any]]] = [
    (name, _stage(name)) for name in STAGE_MODULES
]


def describe_plan(cfg: CrawlforgeConfig) -> str:
    return "# stages: " + " -> ".join(cfg.pipeline.stages) + "\n" + ingest.describe_plan(cfg)


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
            for r in latest_runs(spark, root).orderBy(F.desc("started_at")).limit(5).collect():
                lines.append(f"      {r['run_id']} {r['job']} {r['status']}")
    return "\n".join(lines)


def run(spark: SparkSession, cfg: CrawlforgeConfig) -> dict[str, Any]:
    run_id = cfg.run.run_id or new_run_id(JOB)
    results: dict[str, Any] = {}
    stages = dict(STAGES)
    chosen = cfg.pipeline.stages
    for n, name in enumerate(chosen, 1):
        reason = skip_reason(spark, cfg, name)
        if reason:
            log.info("pipeline %s: stage %d/%d %s skipped: %s", run_id, n, len(chosen), name, reason)
            continue
        log.info("pipeline %s: stage %d/%d %s", run_id, n, len(chosen), name)
        try:
            results[name] = stages[name](spark, cfg, run_id)
        except Exception as exc:
            raise RuntimeError(
                f"stage {name!r} failed: {exc}; finished stages are committed: run the same command again to resume"
            ) from exc
    print(describe_tables(spark, cfg))
    if isinstance(results.get("report"), str):  # last, so the report's path is the line a person sees
        print(f"report: {results['report']}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
