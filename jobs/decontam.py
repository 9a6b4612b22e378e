"""decontam: word n-gram overlap of documents with benchmark sets -> the ``signals_decontam`` family table.

A score job: it drops nothing. Recipes drop on its columns (e.g. ``{name: decontam/benchmark, column:
decontam_flag, op: eq, value: true}``). Normalisation and hashing: :mod:`crawlforge.lib.decontam` (GPT-3-style
13-gram overlap, configurable with ``decontam.ngram``).

1. Every benchmark of ``decontam.benchmarks`` (JSONL file, Parquet or Delta; the item id is ``id_field`` or the
   0-based line number of a JSONL file) is exploded into the ``decontam_ngrams`` table: one row per
   (benchmark, item, n-gram hash), rewritten per benchmark with ``replaceWhere`` (a rerun replaces it).
2. Per batch of input files (exactly-once, :mod:`crawlforge.jobs.incremental`), each extracted document's distinct
   n-gram hashes are produced by an Arrow UDF (one array per document, exploded in the JVM) and **joined with**
   ``decontam_ngrams`` **on the hash** (Spark picks a
   broadcast join for small benchmark sets and a shuffle join for large ones; nothing is collected to the driver).
3. Per document: ``decontam_hits`` (distinct n-grams shared with any benchmark), ``decontam_items`` (distinct
   benchmark items matched), ``decontam_matches`` (the matched ``(benchmark, item)`` pairs, sorted, at most
   ``decontam.max_matches``), ``decontam_flag`` (hits > 0) and ``decontam_fingerprint``. Every extracted document
   gets a row (zeros when clean), so a null means "not checked".

The stage name in ``stage_progress`` carries a fingerprint of the benchmark configuration and ``ngram``: changing
the benchmark set re-checks every file on the next run; running again with the same set does nothing new.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, StringType, StructField, StructType

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.incremental import run_file_stage
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import DECONTAM_NGRAMS, DOCUMENTS, SIGNALS_DECONTAM
from crawlforge.lib.config import CrawlforgeConfig, DecontamBenchmark
from crawlforge.udfs.decontam_udf import DOC_HASHES_DDL, ITEM_HASHES_DDL, make_doc_hashes_fn, make_item_hashes_fn


log = logging.getLogger(__name__)
JOB = "decontam"
KEYS = ["source", "snapshot", "doc_id", "file_id"]


@dataclass
class DecontamResult:
    run_id: str
    fingerprint: str
    benchmark_ngrams: dict[str, int] = field(default_factory=dict)
    files_processed: int = 0
    documents: int = 0
    flagged: int = 0


def fingerprint(cfg: CrawlforgeConfig) -> str:
    """Hash of the benchmark configuration and n-gram length (what the signals depend on)."""
    data = {"ngram": cfg.decontam.ngram, "benchmarks": [b.model_dump() for b in cfg.decontam.benchmarks], "v": 1}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def benchmark_items(spark: SparkSession, b: DecontamBenchmark) -> DataFrame:
    """(item string, texts array<string>) of one benchmark."""
    texts = F.array(*[F.col(c).cast("string") for c in b.text_fields])
    if b.format == "jsonl" and b.id_field is None:
        # the line number in file order: zipWithIndex numbers lines by partition then position, i.e. file order
        lines = spark.sparkContext.textFile(b.path).zipWithIndex().map(lambda t: (t[0], t[1]))
        schema = StructType([StructField("value", StringType()), StructField("line", LongType())])
        df = spark.createDataFrame(lines, schema).where(F.length(F.trim("value")) > 0)
        fields = [F.get_json_object("value", f"$.{c}") for c in b.text_fields]
        return df.select(F.col("line").cast("string").alias("item"), F.array(*fields).alias("texts"))
    if b.format == "jsonl":
        df = spark.read.json(b.path)
    elif b.format == "parquet":
        df = spark.read.parquet(b.path)
    else:
        df = spark.read.format("delta").load(b.path)
    if b.id_field is None:
        raise ValueError(f"benchmark {b.name!r}: format {b.format} needs decontam.benchmarks[].id_field")
    missing = [c for c in [b.id_field, *b.text_fields] if c not in df.columns]
    if missing:
        raise ValueError(f"benchmark {b.name!r}: {b.path} has no columns {missing} (has {df.columns})")
    return df.select(F.col(b.id_field).cast("string").alias("item"), texts.alias("texts"))


def build_ngrams(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str) -> dict[str, int]:
    """Rewrite ``decontam_ngrams`` for every configured benchmark; n-gram rows per benchmark."""
    root = cfg.lake.root
    delta_io.ensure_table(spark, root, DECONTAM_NGRAMS)
    counts = {}
    for b in cfg.decontam.benchmarks:
        items = benchmark_items(spark, b)
        hashes = items.mapInPandas(make_item_hashes_fn(cfg.decontam.ngram), ITEM_HASHES_DDL)
        rows = hashes.select(
            F.lit(b.name).alias("benchmark"),
            "item",
            "ngram_hash",
            F.lit(cfg.decontam.ngram).alias("ngram"),
            F.lit(run_id).alias("run_id"),
        )
        delta_io.replace_where(rows, root, DECONTAM_NGRAMS, f"benchmark = {delta_io.sql_string(b.name)}", run_id)
        table = delta_io.read_table(spark, root, DECONTAM_NGRAMS.name)
        counts[b.name] = table.where(F.col("benchmark") == b.name).count()
        log.info("decontam: benchmark %s -> %d n-gram rows (n=%d)", b.name, counts[b.name], cfg.decontam.ngram)
    return counts


def flag_documents(docs: DataFrame, ngrams: DataFrame, n: int, max_matches: int, fp: str) -> DataFrame:
    """One ``signals_decontam`` row (without run_id) per row of ``docs`` (KEYS + text)."""
    per_doc = docs.select(*KEYS, "text").mapInArrow(make_doc_hashes_fn(n), DOC_HASHES_DDL)
    hashes = per_doc.select(*KEYS, F.explode("ngram_hashes").alias("ngram_hash"))
    hits = hashes.join(ngrams.select("ngram_hash", "benchmark", "item"), "ngram_hash")
    agg = hits.groupBy(*KEYS).agg(
        F.countDistinct("ngram_hash").alias("decontam_hits"),
        F.array_sort(F.collect_set(F.struct("benchmark", "item"))).alias("_matches"),
    )
    out = docs.select(*KEYS).join(agg, KEYS, "left")
    empty = F.array().cast(SIGNALS_DECONTAM.schema["decontam_matches"].dataType)
    matches = F.coalesce(F.col("_matches"), empty)
    hits_col = F.coalesce(F.col("decontam_hits"), F.lit(0)).cast("int")
    return out.select(
        *KEYS,
        hits_col.alias("decontam_hits"),
        F.size(matches).cast("int").alias("decontam_items"),
        F.slice(matches, 1, max_matches).alias("decontam_matches"),
        (hits_col > 0).alias("decontam_flag"),
        F.lit(fp).alias("decontam_fingerprint"),
    )


def describe_plan(cfg: CrawlforgeConfig) -> str:
    source, snapshot = scope_of(cfg)
    lines = [
        f"# decontam {source}/{snapshot}: documents x decontam_ngrams (n={cfg.decontam.ngram}) -> "
        f"{delta_io.table_path(cfg.lake.root, SIGNALS_DECONTAM.name)}; fingerprint {fingerprint(cfg)}"
    ]
    lines += [f"#   {b.name}: {b.format} {b.path} id={b.id_field or 'line number'} fields={b.text_fields}"
              for b in cfg.decontam.benchmarks] or ["#   no benchmarks configured: nothing to do"]  # fmt: skip
    return "\n".join(lines)


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> DecontamResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    source, snapshot = scope_of(cfg)
    root = cfg.lake.root
    fp = fingerprint(cfg)
    result = DecontamResult(run_id, fp)
    if not cfg.decontam.benchmarks:
        # the (empty) family table still exists, so a recipe naming decontam_flag runs (a null never fails a rule)
        delta_io.ensure_table(spark, root, SIGNALS_DECONTAM)
        log.warning("decontam: no benchmarks configured (decontam.benchmarks); nothing to do")
        return result
    names = [b.name for b in cfg.decontam.benchmarks]
    if len(set(names)) != len(names):
        raise ValueError(f"decontam.benchmarks: duplicate names {names}")
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        result.benchmark_ngrams = build_ngrams(spark, cfg, run_id)
        ngrams = delta_io.read_table(spark, root, DECONTAM_NGRAMS.name).where(F.col("benchmark").isin(names))
        ngrams = ngrams.where(F.col("ngram") == cfg.decontam.ngram)
        delta_io.ensure_table(spark, root, DOCUMENTS)

        def transform(df: DataFrame) -> DataFrame:
            ok = df.where(F.col("extract_status") == "ok")
            flagged = flag_documents(ok, ngrams, cfg.decontam.ngram, cfg.decontam.max_matches, fp)
            return flagged.withColumn("run_id", F.lit(run_id))

        stage = run_file_stage(
            spark,
            root,
            stage=f"{JOB}-{fp}",
            upstream="extract",
            run_id=run_id,
            source=source,
            snapshot=snapshot,
            input_df=delta_io.read_table(spark, root, DOCUMENTS.name),
            output=SIGNALS_DECONTAM,
            transform=transform,
            files_per_batch=cfg.decontam.files_per_batch,
        )
        result.files_processed = stage.files_processed
        result.documents = stage.docs_in
        written = delta_io.read_table(spark, root, SIGNALS_DECONTAM.name).where(F.col("run_id") == run_id)
        result.flagged = written.where(F.col("decontam_flag")).count()
        recorder.counts = {
            "files_processed": result.files_processed,
            "documents": result.documents,
            "flagged": result.flagged,
            **{f"ngrams_{k}": v for k, v in result.benchmark_ngrams.items()},
        }
        recorder.stage_stats(
            [{"source": source, "snapshot": snapshot, "stage": JOB, "rule": "decontam/flagged",
              "docs_in": result.documents, "docs_out": result.documents, "docs_dropped": 0}]
        )  # fmt: skip
        recorder.message = f"benchmarks {names}, n={cfg.decontam.ngram}, fingerprint {fp} (scores only)"
    log.info("decontam %s/%s: %d documents checked, %d flagged", source, snapshot, result.documents, result.flagged)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
