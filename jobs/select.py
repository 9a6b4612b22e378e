"""select: ``documents`` + ``signals`` -> ``decisions`` (keep / drop per document) from a declarative recipe.

DESIGN.md: *scores are data; decisions are configuration*. This job reads the signals the annotate / score
jobs wrote and applies a recipe (``select.recipe``: ``conf/recipes/fineweb.yaml`` by default; format and
semantics in :mod:`crawlforge.lib.recipe`). It never writes a signal, so changing a threshold re-runs only this
job. For the scope ``(source, snapshot)`` (``scope.*``, default the ingest source and snapshot) it writes, each
with one ``replaceWhere`` commit on the scope, so a re-run replaces the previous decisions atomically:

* ``decisions``: one row per ``documents`` row: keep, the first failing rule and its version, every failing
  rule in recipe order, and the recipe's name, version and hash. A document whose ``extract_status`` is not
  ``ok`` is dropped as ``extract/<status>`` (it has no signals); an extracted document with no signals row
  (annotate has not run on it) is dropped as ``select/missing_signals`` so that it is counted, never silently
  kept, and a re-run after annotate decides it.
* ``drop_samples``: up to ``select.drop_samples_per_rule`` dropped documents per (source, snapshot, first failing
  rule), chosen by ``xxhash64(doc_id)`` order (deterministic whatever the partitioning), with the url, language,
  the first 500 characters of text and all failing rules, for eyeballing what a rule removes.
* ``stage_stats`` (stage ``select``): per source, snapshot and language, one row per rule in chain order
  (``extract/*``, ``select/missing_signals``, then the recipe's rules) with docs_in, docs_out and docs_dropped,
  where *dropped* counts documents whose **first** failing rule is that rule (datatrove's semantics: a
  document leaves the pipeline at its first failing filter), plus a ``kept`` row (docs_in = all documents,
  docs_out = kept). Computed by one aggregation of the decisions table; only per-rule counts reach the driver.

Rules become plain Spark Column expressions (``when`` / ``otherwise``, ``F.filter`` over an array of
``when`` values), no Python UDF, and only APIs present in both Spark 3.5 and 4.0.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.signal_families import joined_signals
from crawlforge.jobs.tables import DECISIONS, DROP_SAMPLES
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.heuristics.signals import SIGNAL_COLUMNS
from crawlforge.lib.recipe import LANGUAGE_COLUMN, LIST_OPS, Recipe, RecipeError, RecipeRule, Value, load_recipe


log = logging.getLogger(__name__)
JOB = "select"
STAGE = "select"
EXTRACT_OK = "ok"
EXTRACT_PREFIX = "extract/"
MISSING_SIGNALS = "select/missing_signals"
KEPT = "kept"
SAMPLE_TEXT_CHARS = 500
KEYS = ("source", "snapshot", "doc_id", "file_id")
DOCUMENTS_TABLE = "documents"
SIGNALS_TABLE = "signals"
DOCUMENTS_COLUMNS = (*KEYS, "url", "text", "extract_status")


@dataclass
class SelectResult:
    run_id: str
    source: str
    snapshot: str
    recipe: str
    recipe_version: str
    recipe_hash: str
    docs: int = 0
    kept: int = 0
    dropped_by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def dropped(self) -> int:
        return self.docs - self.kept


# --------------------------------------------------------------------------------------------------
# Recipe -> Spark Column expressions


def _condition(value: Column, op: str, threshold: Value) -> Column:
    """``value <op> threshold`` as a Column (the comparison that means drop)."""
    if op in LIST_OPS:
        items = list(threshold) if isinstance(threshold, tuple) else [threshold]
        hit = value.isin(items)
        return hit if op == "in" else ~hit
    lit = F.lit(threshold)
    if op == "gt":
        return value > lit
    if op == "ge":
        return value >= lit
    if op == "lt":
        return value < lit
    if op == "le":
        return value <= lit
    if op == "eq":
        return value == lit
    if op == "ne":
        return value != lit
    raise ValueError(f"unknown op {op!r}")


def rule_fails(rule: RecipeRule, column_types: Mapping[str, str] | None = None) -> Column:
    """A non-null boolean Column: does ``rule`` drop the row? Same semantics as :meth:`RecipeRule.fails`.

    A null (or NaN) signal never fails, unless the rule has ``null_drops``. Per-language overrides become
    ``when(language == x, ...)`` branches in front of the default, so a null or unlisted language uses the default.
    """
    value = F.col(rule.column)
    cond = _condition(value, rule.op, rule.value)
    if rule.overrides:
        lang = F.col(LANGUAGE_COLUMN)
        branches: Column | None = None
        for language, threshold in sorted(rule.overrides.items()):
            test = lang == F.lit(language)
            branch_cond = _condition(value, rule.op, threshold)
            branches = F.when(test, branch_cond) if branches is None else branches.when(test, branch_cond)
        assert branches is not None
        cond = branches.otherwise(cond)
    present = value.isNotNull()
    if column_types is not None and column_types.get(rule.column, "").lower() in ("double", "float"):
        present = present & ~F.isnan(value)
    if rule.null_drops:  # a null signal fails this rule
        return ~present | F.coalesce(cond, F.lit(False))
    return F.coalesce(present & cond, F.lit(False))


def apply_recipe(signals: DataFrame, recipe: Recipe, column_types: Mapping[str, str] | None = None) -> DataFrame:
    """Add ``first_failing_rule``, ``first_failing_version`` and ``failing_rules`` (recipe order) to a signals frame.

    The per-rule flags are computed once as ``_fail_<i>`` columns, then dropped.
    """
    flags = [f"_fail_{i}" for i in range(len(recipe.rules))]
    df = signals.select("*", *[rule_fails(r, column_types).alias(f) for r, f in zip(recipe.rules, flags, strict=True)])
    names = [F.when(F.col(f), F.lit(r.name)) for r, f in zip(recipe.rules, flags, strict=True)]
    versions = [F.when(F.col(f), F.lit(r.version)) for r, f in zip(recipe.rules, flags, strict=True)]
    return df.select(
        "*",
        F.coalesce(*names).alias("first_failing_rule"),
        F.coalesce(*versions).alias("first_failing_version"),
        F.filter(F.array(*names), lambda x: x.isNotNull()).alias("failing_rules"),
    ).drop(*flags)


def build_decisions(
    documents: DataFrame,
    signals: DataFrame,
    recipe: Recipe,
    run_id: str,
    column_types: Mapping[str, str] | None = None,
) -> DataFrame:
    """One decision row per documents row (see the module docstring); columns of :data:`DECISIONS_SCHEMA`."""
    needed = [c for c in dict.fromkeys([LANGUAGE_COLUMN, *recipe.columns]) if c not in KEYS]
    sig = signals.select(*KEYS, *needed, F.lit(True).alias("_has_signals"))
    sig = apply_recipe(sig, recipe, column_types)
    docs = documents.select(*KEYS, "extract_status")
    joined = docs.join(sig, list(KEYS), "left")

    status = F.col("extract_status")
    extract_failed = status.isNull() | (status != F.lit(EXTRACT_OK))
    extract_rule = F.concat(F.lit(EXTRACT_PREFIX), F.coalesce(status, F.lit("unknown")))
    missing = F.col("_has_signals").isNull()
    first = (
        F.when(extract_failed, extract_rule)
        .when(missing, F.lit(MISSING_SIGNALS))
        .otherwise(F.col("first_failing_rule"))
    )
    failing = (
        F.when(extract_failed, F.array(extract_rule))
        .when(missing, F.array(F.lit(MISSING_SIGNALS)))
        .otherwise(F.col("failing_rules"))
    )
    version = F.when(extract_failed | missing, F.lit(None).cast("string")).otherwise(F.col("first_failing_version"))
    return joined.select(
        *KEYS,
        F.col(LANGUAGE_COLUMN).cast("string").alias("language"),
        first.isNull().alias("keep"),
        first.alias("first_failing_rule"),
        version.alias("first_failing_version"),
        failing.alias("failing_rules"),
        F.lit(recipe.name).alias("recipe"),
        F.lit(recipe.version).alias("recipe_version"),
        F.lit(recipe.hash).alias("recipe_hash"),
        F.lit(run_id).alias("run_id"),
    )


def select_drop_samples(decisions: DataFrame, documents: DataFrame, per_rule: int) -> DataFrame:
    """Up to ``per_rule`` dropped documents per (source, snapshot, first_failing_rule), by ``xxhash64(doc_id)``.

    The ranking reads only the decisions' key columns; ``row_number() <= n`` over a window is planned as a
    per-partition group limit before the shuffle (Spark 3.5+ ``WindowGroupLimit``), so a rule that drops a
    billion documents does not sort them in one task. Only the chosen keys are joined to ``documents`` for
    their url and text.
    """
    w = Window.partitionBy("source", "snapshot", "first_failing_rule").orderBy(
        F.xxhash64("doc_id"), F.col("doc_id"), F.col("file_id")
    )
    chosen = (
        decisions.where(~F.col("keep"))
        .select(*KEYS, "first_failing_rule", "language", "failing_rules", "recipe", "recipe_version", "recipe_hash")
        .withColumn("sample_rank", F.row_number().over(w))
        .where(F.col("sample_rank") <= F.lit(per_rule))
    )
    docs = documents.select(*KEYS, "url", F.substring("text", 1, SAMPLE_TEXT_CHARS).alias("text"))
    return docs.join(F.broadcast(chosen), list(KEYS), "inner").select(
        "source",
        "snapshot",
        "first_failing_rule",
        F.col("sample_rank").cast("int").alias("sample_rank"),
        "doc_id",
        "file_id",
        "url",
        "language",
        "text",
        "failing_rules",
        "recipe",
        "recipe_version",
        "recipe_hash",
    )


def stage_rows(
    counts: Iterable[Mapping[str, Any]], recipe: Recipe, source: str, snapshot: str
) -> list[dict[str, Any]]:
    """stage_stats rows from (language, first_failing_rule, n) counts of one scope.

    Per language, the chain is: every ``extract/<status>`` seen (sorted), ``select/missing_signals`` if seen,
    then every recipe rule in order; each rule's docs_in is what the previous rule let through, so
    docs_in = docs_out + docs_dropped along the chain and the last docs_out is the kept count. A ``kept`` row
    per language gives docs_in = all documents, docs_out = kept.
    """
    by_lang: dict[str | None, dict[str | None, int]] = defaultdict(dict)
    for c in counts:
        rules = by_lang[c["language"]]
        rules[c["first_failing_rule"]] = rules.get(c["first_failing_rule"], 0) + int(c["n"])
    recipe_names = [r.name for r in recipe.rules]
    known = set(recipe_names)
    rows: list[dict[str, Any]] = []

    def row(language: str | None, rule: str, docs_in: int, dropped: int) -> dict[str, Any]:
        return {
            "source": source,
            "snapshot": snapshot,
            "stage": STAGE,
            "language": language,
            "rule": rule,
            "docs_in": docs_in,
            "docs_out": docs_in - dropped,
            "docs_dropped": dropped,
        }

    for language in sorted(by_lang, key=lambda x: (x is not None, x or "")):
        dropped_by = by_lang[language]
        total = sum(dropped_by.values())
        kept = dropped_by.get(None, 0)
        unknown = [r for r in dropped_by if r is not None and r not in known and not _is_job_rule(r)]
        if unknown:
            raise RuntimeError(f"decisions hold rules that are not in recipe {recipe.name!r}: {unknown}")
        rows.append(row(language, KEPT, total, total - kept))
        chain = sorted(r for r in dropped_by if r is not None and r.startswith(EXTRACT_PREFIX))
        if MISSING_SIGNALS in dropped_by:
            chain.append(MISSING_SIGNALS)
        remaining = total
        for rule in chain:
            rows.append(row(language, rule, remaining, dropped_by[rule]))
            remaining -= dropped_by[rule]
        if remaining > 0:
            for rule in recipe_names:
                rows.append(row(language, rule, remaining, dropped_by.get(rule, 0)))
                remaining -= dropped_by.get(rule, 0)
        if remaining != kept:
            raise AssertionError(f"stage chain for language {language!r} ends at {remaining}, kept is {kept}")
    return rows


def _is_job_rule(rule: str) -> bool:
    return rule.startswith(EXTRACT_PREFIX) or rule == MISSING_SIGNALS


# --------------------------------------------------------------------------------------------------
# The job


def describe_plan(cfg: CrawlforgeConfig) -> str:
    """The recipe as a table, the scope and the tables read and written (for ``--dry-run``)."""
    recipe = load_recipe(cfg.select.recipe)
    source, snapshot = scope_of(cfg)
    root = cfg.lake.root
    lines = [
        f"# select: recipe {recipe.name} version {recipe.version} (hash {recipe.hash}) from {recipe.origin}",
        f"# scope: source={source} snapshot={snapshot}",
        f"# reads: {delta_io.table_path(root, DOCUMENTS_TABLE)}, {delta_io.table_path(root, SIGNALS_TABLE)}",
        f"# writes (replaceWhere on the scope): {delta_io.table_path(root, DECISIONS.name)}, "
        f"{delta_io.table_path(root, DROP_SAMPLES.name)} (up to {cfg.select.drop_samples_per_rule} per rule); "
        "appends stage_stats",
        "# a rule drops a document when `column op value` holds; a null signal never fails a rule (unless the rule "
        "has null_drops); documents not extracted are dropped as extract/<status>",
    ]
    known = {*SIGNAL_COLUMNS, LANGUAGE_COLUMN, "language_score"}
    other = [c for c in recipe.columns if c not in known]
    if other:
        lines.append(f"# columns from other score jobs (checked against the signals table at run time): {other}")
    lines.append(recipe.table())
    return "\n".join(lines)


def _column_types(df: DataFrame) -> dict[str, str]:
    return {f.name: f.dataType.simpleString() for f in df.schema.fields}


def _inputs(
    spark: SparkSession, cfg: CrawlforgeConfig, recipe: Recipe, scope: Column
) -> tuple[DataFrame, DataFrame, dict[str, str]]:
    """The scoped documents and signals (with the family columns the recipe reads), checked against the recipe
    before any work."""
    root = cfg.lake.root
    for name, job in ((DOCUMENTS_TABLE, "extract"), (SIGNALS_TABLE, "annotate")):
        if not delta_io.table_exists(spark, root, name):
            raise RuntimeError(f"select needs the {name} table at {delta_io.table_path(root, name)}; run {job} first")
    documents = delta_io.read_table(spark, root, DOCUMENTS_TABLE).where(scope)
    signals = delta_io.read_table(spark, root, SIGNALS_TABLE).where(scope)
    signals = joined_signals(spark, root, signals, recipe.columns, scope)
    missing_docs = [c for c in DOCUMENTS_COLUMNS if c not in documents.columns]
    if missing_docs:
        raise RuntimeError(f"the documents table lacks columns {missing_docs}")
    sig_types = _column_types(signals)
    missing_sig = [c for c in (*KEYS, LANGUAGE_COLUMN) if c not in sig_types]
    if missing_sig:
        raise RuntimeError(f"the signals table lacks columns {missing_sig}")
    recipe.check_columns(sig_types)
    return documents, signals, sig_types


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> SelectResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    recipe = load_recipe(cfg.select.recipe)
    source, snapshot = scope_of(cfg)
    in_scope = (F.col("source") == source) & (F.col("snapshot") == snapshot)
    documents, signals, sig_types = _inputs(spark, cfg, recipe, in_scope)
    root = cfg.lake.root
    predicate = delta_io.scope_predicate(source, snapshot)
    result = SelectResult(run_id, source, snapshot, recipe.name, recipe.version, recipe.hash)
    log.info(
        "select %s/%s: recipe %s v%s (%s, %d rules)",
        source,
        snapshot,
        recipe.name,
        recipe.version,
        recipe.hash,
        len(recipe.rules),
    )
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        delta_io.ensure_table(spark, root, DECISIONS)
        delta_io.ensure_table(spark, root, DROP_SAMPLES)

        decisions = build_decisions(documents, signals, recipe, run_id, sig_types)
        delta_io.replace_where(decisions, root, DECISIONS, predicate, run_id)

        written = delta_io.read_table(spark, root, DECISIONS.name).where(in_scope & (F.col("run_id") == run_id))
        counts = [
            r.asDict()
            for r in written.groupBy("language", "first_failing_rule").agg(F.count(F.lit(1)).alias("n")).collect()
        ]  # one small row per (language, rule): never documents
        rows = stage_rows(counts, recipe, source, snapshot)
        for c in counts:
            result.docs += int(c["n"])
            if c["first_failing_rule"] is None:
                result.kept += int(c["n"])
            else:
                rule = c["first_failing_rule"]
                result.dropped_by_rule[rule] = result.dropped_by_rule.get(rule, 0) + int(c["n"])

        per_rule = cfg.select.drop_samples_per_rule
        if per_rule > 0:
            samples = select_drop_samples(written, documents, per_rule).withColumn("run_id", F.lit(run_id))
        else:
            samples = spark.createDataFrame([], DROP_SAMPLES.schema)
        delta_io.replace_where(samples, root, DROP_SAMPLES, predicate, run_id)

        recorder.counts = {
            "docs": result.docs,
            "kept": result.kept,
            "dropped": result.dropped,
            "extract_failed": sum(v for k, v in result.dropped_by_rule.items() if k.startswith(EXTRACT_PREFIX)),
            "missing_signals": result.dropped_by_rule.get(MISSING_SIGNALS, 0),
        }
        recorder.stage_stats(rows)
        recorder.message = f"recipe {recipe.name} v{recipe.version} hash {recipe.hash} ({recipe.origin})"
    if result.docs == 0:
        log.warning("select %s/%s: the documents table has no rows for this scope", source, snapshot)
    log.info(
        "select %s/%s: %d documents, %d kept, %d dropped; top reasons: %s",
        source,
        snapshot,
        result.docs,
        result.kept,
        result.dropped,
        ", ".join(f"{k}={v}" for k, v in sorted(result.dropped_by_rule.items(), key=lambda kv: -kv[1])[:5]),
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)


__all__ = [
    "DECISIONS",
    "DROP_SAMPLES",
    "RecipeError",
    "SelectResult",
    "apply_recipe",
    "build_decisions",
    "describe_plan",
    "main",
    "rule_fails",
    "run",
    "select_drop_samples",
    "stage_rows",
]
