"""cutoffs: per-language perplexity percentiles -> the versioned ``perplexity_cutoffs`` table, and the buckets.

CCNet buckets each document by its language's perplexity percentiles: ``head`` if ``pp < p30``, ``middle`` if
``pp < p60``, ``tail`` otherwise, ``all`` with no cutoffs or no perplexity (``PerplexityBucket(cutoff_csv,
percentile_head=30, percentile_tail=60)``, facebookresearch/cc_net@bda555bd ``perplexity.py``). Its
``cutoff.csv`` has no generating script (anchors.md B1); this job computes the table from the data instead:

* ``ccnet.cutoffs.use=data``: percentiles 0..100 of ``perplexity`` per ``ccnet_language`` over the scope's
  ``signals_ccnet`` rows, with Spark's ``percentile_approx`` (bounded memory; ``accuracy`` sets the rank error
  to 1/accuracy) or exact ``percentile``; one aggregation, one small row per language reaches the driver.
  Languages with fewer than ``min_docs`` scored documents get no cutoffs (their bucket is ``all``).
* ``ccnet_published``: CCNet's own ``cutoff.csv`` (shipped in ``lib/resources/ccnet/``; only meaningful with
  CCNet's published Wikipedia models).
* ``table``: the newest version already stored.

A version is the first 12 hex digits of a sha256 over the method, percentiles and values, so the same data
gives the same version and storing it twice is a no-op. The chosen cutoffs are then applied: one Delta
``UPDATE`` of ``perplexity_bucket`` and ``ccnet_cutoffs_version`` over the scope of ``signals_ccnet`` (scores
stay data: changing cutoffs re-buckets without re-scoring, and ``select`` reads the bucket).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import PERPLEXITY_CUTOFFS, SIGNALS_CCNET
from crawlforge.lib.config import CcnetCutoffsConfig, CrawlforgeConfig
from crawlforge.lib.perplexity import load_cutoffs


log = logging.getLogger(__name__)
JOB = "cutoffs"
PERCENTILES = [p / 100 for p in range(101)]
BUCKETS = ("head", "middle", "tail", "all")


@dataclass(frozen=True)
class Cutoffs:
    """One version of per-language cutoffs: ``by_language[lang] = (p_head, p_tail)``."""

    version: str
    method: str
    percentile_head: int
    percentile_tail: int
    by_language: Mapping[str, tuple[float, float]]
    percentiles: Mapping[str, list[float] | None] = field(default_factory=dict)
    docs: Mapping[str, int] = field(default_factory=dict)


def cutoffs_version(method: str, head: int, tail: int, by_language: Mapping[str, tuple[float, float]]) -> str:
    payload = json.dumps([method, head, tail, sorted((k, list(v)) for k, v in by_language.items())])
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def make_cutoffs(
    method: str,
    head: int,
    tail: int,
    by_language: Mapping[str, tuple[float, float]],
    percentiles: Mapping[str, list[float] | None] | None = None,
    docs: Mapping[str, int] | None = None,
) -> Cutoffs:
    return Cutoffs(
        cutoffs_version(method, head, tail, by_language), method, head, tail, dict(by_language),
        dict(percentiles or {}), dict(docs or {}),
    )  # fmt: skip


def published_csv(cfg: CcnetCutoffsConfig) -> Path:
    if cfg.csv:
        return Path(cfg.csv)
    return Path(str(resources.files("crawlforge.lib").joinpath("resources/ccnet/cutoff.csv")))


def published_cutoffs(cfg: CcnetCutoffsConfig) -> Cutoffs:
    """CCNet's ``cutoff.csv`` rows ``percentile_head`` / ``percentile_tail`` for its 48 languages."""
    by_language = load_cutoffs(published_csv(cfg), cfg.percentile_head, cfg.percentile_tail)
    return make_cutoffs("ccnet_published", cfg.percentile_head, cfg.percentile_tail, by_language)


def compute_from_data(scored: DataFrame, cfg: CcnetCutoffsConfig) -> Cutoffs:
    """Percentiles 0..100 of ``perplexity`` per ``ccnet_language`` (rows with a perplexity); see module docstring."""
    pp = F.col("perplexity")
    rows = scored.where(pp.isNotNull() & ~F.isnan(pp) & (pp >= 0) & F.col("ccnet_language").isNotNull())
    if cfg.method == "approx":
        agg = F.percentile_approx(pp, PERCENTILES, cfg.accuracy)
    else:
        agg = F.percentile(pp, F.array(*[F.lit(p) for p in PERCENTILES]))
    stats = rows.groupBy("ccnet_language").agg(F.count(F.lit(1)).alias("docs"), agg.alias("percentiles"))
    by_language: dict[str, tuple[float, float]] = {}
    percentiles: dict[str, list[float] | None] = {}
    docs: dict[str, int] = {}
    for r in stats.collect():  # one row per language: 101 numbers each
        if int(r["docs"]) < cfg.min_docs:
            continue
        values = [float(v) for v in r["percentiles"]]
        lang = r["ccnet_language"]
        by_language[lang] = (values[cfg.percentile_head], values[cfg.percentile_tail])
        percentiles[lang] = values
        docs[lang] = int(r["docs"])
    return make_cutoffs("data", cfg.percentile_head, cfg.percentile_tail, by_language, percentiles, docs)


def latest_stored(spark: SparkSession, root: str) -> Cutoffs | None:
    """The newest version in ``perplexity_cutoffs`` (by ``created_at``), or None."""
    if not delta_io.table_exists(spark, root, PERPLEXITY_CUTOFFS.name):
        return None
    table = delta_io.read_table(spark, root, PERPLEXITY_CUTOFFS.name)
    newest = table.groupBy("version").agg(F.max("created_at").alias("t")).orderBy(F.desc("t"), "version").limit(1)
    found = newest.collect()
    if not found:
        return None
    version = found[0]["version"]
    rows = table.where(F.col("version") == version).collect()  # one row per language
    first = rows[0]
    return Cutoffs(
        version, first["method"], int(first["percentile_head"]), int(first["percentile_tail"]),
        {r["language"]: (float(r["p_head"]), float(r["p_tail"])) for r in rows},
        {r["language"]: list(r["percentiles"]) if r["percentiles"] else None for r in rows},
        {r["language"]: int(r["docs"] or 0) for r in rows},
    )  # fmt: skip


def store(
    spark: SparkSession, root: str, cutoffs: Cutoffs, computed_from: str, lm_version: str | None, run_id: str
) -> bool:
    """Append the version's rows unless that version is already stored; True when rows were written."""
    delta_io.ensure_table(spark, root, PERPLEXITY_CUTOFFS)
    table = delta_io.read_table(spark, root, PERPLEXITY_CUTOFFS.name)
    if not cutoffs.by_language or table.where(F.col("version") == cutoffs.version).limit(1).count() > 0:
        return False
    now = datetime.now(UTC)
    rows = [
        (
            cutoffs.version, lang, head, tail, cutoffs.percentile_head, cutoffs.percentile_tail,
            cutoffs.percentiles.get(lang), cutoffs.docs.get(lang), cutoffs.method, computed_from, lm_version, now,
            run_id,
        )
        for lang, (head, tail) in sorted(cutoffs.by_language.items())
    ]  # fmt: skip
    delta_io.append(spark.createDataFrame(rows, PERPLEXITY_CUTOFFS.schema), root, PERPLEXITY_CUTOFFS, run_id)
    return True


def bucket_column(
    by_language: Mapping[str, tuple[float, float]] | None,
    perplexity: Column | None = None,
    language: Column | None = None,
) -> Column:
    """CCNet ``PerplexityBucket.get_bucket`` as a Spark expression (equal to ``lib.perplexity.perplexity_bucket``).

    ``all`` when the perplexity is null, NaN or negative or the language has no cutoffs; else ``head`` if
    ``pp < p_head``, ``middle`` if ``pp < p_tail``, ``tail`` otherwise.
    """
    pp = perplexity if perplexity is not None else F.col("perplexity")
    lang = language if language is not None else F.col("ccnet_language")
    expr = F.when(pp.isNull() | F.isnan(pp) | (pp < F.lit(0.0)), F.lit("all"))
    for code, (head, tail) in sorted((by_language or {}).items()):
        is_lang = lang == F.lit(code)
        expr = (
            expr.when(is_lang & (pp < F.lit(float(head))), F.lit("head"))
            .when(is_lang & (pp < F.lit(float(tail))), F.lit("middle"))
            .when(is_lang, F.lit("tail"))
        )
    return expr.otherwise(F.lit("all"))


def apply_buckets(spark: SparkSession, root: str, predicate: str, cutoffs: Cutoffs | None) -> None:
    """Re-bucket the ``signals_ccnet`` rows matching ``predicate`` with ``cutoffs`` (one Delta UPDATE commit)."""
    table = DeltaTable.forPath(spark, delta_io.table_path(root, SIGNALS_CCNET.name))
    updates = {
        "perplexity_bucket": bucket_column(cutoffs.by_language if cutoffs else None),
        "ccnet_cutoffs_version": F.lit(cutoffs.version if cutoffs else None).cast("string"),
    }
    delta_io.with_commit_retries(lambda: table.update(F.expr(predicate), updates), "re-bucket signals_ccnet")


# --------------------------------------------------------------------------------------------------
# The job


def scopes_predicate(scopes: Sequence[tuple[str, str]]) -> str:
    return " OR ".join(f"({delta_io.scope_predicate(src, snap)})" for src, snap in scopes)


def resolve_cutoffs(spark: SparkSession, cfg: CrawlforgeConfig, scored: DataFrame | None) -> Cutoffs | None:
    """The cutoffs ``ccnet.cutoffs.use`` asks for (``data`` needs the scored rows)."""
    c = cfg.ccnet.cutoffs
    if c.use == "none":
        return None
    if c.use == "ccnet_published":
        return published_cutoffs(c)
    if c.use == "table":
        stored = latest_stored(spark, cfg.lake.root)
        if stored is None:
            raise RuntimeError(
                "ccnet.cutoffs.use=table but the perplexity_cutoffs table has no version; run `crawlforge cutoffs` "
                "with ccnet.cutoffs.use=data (or ccnet_published) first"
            )
        return stored
    if scored is None:
        raise ValueError("data cutoffs need scored rows")
    return compute_from_data(scored, c)


def compute_store_apply(
    spark: SparkSession, cfg: CrawlforgeConfig, scopes: Sequence[tuple[str, str]], run_id: str
) -> tuple[Cutoffs | None, bool]:
    """Resolve the cutoffs from the scope's ``signals_ccnet`` rows, store the version, re-bucket the scope."""
    root = cfg.lake.root
    if not delta_io.table_exists(spark, root, SIGNALS_CCNET.name):
        raise RuntimeError("the signals_ccnet table does not exist yet; run `crawlforge ccnet` first")
    predicate = scopes_predicate(scopes)
    scored = delta_io.read_table(spark, root, SIGNALS_CCNET.name).where(F.expr(predicate))
    cutoffs = resolve_cutoffs(spark, cfg, scored)
    stored = False
    if cutoffs is not None:
        lm_versions = [
            r[0] for r in scored.select("ccnet_lm_version").distinct().where("ccnet_lm_version IS NOT NULL").collect()
        ]  # a few model versions, never documents
        use = cfg.ccnet.cutoffs.use
        computed_from = {
            "data": f"signals_ccnet where {predicate}",
            "ccnet_published": str(published_csv(cfg.ccnet.cutoffs)),
        }.get(use, "perplexity_cutoffs")
        stored = store(spark, root, cutoffs, computed_from, ",".join(sorted(lm_versions)) or None, run_id)
    apply_buckets(spark, root, predicate, cutoffs)
    return cutoffs, stored


def describe_plan(cfg: CrawlforgeConfig) -> str:
    from crawlforge.jobs.ccnet import describe_scope

    c = cfg.ccnet.cutoffs
    return (
        f"# cutoffs: use={c.use} head<p{c.percentile_head} tail>=p{c.percentile_tail} method={c.method} "
        f"(accuracy {c.accuracy}, min_docs {c.min_docs})\n# scope: {describe_scope(cfg)}\n"
        f"# writes {delta_io.table_path(cfg.lake.root, PERPLEXITY_CUTOFFS.name)} and updates perplexity_bucket in "
        f"{delta_io.table_path(cfg.lake.root, SIGNALS_CCNET.name)}"
    )


def bucket_counts(spark: SparkSession, root: str, predicate: str) -> list[dict]:
    df = delta_io.read_table(spark, root, SIGNALS_CCNET.name).where(F.expr(predicate))
    agg = df.groupBy("source", "snapshot", "ccnet_language", "perplexity_bucket").count()
    return [r.asDict() for r in agg.collect()]  # per language x bucket


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> Cutoffs | None:
    from crawlforge.jobs.ccnet import dedup_scopes

    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        scopes = dedup_scopes(spark, cfg)
        cutoffs, stored = compute_store_apply(spark, cfg, scopes, run_id)
        counts = bucket_counts(spark, cfg.lake.root, scopes_predicate(scopes))
        recorder.counts = {
            f"bucket_{b}": sum(int(r["count"]) for r in counts if r["perplexity_bucket"] == b) for b in BUCKETS
        }
        recorder.counts["languages"] = len(cutoffs.by_language) if cutoffs else 0
        recorder.message = (
            f"cutoffs {cutoffs.version} ({cutoffs.method}, stored={stored})" if cutoffs else "no cutoffs"
        )
        recorder.stage_stats(
            [
                {"source": r["source"], "snapshot": r["snapshot"], "stage": JOB, "language": r["ccnet_language"],
                 "rule": f"bucket/{r['perplexity_bucket']}", "docs_in": int(r["count"]), "docs_out": int(r["count"]),
                 "docs_dropped": 0}
                for r in counts
            ]
        )  # fmt: skip
    if cutoffs:
        log.info("cutoffs %s (%s): %s", cutoffs.version, cutoffs.method, dict(sorted(cutoffs.by_language.items())))
    return cutoffs


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
