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
        # licence/opt-out evidence (ingest.keep_headers); added to older lakes' raw tables by ALTER TABLE ADD COLUMNS
        _s("http_headers", MapType(StringType(), StringType())),
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


#: Table properties of the small bookkeeping tables (a few rows per job run, one commit each). Delta checkpoints a
#: table every 10 commits by default, which cost ~2.5 s of a ~5 s stage once in every few stages (issue #13);
#: their state is a few hundred small rows, so replaying up to 100 JSON commits on a cold read is cheap.
BOOKKEEPING_PROPERTIES: tuple[tuple[str, str], ...] = (("delta.checkpointInterval", "100"),)


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: StructType
    partition_by: tuple[str, ...]
    #: Delta table properties set when the table is created (existing tables keep theirs)
    properties: tuple[tuple[str, str], ...] = ()


RAW = TableSpec("raw", RAW_SCHEMA, ("source", "snapshot"))
INGEST_FILES = TableSpec("ingest_files", INGEST_FILES_SCHEMA, ("source", "snapshot"), BOOKKEEPING_PROPERTIES)
RUNS = TableSpec("runs", RUNS_SCHEMA, (), BOOKKEEPING_PROPERTIES)
STAGE_STATS = TableSpec("stage_stats", STAGE_STATS_SCHEMA, ("source", "snapshot"), BOOKKEEPING_PROPERTIES)

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
STAGE_PROGRESS = TableSpec("stage_progress", STAGE_PROGRESS_SCHEMA, ("source", "snapshot"), BOOKKEEPING_PROPERTIES)
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

MODELS = TableSpec("models", MODELS_SCHEMA, (), BOOKKEEPING_PROPERTIES)
ALL_TABLES[MODELS.name] = MODELS


# --------------------------------------------------------------------------------------------------
# Publish (issue #7): decontamination, PII counts, the corpus, removal requests.

DECONTAM_NGRAMS = TableSpec(
    "decontam_ngrams",
    StructType(
        [
            _s("benchmark", StringType(), False),
            _s("item", StringType(), False),
            _s("ngram_hash", LongType(), False),
            _s("ngram", IntegerType(), False),
            _s("run_id", StringType()),
        ]
    ),
    ("benchmark",),
)
ALL_TABLES[DECONTAM_NGRAMS.name] = DECONTAM_NGRAMS

DECONTAM_MATCH = StructType([_s("benchmark", StringType()), _s("item", StringType())])
SIGNALS_DECONTAM = register_signal_family(
    signal_family(
        "signals_decontam",
        [
            _s("decontam_hits", IntegerType()),
            _s("decontam_items", IntegerType()),
            _s("decontam_matches", ArrayType(DECONTAM_MATCH)),
            _s("decontam_flag", BooleanType()),
            _s("decontam_fingerprint", StringType()),
        ],
    )
)

PII_TYPES = ("email", "ipv4", "ipv6", "phone", "credit_card", "iban")
SIGNALS_PII = register_signal_family(
    signal_family("signals_pii", [*[_s(f"pii_{t}", IntegerType()) for t in PII_TYPES], _s("pii_total", IntegerType())])
)

# the licence evidence every corpus row carries (signals_rights columns of the same name; null when rights did not run)
CORPUS_RIGHTS_FIELDS = (
    ("rights_license", StringType()),
    ("rights_license_class", StringType()),
    ("rights_license_url", StringType()),
    ("rights_tdm_reserved", BooleanType()),
    ("rights_noai", BooleanType()),
    ("rights_robots_ai_disallowed", BooleanType()),
)
CORPUS_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("language", StringType(), False),
        _s("bucket", StringType(), False),
        _s("doc_id", StringType(), False),
        _s("file_id", StringType(), False),
        _s("url", StringType()),
        _s("host", StringType()),
        _s("title", StringType()),
        _s("text", StringType()),
        _s("text_sha256", StringType()),
        _s("text_chars", LongType()),
        _s("warc_record_id", StringType()),
        _s("warc_date", TimestampType()),
        _s("file_path", StringType()),
        _s("offset", LongType()),
        _s("length", LongType()),
        _s("payload_digest", StringType()),
        _s("language_score", DoubleType()),
        _s("perplexity", DoubleType()),
        _s("perplexity_bucket", StringType()),
        _s("quality_bucket", StringType()),
        _s("decontam_hits", IntegerType()),
        *[_s(c, t) for c, t in CORPUS_RIGHTS_FIELDS],
        _s("dup_cluster_size", LongType()),
        *[_s(f"pii_{t}", IntegerType()) for t in PII_TYPES],
        _s("pii_mode", StringType()),
        _s("recipe", StringType()),
        _s("recipe_version", StringType()),
        _s("recipe_hash", StringType()),
        _s("published_at", TimestampType()),
        _s("run_id", StringType()),
    ]
)
CORPUS = TableSpec("corpus", CORPUS_SCHEMA, ("source", "snapshot", "language", "bucket"))

REMOVALS = TableSpec(
    "removals",
    StructType(
        [
            _s("request_id", StringType(), False),
            _s("kind", StringType(), False),
            _s("value", StringType(), False),
            _s("reason", StringType()),
            _s("requested_at", TimestampType()),
            _s("run_id", StringType()),
        ]
    ),
    (),
)
ALL_TABLES.update({t.name: t for t in (CORPUS, REMOVALS)})


# --------------------------------------------------------------------------------------------------
# CCNet (issue #4): text sources and their licenses, the CCNet signal family, perplexity cutoffs.

SOURCES_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("license", StringType()),
        _s("description", StringType()),
        _s("origin", StringType()),
        _s("format", StringType()),
        _s("files", LongType()),
        _s("documents", LongType()),
        _s("recorded_at", TimestampType()),
        _s("run_id", StringType(), False),
    ]
)
SOURCES = TableSpec("sources", SOURCES_SCHEMA, ())

SIGNALS_CCNET = register_signal_family(
    signal_family(
        "signals_ccnet",
        [
            _s("ccnet_original_nlines", IntegerType()),
            _s("ccnet_original_length", LongType()),
            _s("ccnet_nlines", IntegerType()),
            _s("ccnet_length", LongType()),
            _s("ccnet_removed_lines", ArrayType(IntegerType(), True)),
            _s("ccnet_dedup_policy", StringType()),
            _s("ccnet_dedup_scope", StringType()),
            _s("ccnet_language", StringType()),
            _s("ccnet_language_score", DoubleType()),
            _s("perplexity", DoubleType()),
            _s("perplexity_bucket", StringType()),
            _s("ccnet_lm_version", StringType()),
            _s("ccnet_cutoffs_version", StringType()),
        ],
    )
)

PERPLEXITY_CUTOFFS_SCHEMA = StructType(
    [
        _s("version", StringType(), False),
        _s("language", StringType(), False),
        _s("p_head", DoubleType(), False),
        _s("p_tail", DoubleType(), False),
        _s("percentile_head", IntegerType(), False),
        _s("percentile_tail", IntegerType(), False),
        _s("percentiles", ArrayType(DoubleType(), True)),
        _s("docs", LongType()),
        _s("method", StringType(), False),
        _s("computed_from", StringType()),
        _s("lm_version", StringType()),
        _s("created_at", TimestampType()),
        _s("run_id", StringType(), False),
    ]
)
PERPLEXITY_CUTOFFS = TableSpec("perplexity_cutoffs", PERPLEXITY_CUTOFFS_SCHEMA, ())
ALL_TABLES.update({t.name: t for t in (SOURCES, PERPLEXITY_CUTOFFS)})


# --------------------------------------------------------------------------------------------------
# Near-duplicate removal (issue #6, jobs/dedup.py): clusters and survivors, signatures, the band index.

DUPLICATES_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("doc_id", StringType(), False),
        _s("file_id", StringType(), False),
        _s("language", StringType()),
        _s("cluster_id", StringType(), False),
        _s("cluster_size", LongType(), False),
        _s("is_survivor", BooleanType(), False),
        _s("survivor_source", StringType(), False),
        _s("survivor_snapshot", StringType(), False),
        _s("survivor_doc_id", StringType(), False),
        _s("rule", StringType()),
        _s("rule_version", StringType()),
        _s("survivor_rule_version", StringType(), False),
        _s("params_id", StringType()),
        _s("run_id", StringType(), False),
    ]
)
DUPLICATES = TableSpec("duplicates", DUPLICATES_SCHEMA, ("source", "snapshot"))

MINHASH_SIGNATURES_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("doc_id", StringType(), False),
        _s("file_id", StringType(), False),
        _s("doc_key", LongType(), False),
        _s("text_key", StringType()),
        _s("has_signature", BooleanType(), False),
        _s("signature", ArrayType(LongType(), True)),
        _s("params_id", StringType(), False),
        _s("run_id", StringType(), False),
    ]
)
MINHASH_SIGNATURES = TableSpec("minhash_signatures", MINHASH_SIGNATURES_SCHEMA, ("source", "snapshot"))

MINHASH_BANDS_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("band", IntegerType(), False),
        _s("band_key", LongType(), False),
        _s("doc_id", StringType(), False),
        _s("doc_key", LongType(), False),
        _s("rep_key", LongType(), False),
        _s("rep_source", StringType(), False),
        _s("rep_snapshot", StringType(), False),
        _s("rep_doc_id", StringType(), False),
        _s("rep_warc_date", TimestampType()),
        _s("params_id", StringType(), False),
        _s("run_id", StringType(), False),
    ]
)
MINHASH_BANDS = TableSpec("minhash_bands", MINHASH_BANDS_SCHEMA, ("source", "snapshot"))

DEDUP_MANIFEST_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("params_id", StringType(), False),
        _s("family", StringType(), False),
        _s("manifest", StringType(), False),
        _s("created_at", TimestampType()),
        _s("run_id", StringType(), False),
    ]
)
DEDUP_MANIFEST = TableSpec("dedup_manifest", DEDUP_MANIFEST_SCHEMA, ("source", "snapshot"))
ALL_TABLES.update({t.name: t for t in (DUPLICATES, MINHASH_SIGNATURES, MINHASH_BANDS, DEDUP_MANIFEST)})


# Quality classifiers (issue #5; jobs/quality.py). The family's fixed columns are below; each configured classifier
# <name> adds quality_<name> (double), quality_<name>_pct (int 0..99) and quality_<name>_bucket (int 0..19) to the
# stored table with ALTER TABLE ADD COLUMNS when it first appears (top-level, so recipes can name them).
QUALITY_FAMILY = register_signal_family(
    signal_family(
        "signals_quality",
        [
            _s("quality_ensemble_bucket", IntegerType()),
            _s("quality_models", MapType(StringType(), StringType())),
            _s("quality_text_bytes", LongType()),
            _s("quality_text_tokens", LongType()),
        ],
    )
)

QUALITY_THRESHOLDS_SCHEMA = StructType(
    [
        _s("source", StringType(), False),
        _s("snapshot", StringType(), False),
        _s("classifier", StringType(), False),
        _s("model_version", StringType(), False),
        _s("language", StringType(), False),
        _s("weight", StringType(), False),
        _s("docs", LongType(), False),
        _s("total_weight", DoubleType(), False),
        _s("thresholds", ArrayType(DoubleType(), True), False),
        _s("run_id", StringType(), False),
    ]
)
QUALITY_THRESHOLDS = TableSpec("quality_thresholds", QUALITY_THRESHOLDS_SCHEMA, ("source", "snapshot"))
ALL_TABLES[QUALITY_THRESHOLDS.name] = QUALITY_THRESHOLDS


# Licence, opt-out and TDM evidence (issue #14; jobs/rights.py): one row per raw page of the scope.
def _rights_fields() -> list[StructField]:
    from crawlforge.udfs.rights_udf import RIGHTS_COLUMNS

    types = {"string": StringType(), "boolean": BooleanType(), "int": IntegerType(),
             "array<string>": ArrayType(StringType(), True)}  # fmt: skip
    return [_s(column, types[kind]) for column, kind in RIGHTS_COLUMNS.items()]


SIGNALS_RIGHTS = register_signal_family(
    signal_family("signals_rights", [*_rights_fields(), _s("rights_fingerprint", StringType())])
)

# One row per host of a robots.txt source (jobs/rights.py): the newest capture reduced to the groups that decide for
# rights.ai_agents, which of them it disallows on "/", and the fingerprint (agents + robots files) it was built for.
ROBOTS_HOSTS = TableSpec(
    "robots_hosts",
    StructType(
        [
            _s("source", StringType(), False),
            _s("snapshot", StringType(), False),
            _s("host", StringType(), False),
            _s("robots_status", IntegerType()),
            _s("robots_rules", StringType()),
            _s("robots_root_disallowed_agents", ArrayType(StringType(), True)),
            _s("robots_named_agents", ArrayType(StringType(), True)),
            _s("capture_doc_id", StringType()),
            _s("warc_date", TimestampType()),
            _s("rights_fingerprint", StringType()),
            _s("run_id", StringType()),
        ]
    ),
    ("source", "snapshot"),
)
ALL_TABLES[ROBOTS_HOSTS.name] = ROBOTS_HOSTS
