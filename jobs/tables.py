"""Schemas and partitioning of the lake's tables (DESIGN.md, "Data flow: tables on Delta").

Tables are created with these schemas before any job writes, so a job never infers a schema from
its first batch and two jobs starting at once agree on the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)


def _s(name: str, dtype: object, nullable: bool = True) -> StructField:
    return StructField(name, dtype, nullable)  # type: ignore[arg-type]


COUNTS = MapType(StringType(), LongType())

RAW_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("doc_id", StringType(), False),
        _s("url", StringType(), False),
        _s("host", StringType()),
        _s("warc_record_id", StringType()),
        _s("warc_type", StringType()),
        _s("warc_date", TimestampType()),
        _s("refers_to", StringType()),
        _s("file_path", StringType(), False),
        _s("file_id", StringType(), False),
        _s("offset", LongType()),
        _s("length", LongType()),
        _s("payload_digest", StringType()),
        _s("http_status", IntegerType()),
        _s("content_type", StringType()),
        _s("charset", StringType()),
        _s("identified_language", StringType()),
        _s("payload_length", LongType()),
        _s("payload", BinaryType()),
        _s("ingest_run_id", StringType()),
        _s("ingest_attempt", IntegerType()),
    ]
)

INGEST_FILES_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("file_path", StringType(), False),
        _s("file_id", StringType(), False),
        _s("attempt", IntegerType(), False),
        _s("run_id", StringType(), False),
        _s("status", StringType(), False),
        _s("error_kind", StringType()),
        _s("error", StringType()),
        _s("file_size", LongType()),
        _s("records_total", LongType()),
        _s("records_kept", LongType()),
        _s("records_dropped", LongType()),
        _s("counts_by_type", COUNTS),
        _s("drops_by_reason", COUNTS),
        _s("http_status_counts", COUNTS),
        _s("corrupt_regions", IntegerType()),
        _s("bytes_skipped", LongType()),
        _s("retries", IntegerType()),
        _s("started_at", TimestampType()),
        _s("finished_at", TimestampType()),
        _s("duration_s", DoubleType()),
    ]
)

RUNS_SCHEMA = StructType(
    [
        _s("run_id", StringType(), False),
        _s("job", StringType(), False),
        _s("status", StringType(), False),
        _s("started_at", TimestampType()),
        _s("finished_at", TimestampType()),
        _s("duration_s", DoubleType()),
        _s("config_hash", StringType()),
        _s("config_yaml", StringType()),
        _s("versions", MapType(StringType(), StringType())),
        _s("counts", COUNTS),
        _s("message", StringType()),
    ]
)

STAGE_STATS_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("run_id", StringType(), False),
        _s("job", StringType(), False),
        _s("stage", StringType(), False),
        _s("language", StringType()),
        _s("rule", StringType(), False),
        _s("docs_in", LongType()),
        _s("docs_out", LongType()),
        _s("docs_dropped", LongType()),
        _s("recorded_at", TimestampType()),
    ]
)


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: StructType
    partition_by: tuple[str, ...]


RAW = TableSpec("raw", RAW_SCHEMA, ("source", "snapshot"))
INGEST_FILES = TableSpec("ingest_files", INGEST_FILES_SCHEMA, ("source", "snapshot"))
RUNS = TableSpec("runs", RUNS_SCHEMA, ())
STAGE_STATS = TableSpec("stage_stats", STAGE_STATS_SCHEMA, ("source", "snapshot"))

ALL_TABLES = {t.name: t for t in (RAW, INGEST_FILES, RUNS, STAGE_STATS)}


DOCUMENTS_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("doc_id", StringType(), False),
        _s("file_id", StringType(), False),
        _s("url", StringType()),
        _s("host", StringType()),
        _s("warc_date", TimestampType()),
        _s("title", StringType()),
        _s("text", StringType()),
        _s("extract_status", StringType(), False),
        _s("extract_error", StringType()),
        _s("extract_method", StringType()),
        _s("charset", StringType()),
        _s("charset_source", StringType()),
        _s("payload_length", LongType()),
        _s("text_chars", LongType()),
        _s("text_lines", LongType()),
        _s("extract_ms", DoubleType()),
        _s("extractor", StringType()),
        _s("run_id", StringType()),
    ]
)

STAGE_PROGRESS_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("stage", StringType(), False),
        _s("file_id", StringType(), False),
        _s("run_id", StringType(), False),
        _s("finished_at", TimestampType()),
    ]
)

DOCUMENTS = TableSpec("documents", DOCUMENTS_SCHEMA, ("source", "snapshot"))
STAGE_PROGRESS = TableSpec("stage_progress", STAGE_PROGRESS_SCHEMA, ("source", "snapshot"))
ALL_TABLES.update({t.name: t for t in (DOCUMENTS, STAGE_PROGRESS)})


def _signals_schema() -> StructType:
    from pyspark.sql.types import ArrayType, BooleanType

    from crawlforge.udfs.annotate_udf import SIGNAL_TYPES

    spark_types = {"boolean": BooleanType(), "string": StringType(), "bigint": LongType(), "double": DoubleType()}
    topk = ArrayType(StructType([_s("label", StringType()), _s("score", DoubleType())]))
    lead = [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("doc_id", StringType(), False),
        _s("file_id", StringType(), False),
        _s("url", StringType()),
        _s("language", StringType()),
        _s("language_score", DoubleType()),
        _s("language_topk", topk),
        _s("lid_model", StringType()),
    ]
    signals = [_s(column, spark_types[kind]) for column, kind in SIGNAL_TYPES.items()]
    return StructType([*lead, *signals, _s("run_id", StringType())])


SIGNALS = TableSpec("signals", _signals_schema(), ("source", "snapshot"))
ALL_TABLES[SIGNALS.name] = SIGNALS


DECISIONS_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("doc_id", StringType(), False),
        _s("file_id", StringType(), False),
        _s("language", StringType()),
        _s("keep", BooleanType(), False),
        _s("first_failing_rule", StringType()),
        _s("first_failing_version", StringType()),
        _s("failing_rules", ArrayType(StringType(), True), False),
        _s("recipe", StringType(), False),
        _s("recipe_version", StringType(), False),
        _s("recipe_hash", StringType(), False),
        _s("run_id", StringType(), False),
    ]
)

DROP_SAMPLES_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("first_failing_rule", StringType(), False),
        _s("sample_rank", IntegerType(), False),
        _s("doc_id", StringType(), False),
        _s("file_id", StringType(), False),
        _s("url", StringType()),
        _s("language", StringType()),
        _s("text", StringType()),
        _s("failing_rules", ArrayType(StringType(), True)),
        _s("recipe", StringType(), False),
        _s("recipe_version", StringType(), False),
        _s("recipe_hash", StringType(), False),
        _s("run_id", StringType(), False),
    ]
)

DECISIONS = TableSpec("decisions", DECISIONS_SCHEMA, ("source", "snapshot"))
DROP_SAMPLES = TableSpec("drop_samples", DROP_SAMPLES_SCHEMA, ("source", "snapshot"))
ALL_TABLES.update({t.name: t for t in (DECISIONS, DROP_SAMPLES)})


# --------------------------------------------------------------------------------------------------
# Signal families. DESIGN.md's ``signals`` is one logical row per document; it is stored as the
# annotate job's ``signals`` table plus one narrow Delta table per later score job (CCNet, quality
# classifiers, decontamination, ...), each keyed by (source, snapshot, doc_id, file_id) and written
# exactly once per input file. A score job then never rewrites the columns of another, and select
# joins only the families whose columns its recipe reads (:func:`crawlforge.jobs.signal_families`).

SIGNAL_KEY_FIELDS = [
    _s("source", StringType(), False),
    _s("snapshot", StringType(), False),
    _s("doc_id", StringType(), False),
    _s("file_id", StringType(), False),
]


def signal_family(name: str, fields: list[StructField]) -> TableSpec:
    """A signal-family table: the document key, ``fields``, then ``run_id``; partitioned like ``signals``."""
    schema = StructType([*SIGNAL_KEY_FIELDS, *fields, _s("run_id", StringType())])
    return TableSpec(name, schema, ("source", "snapshot"))


SIGNAL_FAMILIES: dict[str, TableSpec] = {}


def register_signal_family(spec: TableSpec) -> TableSpec:
    """Make a family known to select, publish and the report (and to ``ALL_TABLES``)."""
    SIGNAL_FAMILIES[spec.name] = spec
    ALL_TABLES[spec.name] = spec
    return spec


MODELS_SCHEMA = StructType(
    [
        _s("kind", StringType(), False),
        _s("name", StringType(), False),
        _s("language", StringType(), False),
        _s("version", StringType(), False),
        _s("path", StringType(), False),
        _s("files", MapType(StringType(), StringType())),
        _s("training_data", StringType()),
        _s("training_docs", LongType()),
        _s("training_chars", LongType()),
        _s("params", MapType(StringType(), StringType())),
        _s("metrics", MapType(StringType(), DoubleType())),
        _s("created_at", TimestampType()),
        _s("run_id", StringType(), False),
    ]
)

MODELS = TableSpec("models", MODELS_SCHEMA, ())
ALL_TABLES[MODELS.name] = MODELS
