"""quality: ``documents`` -> ``signals_quality`` (fastText quality scores + Nemotron-CC buckets; drops nothing).

Two passes per scope (source, snapshot):

1. **Score** (incremental, exactly-once per input file via :func:`crawlforge.jobs.incremental.run_file_stage`):
   every ``extract_status = 'ok'`` document gets ``quality_<name>`` (probability of the positive label, DCLM's
   ``hq_prob``) for each configured classifier, from the newest trained model (``models`` table, kind ``quality``)
   or a given ``model_path``, plus its UTF-8 byte and whitespace token counts and the model versions
   (``quality_models``). The stage name carries a hash of the classifier names and model versions
   (``quality@<hash>``), so a new model or a new classifier rescores every file, while a rerun with the same models
   only scores new files.
2. **Buckets** (whole scope, after scoring): per classifier and language (``signals.language``; or one ``*`` group
   with ``quality.per_language=false``) the token-weighted 1st..99th percentile thresholds of the scores are
   computed with Spark aggregates: scores rounded to ``quality.score_decimals`` decimals are summed into a weight
   histogram (at most 10^d + 1 rows per group), a running sum over each group's histogram finds the percentile
   edges, and the result goes to the ``quality_thresholds`` table (replaced per scope). Then every row gets
   ``quality_<name>_pct`` (0..99: how many of the 99 thresholds its score reaches) and ``quality_<name>_bucket``
   (``pct // 5``, 0..19: Nemotron-CC's 20 token-weighted buckets at 5, 10, ..., 95 %), and
   ``quality_ensemble_bucket`` = the maximum bucket over classifiers (Nemotron-CC's ensemble), rewritten with one
   ``replaceWhere`` commit on the scope. Nothing but the thresholds' group keys and counts reach the driver.

Recipes then select by a fixed threshold on ``quality_<name>`` (DCLM's convention, e.g. ``lt 0.018112`` drops), by
a top fraction per language (``quality_<name>_pct lt 90`` keeps the top 10 % of tokens of each language, the DCLM
paper's choice), or by ``quality_ensemble_bucket`` (Nemotron-CC: 12..19 is high quality).

Schema: the family's columns depend on the configured names, so the table evolves: when a classifier first appears
its three columns are added with ``ALTER TABLE ... ADD COLUMNS`` (explicit, never ``mergeSchema`` on a write, so a
typo cannot add a column silently); rows scored before it have nulls there, which a recipe rule never fails on.
Weights: UTF-8 bytes by default (what Nemotron-CC's tutorial uses), or whitespace tokens
(``quality.bucket_weight``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, IntegerType, StructField, StructType

from crawlforge.jobs import delta_io, model_registry
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.incremental import StageResult, run_file_stage
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import DOCUMENTS, QUALITY_FAMILY, QUALITY_THRESHOLDS, SIGNALS, TableSpec
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.quality_text import PERCENTILES
from crawlforge.udfs.quality_udf import INPUT_COLUMNS, KEY_COLUMNS, ScoringModel, make_quality_fn, output_ddl


log = logging.getLogger(__name__)
JOB = "quality"
KIND = "quality"
ALL_LANGUAGES = "*"
UNKNOWN_LANGUAGE = "und"
BUCKET_WIDTH = 5  # percent per Nemotron-CC bucket: 20 buckets


@dataclass
class QualityResult:
    stage: StageResult | None = None
    models: dict[str, str] = field(default_factory=dict)
    threshold_groups: int = 0


def classifier_columns(name: str) -> list[StructField]:
    return [
        StructField(f"quality_{name}", DoubleType()),
        StructField(f"quality_{name}_pct", IntegerType()),
        StructField(f"quality_{name}_bucket", IntegerType()),
    ]


def resolve_models(spark: SparkSession, cfg: CrawlforgeConfig, ship: bool = True) -> tuple[ScoringModel, ...]:
    """The model of every configured classifier: ``model_path`` if given, else the newest trained one."""
    root = cfg.lake.root
    out = []
    for c in cfg.quality.classifiers:
        if c.model_path:
            path = c.model_path
            if not Path(path).is_file() and "://" not in path:
                raise RuntimeError(f"classifier {c.name!r}: model_path {path} does not exist")
            version = model_registry.file_sha256(path)[:12] if Path(path).is_file() else "external"
            shipped = model_registry.ship(spark, path) if ship else path
            out.append(ScoringModel(c.name, shipped, version, c.negative_label))
            continue
        found = model_registry.latest(spark, root, KIND, c.name, c.language)
        if not found:
            raise RuntimeError(
                f"no trained model for quality classifier {c.name!r} ({c.language}): run "
                "`crawlforge train-classifier` first, or set quality.classifiers[].model_path"
            )
        rec = found[0]
        shipped = model_registry.ship(spark, rec.path) if ship else rec.path
        out.append(ScoringModel(c.name, shipped, rec.version, c.negative_label, file_name="model.bin"))
    if not out:
        raise ValueError("no quality classifiers configured (quality.classifiers)")
    return tuple(out)


def models_hash(models: Sequence[ScoringModel]) -> str:
    text = "".join(f"{m.name}={m.version}\n" for m in sorted(models, key=lambda m: m.name))
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def describe_plan(cfg: CrawlforgeConfig) -> str:
    source, snapshot = scope_of(cfg)
    root = cfg.lake.root
    names = ", ".join(f"{c.name} ({c.model_path or 'newest trained ' + c.language})" for c in cfg.quality.classifiers)
    return (
        f"# quality {source}/{snapshot}: {delta_io.table_path(root, DOCUMENTS.name)} -> "
        f"{delta_io.table_path(root, QUALITY_FAMILY.name)} + {delta_io.table_path(root, QUALITY_THRESHOLDS.name)}\n"
        f"# classifiers: {names or 'none configured'}\n"
        f"# buckets: token-weighted percentiles by {cfg.quality.bucket_weight}, "
        f"{'per language' if cfg.quality.per_language else 'one group per scope'}, scores rounded to "
        f"{cfg.quality.score_decimals} decimals"
    )


# --------------------------------------------------------------------------------------------------
# Schema evolution


def ensure_family_columns(spark: SparkSession, root: str, names: Sequence[str]) -> TableSpec:
    """Create ``signals_quality`` if needed, add the columns of new classifiers; return the stored table's spec."""
    path = delta_io.ensure_table(spark, root, QUALITY_FAMILY)
    current = set(delta_io.read_table(spark, root, QUALITY_FAMILY.name).columns)
    missing = [f for n in names for f in classifier_columns(n) if f.name not in current]
    if missing:
        cols = ", ".join(f"{f.name} {f.dataType.simpleString()}" for f in missing)

        def alter() -> None:
            spark.sql(f"ALTER TABLE delta.`{path}` ADD COLUMNS ({cols})")

        try:
            delta_io.with_commit_retries(alter, "add quality columns")
        except Exception as exc:  # another run added them first
            now = set(delta_io.read_table(spark, root, QUALITY_FAMILY.name).columns)
            if not all(f.name in now for f in missing):
                raise RuntimeError(f"cannot add columns {cols} to {path}: {exc}") from exc
        log.info("signals_quality: added columns %s", cols)
    schema = delta_io.read_table(spark, root, QUALITY_FAMILY.name).schema
    return TableSpec(QUALITY_FAMILY.name, StructType(schema.fields), QUALITY_FAMILY.partition_by)


def _fill(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Add every column of ``spec`` that ``df`` lacks as a typed null (other classifiers, buckets before pass 2)."""
    return df.select(
        *[F.col(f.name) if f.name in df.columns else F.lit(None).cast(f.dataType).alias(f.name) for f in spec.schema]
    )


# --------------------------------------------------------------------------------------------------
# Pass 2: token-weighted percentiles and buckets


def _language_column(spark: SparkSession, cfg: CrawlforgeConfig, scored: DataFrame, scope: Column) -> DataFrame:
    if not cfg.quality.per_language:
        return scored.withColumn("_lang", F.lit(ALL_LANGUAGES))
    root = cfg.lake.root
    if not delta_io.table_exists(spark, root, SIGNALS.name):
        log.warning("quality: no signals table (run annotate); every document is language %r", UNKNOWN_LANGUAGE)
        return scored.withColumn("_lang", F.lit(UNKNOWN_LANGUAGE))
    langs = delta_io.read_table(spark, root, SIGNALS.name).where(scope).select(*KEY_COLUMNS, "language")
    return scored.join(langs, list(KEY_COLUMNS), "left").withColumn(
        "_lang", F.coalesce(F.col("language"), F.lit(UNKNOWN_LANGUAGE))
    )


def percentile_thresholds(df: DataFrame, score: str, weight: str, decimals: int) -> DataFrame:
    """``_lang``, ``docs``, ``total_weight`` and ``thresholds`` (99 doubles: the token-weighted 1..99th percentiles).

    Threshold p is the smallest rounded score whose cumulative weight reaches p % of the group's weight, the same
    definition as :func:`crawlforge.lib.quality_text.weighted_thresholds`. Histogram rows per group are bounded by
    the rounding (10^decimals + 1), so the running-sum window over one group stays small whatever the data size.
    """
    spark = df.sparkSession
    s = F.round(F.col(score), decimals)
    hist = (
        df.where(F.col(score).isNotNull() & (F.col(weight) > 0))
        .groupBy("_lang", s.alias("s"))
        .agg(F.sum(F.col(weight).cast("double")).alias("w"), F.count(F.lit(1)).alias("n"))
    )
    w_order = Window.partitionBy("_lang").orderBy("s")
    w_group = Window.partitionBy("_lang")
    hist = hist.select(
        "_lang",
        "s",
        "n",
        F.sum("w").over(w_order.rowsBetween(Window.unboundedPreceding, Window.currentRow)).alias("cum"),
        F.sum("w").over(w_group).alias("total"),
        F.sum("n").over(w_group).alias("docs"),
    ).withColumn("prev", F.lag("cum", 1, 0.0).over(w_order))
    pcts = spark.createDataFrame([(p,) for p in PERCENTILES], "p int")
    target = F.col("total") * F.col("p") / F.lit(100.0) - F.lit(1e-9) * F.col("total")
    hits = hist.join(F.broadcast(pcts), (F.col("cum") >= target) & (F.col("prev") < target), "inner")
    return hits.groupBy("_lang", "docs", "total").agg(
        F.transform(F.array_sort(F.collect_list(F.struct("p", "s"))), lambda x: x["s"]).alias("thresholds"),
        F.count(F.lit(1)).alias("_n_thresholds"),
    )


def _at_most(value: Column) -> Callable[[Column], Column]:
    """``t -> t <= value`` for ``F.filter`` (a one-argument lambda: PySpark reads two arguments as (x, index))."""
    return lambda t: t <= value


def bucket_pass(
    spark: SparkSession, cfg: CrawlforgeConfig, models: Sequence[ScoringModel], spec: TableSpec, run_id: str
) -> int:
    """Compute ``quality_thresholds`` for the scope and rewrite the scope's pct/bucket/ensemble columns."""
    root = cfg.lake.root
    source, snapshot = scope_of(cfg)
    scope = (F.col("source") == source) & (F.col("snapshot") == snapshot)
    predicate = delta_io.scope_predicate(source, snapshot)
    q = cfg.quality
    weight = "quality_text_bytes" if q.bucket_weight == "utf8_bytes" else "quality_text_tokens"
    scored = delta_io.read_table(spark, root, QUALITY_FAMILY.name).where(scope)
    with_lang = _language_column(spark, cfg, scored, scope).cache()
    try:
        tables = []
        for m in models:
            t = percentile_thresholds(with_lang, m.column, weight, q.score_decimals)
            tables.append(
                t.select(
                    F.lit(source).alias("source"), F.lit(snapshot).alias("snapshot"),
                    F.lit(m.name).alias("classifier"),
                    F.lit(m.version).alias("model_version"), F.col("_lang").alias("language"),
                    F.lit(q.bucket_weight).alias("weight"), F.col("docs"), F.col("total").alias("total_weight"),
                    F.col("thresholds"), F.lit(run_id).alias("run_id"),
                )
            )  # fmt: skip
        thresholds = tables[0]
        for t in tables[1:]:
            thresholds = thresholds.unionByName(t)
        delta_io.ensure_table(spark, root, QUALITY_THRESHOLDS)
        delta_io.replace_where(thresholds, root, QUALITY_THRESHOLDS, predicate, run_id)
        stored = (
            delta_io.read_table(spark, root, QUALITY_THRESHOLDS.name)
            .where(scope & (F.col("run_id") == run_id))
            .select("classifier", "language", "thresholds")
        )
        groups = stored.count()  # one small row per (classifier, language)

        out = with_lang
        for m in models:
            thr = stored.where(F.col("classifier") == m.name).select(
                F.col("language").alias("_lang"), F.col("thresholds").alias(f"_thr_{m.name}")
            )
            out = out.join(F.broadcast(thr), "_lang", "left")
            rounded = F.round(F.col(m.column), q.score_decimals)
            pct = F.when(
                F.col(m.column).isNotNull() & F.col(f"_thr_{m.name}").isNotNull(),
                F.size(F.filter(F.col(f"_thr_{m.name}"), _at_most(rounded))),
            )
            out = out.withColumn(f"{m.column}_pct", pct.cast("int")).withColumn(
                f"{m.column}_bucket", F.floor(F.col(f"{m.column}_pct") / F.lit(BUCKET_WIDTH)).cast("int")
            )
        buckets = [F.col(f"{m.column}_bucket") for m in models]
        ensemble = buckets[0] if len(buckets) == 1 else F.greatest(*buckets)
        out = out.withColumn("quality_ensemble_bucket", ensemble.cast("int"))
        out = out.drop("language", "_lang").withColumn("run_id", F.lit(run_id))
        delta_io.replace_where(_fill(out, spec), root, spec, predicate, run_id)
    finally:
        with_lang.unpersist()
    return groups


# --------------------------------------------------------------------------------------------------
# The job


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> QualityResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    source, snapshot = scope_of(cfg)
    root = cfg.lake.root
    models = resolve_models(spark, cfg)
    result = QualityResult(models={m.name: m.version for m in models})
    stage = f"{JOB}@{models_hash(models)}"
    fn = make_quality_fn(models)
    ddl = output_ddl(models)
    versions = F.create_map(*[x for m in models for x in (F.lit(m.name), F.lit(m.version))])

    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        delta_io.ensure_table(spark, root, DOCUMENTS)
        spec = ensure_family_columns(spark, root, [m.name for m in models])

        def transform(df: DataFrame) -> DataFrame:
            ok = df.where(F.col("extract_status") == "ok").select(*INPUT_COLUMNS)
            scored = ok.mapInPandas(fn, ddl).withColumn("quality_models", versions)
            return _fill(scored.withColumn("run_id", F.lit(run_id)), spec)

        result.stage = run_file_stage(
            spark,
            root,
            stage=stage,
            upstream="extract",
            run_id=run_id,
            source=source,
            snapshot=snapshot,
            input_df=delta_io.read_table(spark, root, DOCUMENTS.name),
            output=spec,
            transform=transform,
            files_per_batch=cfg.quality.files_per_batch,
        )
        result.threshold_groups = bucket_pass(spark, cfg, models, spec, run_id)
        recorder.counts = {
            "files_processed": result.stage.files_processed,
            "documents_scored": result.stage.docs_in,
            "threshold_groups": result.threshold_groups,
        }
        recorder.message = "models " + ", ".join(f"{k}={v}" for k, v in sorted(result.models.items()))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
