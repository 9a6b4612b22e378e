"""annotate: ``documents`` -> ``signals`` (language ID and every heuristic signal; never drops anything).

Per document with ``extract_status = 'ok'``: fastText ``lid.176`` language (label, score, top-k;
``annotate.lid_model`` points at ``lid.176.bin`` or GlotLID in production) with FineWeb's or CCNet's
input convention, then the FineWeb-recipe signals (URL filter, Gopher repetition and quality, C4
quality and bad words, FineWeb quality) and the RedPajama-v2 document signals, as typed columns.
Thresholds are not applied here: the ``select`` job turns these scores into decisions, so changing
a threshold never recomputes a signal.

Incremental and exactly-once per input file (:mod:`crawlforge.jobs.incremental`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.incremental import StageResult, run_file_stage
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import DOCUMENTS, SIGNALS
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.udfs.annotate_udf import INPUT_COLUMNS, OUTPUT_DDL, AnnotateTaskOptions, make_annotate_fn


log = logging.getLogger(__name__)
JOB = "annotate"


def task_options(cfg: CrawlforgeConfig) -> AnnotateTaskOptions:
    a = cfg.annotate
    return AnnotateTaskOptions(
        lid_model=a.lid_model,
        lid_mode=a.lid_mode,
        top_k=a.lid_top_k,
        url_domain_files=tuple(a.url_domain_files),
        url_url_files=tuple(a.url_url_files),
    )


def describe_plan(cfg: CrawlforgeConfig) -> str:
    source, snapshot = scope_of(cfg)
    return (
        f"# annotate {source}/{snapshot}: {delta_io.table_path(cfg.lake.root, DOCUMENTS.name)} -> "
        f"{delta_io.table_path(cfg.lake.root, SIGNALS.name)}\n# {task_options(cfg)}"
    )


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> StageResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    source, snapshot = scope_of(cfg)
    fn = make_annotate_fn(task_options(cfg))

    def transform(df: DataFrame) -> DataFrame:
        ok = df.where(F.col("extract_status") == "ok").select(*INPUT_COLUMNS)
        return ok.mapInArrow(fn, OUTPUT_DDL).withColumn("run_id", F.lit(run_id))

    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        delta_io.ensure_table(spark, cfg.lake.root, DOCUMENTS)
        result = run_file_stage(
            spark,
            cfg.lake.root,
            stage=JOB,
            upstream="extract",
            run_id=run_id,
            source=source,
            snapshot=snapshot,
            input_df=delta_io.read_table(spark, cfg.lake.root, DOCUMENTS.name),
            output=SIGNALS,
            transform=transform,
            files_per_batch=cfg.annotate.files_per_batch,
        )
        signals = delta_io.read_table(spark, cfg.lake.root, SIGNALS.name).where(F.col("run_id") == run_id)
        by_lang = signals.groupBy("language").count().collect()
        recorder.counts = {"files_processed": result.files_processed, "documents": result.docs_in}
        recorder.stage_stats(
            [
                {"source": source, "snapshot": snapshot, "stage": JOB, "rule": "annotated", "language": r["language"],
                 "docs_in": int(r["count"]), "docs_out": int(r["count"]), "docs_dropped": 0}
                for r in by_lang
            ]
        )  # fmt: skip
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
