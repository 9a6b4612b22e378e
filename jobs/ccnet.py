"""ccnet: ``documents`` -> ``signals_ccnet`` (CCNet's paragraph dedup, language ID and perplexity; drops nothing).

Reproduces the scoring half of CCNet's ``mine`` pipeline (facebookresearch/cc_net@bda555bd ``mine.py``
``DEFAULT_PIPELINE``: dedup -> lid -> keep_lang -> sp -> lm -> pp_bucket) on Spark; the dropping half
(``min_len``, ``lang_threshold``, ``keep_bucket``) is the ``ccnet`` recipe applied by ``select``
(``conf/recipes/ccnet.yaml``). Per document with ``extract_status = 'ok'``:

1. **Paragraph dedup** (``cc_net/dedup.py``): every ``"\\n"`` line is keyed by the first 8 bytes of the SHA1 of
   its ``normalize_for_dedup`` form. Keys are counted across the **dedup scope** in Spark: ``explode`` then
   ``groupBy(group, key)``; the keys a document must lose come back by a semi-join, so no hash set is ever
   built on the driver or in one task. ``ccnet.dedup.policy``:

   * ``remove_every_copy`` (CCNet's ``mine``): every key seen twice or more in the scope (repeats inside one
     document included) is removed everywhere, the first copy too;
   * ``keep_first``: the first document holding a key under the total order ``(snapshot, source, doc_id)``
     keeps its first copy; every other copy goes.

   ``ccnet.dedup.scope``: ``snapshot`` (the job's source/snapshot), ``file_groups`` (CCNet's groups of files
   sharing one hash set: ``hash_in_mem=50`` of 1600 shards, i.e. 1/32 of a dump; here a file's group is
   ``pmod(xxhash64(file_id), num_groups)``, stable whatever files arrive later), or ``snapshots`` (several
   snapshots and sources deduplicated together). As in CCNet, documents shorter than ``min_length`` (300,
   CCNet's ``min_len`` applied when reading WET) contribute no keys. The per-document rule is
   :func:`crawlforge.lib.paragraph_dedup.dedup_lines`; the removed line indices are stored
   (``ccnet_removed_lines``; ``lib.paragraph_dedup.apply_removed_lines`` rebuilds the deduplicated text).
2. **Language** (``split_by_lang.Classifier``): fastText on the deduplicated text with its lines joined with no
   separator; the score rounded to 2 decimals (``ccnet_language``, ``ccnet_language_score``).
3. **Perplexity** (``perplexity.MultiSentencePiece`` + ``DocLM``): the language's SentencePiece + 5-gram KenLM
   model from the ``models`` table (kind ``lm``, name ``ccnet.lm.name``, newest version per language; trained by
   ``train-lm``); ``perplexity`` rounded to 0.1, null when the language has no model; ``ccnet_lm_version``.
4. **Bucket** (``perplexity.PerplexityBucket``): ``perplexity_bucket`` from the cutoffs ``ccnet.cutoffs.use``
   selects (:mod:`crawlforge.jobs.cutoffs`); with ``data`` they are recomputed from this scope after scoring.

Exactly-once: the dedup outcome of a document depends on every document of its scope, so the unit of work is
the scope, not a file. A run rewrites the scope's rows with one ``replaceWhere`` commit, re-buckets them, then
records every extracted file of the scope in ``stage_progress`` (stage ``ccnet``). A rerun with no new
extracted file, no newer model and the same dedup policy and scope does nothing (``ccnet.force`` recomputes);
otherwise the whole scope is recomputed, as CCNet's dedup of a grown group would be.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import cutoffs as cutoffs_job
from crawlforge.jobs import delta_io, model_registry
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.incremental import finished_files_of
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import DOCUMENTS, SIGNALS_CCNET, STAGE_PROGRESS
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.udfs.ccnet_udf import (
    HASH_INPUT_COLUMNS,
    HASH_OUTPUT_DDL,
    SCORE_INPUT_COLUMNS,
    SCORE_OUTPUT_DDL,
    LanguageModel,
    ScoreOptions,
    make_hash_fn,
    make_score_fn,
)


log = logging.getLogger(__name__)
JOB = "ccnet"
STAGE = "ccnet"
UPSTREAM = "extract"
KEYS = ["source", "snapshot", "doc_id", "file_id"]
LM_KIND = "lm"


@dataclass
class CcnetResult:
    run_id: str
    scopes: list[tuple[str, str]]
    skipped: bool = False
    docs: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    lm_versions: dict[str, str] = field(default_factory=dict)
    cutoffs_version: str | None = None


# --------------------------------------------------------------------------------------------------
# Scope


def dedup_scopes(spark: SparkSession, cfg: CrawlforgeConfig) -> list[tuple[str, str]]:
    """The (source, snapshot) pairs one run covers: the job's scope, or ``ccnet.dedup.snapshots``."""
    d = cfg.ccnet.dedup
    if d.scope != "snapshots":
        return [scope_of(cfg)]
    if d.snapshots:
        pairs = []
        for item in d.snapshots:
            if "/" not in item:
                raise ValueError(f"ccnet.dedup.snapshots entries are 'source/snapshot', got {item!r}")
            source, snapshot = item.split("/", 1)
            pairs.append((source, snapshot))
        return sorted(set(pairs))
    if not delta_io.table_exists(spark, cfg.lake.root, DOCUMENTS.name):
        return []
    docs = delta_io.read_table(spark, cfg.lake.root, DOCUMENTS.name)
    return sorted((r[0], r[1]) for r in docs.select("source", "snapshot").distinct().collect())  # partitions only


def describe_scope(cfg: CrawlforgeConfig) -> str:
    d = cfg.ccnet.dedup
    if d.scope == "snapshots":
        return "snapshots " + (", ".join(d.snapshots) if d.snapshots else "(every source/snapshot in documents)")
    source, snapshot = scope_of(cfg)
    if d.scope == "file_groups":
        return f"{source}/{snapshot} in {d.num_groups} file groups"
    return f"{source}/{snapshot}"


def scope_label(cfg: CrawlforgeConfig, scopes: Sequence[tuple[str, str]]) -> str:
    d = cfg.ccnet.dedup
    if d.scope == "file_groups":
        return f"file_groups/{d.num_groups}"
    if d.scope == "snapshots":
        return "snapshots:" + ",".join(f"{a}/{b}" for a, b in scopes)
    return "snapshot"


def group_column(cfg: CrawlforgeConfig) -> Column:
    """The hash-set a document's lines are counted in (see the module docstring)."""
    d = cfg.ccnet.dedup
    if d.scope == "file_groups":
        group = F.pmod(F.xxhash64("file_id"), F.lit(d.num_groups)).cast("string")
        return F.concat_ws("/", "source", "snapshot", group)
    if d.scope == "snapshots":
        return F.lit("*")
    return F.concat_ws("/", "source", "snapshot")


# --------------------------------------------------------------------------------------------------
# Dedup plan (pure DataFrame -> DataFrame; tested on its own)


def duplicate_hashes(hashed: DataFrame, policy: str, min_length: int) -> DataFrame:
    """Per document, the line keys it must lose: ``KEYS + dup_hashes array<bigint>`` (documents with none absent).

    ``hashed`` has ``KEYS``, ``group``, ``ccnet_original_length`` and ``hashes`` (:data:`HASH_OUTPUT_DDL`).
    """
    lines = hashed.select(*KEYS, "group", "ccnet_original_length", F.explode("hashes").alias("h"))
    contributing = lines.where(F.col("ccnet_original_length") >= F.lit(min_length))
    if policy == "remove_every_copy":
        dups = contributing.groupBy("group", "h").agg(F.count(F.lit(1)).alias("n")).where(F.col("n") >= 2)
        lost = lines.join(dups.select("group", "h"), ["group", "h"], "left_semi")
    elif policy == "keep_first":
        order = F.struct("snapshot", "source", "doc_id")
        owners = contributing.groupBy("group", "h").agg(F.min(order).alias("owner"))
        lost = lines.join(owners, ["group", "h"], "inner").where(F.col("owner") != order)
    else:
        raise ValueError(f"unknown ccnet.dedup.policy {policy!r}")
    return lost.groupBy(*KEYS).agg(F.array_sort(F.collect_set("h")).alias("dup_hashes"))


def score_frame(docs: DataFrame, cfg: CrawlforgeConfig, models: dict[str, LanguageModel]) -> DataFrame:
    """``docs`` (KEYS + text, in the scopes) -> the signals_ccnet columns, bucket ``all`` until cutoffs apply."""
    d = cfg.ccnet.dedup
    hashed = docs.select(*HASH_INPUT_COLUMNS).mapInPandas(make_hash_fn(), HASH_OUTPUT_DDL)
    hashed = hashed.withColumn("group", group_column(cfg))
    lost = duplicate_hashes(hashed, d.policy, d.min_length)
    joined = docs.join(lost, KEYS, "left").select(*SCORE_INPUT_COLUMNS)
    opts = ScoreOptions(lid_model=cfg.ccnet.lid_model, models=models, per_line=cfg.ccnet.per_line)
    return joined.mapInPandas(make_score_fn(opts), SCORE_OUTPUT_DDL)


# --------------------------------------------------------------------------------------------------
# The job


def load_models(spark: SparkSession, cfg: CrawlforgeConfig) -> dict[str, LanguageModel]:
    """The newest CCNet LM per language, shipped to the workers (their folders, or SparkFiles on a cluster)."""
    out = {}
    for rec in model_registry.latest(spark, cfg.lake.root, LM_KIND, cfg.ccnet.lm.name):
        sp_file, lm_file = f"{rec.language}.sp.model", f"{rec.language}.arpa.bin"
        missing = [f for f in (sp_file, lm_file) if f not in rec.files]
        if missing:
            raise RuntimeError(f"model {rec.name}/{rec.language}@{rec.version} at {rec.path} lacks {missing}")
        out[rec.language] = LanguageModel(
            rec.language, model_registry.ship(spark, rec.path), rec.version, sp_file, lm_file
        )
    return out


def describe_plan(cfg: CrawlforgeConfig) -> str:
    d, c = cfg.ccnet.dedup, cfg.ccnet.cutoffs
    root = cfg.lake.root
    return "\n".join(
        [
            f"# ccnet: {delta_io.table_path(root, DOCUMENTS.name)} -> {delta_io.table_path(root, SIGNALS_CCNET.name)}",
            f"# dedup scope: {describe_scope(cfg)}; policy {d.policy}; documents under {d.min_length} chars add no "
            "line hashes",
            f"# language: fastText {cfg.ccnet.lid_model or 'lid.176.ftz (shipped)'} on the deduplicated text (CCNet "
            "convention); perplexity: newest 'lm' models named "
            f"{cfg.ccnet.lm.name!r} in {delta_io.table_path(root, 'models')}",
            f"# buckets: cutoffs use={c.use}, head < p{c.percentile_head} <= middle < p{c.percentile_tail} <= tail",
        ]
    )


def _files(
    spark: SparkSession, root: str, scopes: Sequence[tuple[str, str]]
) -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]:
    """Per scope: the files extract has finished, and those this stage has."""
    finished = {s: finished_files_of(spark, root, (UPSTREAM, STAGE), *s) for s in scopes}
    return {s: f[UPSTREAM] for s, f in finished.items()}, {s: f[STAGE] for s, f in finished.items()}


def _same_settings(
    spark: SparkSession, root: str, predicate: str, cfg: CrawlforgeConfig, label: str, lm_versions: dict[str, str]
) -> bool:
    """Were the scope's stored rows computed with today's model of each language and this dedup policy and scope?"""
    stored = delta_io.read_table(spark, root, SIGNALS_CCNET.name).where(F.expr(predicate))
    cols = ("ccnet_language", "ccnet_lm_version", "ccnet_dedup_policy", "ccnet_dedup_scope")
    seen = stored.select(*cols).distinct().collect()  # languages x settings: a few rows, never documents
    return bool(seen) and all(
        (pol, scope) == (cfg.ccnet.dedup.policy, label) and lm_versions.get(lang) == version
        for lang, version, pol, scope in seen
    )


def _stats(spark: SparkSession, root: str, run_id: str) -> list[dict]:
    df = delta_io.read_table(spark, root, SIGNALS_CCNET.name).where(F.col("run_id") == run_id)
    agg = df.groupBy("source", "snapshot", "ccnet_language").agg(
        F.count(F.lit(1)).alias("docs"),
        F.sum("ccnet_original_nlines").alias("lines_in"),
        F.sum(F.col("ccnet_original_nlines") - F.col("ccnet_nlines")).alias("lines_removed"),
        F.sum("ccnet_original_length").alias("chars_in"),
        F.sum(F.col("ccnet_original_length") - F.col("ccnet_length")).alias("chars_removed"),
        F.sum(F.when(F.col("ccnet_nlines") == 0, 1).otherwise(0)).alias("emptied"),
        F.sum(F.when(F.col("perplexity").isNotNull(), 1).otherwise(0)).alias("with_perplexity"),
    )
    return [r.asDict() for r in agg.collect()]  # one row per source x snapshot x language


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> CcnetResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    root = cfg.lake.root
    scopes = dedup_scopes(spark, cfg)
    result = CcnetResult(run_id, list(scopes))
    if not scopes:
        log.warning("ccnet: no source/snapshot to process")
        result.skipped = True
        return result
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        delta_io.ensure_table(spark, root, DOCUMENTS)
        delta_io.ensure_table(spark, root, SIGNALS_CCNET)
        delta_io.ensure_table(spark, root, STAGE_PROGRESS)
        extracted, done = _files(spark, root, scopes)
        models = load_models(spark, cfg)
        result.lm_versions = {lang: m.version for lang, m in models.items()}
        predicate = cutoffs_job.scopes_predicate(scopes)
        if (
            not cfg.ccnet.force
            and all(extracted[s] <= done[s] for s in scopes)
            and _same_settings(spark, root, predicate, cfg, scope_label(cfg, scopes), result.lm_versions)
        ):
            log.info("ccnet %s: no new extracted file, model or dedup setting; nothing to do", describe_scope(cfg))
            result.skipped = True
            recorder.message = "skipped: no new extracted file, model or dedup setting"
            return result
        if not models:
            log.warning(
                "ccnet: no LM named %r in the models table; perplexity stays null (run train-lm)", cfg.ccnet.lm.name
            )
        docs = (
            delta_io.read_table(spark, root, DOCUMENTS.name)
            .where(F.expr(predicate))
            .where((F.col("extract_status") == "ok") & F.col("text").isNotNull())
            .select(*KEYS, "text")
        )
        scored = score_frame(docs, cfg, models).select(
            "*",
            F.lit(cfg.ccnet.dedup.policy).alias("ccnet_dedup_policy"),
            F.lit(scope_label(cfg, scopes)).alias("ccnet_dedup_scope"),
            F.lit("all").alias("perplexity_bucket"),
            F.lit(None).cast("string").alias("ccnet_cutoffs_version"),
            F.lit(run_id).alias("run_id"),
        )
        delta_io.replace_where(scored, root, SIGNALS_CCNET, predicate, run_id)
        cutoffs, _ = cutoffs_job.compute_store_apply(spark, cfg, scopes, run_id)
        result.cutoffs_version = cutoffs.version if cutoffs else None
        now = datetime.now(UTC)
        progress = [
            (src, snap, STAGE, f, run_id, now)
            for (src, snap) in scopes
            for f in sorted(extracted[(src, snap)] - done[(src, snap)])
        ]
        if progress:
            delta_io.append(spark.createDataFrame(progress, STAGE_PROGRESS.schema), root, STAGE_PROGRESS, run_id)
        stats = _stats(spark, root, run_id)
        keys = ("docs", "lines_in", "lines_removed", "chars_in", "chars_removed", "emptied", "with_perplexity")
        result.counts = {k: sum(int(r[k] or 0) for r in stats) for k in keys}
        result.docs = result.counts["docs"]
        recorder.counts = dict(result.counts)
        recorder.message = (
            f"dedup {cfg.ccnet.dedup.policy} over {scope_label(cfg, scopes)}; models "
            f"{result.lm_versions or 'none'}; cutoffs {result.cutoffs_version}"
        )
        recorder.stage_stats(
            [
                {"source": r["source"], "snapshot": r["snapshot"], "stage": STAGE, "language": r["ccnet_language"],
                 "rule": "ccnet/scored", "docs_in": int(r["docs"]), "docs_out": int(r["docs"]), "docs_dropped": 0}
                for r in stats
            ]
        )  # fmt: skip
    log.info("ccnet %s: %s", describe_scope(cfg), result.counts)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
