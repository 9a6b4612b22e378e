"""ingest-text: JSONL, Parquet and plain-text files -> ``documents`` rows of their own ``source``.

A reference corpus (a Wikipedia text extract, books, papers) becomes a source like any crawl, so it is just a
table: ``train-lm`` trains on it, ``annotate``/``ccnet``/``select`` score it like crawled pages.

* Identity: ``doc_id = blake2b(source, snapshot + record key)`` where the key is the record's ``id_field`` value,
  else ``<file name>#<record number>`` (:mod:`crawlforge.lib.text_sources`); so the same files give the same
  ids on every run and machine. Two input files with the same base name in one source/snapshot are refused
  unless ``id_field`` is set (their keys would collide).
* Every record is accounted for: ``extract_status`` is ``ok``, ``empty``, ``parse_error`` (not a JSON object,
  text field not a string) or ``read_error`` (the file broke off; one row with the error after the rows read).
* Exactly once per file, as ingest: each batch of files is written with ``replaceWhere`` on its ``file_id`` values,
  then one ``ingest_files`` ledger row per file (``done``; ``partial`` when it broke off after some records;
  ``failed`` before any) and one ``stage_progress`` row (stage ``extract``) per file, so ``annotate`` and
  ``ccnet`` pick the files up like extracted crawl files. A rerun skips files whose latest attempt is done or
  partial.
* License and provenance: one ``sources`` row per run (source, snapshot, license, description, origin, format,
  files and documents), so ``SELECT * FROM sources`` says what each reference corpus is and may be used for.
"""

from __future__ import annotations

import gzip
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.incremental import default_batch, latest_ingest_attempts
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import DOCUMENTS, INGEST_FILES, SOURCES, STAGE_PROGRESS
from crawlforge.lib.config import CrawlforgeConfig, TextInputConfig
from crawlforge.lib.input_plan import InputFile, resolve_inputs
from crawlforge.lib.remote_io import open_input
from crawlforge.lib.text_sources import read_records
from crawlforge.lib.warc_reader import STATUS_DONE, STATUS_PARTIAL, host_of, make_doc_id


log = logging.getLogger(__name__)
JOB = "ingest-text"
EXTRACTOR = "text"
STATUS_FAILED = "failed"
DOC_COLUMNS = [f.name for f in DOCUMENTS.schema.fields]
DOC_DDL = ", ".join(f"{f.name} {f.dataType.simpleString()}" for f in DOCUMENTS.schema.fields)


@dataclass
class IngestTextResult:
    run_id: str
    source: str
    snapshot: str
    files_planned: int = 0
    files_processed: int = 0
    files_skipped: int = 0
    documents: int = 0
    by_status: dict[str, int] | None = None


def plan(cfg: TextInputConfig) -> list[InputFile]:
    if cfg.input.kind in ("sample", "snapshot"):
        raise ValueError(f"text_input.input.kind must be paths, glob or manifest, not {cfg.input.kind!r}")
    files = resolve_inputs(cfg.input)
    if not files:
        raise ValueError("text_input.input matches no file")
    if not cfg.id_field:
        names = Counter(os.path.basename(f.key) for f in files)
        clash = sorted(n for n, c in names.items() if c > 1)
        if clash:
            raise ValueError(
                f"input files share base names {clash[:5]}: their record keys would collide; set text_input.id_field "
                "or rename the files"
            )
    return files


def describe_plan(cfg: CrawlforgeConfig) -> str:
    t = cfg.text_input
    files = plan(t)
    head = [
        f"# ingest-text {t.source}/{t.snapshot}: {len(files)} {t.format} file(s) -> "
        f"{delta_io.table_path(cfg.lake.root, DOCUMENTS.name)} (license {t.license!r})",
        f"# text field {t.text_field!r}, id field {t.id_field!r}"
        + (f", split {t.text_split}" if t.format == "text" else ""),
    ]
    return "\n".join(head + [f"{f.file_id}  {f.uri}" for f in files[:50]])


def _open(uri: str) -> object:
    stream = open_input(uri)
    return gzip.GzipFile(fileobj=stream) if uri.endswith(".gz") else stream


def make_read_fn(cfg: TextInputConfig, run_id: str) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """mapInPandas: one row per file (uri, file_key, file_id) -> its documents rows."""
    source, snapshot = cfg.source, cfg.snapshot

    def read(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            for f in pdf.itertuples(index=False):
                rows: list[dict] = []
                name = os.path.basename(f.file_key)
                t0 = time.perf_counter()
                try:
                    stream = _open(f.uri)
                except Exception as exc:  # noqa: BLE001 - recorded as the file's read_error row
                    records = iter([_error_record(name, exc)])
                else:
                    records = read_records(
                        stream, name, cfg.format, text_field=cfg.text_field, id_field=cfg.id_field,
                        url_field=cfg.url_field, title_field=cfg.title_field, text_split=cfg.text_split,
                    )  # fmt: skip
                for rec in records:
                    text = rec.text if rec.status == "ok" else None
                    rows.append(
                        {
                            "source": source, "snapshot": snapshot,
                            "doc_id": make_doc_id(source, f"{snapshot}\x00{rec.key}"), "file_id": f.file_id,
                            "url": rec.url, "host": host_of(rec.url) if rec.url else None, "warc_date": None,
                            "title": rec.title, "text": text, "extract_status": rec.status, "extract_error": rec.error,
                            "extract_method": cfg.format, "charset": "utf-8", "charset_source": "text",
                            "payload_length": len(rec.text.encode("utf-8", "surrogatepass")) if rec.text else 0,
                            "text_chars": len(text) if text else 0,
                            "text_lines": text.count("\n") + 1 if text else 0,
                            "extract_ms": (time.perf_counter() - t0) * 1000.0, "extractor": EXTRACTOR,
                            "run_id": run_id,
                        }
                    )  # fmt: skip
                    t0 = time.perf_counter()
                    if len(rows) >= 512:
                        yield pd.DataFrame(rows, columns=DOC_COLUMNS)
                        rows = []
                if rows:
                    yield pd.DataFrame(rows, columns=DOC_COLUMNS)

    return read


def _error_record(name: str, exc: BaseException) -> object:
    from crawlforge.lib.text_sources import TextRecord

    return TextRecord(f"{name}#error", 0, None, "read_error", f"{type(exc).__name__}: {exc}"[:2000])


def _files_frame(spark: SparkSession, batch: Sequence[InputFile]) -> DataFrame:
    n = len(batch)
    files = spark.createDataFrame(
        [(i, f.uri, f.key, f.file_id) for i, f in enumerate(batch)],
        "idx long, uri string, file_key string, file_id string",
    )
    return spark.range(0, n, 1, numPartitions=n).withColumnRenamed("id", "idx").join(F.broadcast(files), "idx")


def _previous_attempts(spark: SparkSession, root: str, source: str, snapshot: str) -> dict[str, tuple[str, int]]:
    if not delta_io.table_exists(spark, root, INGEST_FILES.name):
        return {}
    latest = latest_ingest_attempts(spark, root, source, snapshot).select("file_id", "status", "attempt")
    return {r["file_id"]: (r["status"], int(r["attempt"])) for r in latest.toLocalIterator()}  # one row per file


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> IngestTextResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    t = cfg.text_input
    root = cfg.lake.root
    files = plan(t)
    result = IngestTextResult(run_id, t.source, t.snapshot, files_planned=len(files), by_status={})
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        for spec in (DOCUMENTS, INGEST_FILES, STAGE_PROGRESS, SOURCES):
            delta_io.ensure_table(spark, root, spec)
        previous = _previous_attempts(spark, root, t.source, t.snapshot)
        todo = [f for f in files if previous.get(f.file_id, ("", 0))[0] not in (STATUS_DONE, STATUS_PARTIAL)]
        result.files_skipped = len(files) - len(todo)
        per_batch = t.files_per_batch or default_batch(spark)
        for start in range(0, len(todo), per_batch):
            batch = todo[start : start + per_batch]
            started = datetime.now(UTC)
            docs = _files_frame(spark, batch).mapInPandas(make_read_fn(t, run_id), DOC_DDL)
            predicate = delta_io.scope_predicate(t.source, t.snapshot, [f.file_id for f in batch])
            delta_io.replace_where(docs, root, DOCUMENTS, predicate, run_id)
            written = delta_io.read_table(spark, root, DOCUMENTS.name).where(
                F.expr(predicate) & (F.col("run_id") == run_id)
            )
            counts: dict[str, Counter[str]] = {}
            for r in written.groupBy("file_id", "extract_status").count().collect():  # files x statuses
                counts.setdefault(r["file_id"], Counter())[r["extract_status"]] = int(r["count"])
            finished = datetime.now(UTC)
            ledger, progress = [], []

            def attempt_of(file_id: str) -> int:
                return previous.get(file_id, ("", 0))[1] + 1

            for f in batch:
                c = counts.get(f.file_id, Counter())
                total = sum(c.values())
                errors = c.get("read_error", 0)
                status = STATUS_DONE if not errors else (STATUS_PARTIAL if total > errors else STATUS_FAILED)
                size = os.path.getsize(f.uri) if os.path.isfile(f.uri) else None
                ledger.append(
                    (
                        t.source, t.snapshot, f.key, f.file_id, attempt_of(f.file_id), run_id, status,
                        "corrupt" if errors else None, "read error (see documents.extract_error)" if errors else None,
                        size, total - errors, c.get("ok", 0), total - errors - c.get("ok", 0), dict(c),
                        {k: v for k, v in c.items() if k != "ok"}, {}, 0, 0, 0, started, finished,
                        (finished - started).total_seconds(),
                    )
                )  # fmt: skip
                if status != STATUS_FAILED:
                    progress.append((t.source, t.snapshot, "extract", f.file_id, run_id, finished))
                for k, v in c.items():
                    result.by_status[k] = result.by_status.get(k, 0) + v  # type: ignore[index]
            delta_io.append(spark.createDataFrame(ledger, INGEST_FILES.schema), root, INGEST_FILES, run_id)
            if progress:
                delta_io.append(spark.createDataFrame(progress, STAGE_PROGRESS.schema), root, STAGE_PROGRESS, run_id)
            result.files_processed += len(batch)
        result.documents = sum((result.by_status or {}).values())
        source_row = [
            (t.source, t.snapshot, t.license, t.description, t.origin, t.format, len(files), result.documents,
             datetime.now(UTC), run_id)
        ]  # fmt: skip
        delta_io.append(spark.createDataFrame(source_row, SOURCES.schema), root, SOURCES, run_id)
        recorder.counts = {
            "files_processed": result.files_processed,
            "files_skipped": result.files_skipped,
            **{f"status_{k}": v for k, v in (result.by_status or {}).items()},
        }
        ok = (result.by_status or {}).get("ok", 0)
        recorder.stage_stats(
            [
                {"source": t.source, "snapshot": t.snapshot, "stage": JOB, "rule": "kept", "docs_in": result.documents,
                 "docs_out": ok, "docs_dropped": result.documents - ok}
            ]
        )  # fmt: skip
    log.info("ingest-text %s/%s: %s", t.source, t.snapshot, result)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
