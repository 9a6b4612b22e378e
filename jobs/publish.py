"""publish: selected, deduplicated, redacted documents -> the ``corpus`` table (MERGE), plus removal requests.

For the scope ``(source, snapshot)`` (``scope.*``), publish takes the documents the ``decisions`` table keeps and:

1. leaves out the non-survivors of near-dedup: ``jobs/dedup.py``'s ``dedup_removed`` when that module exists, else
   the ``duplicates`` table's non-survivor rows when it exists, else nothing (``publish.apply_dedup=false`` turns it
   off); the run message says which;
2. leaves out every document matched by a removal request (the ``removals`` table: ``doc_id``, exact ``url``, or
   ``domain``, which matches the host and all its subdomains);
3. joins the text (``documents``), provenance (``raw``: WARC record id, date, file path, offset, length, payload
   digest) and key signals (``signals``: language; family tables when they exist: ``perplexity``,
   ``perplexity_bucket``, ``quality_ensemble_bucket``, ``decontam_hits``, the licence evidence ``rights_license``,
   ``rights_license_class``, ``rights_license_url``, ``rights_tdm_reserved``, ``rights_noai``,
   ``rights_robots_ai_disallowed``; a missing family gives nulls);
4. drops the lines CCNet paragraph dedup removed (``ccnet_removed_lines``, when the ccnet family has it), redacts PII
   (``publish.pii_mode``: typed placeholders, FineWeb's dummy values, or ``off``) and counts it per type;
5. MERGEs into ``corpus`` on ``(source, snapshot, doc_id)``: new documents are inserted, changed ones (text, bucket,
   recipe or any signal) updated, unchanged ones left alone, and documents of the scope no longer selected deleted.
   Publishing again with the same inputs changes nothing (the MERGE reports 0 rows touched);
6. applies every removal request to the whole corpus (all scopes) with one MERGE ... DELETE, so an opt-out also
   removes documents published earlier, and writes ``signals_pii`` (counts per type) for the scope's corpus rows.

``corpus`` is partitioned by ``source``, ``snapshot``, ``language`` (``unknown`` when null) and ``bucket`` (the first
non-null of ``publish.bucket_columns``, else ``all``). Every write carries the run id as Delta ``userMetadata``, so
``DESCRIBE HISTORY corpus`` lists each publish and removal with its inserted/updated/deleted row counts.

Removal requests are added with ``--set 'publish.remove=["domain:example.com","url:https://...","doc_id:..."]'``
(recorded in ``removals`` with ``publish.remove_reason`` and the time, idempotently: the same request twice is one
row) and honoured by every later publish and export.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StructField, StructType

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.schema_evolution import add_missing_columns
from crawlforge.jobs.signal_families import joined_signals
from crawlforge.jobs.tables import CORPUS, CORPUS_RIGHTS_FIELDS, PII_TYPES, REMOVALS, SIGNALS_PII
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.pii import count_pii
from crawlforge.udfs.pii_udf import REMOVED_LINES, PiiTaskOptions, make_publish_fn


log = logging.getLogger(__name__)
JOB = "publish"
KEYS = ("source", "snapshot", "doc_id", "file_id")
MERGE_KEYS = ("source", "snapshot", "doc_id")
REMOVAL_KINDS = ("doc_id", "url", "domain")
UNKNOWN_LANGUAGE = "unknown"
DEFAULT_BUCKET = "all"
# signal column in the logical signals row -> corpus column
SIGNAL_COLUMNS = {
    "language_score": "language_score",
    "perplexity": "perplexity",
    "perplexity_bucket": "perplexity_bucket",
    "quality_ensemble_bucket": "quality_bucket",
    "decontam_hits": "decontam_hits",
    **{name: name for name, _ in CORPUS_RIGHTS_FIELDS},
}
PROVENANCE = ("warc_record_id", "warc_date", "file_path", "offset", "length", "payload_digest")
# columns whose change makes a MERGE update a row (everything but the run id and publication time)
_COMPARED = [f.name for f in CORPUS.schema.fields if f.name not in (*MERGE_KEYS, "published_at", "run_id")]


@dataclass
class PublishResult:
    run_id: str
    source: str
    snapshot: str
    selected: int = 0
    dedup_removed: int = 0
    optout_removed: int = 0
    published: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    removed_from_corpus: int = 0
    applied: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Removal requests


def parse_removal(item: str) -> tuple[str, str]:
    """``'domain:Example.com'`` -> ``('domain', 'example.com')``; raises ``ValueError`` naming the kinds."""
    kind, sep, value = item.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or kind not in REMOVAL_KINDS or not value:
        raise ValueError(
            f"removal request {item!r}: expected one of {', '.join(k + ':<value>' for k in REMOVAL_KINDS)}"
        )
    if kind == "domain":
        value = value.lower().rstrip(".")
        if value.startswith("*."):
            value = value[2:]
    return kind, value


def request_id(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}\x00{value}".encode()).hexdigest()[:32]


def record_removals(spark: SparkSession, root: str, items: Sequence[str], reason: str, run_id: str) -> int:
    """Add removal requests (idempotent: MERGE on the request id); returns how many were new."""
    if not items:
        return 0
    parsed = sorted({parse_removal(i) for i in items})
    now = datetime.now(UTC)
    rows = [(request_id(k, v), k, v, reason, now, run_id) for k, v in parsed]
    src = spark.createDataFrame(rows, REMOVALS.schema)
    delta_io.ensure_table(spark, root, REMOVALS)
    table = DeltaTable.forPath(spark, delta_io.table_path(root, REMOVALS.name))

    def merge() -> None:
        (table.alias("t").merge(src.alias("s"), "t.request_id = s.request_id").whenNotMatchedInsertAll().execute())

    before = table.toDF().count()
    with_metadata(spark, run_id, merge, "record removal requests")
    return table.toDF().count() - before


def _host_col(df: DataFrame) -> Column:
    host = F.col("host") if "host" in df.columns else F.lit(None).cast("string")
    return F.lower(F.coalesce(host, F.expr("parse_url(url, 'HOST')")))


def removal_matches(df: DataFrame, removals: DataFrame) -> DataFrame:
    """The rows of ``df`` (with ``doc_id``, ``url``, and ``host`` or a parsable url) that a request matches, as
    the document key (``KEYS`` present in ``df``) and ``removal_kind``; distinct. Three equi-joins, no driver work:
    a domain request matches every suffix of the host (``a.b.example.com`` -> ``b.example.com``, ``example.com``)."""
    keys = [k for k in KEYS if k in df.columns]
    by_doc = df.join(
        removals.where(F.col("kind") == "doc_id").select(F.col("value").alias("doc_id")).distinct(), "doc_id"
    ).select(*keys, F.lit("doc_id").alias("removal_kind"))
    by_url = df.join(
        removals.where(F.col("kind") == "url").select(F.col("value").alias("url")).distinct(), "url"
    ).select(*keys, F.lit("url").alias("removal_kind"))
    parts = F.split(_host_col(df), r"\.")
    suffixes = F.expr(
        "transform(sequence(1, greatest(size(_parts), 1)), i -> array_join(slice(_parts, i, size(_parts)), '.'))"
    )
    hosts = df.select(*keys, parts.alias("_parts")).where(F.col("_parts").isNotNull())
    hosts = hosts.select(*keys, F.explode(suffixes).alias("_suffix"))
    by_domain = hosts.join(
        removals.where(F.col("kind") == "domain").select(F.col("value").alias("_suffix")).distinct(), "_suffix"
    ).select(*keys, F.lit("domain").alias("removal_kind"))
    return by_doc.unionByName(by_url).unionByName(by_domain).dropDuplicates(keys)


def read_removals(spark: SparkSession, root: str) -> DataFrame | None:
    if not delta_io.table_exists(spark, root, REMOVALS.name):
        return None
    return delta_io.read_table(spark, root, REMOVALS.name)


# --------------------------------------------------------------------------------------------------
# Helpers


def with_metadata(spark: SparkSession, run_id: str, action: Any, what: str) -> None:
    """Run a Delta MERGE/DELETE with the run id as ``userMetadata`` (DESCRIBE HISTORY shows which run)."""
    key = "spark.databricks.delta.commitInfo.userMetadata"
    spark.conf.set(key, run_id)
    try:
        delta_io.with_commit_retries(action, what)
    finally:
        spark.conf.unset(key)


def last_operation_metrics(spark: SparkSession, root: str, name: str) -> dict[str, int]:
    row = DeltaTable.forPath(spark, delta_io.table_path(root, name)).history(1).collect()[0]
    return {k: int(v) for k, v in (row["operationMetrics"] or {}).items() if str(v).lstrip("-").isdigit()}


def dedup_removed(spark: SparkSession, root: str, source: str, snapshot: str) -> tuple[DataFrame | None, str]:
    """(source, snapshot, doc_id, file_id, reason) of near-duplicates to leave out, and where they came from.

    ``jobs/dedup.py`` (the dedup job) owns the survivor rule; its ``dedup_removed(spark, root, scope)`` is used when
    the module exists. Without it, the ``duplicates`` table's rows whose survivor flag is false are used; without
    that table, nothing is removed.
    """
    scope = (F.col("source") == source) & (F.col("snapshot") == snapshot)
    try:
        from crawlforge.jobs import dedup as dedup_job  # type: ignore[attr-defined]
    except ImportError:
        dedup_job = None
    if dedup_job is not None and hasattr(dedup_job, "dedup_removed"):
        if not delta_io.table_exists(spark, root, "duplicates"):
            return None, "no duplicates table: no near-dedup applied"
        try:
            removed = dedup_job.dedup_removed(spark, root, scope)
        except TypeError:
            removed = dedup_job.dedup_removed(spark, root, (source, snapshot))
        return removed.where(scope).select(*KEYS, F.col("reason").cast("string")), "dedup: jobs.dedup.dedup_removed"
    if not delta_io.table_exists(spark, root, "duplicates"):
        return None, "no duplicates table: no near-dedup applied"
    dups = delta_io.read_table(spark, root, "duplicates").where(scope)
    flag = next((c for c in ("survivor", "is_survivor", "keep") if c in dups.columns), None)
    if flag is None:
        raise RuntimeError(f"the duplicates table has no survivor column (columns: {dups.columns})")
    reason = F.col("rule").cast("string") if "rule" in dups.columns else F.lit("near_duplicate")
    removed = dups.where(~F.col(flag)).select(*KEYS, F.concat(F.lit("dedup/"), reason).alias("reason"))
    return removed, "dedup: duplicates table (non-survivors)"


def _with_signals(spark: SparkSession, root: str, kept: DataFrame, scope: Column) -> tuple[DataFrame, list[str]]:
    """``kept`` with language and the key signal columns (null when no table has them); names of families used."""
    if delta_io.table_exists(spark, root, "signals"):
        base = delta_io.read_table(spark, root, "signals").where(scope)
        base = base.select(*KEYS, "language", "language_score")
    else:
        base = kept.select(*KEYS).withColumn("language", F.lit(None).cast("string"))
        base = base.withColumn("language_score", F.lit(None).cast("double"))
    wanted = [*SIGNAL_COLUMNS, REMOVED_LINES]
    sig = joined_signals(spark, root, base, wanted, scope)
    families = [c for c in wanted if c in sig.columns and c not in base.columns]
    out = kept.join(sig, list(KEYS), "left")
    if delta_io.table_exists(spark, root, "duplicates"):
        dups = delta_io.read_table(spark, root, "duplicates").where(scope)
        if "cluster_size" in dups.columns:
            sizes = dups.select(*KEYS, F.col("cluster_size").cast("long")).dropDuplicates(list(KEYS))
            out = out.join(sizes, list(KEYS), "left")
            families.append("duplicates.cluster_size")
    return out, families


def _conform(df: DataFrame, schema: StructType) -> DataFrame:
    return df.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in schema.fields])


# --------------------------------------------------------------------------------------------------
# The job


def describe_plan(cfg: CrawlforgeConfig) -> str:
    source, snapshot = scope_of(cfg)
    root = cfg.lake.root
    p = cfg.publish
    return "\n".join(
        [
            f"# publish {source}/{snapshot}: decisions(keep) - dedup non-survivors - removals -> "
            f"{delta_io.table_path(root, CORPUS.name)} (MERGE on source, snapshot, doc_id)",
            f"# PII: mode={p.pii_mode} types={p.pii_types}; bucket = first non-null of {p.bucket_columns} else 'all'",
            f"# removal requests to record: {p.remove or 'none'} (reason {p.remove_reason!r})",
            f"# also writes {delta_io.table_path(root, SIGNALS_PII.name)}, {delta_io.table_path(root, REMOVALS.name)}",
        ]
    )


def build_corpus_rows(
    spark: SparkSession, cfg: CrawlforgeConfig, kept: DataFrame, scope: Column, run_id: str, published_at: datetime
) -> tuple[DataFrame, list[str]]:
    """Corpus rows (CORPUS schema) for the kept keys: text, provenance, signals, redaction."""
    root = cfg.lake.root
    docs = delta_io.read_table(spark, root, "documents").where(scope)
    doc_cols = [c for c in ("url", "host", "title", "text", "warc_date") if c in docs.columns]
    rows = kept.join(docs.select(*KEYS, *doc_cols), list(KEYS), "inner")
    if delta_io.table_exists(spark, root, "raw"):
        raw = delta_io.read_table(spark, root, "raw").where(scope)
        prov = [c for c in PROVENANCE if c in raw.columns and c not in rows.columns]
        rows = rows.join(raw.select(*KEYS, *prov), list(KEYS), "left")
    rows, families = _with_signals(spark, root, rows, scope)
    for col in ("host", "title", "warc_date", *PROVENANCE, *SIGNAL_COLUMNS):
        if col not in rows.columns:
            rows = rows.withColumn(col, F.lit(None))
    rows = rows.withColumn("host", _host_col(rows))
    if "cluster_size" not in rows.columns:
        rows = rows.withColumn("cluster_size", F.lit(None).cast("long"))
    bucket_cols = [F.col(c).cast("string") for c in cfg.publish.bucket_columns if c in rows.columns]
    bucket = F.coalesce(*bucket_cols, F.lit(DEFAULT_BUCKET)) if bucket_cols else F.lit(DEFAULT_BUCKET)
    rows = rows.select(
        "*",
        F.coalesce(F.col("language").cast("string"), F.lit(UNKNOWN_LANGUAGE)).alias("_language"),
        bucket.alias("bucket"),
    )
    rows = rows.drop("language").withColumnRenamed("_language", "language")
    payload = [
        *KEYS,
        "language",
        "bucket",
        "url",
        "host",
        "title",
        "text",
        *PROVENANCE,
        *SIGNAL_COLUMNS,
        "cluster_size",
        "recipe",
        "recipe_version",
        "recipe_hash",
    ]
    if REMOVED_LINES in rows.columns:
        payload.append(REMOVED_LINES)
    rows = rows.select(*payload)
    out_fields = [f for f in rows.schema.fields if f.name != REMOVED_LINES]
    out_schema = StructType(
        [
            *out_fields,
            StructField("text_sha256", CORPUS.schema["text_sha256"].dataType),
            StructField("text_chars", CORPUS.schema["text_chars"].dataType),
            *[StructField(f"pii_{t}", CORPUS.schema[f"pii_{t}"].dataType) for t in PII_TYPES],
        ]
    )
    opts = PiiTaskOptions(mode=cfg.publish.pii_mode, types=tuple(cfg.publish.pii_types))
    redacted = rows.mapInPandas(make_publish_fn(opts), out_schema)
    for signal, column in SIGNAL_COLUMNS.items():
        if signal != column:
            redacted = redacted.withColumnRenamed(signal, column)
    redacted = (
        redacted.withColumnRenamed("cluster_size", "dup_cluster_size")
        .withColumn("pii_mode", F.lit(cfg.publish.pii_mode))
        .withColumn("published_at", F.lit(published_at))
        .withColumn("run_id", F.lit(run_id))
    )
    return _conform(redacted, CORPUS.schema), families


def merge_corpus(spark: SparkSession, root: str, rows: DataFrame, source: str, snapshot: str, run_id: str) -> None:
    """MERGE the scope's rows into ``corpus`` (see the module docstring, step 5)."""
    table = DeltaTable.forPath(spark, delta_io.table_path(root, CORPUS.name))
    in_scope = f"t.source = {delta_io.sql_string(source)} AND t.snapshot = {delta_io.sql_string(snapshot)}"
    on = " AND ".join([in_scope, *[f"t.{k} = s.{k}" for k in MERGE_KEYS]])
    changed = " OR ".join(f"NOT (t.`{c}` <=> s.`{c}`)" for c in _COMPARED)

    def merge() -> None:
        (
            table.alias("t")
            .merge(rows.alias("s"), on)
            .whenMatchedUpdateAll(condition=changed)
            .whenNotMatchedInsertAll()
            .whenNotMatchedBySourceDelete(condition=in_scope)
            .execute()
        )

    with_metadata(spark, run_id, merge, "merge into corpus")


def apply_removals_to_corpus(spark: SparkSession, root: str, run_id: str) -> int:
    """Delete every corpus row (all scopes) a removal request matches; returns the rows deleted."""
    removals = read_removals(spark, root)
    if removals is None or not delta_io.table_exists(spark, root, CORPUS.name):
        return 0
    corpus = delta_io.read_table(spark, root, CORPUS.name)
    matches = removal_matches(corpus.select("source", "snapshot", "doc_id", "file_id", "url", "host"), removals)
    if matches.limit(1).count() == 0:
        return 0
    table = DeltaTable.forPath(spark, delta_io.table_path(root, CORPUS.name))
    src = matches.select(*MERGE_KEYS)
    on = " AND ".join(f"t.{k} = s.{k}" for k in MERGE_KEYS)

    def delete() -> None:
        table.alias("t").merge(src.alias("s"), on).whenMatchedDelete().execute()

    with_metadata(spark, run_id, delete, "apply removals to corpus")
    return last_operation_metrics(spark, root, CORPUS.name).get("numTargetRowsDeleted", 0)


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> PublishResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    source, snapshot = scope_of(cfg)
    root = cfg.lake.root
    scope = (F.col("source") == source) & (F.col("snapshot") == snapshot)
    for name, job in (("decisions", "select"), ("documents", "extract")):
        if not delta_io.table_exists(spark, root, name):
            raise RuntimeError(f"publish needs the {name} table at {delta_io.table_path(root, name)}; run {job} first")
    count_pii("", cfg.publish.pii_types)  # an unknown PII type fails here, before any work
    for item in cfg.publish.remove:
        parse_removal(item)
    result = PublishResult(run_id, source, snapshot)
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        add_missing_columns(spark, root, CORPUS)  # creates it; an older corpus gains the licence columns
        delta_io.ensure_table(spark, root, SIGNALS_PII)
        new_requests = record_removals(spark, root, cfg.publish.remove, cfg.publish.remove_reason, run_id)
        if cfg.publish.remove:
            result.applied.append(f"{new_requests} new removal request(s)")

        decisions = delta_io.read_table(spark, root, "decisions").where(scope & F.col("keep"))
        kept = decisions.select(*KEYS, "recipe", "recipe_version", "recipe_hash")
        result.selected = kept.count()

        removed = None
        if cfg.publish.apply_dedup:
            removed, how = dedup_removed(spark, root, source, snapshot)
            result.applied.append(how)
        else:
            result.applied.append("near-dedup off (publish.apply_dedup=false)")
        dedup_counts: dict[str, int] = {}
        if removed is not None:
            hit = kept.join(removed.dropDuplicates(list(KEYS)), list(KEYS), "inner")
            dedup_counts = {
                r["reason"]: int(r["n"]) for r in hit.groupBy("reason").agg(F.count("*").alias("n")).collect()
            }
            result.dedup_removed = sum(dedup_counts.values())
            kept = kept.join(removed.select(*KEYS), list(KEYS), "left_anti")

        removals = read_removals(spark, root)
        optout_counts: dict[str, int] = {}
        if removals is not None:
            docs = delta_io.read_table(spark, root, "documents").where(scope)
            host = [c for c in ("host",) if c in docs.columns]
            candidates = kept.join(docs.select(*KEYS, "url", *host), list(KEYS), "inner")
            matched = removal_matches(candidates, removals)
            optout_counts = {
                r["removal_kind"]: int(r["n"])
                for r in matched.groupBy("removal_kind").agg(F.count("*").alias("n")).collect()
            }
            result.optout_removed = sum(optout_counts.values())
            kept = kept.join(matched.select(*KEYS), list(KEYS), "left_anti")
            result.applied.append(f"removals: {removals.count()} request(s)")

        published_at = datetime.now(UTC)
        rows, families = build_corpus_rows(spark, cfg, kept, scope, run_id, published_at)
        result.applied.append("signals: " + (", ".join(families) if families else "signals table only"))
        merge_corpus(spark, root, rows, source, snapshot, run_id)
        m = last_operation_metrics(spark, root, CORPUS.name)
        result.inserted = m.get("numTargetRowsInserted", 0)
        result.updated = m.get("numTargetRowsUpdated", 0)
        result.deleted = m.get("numTargetRowsDeleted", 0)
        result.removed_from_corpus = apply_removals_to_corpus(spark, root, run_id)

        corpus = delta_io.read_table(spark, root, CORPUS.name).where(scope)
        pii = corpus.select(
            *KEYS,
            *[F.col(f"pii_{t}") for t in PII_TYPES],
            sum((F.col(f"pii_{t}") for t in PII_TYPES), F.lit(0)).cast("int").alias("pii_total"),
            F.lit(run_id).alias("run_id"),
        )
        delta_io.replace_where(pii, root, SIGNALS_PII, delta_io.scope_predicate(source, snapshot), run_id)
        totals = corpus.agg(
            F.count(F.lit(1)).alias("docs"), *[F.sum(f"pii_{t}").alias(t) for t in PII_TYPES]
        ).collect()[0]
        result.published = int(totals["docs"])

        stats: list[dict[str, Any]] = []
        remaining = result.selected

        def stat(rule: str, dropped: int) -> None:
            nonlocal remaining
            stats.append(
                {"source": source, "snapshot": snapshot, "stage": JOB, "rule": rule, "docs_in": remaining,
                 "docs_out": remaining - dropped, "docs_dropped": dropped}
            )  # fmt: skip
            remaining -= dropped

        for reason, n in sorted(dedup_counts.items()):
            stat(reason if reason.startswith("dedup/") else f"dedup/{reason}", n)
        for kind, n in sorted(optout_counts.items()):
            stat(f"removal/{kind}", n)
        stat("published", 0)
        recorder.stage_stats(stats)
        recorder.counts = {
            "selected": result.selected,
            "dedup_removed": result.dedup_removed,
            "optout_removed": result.optout_removed,
            "published": result.published,
            "inserted": result.inserted,
            "updated": result.updated,
            "deleted": result.deleted,
            "removed_from_corpus": result.removed_from_corpus,
            **{f"pii_{t}": int(totals[t] or 0) for t in PII_TYPES},
        }
        recorder.message = "; ".join(result.applied)
    log.info(
        "publish %s/%s: %d selected, %d dedup-removed, %d opted out, %d in corpus (+%d ~%d -%d); %s",
        source,
        snapshot,
        result.selected,
        result.dedup_removed,
        result.optout_removed,
        result.published,
        result.inserted,
        result.updated,
        result.deleted,
        "; ".join(result.applied),
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
