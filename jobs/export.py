"""export: the ``corpus`` table -> JSONL.gz and Parquet shards of a target size, with a manifest.

Reads the corpus of the scope (``scope.*``; ``export.all_scopes=true`` for the whole table) at one Delta version,
leaves out every document a removal request matches (the ``removals`` table, also when publish has not run since
the request), and writes ``n = ceil(text bytes / export.target_shard_bytes)`` shards per format
(:mod:`crawlforge.lib.shards`: shard = xxHash64(doc_id) mod n, rows ordered by source, snapshot, doc_id), so the
same corpus gives byte-identical shards whatever the Spark partitioning. Each shard is built by one task
(``groupBy(shard).applyInPandas``): memory per task is one shard, bounded by the target size. Files are written
under a temporary name and renamed, so a reader never sees half a shard; shards of an earlier export that the new
one does not name are deleted after the manifest is written.

``manifest.json`` records the corpus table path and Delta version read, the scope, the tokenizer name
(:mod:`crawlforge.lib.tokens`), and per shard: file name, format, documents, text bytes, tokens, file bytes and
sha256; plus totals. The output folder (``export.output_dir``, default ``<lake>/export``) must be a local or
mounted path (executors write to it directly).

Fields of each exported document: ``id`` (doc_id), ``text``, ``url``, ``source``, ``snapshot``, ``language``,
``bucket``, ``warc_record_id``, ``warc_date``, ``file_path``, ``offset``, ``language_score``, ``perplexity``,
``quality_bucket``, the licence evidence ``rights_license``, ``rights_license_class``, ``rights_license_url``
(from the ``rights`` job; null when it did not run), ``token_count``.
"""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, LongType, StringType, StructField, StructType

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.publish import read_removals, removal_matches
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import CORPUS
from crawlforge.lib import shards
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.tokens import get_counter


log = logging.getLogger(__name__)
JOB = "export"
PREFIX = "corpus"
MANIFEST = "manifest.json"
FIELDS = (
    "id",
    "text",
    "url",
    "source",
    "snapshot",
    "language",
    "bucket",
    "warc_record_id",
    "warc_date",
    "file_path",
    "offset",
    "language_score",
    "perplexity",
    "quality_bucket",
    "rights_license",
    "rights_license_class",
    "rights_license_url",
    "token_count",
)
EXTENSIONS = {"jsonl.gz": "jsonl.gz", "parquet": "parquet"}
SHARD_ROW = StructType(
    [
        StructField("shard", IntegerType()),
        StructField("format", StringType()),
        StructField("file", StringType()),
        StructField("documents", LongType()),
        StructField("text_bytes", LongType()),
        StructField("tokens", LongType()),
        StructField("file_bytes", LongType()),
        StructField("sha256", StringType()),
    ]
)


@dataclass
class ExportResult:
    run_id: str
    output_dir: str
    corpus_version: int
    n_shards: int = 0
    documents: int = 0
    removed: int = 0
    tokens: int = 0
    shards: list[dict[str, Any]] = field(default_factory=list)


def output_dir(cfg: CrawlforgeConfig) -> str:
    return cfg.export.output_dir or os.path.join(delta_io.lake_root(cfg.lake.root), "export")


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _parquet_bytes(pdf: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("id", pa.string()),
            ("text", pa.string()),
            ("url", pa.string()),
            ("source", pa.string()),
            ("snapshot", pa.string()),
            ("language", pa.string()),
            ("bucket", pa.string()),
            ("warc_record_id", pa.string()),
            ("warc_date", pa.string()),
            ("file_path", pa.string()),
            ("offset", pa.int64()),
            ("language_score", pa.float64()),
            ("perplexity", pa.float64()),
            ("quality_bucket", pa.string()),
            ("rights_license", pa.string()),
            ("rights_license_class", pa.string()),
            ("rights_license_url", pa.string()),
            ("token_count", pa.int64()),
        ]
    )
    table = pa.Table.from_pandas(pdf[list(FIELDS)], schema=schema, preserve_index=False)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=10_000, write_statistics=True)
    return buf.getvalue()


def make_shard_writer(out_dir: str, n_shards: int, formats: Sequence[str], tokenizer: str):
    """The ``applyInPandas`` function: one group = one shard; returns one manifest row per format written."""

    def write(pdf: pd.DataFrame) -> pd.DataFrame:
        counter = get_counter(tokenizer)
        shard = int(pdf["shard"].iloc[0])
        pdf = pdf.sort_values(["source", "snapshot", "id"], kind="mergesort").reset_index(drop=True)
        pdf["text"] = pdf["text"].fillna("")
        pdf["token_count"] = [counter.count(t) for t in pdf["text"]]
        pdf["warc_date"] = [None if pd.isna(d) else pd.Timestamp(d).isoformat() for d in pdf["warc_date"]]
        for col in ("offset", "token_count"):
            pdf[col] = pdf[col].astype("Int64")
        text_bytes = int(sum(len(t.encode("utf-8", "surrogatepass")) for t in pdf["text"]))
        rows = []
        for fmt in formats:
            if fmt == "jsonl.gz":
                records = pdf[list(FIELDS)].astype(object).where(pdf[list(FIELDS)].notna(), None)
                data = shards.gzip_bytes(shards.jsonl_bytes(records.to_dict("records"), FIELDS))
            else:
                data = _parquet_bytes(pdf)
            name = shards.shard_name(PREFIX, shard, n_shards, EXTENSIONS[fmt])
            _write_atomic(os.path.join(out_dir, name), data)
            rows.append(
                (
                    shard,
                    fmt,
                    name,
                    len(pdf),
                    text_bytes,
                    int(pdf["token_count"].sum()),
                    len(data),
                    shards.sha256_hex(data),
                )
            )
        return pd.DataFrame(rows, columns=[f.name for f in SHARD_ROW.fields])

    return write


def describe_plan(cfg: CrawlforgeConfig) -> str:
    source, snapshot = scope_of(cfg)
    e = cfg.export
    scope = "all scopes" if e.all_scopes else f"{source}/{snapshot}"
    return (
        f"# export {scope}: {delta_io.table_path(cfg.lake.root, CORPUS.name)} minus removals -> {output_dir(cfg)}\n"
        f"# formats {e.formats}, target {e.target_shard_bytes} text bytes per shard, tokenizer {e.tokenizer}"
    )


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> ExportResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    root = cfg.lake.root
    if not delta_io.table_exists(spark, root, CORPUS.name):
        raise RuntimeError(f"export needs the corpus table at {delta_io.table_path(root, CORPUS.name)}; run publish")
    counter = get_counter(cfg.export.tokenizer)  # fail early on a bad tokenizer, before any Spark work
    path = delta_io.table_path(root, CORPUS.name)
    version = int(DeltaTable.forPath(spark, path).history(1).collect()[0]["version"])
    corpus = spark.read.format("delta").option("versionAsOf", version).load(path)
    source, snapshot = scope_of(cfg)
    if not cfg.export.all_scopes:
        corpus = corpus.where((F.col("source") == source) & (F.col("snapshot") == snapshot))
    out_dir = output_dir(cfg)
    result = ExportResult(run_id, out_dir, version)
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        removals = read_removals(spark, root)
        if removals is not None:
            matched = removal_matches(corpus, removals).select("source", "snapshot", "doc_id", "file_id")
            result.removed = matched.count()
            corpus = corpus.join(matched, ["source", "snapshot", "doc_id", "file_id"], "left_anti")
        for name in FIELDS[1:-1]:  # a corpus published before a field existed (the licence columns) exports nulls
            if name not in corpus.columns:
                corpus = corpus.withColumn(name, F.lit(None).cast("string"))
        # every exported field but the token count (computed per shard), `id` being the corpus's doc_id
        docs = corpus.select(F.col("doc_id").alias("id"), *FIELDS[1:-1])
        total = docs.agg(
            F.count(F.lit(1)).alias("n"), F.sum(F.octet_length(F.coalesce("text", F.lit("")))).alias("b")
        ).collect()[0]
        n = shards.num_shards(int(total["b"] or 0), cfg.export.target_shard_bytes)
        result.n_shards = n
        os.makedirs(out_dir, exist_ok=True)
        shard_udf = F.udf(lambda d: shards.shard_of(d, n), IntegerType())
        with_shard = docs.withColumn("shard", shard_udf("id"))
        writer = make_shard_writer(out_dir, n, list(cfg.export.formats), cfg.export.tokenizer)
        rows = [r.asDict() for r in with_shard.groupBy("shard").applyInPandas(writer, SHARD_ROW).collect()]
        rows.sort(key=lambda r: (r["shard"], r["format"]))
        result.shards = rows
        per_format = {f: [r for r in rows if r["format"] == f] for f in cfg.export.formats}
        first = next(iter(per_format.values()))
        result.documents = sum(r["documents"] for r in first)
        result.tokens = sum(r["tokens"] for r in first)
        manifest = {
            "created_at": datetime.now(UTC).isoformat(),
            "run_id": run_id,
            "corpus_table": path,
            "corpus_version": version,
            "scope": None if cfg.export.all_scopes else {"source": source, "snapshot": snapshot},
            "tokenizer": counter.name,
            "target_shard_bytes": cfg.export.target_shard_bytes,
            "shard_rule": "xxhash64(doc_id, seed 0) mod n_shards; rows ordered by source, snapshot, doc_id",
            "n_shards": n,
            "documents": result.documents,
            "text_bytes": sum(r["text_bytes"] for r in first),
            "tokens": result.tokens,
            "removed_by_requests": result.removed,
            "fields": list(FIELDS),
            "shards": rows,
        }
        _write_atomic(os.path.join(out_dir, MANIFEST), json.dumps(manifest, indent=2, sort_keys=False).encode())
        named = {r["file"] for r in rows} | {MANIFEST}
        for name in os.listdir(out_dir):
            if name.startswith(f"{PREFIX}-") and name not in named:
                os.remove(os.path.join(out_dir, name))
        recorder.counts = {
            "documents": result.documents,
            "shards": n,
            "tokens": result.tokens,
            "removed": result.removed,
            "corpus_version": version,
        }
        recorder.message = f"{n} shard(s) x {len(per_format)} format(s) in {out_dir}; tokenizer {counter.name}"
    log.info("export: %d documents, %d shard(s), %d tokens (%s) -> %s", result.documents, n, result.tokens,
             counter.name, out_dir)  # fmt: skip
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)


__all__ = ["ExportResult", "make_shard_writer", "run"]
