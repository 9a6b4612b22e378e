"""Typed job configuration: YAML files merged with dotted ``--set key=value`` overrides.

Merge order (later wins): the model defaults, each ``--config`` file in order, then every
``--set`` override. The result is validated into frozen pydantic models that forbid unknown keys, so
a typo such as ``ingest.file_per_batch`` fails before any work starts with a message that names the
key. This follows dolma's dataclass configs with dotted overrides, without Hydra's ``_target_`` (a
config is data, never an import path).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawlforge.lib.robots_txt import DEFAULT_AI_AGENTS


class ConfigError(ValueError):
    """A config file, key or value is wrong; the message names the key and what was expected."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LakeConfig(_Section):
    root: str = Field(
        "./lake", description="Lake root: local folder, s3://, abfss:// or dbfs:/ URI; one folder per table."
    )


class SparkConfig(_Section):
    master: str = Field(
        "local[2]",
        description="Master URL used only when crawlforge creates the session (local mode). Under spark-submit, "
        "Databricks or EMR the existing session is used and this is ignored.",
    )
    app_name: str = Field("crawlforge", description="Spark application name when crawlforge creates the session.")
    delta_jars: Literal["auto", "pip", "jars", "provided"] = Field(
        "auto",
        description="How Delta's jars arrive: 'pip' resolves io.delta through Ivy (Maven Central or a warm cache), "
        "'jars' uses the explicit `jars` list, 'provided' expects them on the classpath (Databricks, EMR), "
        "'auto' is 'provided' when a session already exists or the platform ships Delta, else 'pip'.",
    )
    jars: list[str] = Field(default_factory=list, description="Explicit jar paths for delta_jars='jars'.")
    ivy_dir: str | None = Field(
        None, description="Ivy cache folder (spark.jars.ivy); default $CRAWLFORGE_IVY_DIR, else Spark's own default."
    )
    shuffle_partitions: int = Field(
        8, ge=1, description="spark.sql.shuffle.partitions when crawlforge creates the session."
    )
    driver_memory: str = Field(
        "1536m",
        description="spark.driver.memory for sessions crawlforge creates (local[2]: the memory model's buffers "
        "need ~0.25 GB a core; the rest is Spark's and Delta's state).",
    )
    conf: dict[str, str] = Field(default_factory=dict, description="Extra Spark conf for sessions crawlforge creates.")


class MemoryConfig(_Section):
    """Byte budgets that bound memory per executor core (see ``crawlforge.jobs.memory_model`` and the README)."""

    batch_bytes: int = Field(
        32 * 1024 * 1024,
        ge=1024 * 1024,
        description="Bytes of values in one batch: a Parquet reader batch holds at most this divided by the "
        "largest value a table may hold (ingest.max_record_bytes) rows; an Arrow batch to or from Python closes "
        "at this many bytes; ingest flushes its record batches at this size.",
    )
    row_group_bytes: int = Field(
        64 * 1024 * 1024,
        ge=1024 * 1024,
        description="Parquet row-group size of every table written (parquet.block.size): what one task's "
        "writer buffers and what a reader loads per column chunk.",
    )
    arrow_max_rows: int = Field(
        2048,
        ge=1,
        description="Row cap of an Arrow batch to Python (small rows; large ones close the batch by bytes).",
    )


class RunConfig(_Section):
    run_id: str | None = Field(None, description="Run identifier; generated (time + random) when not given.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Python log level.")


class HttpConfig(_Section):
    retries: int = Field(8, ge=0, description="Retries per request on 429, 5xx, resets and timeouts.")
    backoff_base_s: float = Field(0.5, gt=0, description="First backoff; doubles per retry, with full jitter.")
    backoff_max_s: float = Field(60.0, gt=0, description="Largest single backoff.")
    timeout_s: float = Field(60.0, gt=0, description="Connect and read timeout per request.")


class InputConfig(_Section):
    kind: Literal["sample", "snapshot", "manifest", "glob", "paths"] = Field(
        "sample",
        description="'sample': the embedded generated crawl; 'snapshot': a Common Crawl crawl id resolved through "
        "its warc.paths.gz/wet.paths.gz listing; 'manifest': a text file with one path or URI per line; "
        "'glob': a local glob pattern; 'paths': the explicit `paths` list.",
    )
    snapshot_id: str | None = Field(None, description="Crawl id for kind='snapshot', e.g. CC-MAIN-2024-22.")
    base_url: str = Field(
        "https://data.commoncrawl.org/",
        description="Where Common Crawl paths resolve: https://data.commoncrawl.org/ or s3://commoncrawl/.",
    )
    file_type: Literal["warc", "wet", "robotstxt"] = Field(
        "warc", description="Listing to use for kind='snapshot' ('robotstxt': the crawl's robots.txt captures)."
    )
    file_limit: int | None = Field(None, ge=1, description="Use at most this many files (after segment selection).")
    segments: list[str] = Field(
        default_factory=list, description="Keep only files of these segment ids (e.g. 1715971057216.39)."
    )
    manifest: str | None = Field(None, description="Manifest file (local, http(s) or s3; .gz allowed).")
    glob: str | None = Field(None, description="Local glob pattern for kind='glob'.")
    paths: list[str] = Field(default_factory=list, description="Explicit inputs for kind='paths'.")


class IngestConfig(_Section):
    source: str = Field("common-crawl", description="Value of the `source` partition column.")
    snapshot: str | None = Field(
        None,
        description="Value of the `snapshot` partition column; defaults to input.snapshot_id, or the sample's tag.",
    )
    input: InputConfig = Field(default_factory=InputConfig)
    keep_mime_types: list[str] = Field(
        default_factory=lambda: ["text/html", "application/xhtml+xml", "application/xml+xhtml", "text/xml+xhtml"],
        description="HTTP Content-Type values (without parameters) kept from WARC response records.",
    )
    keep_status: list[int] = Field(default_factory=lambda: [200], description="HTTP status codes kept.")
    keep_headers: list[str] = Field(
        default_factory=lambda: ["x-robots-tag", "tdm-reservation", "tdm-policy", "link"],
        description="HTTP response headers kept in raw.http_headers (licence and opt-out evidence for `rights`).",
    )
    max_record_bytes: int = Field(
        16 * 1024 * 1024, ge=1024, description="Records whose WARC block is larger are dropped as 'too_large'."
    )
    files_per_batch: int = Field(
        0,
        ge=0,
        description="Files per Delta commit; 0 means 4 x default parallelism. Each file is its own task.",
    )
    retry_failed: bool = Field(
        False, description="Also retry files whose last attempt failed on corrupt input (transient ones always are)."
    )
    max_attempts: int = Field(3, ge=1, description="Give up on a file after this many failed attempts.")
    resync: bool = Field(True, description="After a corrupt region, scan for the next record and keep reading.")
    http: HttpConfig = Field(default_factory=HttpConfig)


class ScopeConfig(_Section):
    source: str | None = Field(None, description="Process only this source (default: ingest.source).")
    snapshot: str | None = Field(None, description="Process only this snapshot (default: the ingest snapshot).")


class ExtractConfig(_Section):
    max_bytes: int = Field(
        8 * 1024 * 1024, ge=1024, description="Pages above this many payload bytes are dropped as 'too_large'."
    )
    timeout_s: float = Field(
        2.0, gt=0, description="Per-document extraction time limit; slower pages are dropped as 'timeout'."
    )
    main_content: bool = Field(True, description="resiliparse main-content extraction (else the full page).")
    fallback_min_chars: int = Field(
        200, ge=0, description="Use the full page when main content is shorter than this (0 disables the fallback)."
    )
    files_per_batch: int = Field(0, ge=0, description="Input files per Delta commit; 0 means 4 x default parallelism.")


class AnnotateConfig(_Section):
    lid_model: str | None = Field(
        None, description="fastText language-ID model path (lid.176.bin, GlotLID); default: lid.176.ftz shipped."
    )
    lid_mode: Literal["fineweb", "ccnet"] = Field(
        "fineweb", description="Input convention for language ID: FineWeb (newlines -> spaces) or CCNet (removed)."
    )
    lid_top_k: int = Field(3, ge=1, le=10, description="Languages kept in language_topk.")
    url_domain_files: list[str] = Field(
        default_factory=list,
        description="Blocked-domain files (one per line, or a datatrove-style .tar.gz) for the URL-filter signals.",
    )
    url_url_files: list[str] = Field(
        default_factory=list, description="Blocked-URL files (one per line) for the URL-filter signals."
    )
    files_per_batch: int = Field(0, ge=0, description="Input files per Delta commit; 0 means 4 x default parallelism.")


class SelectConfig(_Section):
    recipe: str = Field("fineweb", description="Recipe YAML: a path, or a name in conf/recipes/ (fineweb, ...).")
    drop_samples_per_rule: int = Field(
        20, ge=0, description="Dropped documents kept per rule (and source/snapshot) in the drop_samples table."
    )


class SampleConfig(_Section):
    pages: int = Field(600, ge=1, description="Number of HTML pages in the generated crawl.")
    files: int = Field(3, ge=1, description="Number of WARC files the pages are spread over.")
    seed: int = Field(20261121, description="Generator seed; same seed, same bytes.")
    snapshot: str = Field("SAMPLE-2026-47", description="Snapshot tag of the generated crawl.")
    output_dir: str | None = Field(None, description="Where sample WARC files go; default <lake.root>/_sample_input.")


class DecontamBenchmark(_Section):
    name: str = Field(..., description="Benchmark name recorded in decontam_matches (e.g. gsm8k).")
    path: str = Field(..., description="JSONL/Parquet file or folder, or a Delta table path, of benchmark items.")
    format: Literal["jsonl", "parquet", "delta"] = Field("jsonl", description="How `path` is read.")
    id_field: str | None = Field(None, description="Item id column; default the 0-based row number in file order.")
    text_fields: list[str] = Field(
        default_factory=lambda: ["question"], description="Columns whose text is decontaminated against."
    )


class DecontamConfig(_Section):
    benchmarks: list[DecontamBenchmark] = Field(
        default_factory=list, description="Benchmark sets to check documents against (none: the job does nothing)."
    )
    ngram: int = Field(13, ge=3, le=50, description="Word n-gram length (GPT-3 13-gram overlap).")
    max_matches: int = Field(16, ge=1, description="At most this many (benchmark, item) pairs kept per document.")
    files_per_batch: int = Field(0, ge=0, description="Input files per Delta commit; 0 means 4 x default parallelism.")


class RightsConfig(_Section):
    ai_agents: list[str] = Field(
        default_factory=lambda: list(DEFAULT_AI_AGENTS),
        description="Product tokens of AI crawlers: robots.txt groups and robots metas/X-Robots-Tag prefixes "
        "checked for them (rights_robots_*, rights_noai).",
    )
    robots_source: str | None = Field(
        "common-crawl-robotstxt",
        description="Source whose raw rows are robots.txt captures (ingested with "
        "ingest.keep_mime_types=[text/plain]); joined to pages by host. None: robots.txt not used.",
    )
    robots_snapshot: str | None = Field(
        None, description="Snapshot of the robots.txt captures; default the scope's snapshot."
    )
    files_per_batch: int = Field(0, ge=0, description="Input files per Delta commit; 0 means 4 x default parallelism.")


class PublishConfig(_Section):
    pii_mode: Literal["placeholder", "fineweb", "off"] = Field(
        "placeholder",
        description="PII redaction: typed placeholders (<EMAIL>...), FineWeb's dummy values (datatrove "
        "PIIFormatter) for e-mail/IPv4 and placeholders for the rest, or 'off' (counted, not replaced).",
    )
    pii_types: list[str] = Field(
        default_factory=lambda: ["email", "ipv4", "ipv6", "phone", "credit_card", "iban"],
        description="PII types redacted and counted (lib/pii.py ALL_TYPES; 'ip' = both versions).",
    )
    bucket_columns: list[str] = Field(
        default_factory=lambda: ["quality_ensemble_bucket", "perplexity_bucket"],
        description="The corpus `bucket` partition is the first non-null of these signal columns, else 'all'.",
    )
    apply_dedup: bool = Field(True, description="Leave out non-survivors of the duplicates table when it exists.")
    remove: list[str] = Field(
        default_factory=list,
        description="Removal requests recorded (removals table) and applied by this run: 'doc_id:<id>', "
        "'url:<url>' or 'domain:<host>' (the host and its subdomains).",
    )
    remove_reason: str = Field("opt-out", description="Reason recorded with the `remove` requests.")


class ExportConfig(_Section):
    output_dir: str | None = Field(None, description="Shard folder (a local or mounted path); default <lake>/export.")
    formats: list[Literal["jsonl.gz", "parquet"]] = Field(
        default_factory=lambda: ["jsonl.gz", "parquet"], description="Shard formats written (same documents)."
    )
    target_shard_bytes: int = Field(
        256 * 1024 * 1024, ge=1024, description="Target uncompressed UTF-8 text bytes per shard."
    )
    tokenizer: str = Field(
        "unicode-words-v1",
        description="Token counts in the manifest: 'unicode-words-v1' (regex \\w+ runs and single symbols) or "
        "'sentencepiece:<model path>' (e.g. the CCNet SentencePiece model from the models table).",
    )
    all_scopes: bool = Field(False, description="Export the whole corpus table, not only the scope.")


class ReportConfig(_Section):
    output_dir: str | None = Field(
        None, description="Report folder (index.html, datacard.md, img/); default <lake>/report."
    )
    samples_per_rule: int = Field(3, ge=0, description="Dropped-document samples shown per rule.")
    sample_chars: int = Field(300, ge=20, description="Characters of text shown per sample.")
    dataset_name: str = Field("crawlforge corpus", description="Dataset name in the data card.")
    license: str = Field(
        "ODC-By 1.0 (the terms of use of the sources apply)", description="License stated in the data card."
    )


class TextFilesConfig(InputConfig):
    kind: Literal["paths", "glob", "manifest"] = Field(  # type: ignore[assignment]
        "paths", description="'paths': the explicit `paths` list; 'glob': a local glob; 'manifest': a file of paths."
    )


class TextInputConfig(_Section):
    """``ingest-text``: JSONL / Parquet / plain-text files become ``documents`` rows of their own ``source``."""

    source: str = Field("reference-text", description="Value of the `source` partition column for these files.")
    snapshot: str = Field("v1", description="Value of the `snapshot` column: a release or date tag of the source.")
    input: TextFilesConfig = Field(default_factory=TextFilesConfig)
    format: Literal["jsonl", "parquet", "text"] = Field("jsonl", description="File format of every input file.")
    text_field: str = Field("text", description="JSONL/Parquet field holding the document text.")
    id_field: str | None = Field(
        None,
        description="JSONL/Parquet field with a record id unique within the source+snapshot; the doc_id is made "
        "from it. Default: file name + record number.",
    )
    url_field: str | None = Field(None, description="Optional JSONL/Parquet field copied to documents.url.")
    title_field: str | None = Field(None, description="Optional JSONL/Parquet field copied to documents.title.")
    text_split: Literal["file", "line", "blank_line", "heading"] = Field(
        "blank_line",
        description="format=text: one document per file, per line, per block separated by blank lines, or per "
        "WikiText-style ' = Title = ' heading.",
    )
    license: str = Field("unknown", description="License of the source (recorded in the `sources` table).")
    description: str = Field("", description="What the source is (recorded in the `sources` table).")
    origin: str = Field("", description="Where it comes from: URL, repository@commit, dump name.")
    files_per_batch: int = Field(0, ge=0, description="Files per Delta commit; 0 means 4 x default parallelism.")


class CcnetDedupConfig(_Section):
    policy: Literal["remove_every_copy", "keep_first"] = Field(
        "remove_every_copy",
        description="CCNet's mine semantics (every copy of a line seen >= 2 times goes, the first too) or keep "
        "the first copy by the order (snapshot, source, doc_id).",
    )
    scope: Literal["snapshot", "file_groups", "snapshots"] = Field(
        "snapshot",
        description="Which documents share one hash set: the job's source/snapshot; CCNet's groups of files "
        "inside it (`num_groups`); or every source/snapshot listed in `snapshots` (all of them when empty).",
    )
    num_groups: int = Field(
        32, ge=1, description="scope=file_groups: files are hashed into this many groups (CCNet: 1600/50 = 32)."
    )
    snapshots: list[str] = Field(
        default_factory=list,
        description="scope=snapshots: 'source/snapshot' pairs deduplicated together; empty = every one in documents.",
    )
    min_length: int = Field(
        300, ge=0, description="Documents shorter than this many chars add no hashes (CCNet reads WET, min_len=300)."
    )


class CcnetLmConfig(_Section):
    name: str = Field("ccnet", description="Model name in the models table (kind 'lm'); train-lm and ccnet share it.")
    sql: str | None = Field(
        None,
        description="train-lm: a Spark SQL query returning `text` (and optionally `language`); lake tables are "
        "temporary views named after themselves (documents, signals, ...).",
    )
    table: str = Field("documents", description="train-lm without `sql`: lake table to read text from.")
    where: str | None = Field(None, description="train-lm without `sql`: SQL filter, e.g. \"source = 'wikipedia'\".")
    text_column: str = Field("text", description="train-lm: column holding the training text.")
    language: str | None = Field(
        None, description="train-lm: the language of every training text when the input has no `language` column."
    )
    languages: list[str] = Field(default_factory=list, description="train-lm: only these languages (empty: all).")
    max_docs: int = Field(
        1_000_000, ge=1, description="Training texts per language (CCNet NDOC_FOR_LM), first by xxhash64(text) order."
    )
    min_docs: int = Field(10, ge=1, description="Languages with fewer training texts get no model.")
    split_lines: bool = Field(
        True,
        description="Train on each non-empty line of a text as its own sentence (CCNet trained on Wikipedia opening "
        "paragraphs; SentencePiece skips sentences over 4192 bytes). False: one sentence per text, as CCNet.",
    )
    vocab_size: int = Field(65536, ge=8, description="SentencePiece vocabulary (CCNet 65536, --hard_vocab_limit).")
    hard_vocab_limit: bool = Field(
        True, description="SentencePiece --hard_vocab_limit (CCNet); false: small corpora get a smaller vocabulary."
    )
    fallback_vocab_size: int | None = Field(40000, description="Retried when SentencePiece rejects vocab_size.")
    character_coverage: float = Field(0.9995, gt=0, le=1, description="SentencePiece character_coverage (CCNet).")
    order: int = Field(5, ge=2, description="KenLM n-gram order (CCNet: 5).")
    memory: str = Field("8G", description="lmplz -S (CCNet: 8G).")
    vocab_estimate: int = Field(65536, ge=16, description="lmplz --vocab_estimate (CCNet: 65536).")
    num_threads: int = Field(0, ge=0, description="SentencePiece training threads; 0 = all cores.")
    keep_arpa: bool = Field(False, description="Keep the ARPA file next to the binary model (it is large).")


class CcnetCutoffsConfig(_Section):
    use: Literal["data", "table", "ccnet_published", "none"] = Field(
        "data",
        description="Buckets from percentiles computed on this scope's perplexities ('data', stored as a new "
        "perplexity_cutoffs version), the latest stored version ('table'), CCNet's published cutoff.csv "
        "('ccnet_published'), or none (every bucket 'all').",
    )
    percentile_head: int = Field(30, ge=1, le=99, description="head < this percentile (CCNet percentile_head=30).")
    percentile_tail: int = Field(60, ge=1, le=99, description="tail >= this percentile (CCNet percentile_tail=60).")
    method: Literal["approx", "exact"] = Field(
        "approx", description="Spark percentile_approx (bounded memory) or exact percentile (holds a group in memory)."
    )
    accuracy: int = Field(10000, ge=100, description="percentile_approx accuracy (relative error 1/accuracy).")
    min_docs: int = Field(10, ge=1, description="Languages with fewer scored documents get no data cutoffs.")
    csv: str | None = Field(None, description="A CCNet-format cutoff CSV for 'ccnet_published' (default: shipped).")


class CcnetConfig(_Section):
    """CCNet on Spark: paragraph dedup, language ID on the deduplicated text, perplexity and buckets."""

    dedup: CcnetDedupConfig = Field(default_factory=CcnetDedupConfig)
    lm: CcnetLmConfig = Field(default_factory=CcnetLmConfig)
    cutoffs: CcnetCutoffsConfig = Field(default_factory=CcnetCutoffsConfig)
    lid_model: str | None = Field(
        None, description="fastText LID model for CCNet's language (default: the lid.176.ftz shipped)."
    )
    per_line: bool = Field(
        False, description="Score each line with its own <s>...</s> (not CCNet's; its values do not match cutoffs)."
    )
    force: bool = Field(False, description="Recompute the scope even when no new file arrived since the last run.")


class DedupConfig(_Section):
    input: Literal["kept", "all"] = Field(
        "kept",
        description="Documents to deduplicate: 'kept' = those the select recipe kept (decisions.keep, FineWeb's "
        "order: filters, then MinHash), 'all' = every extracted document.",
    )
    scope: Literal["snapshot", "all"] = Field(
        "snapshot",
        description="'snapshot': the scope's (source, snapshot), against the band index of earlier snapshots when "
        "`incremental` (FineWeb dedups per dump); 'all': every snapshot of the source recomputed together.",
    )
    incremental: bool = Field(
        True, description="With scope 'snapshot', also match against minhash_bands of snapshots that sort before it."
    )
    url: bool = Field(True, description="Exact URL dedup (fragment removed, scheme and host lower-cased).")
    exact_text: bool = Field(True, description="Exact dedup on the hash of the lower-cased, whitespace-folded text.")
    hash_family: Literal["udf", "mllib"] = Field(
        "udf",
        description="Signature family: 'udf' (vectorised numpy, datatrove-identical) or 'mllib' (Spark "
        "MinHashLSHModel used as a seeded hash, saved once and reused).",
    )
    ngram: int = Field(5, ge=1, description="Words per shingle (datatrove/FineWeb n_grams=5).")
    bands: int = Field(14, ge=1, description="LSH bands (FineWeb num_buckets=14).")
    rows: int = Field(8, ge=1, description="Signature values per band (FineWeb hashes_per_bucket=8).")
    seed: int = Field(1, ge=0, description="Seed of the permutation coefficients (datatrove seed=1).")
    hash_function: Literal["xxh64", "sha1"] = Field(
        "xxh64", description="Shingle hash of the 'udf' family: xxh64 (FineWeb-2) or sha1 (FineWeb 2024)."
    )
    edge_min_jaccard: float | None = Field(
        None,
        ge=0,
        le=1,
        description="Drop candidate edges whose signature-estimated Jaccard is below this (e.g. 0.7); none: off.",
    )
    max_bucket_size: int = Field(
        100_000, ge=2, description="Buckets with more documents are capped or skipped, and reported (skew guard)."
    )
    oversized_buckets: Literal["cap", "skip"] = Field(
        "cap",
        description="A bucket above max_bucket_size: 'cap' = star edges from max_bucket_size members (references "
        "first, then a per-band deterministic pick), 'skip' = no edges from it. Either way it is reported.",
    )
    max_cc_rounds: int = Field(60, ge=1, description="Fail if connected components need more rounds than this.")
    checkpoint_dir: str | None = Field(
        None, description="Reliable checkpoint folder for connected components; none: localCheckpoint."
    )
    mllib_model_dir: str | None = Field(
        None, description="Where the MLlib model is saved once; default <lake.root>/_models/minhash_mllib."
    )


class QualityDataConfig(_Section):
    """One side (positives or negatives) of a classifier's training data: a lake table or a SQL query."""

    table: str | None = Field(None, description="A lake table name (e.g. documents) or a Delta path; or use sql.")
    where: str | None = Field(None, description="Optional SQL predicate on `table` (e.g. source = 'wikipedia').")
    sql: str | None = Field(
        None, description="A Spark SQL query; every existing lake table is a temp view of its own name."
    )
    text_column: str = Field("text", description="Column holding the document text.")
    key_column: str | None = Field(
        None, description="Column that identifies a row for deterministic sampling (default: a hash of the text)."
    )


class QualityClassifierConfig(_Section):
    """A fastText quality classifier (DCLM-style): training data, fastText settings, scoring options."""

    name: str = Field(..., pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Classifier name: column quality_<name>.")
    language: str = Field("en", description="Language tag of the model ('all' for a multilingual one).")
    positives: QualityDataConfig | None = Field(None, description="Positive (high quality) training documents.")
    negatives: QualityDataConfig | None = Field(None, description="Negative (e.g. random crawl) training documents.")
    max_per_class: int = Field(
        100_000, ge=1, description="Balanced sampling: at most this many documents per class (DCLM: 200k in total)."
    )
    heldout_fraction: float = Field(0.1, ge=0.0, lt=1.0, description="Share of sampled documents held out.")
    seed: int = Field(42, description="Seed of the sampling/split hashes and of fastText's -seed.")
    lr: float = Field(0.1, gt=0, description="fastText -lr (DCLM's train_fasttext_classifier.py default 0.1).")
    dim: int = Field(100, ge=1, description="fastText -dim (DCLM default 100).")
    ws: int = Field(5, ge=1, description="fastText -ws (DCLM default 5).")
    epoch: int = Field(5, ge=1, description="fastText -epoch (DCLM default 5).")
    min_count: int = Field(1, ge=1, description="fastText -minCount (DCLM default 1).")
    word_ngrams: int = Field(2, ge=1, description="fastText -wordNgrams (DCLM's released model is the bigram one).")
    bucket: int = Field(2_000_000, ge=1, description="fastText -bucket (hash buckets for n-grams).")
    threads: int = Field(1, ge=1, description="fastText -thread; only 1 gives byte-identical models run to run.")
    eval_threshold: float = Field(0.5, ge=0, le=1, description="Score counted positive in held-out precision/recall.")
    model_path: str | None = Field(
        None,
        description="Score with this fastText .bin instead of the newest trained model (e.g. DCLM's released "
        "openhermes_reddit_eli5_vs_rw_v2_bigram_200k_train.bin, installed by you).",
    )
    negative_label: str = Field("__label__cc", description="The model's negative label (score = 1 - p for it).")


class QualityConfig(_Section):
    classifiers: list[QualityClassifierConfig] = Field(
        default_factory=list, description="Quality classifiers to train (train-classifier) and score (quality)."
    )
    train: list[str] = Field(
        default_factory=list, description="train-classifier trains only these names (default: every one with data)."
    )
    bucket_weight: Literal["utf8_bytes", "whitespace_tokens"] = Field(
        "utf8_bytes",
        description="Weight of a document in the percentile thresholds: UTF-8 bytes (Nemotron-CC's tutorial) "
        "or whitespace tokens.",
    )
    per_language: bool = Field(
        True, description="Percentile thresholds per language (signals.language); else one set for the scope ('*')."
    )
    score_decimals: int = Field(
        6, ge=2, le=9, description="Scores are rounded to this many decimals in the percentile histogram (exactness)."
    )
    files_per_batch: int = Field(0, ge=0, description="Input files per Delta commit; 0 means 4 x default parallelism.")


PIPELINE_STAGES = (
    "ingest-text", "ingest", "extract", "annotate", "train-lm", "ccnet", "train-classifier", "quality", "decontam",
    "rights", "select", "dedup", "publish", "export", "report",
)  # fmt: skip
DEFAULT_PIPELINE_STAGES = (
    "ingest", "extract", "annotate", "train-lm", "ccnet", "train-classifier", "quality", "decontam", "select",
    "dedup", "publish", "export", "report",
)  # fmt: skip


class PipelineConfig(_Section):
    stages: list[str] = Field(
        default_factory=lambda: list(DEFAULT_PIPELINE_STAGES),
        description="Stages the pipeline command runs, in this order (a subset of: "
        + ", ".join(PIPELINE_STAGES)
        + "). Stages whose inputs are not configured (no classifiers, no benchmarks) log that and do nothing.",
    )
    retrain: bool = Field(
        False,
        description="Run train-lm / train-classifier even when the models table already holds a model of that "
        "kind (training is deterministic, so the default reuses it).",
    )

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in PIPELINE_STAGES]
        if unknown:
            raise ValueError(f"unknown stage(s) {unknown}; known: {list(PIPELINE_STAGES)}")
        order = [PIPELINE_STAGES.index(s) for s in value]
        if order != sorted(order) or len(set(value)) != len(value):
            raise ValueError(f"stages must be unique and in pipeline order: {list(PIPELINE_STAGES)}")
        return value


class CrawlforgeConfig(_Section):
    lake: LakeConfig = Field(default_factory=LakeConfig)
    spark: SparkConfig = Field(default_factory=SparkConfig)
    memory: MemoryConfig = Field(default_factory=MemoryConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    scope: ScopeConfig = Field(default_factory=ScopeConfig)
    extract: ExtractConfig = Field(default_factory=ExtractConfig)
    annotate: AnnotateConfig = Field(default_factory=AnnotateConfig)
    select: SelectConfig = Field(default_factory=SelectConfig)
    sample: SampleConfig = Field(default_factory=SampleConfig)
    text_input: TextInputConfig = Field(default_factory=TextInputConfig)
    ccnet: CcnetConfig = Field(default_factory=CcnetConfig)
    decontam: DecontamConfig = Field(default_factory=DecontamConfig)
    rights: RightsConfig = Field(default_factory=RightsConfig)
    publish: PublishConfig = Field(default_factory=PublishConfig)
    export: ExportConfig = Field(default_factory=ExportConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    dedup: DedupConfig = Field(default_factory=DedupConfig)
    quality: QualityConfig = Field(default_factory=QualityConfig)
    pipeline: PipelineConfig = Field(default_factory=PipelineConfig)

    @field_validator("lake")
    @classmethod
    def _strip_root(cls, v: LakeConfig) -> LakeConfig:
        return v.model_copy(update={"root": v.root.rstrip("/") or "/"})

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False)

    def config_hash(self) -> str:
        """Stable hash of the resolved config, minus the run id (same settings -> same hash)."""
        data = self.model_dump(mode="json")
        data["run"] = {k: v for k, v in data["run"].items() if k != "run_id"}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------
# Loading and merging


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def resolve_config_path(name: str) -> Path:
    """A path on disk, or the name of a packaged config (``local`` or ``local.yaml``)."""
    path = Path(name)
    if path.is_file():
        return path
    stem = name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"
    packaged = resources.files("crawlforge.conf").joinpath(stem)
    if packaged.is_file():
        return Path(str(packaged))
    raise ConfigError(f"config file not found: {name!r} (neither a file nor a packaged config in crawlforge/conf)")


def load_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections, got {type(data).__name__}")
    return data


def parse_override(item: str) -> tuple[list[str], Any]:
    """``ingest.files_per_batch=8`` -> (["ingest", "files_per_batch"], 8); the value is parsed as YAML."""
    if "=" not in item:
        raise ConfigError(f"--set expects key=value, got {item!r}")
    key, raw = item.split("=", 1)
    parts = [p for p in key.strip().split(".") if p]
    if not parts:
        raise ConfigError(f"--set has an empty key: {item!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return parts, value


def _nest(parts: list[str], value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {parts[-1]: value}
    for part in reversed(parts[:-1]):
        out = {part: out}
    return out


def _format_validation_error(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            lines.append(f"unknown config key '{key}'")
        else:
            lines.append(f"config key '{key}': {err['msg']} (got {err.get('input')!r})")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def build_config(
    config_files: Iterable[str] = (), overrides: Iterable[str] = (), base: Mapping[str, Any] | None = None
) -> CrawlforgeConfig:
    """Load, merge and validate; raises :class:`ConfigError` naming the offending key."""
    data: dict[str, Any] = dict(base or {})
    for name in config_files:
        data = _deep_merge(data, load_yaml(resolve_config_path(name)))
    for item in overrides:
        parts, value = parse_override(item)
        data = _deep_merge(data, _nest(parts, value))
    try:
        return CrawlforgeConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(exc)) from None


def describe_options(model: type[BaseModel] = CrawlforgeConfig, prefix: str = "") -> list[tuple[str, str, str]]:
    """Every config key as (dotted key, default, description), for ``--help``."""
    rows: list[tuple[str, str, str]] = []
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            rows.extend(describe_options(ann, key + "."))
            continue
        default = field.get_default(call_default_factory=True)
        rows.append((key, json.dumps(default, default=str), field.description or ""))
    return rows


def default_ivy_dir(cfg: SparkConfig) -> str | None:
    return cfg.ivy_dir or os.environ.get("CRAWLFORGE_IVY_DIR") or None
