"""train-lm: CCNet's language models from any text table or SQL query, per language, into the models table.

For each language: CCNet's normalisation, a SentencePiece unigram model, a 5-gram KenLM ARPA built by KenLM's
own ``lmplz``, then ``build_binary`` (facebookresearch/cc_net@bda555bd ``Makefile``; the steps and defaults
are in :mod:`crawlforge.lib.lm_training`: vocab 65536 with ``--hard_vocab_limit``, ``character_coverage
0.9995``, ``lmplz -o 5 -S 8G --vocab_estimate 65536 --discount_fallback``). The files land in a versioned
model folder with one ``models`` row (kind ``lm``, name ``ccnet.lm.name``): their sha256, the query that
selected the training text and its document and character counts, and the parameters
(:mod:`crawlforge.jobs.model_registry`). The ``ccnet`` job scores with the newest model of each language.

Input: ``ccnet.lm.sql`` (Spark SQL; every lake table is a temporary view under its own name, e.g. ``SELECT
text, 'en' AS language FROM documents WHERE source = 'wikipedia'``) or ``ccnet.lm.table`` + ``where``. A
``language`` column splits the text per language; without one, ``ccnet.lm.language`` names the language.
CCNet trains on the first ``NDOC_FOR_LM = 1_000_000`` Wikipedia texts of a language; here the first
``max_docs`` by ``xxhash64(text)`` order (deterministic, whatever the partitioning; a top-k per language, no
global sort). With ``ccnet.lm.split_lines`` (default) each non-empty line of a text is one training sentence:
CCNet's opening texts are about a paragraph long, and SentencePiece silently skips sentences over 4192 bytes, so
whole articles on one line would leave it almost nothing to learn from.

``lmplz`` is a single-process tool (as in CCNet), so the training text of a language is streamed to the
driver's local disk with ``toLocalIterator`` (one partition at a time, never held in memory) and the models are
built there; that is the one place this suite brings document text to the driver, bounded by ``max_docs``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io, model_registry
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import ALL_TABLES
from crawlforge.lib.config import CcnetLmConfig, CrawlforgeConfig
from crawlforge.lib.lm_training import find_kenlm_tool, train_ccnet_lm


log = logging.getLogger(__name__)
JOB = "train-lm"
KIND = "lm"


@dataclass
class TrainResult:
    run_id: str
    models: list[model_registry.ModelRecord] = field(default_factory=list)
    skipped_languages: dict[str, int] = field(default_factory=dict)
    failed_languages: dict[str, str] = field(default_factory=dict)


def training_query(cfg: CcnetLmConfig) -> str:
    """What selected the training text, as recorded in the models table."""
    if cfg.sql:
        return cfg.sql.strip()
    where = f" WHERE {cfg.where}" if cfg.where else ""
    return f"SELECT {cfg.text_column} AS text FROM {cfg.table}{where}"


def register_views(spark: SparkSession, root: str) -> None:
    """Every existing lake table as a temporary view named after itself (for ``ccnet.lm.sql``)."""
    for name in ALL_TABLES:
        if delta_io.table_exists(spark, root, name):
            delta_io.read_table(spark, root, name).createOrReplaceTempView(name)


def training_frame(spark: SparkSession, cfg: CrawlforgeConfig) -> DataFrame:
    """``language, text`` rows: the query's text, one language per row, the first ``max_docs`` per language."""
    lm = cfg.ccnet.lm
    register_views(spark, cfg.lake.root)
    df = spark.sql(training_query(lm))
    if lm.text_column != "text" and lm.sql and lm.text_column in df.columns:
        df = df.withColumnRenamed(lm.text_column, "text")
    if "text" not in df.columns:
        raise ValueError(f"the training query must return a `text` column; it returns {df.columns}")
    if "language" in df.columns:
        language = F.col("language").cast("string")
    elif lm.language:
        language = F.lit(lm.language)
    else:
        raise ValueError("the training query has no `language` column: set ccnet.lm.language")
    df = df.select(language.alias("language"), F.col("text").cast("string").alias("text"))
    df = df.where(F.col("language").isNotNull() & F.col("text").isNotNull() & (F.length("text") > 0))
    if lm.languages:
        df = df.where(F.col("language").isin(list(lm.languages)))
    w = Window.partitionBy("language").orderBy(F.xxhash64("text"), F.col("text"))
    return df.withColumn("_rank", F.row_number().over(w)).where(F.col("_rank") <= lm.max_docs).drop("_rank")


def _texts(df: DataFrame, split_lines: bool) -> Iterator[str]:
    """The training sentences, streamed one partition at a time (see the module docstring)."""
    for row in df.select("text").toLocalIterator():
        if not split_lines:
            yield row[0]
            continue
        for line in row[0].split("\n"):
            if line.strip():
                yield line


def train_language(
    spark: SparkSession, cfg: CrawlforgeConfig, language: str, texts: DataFrame, docs: int, chars: int, run_id: str
) -> model_registry.ModelRecord:
    lm = cfg.ccnet.lm
    root = cfg.lake.root
    staged = model_registry.staging_dir(root, KIND, lm.name, language)
    for stale in staged.iterdir():  # leftovers of an interrupted run
        stale.unlink()
    files = train_ccnet_lm(
        _texts(texts.where(F.col("language") == language).orderBy(F.xxhash64("text"), "text"), lm.split_lines),
        staged,
        language,
        vocab_size=lm.vocab_size,
        fallback_vocab_size=lm.fallback_vocab_size,
        character_coverage=lm.character_coverage,
        order=lm.order,
        memory=lm.memory,
        vocab_estimate=lm.vocab_estimate,
        num_threads=lm.num_threads or None,
        sp_extra_options={"hard_vocab_limit": lm.hard_vocab_limit},
    )
    if not lm.keep_arpa:
        files.arpa.unlink()
    version, path, shas = model_registry.publish_files(root, KIND, lm.name, language, Path(staged))
    params = {
        "vocab_size": lm.vocab_size, "fallback_vocab_size": lm.fallback_vocab_size,
        "hard_vocab_limit": lm.hard_vocab_limit,
        "character_coverage": lm.character_coverage, "order": lm.order, "memory": lm.memory,
        "vocab_estimate": lm.vocab_estimate, "max_docs": lm.max_docs, "discount_fallback": True,
        "model_type": "unigram", "normalisation": "cc_net text_normalizer.normalize", "split_lines": lm.split_lines,
    }  # fmt: skip
    metrics = {"binary_bytes": float(os.path.getsize(os.path.join(path, f"{language}.arpa.bin")))}
    rec = model_registry.ModelRecord(
        KIND, lm.name, language, version, path, shas, training_query(lm), docs, chars,
        {k: str(v) for k, v in params.items()}, metrics,
    )  # fmt: skip
    model_registry.record(spark, root, rec, run_id)
    log.info("train-lm %s: model %s@%s from %d texts (%d chars) in %s", language, lm.name, version, docs, chars, path)
    return rec


def describe_plan(cfg: CrawlforgeConfig) -> str:
    lm = cfg.ccnet.lm
    return (
        f"# train-lm: {training_query(lm)}\n# language: {lm.language or 'from the `language` column'}"
        f"{'; only ' + ', '.join(lm.languages) if lm.languages else ''}; first {lm.max_docs} texts per language\n"
        f"# SentencePiece unigram vocab {lm.vocab_size} (fallback {lm.fallback_vocab_size}), KenLM order {lm.order} "
        f"(lmplz -S {lm.memory} --vocab_estimate {lm.vocab_estimate} --discount_fallback), build_binary\n"
        f"# models -> {delta_io.table_path(cfg.lake.root, model_registry.MODELS_DIR)}/{KIND}/{lm.name}/<lang>/<ver>"
    )


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> TrainResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    result = TrainResult(run_id)
    find_kenlm_tool("lmplz")  # fail before any Spark work when KenLM's tools are missing
    find_kenlm_tool("build_binary")
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        texts = training_frame(spark, cfg)
        sizes = texts.groupBy("language").agg(F.count(F.lit(1)).alias("docs"), F.sum(F.length("text")).alias("chars"))
        for row in sizes.orderBy("language").collect():  # one row per language
            language, docs, chars = row["language"], int(row["docs"]), int(row["chars"] or 0)
            if docs < cfg.ccnet.lm.min_docs:
                log.warning("train-lm %s: only %d texts (< ccnet.lm.min_docs); no model", language, docs)
                result.skipped_languages[language] = docs
                continue
            try:
                result.models.append(train_language(spark, cfg, language, texts, docs, chars, run_id))
            except (RuntimeError, ValueError) as exc:  # one language's failure (e.g. too little text) is reported
                log.error("train-lm %s: no model: %s", language, exc)
                result.failed_languages[language] = str(exc)[:500]
        recorder.counts = {
            "models": len(result.models),
            "languages_skipped": len(result.skipped_languages),
            "languages_failed": len(result.failed_languages),
        }
        recorder.message = (
            "; ".join(
                [f"{m.language}={m.version}" for m in result.models]
                + [f"{lang} failed: {err[:200]}" for lang, err in result.failed_languages.items()]
            )
            or "no model trained"
        )
    if not result.models:
        raise RuntimeError(
            f"train-lm trained no model: too few texts {result.skipped_languages}, failures {result.failed_languages}"
        )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
