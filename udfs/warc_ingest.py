"""``mapInArrow`` function: one input file in, its kept records and one summary row out.

Each task receives rows naming input files (one file per task, so a slow file never holds others
back), reads each file with :class:`crawlforge.lib.warc_reader.WarcFileReader` and streams its kept
records as Arrow batches of bounded size (memory per task stays flat whatever the file size). After
the last record of a file it emits a single row whose ``_file_summary`` column holds the file's JSON
account (status, error, counts by type and by drop reason); the job collects those few rows through
a Spark ``Observation`` while the same pass writes the records to Delta.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from crawlforge.lib.remote_io import RetryPolicy, input_size, open_input
from crawlforge.lib.warc_reader import FileSummary, RawRecord, ReadOptions, WarcFileReader


RECORD_FIELDS = [
    ("source", pa.string()),
    ("snapshot", pa.string()),
    ("doc_id", pa.string()),
    ("url", pa.string()),
    ("host", pa.string()),
    ("warc_record_id", pa.string()),
    ("warc_type", pa.string()),
    ("warc_date", pa.timestamp("us", tz="UTC")),
    ("refers_to", pa.string()),
    ("file_path", pa.string()),
    ("file_id", pa.string()),
    ("offset", pa.int64()),
    ("length", pa.int64()),
    ("payload_digest", pa.string()),
    ("http_status", pa.int32()),
    ("content_type", pa.string()),
    ("charset", pa.string()),
    ("identified_language", pa.string()),
    ("payload_length", pa.int64()),
    ("payload", pa.binary()),
    ("http_headers", pa.map_(pa.string(), pa.string())),
    ("ingest_run_id", pa.string()),
    ("ingest_attempt", pa.int32()),
    ("_file_summary", pa.string()),
]
ARROW_SCHEMA = pa.schema(RECORD_FIELDS)
# The same schema as a Spark DDL string, for mapInArrow.
SPARK_DDL = (
    "source string, snapshot string, doc_id string, url string, host string, warc_record_id string, "
    "warc_type string, warc_date timestamp, refers_to string, file_path string, file_id string, "
    "offset long, length long, payload_digest string, http_status int, content_type string, charset string, "
    "identified_language string, payload_length long, payload binary, http_headers map<string,string>, "
    "ingest_run_id string, ingest_attempt int, _file_summary string"
)


@dataclass(frozen=True)
class IngestTaskOptions:
    source: str
    snapshot: str
    run_id: str
    read: ReadOptions
    retry: RetryPolicy
    max_batch_rows: int = 512
    max_batch_bytes: int = 32 << 20


class _BatchBuilder:
    def __init__(self, opts: IngestTaskOptions) -> None:
        self.opts = opts
        self.cols: dict[str, list[Any]] = {name: [] for name, _ in RECORD_FIELDS}
        self.rows = 0
        self.bytes = 0

    def add_record(self, r: RawRecord, file_key: str, file_id: str, attempt: int) -> None:
        c = self.cols
        c["source"].append(self.opts.source)
        c["snapshot"].append(self.opts.snapshot)
        c["doc_id"].append(r.doc_id)
        c["url"].append(r.url)
        c["host"].append(r.host)
        c["warc_record_id"].append(r.warc_record_id)
        c["warc_type"].append(r.warc_type)
        c["warc_date"].append(r.warc_date)
        c["refers_to"].append(r.refers_to)
        c["file_path"].append(file_key)
        c["file_id"].append(file_id)
        c["offset"].append(r.offset)
        c["length"].append(r.length)
        c["payload_digest"].append(r.payload_digest)
        c["http_status"].append(r.http_status)
        c["content_type"].append(r.content_type)
        c["charset"].append(r.charset)
        c["identified_language"].append(r.identified_language)
        c["payload_length"].append(len(r.payload))
        c["payload"].append(r.payload)
        c["http_headers"].append(None if r.http_headers is None else sorted(r.http_headers.items()))
        c["ingest_run_id"].append(self.opts.run_id)
        c["ingest_attempt"].append(attempt)
        c["_file_summary"].append(None)
        self.rows += 1
        self.bytes += len(r.payload)

    def add_summary(self, summary_json: str, file_key: str, file_id: str) -> None:
        for col in self.cols.values():
            col.append(None)
        self.cols["source"][-1] = self.opts.source
        self.cols["snapshot"][-1] = self.opts.snapshot
        self.cols["file_path"][-1] = file_key
        self.cols["file_id"][-1] = file_id
        self.cols["_file_summary"][-1] = summary_json
        self.rows += 1

    def full(self) -> bool:
        return self.rows >= self.opts.max_batch_rows or self.bytes >= self.opts.max_batch_bytes

    def flush(self) -> pa.RecordBatch:
        batch = pa.RecordBatch.from_pydict(self.cols, schema=ARROW_SCHEMA)
        self.cols = {name: [] for name, _ in RECORD_FIELDS}
        self.rows = 0
        self.bytes = 0
        return batch


def summary_to_json(
    summary: FileSummary, file_key: str, file_id: str, attempt: int, size: int | None, t0: float, t1: float
) -> str:
    return json.dumps(
        {
            "file_path": file_key,
            "file_id": file_id,
            "attempt": attempt,
            "status": summary.status,
            "error_kind": summary.error_kind,
            "error": summary.error[:4000] if summary.error else None,
            "file_size": size,
            "records_total": summary.records_total,
            "records_kept": summary.records_kept,
            "records_dropped": summary.records_dropped,
            "counts_by_type": dict(summary.counts_by_type),
            "drops_by_reason": dict(summary.drops_by_reason),
            "http_status_counts": dict(summary.http_status_counts),
            "corrupt_regions": summary.corrupt_regions,
            "bytes_skipped": summary.bytes_skipped,
            "retries": summary.retries,
            "started_at": datetime.fromtimestamp(t0, UTC).isoformat(),
            "finished_at": datetime.fromtimestamp(t1, UTC).isoformat(),
            "duration_s": round(t1 - t0, 3),
            "executor": socket.gethostname(),
        },
        sort_keys=True,
    )


def read_file_batches(
    uri: str, file_key: str, file_id: str, attempt: int, opts: IngestTaskOptions
) -> Iterator[pa.RecordBatch]:
    """All batches for one file: its kept records, then its summary row."""
    t0 = time.time()

    def open_at(offset: int) -> Any:
        return open_input(uri, opts.retry, offset)

    try:
        size = input_size(uri, opts.retry)
    except Exception:  # noqa: BLE001 - the size is informative; reading decides the file's fate
        size = None
    reader = WarcFileReader(open_at, opts.source, opts.read)
    builder = _BatchBuilder(opts)
    for record in reader:
        builder.add_record(record, file_key, file_id, attempt)
        if builder.full():
            yield builder.flush()
    builder.add_summary(
        summary_to_json(reader.summary, file_key, file_id, attempt, size, t0, time.time()), file_key, file_id
    )
    yield builder.flush()


def make_ingest_fn(opts: IngestTaskOptions) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function given to ``DataFrame.mapInArrow``; input rows have uri, file_key, file_id, attempt."""

    def ingest_files(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            rows = batch.to_pylist()
            for row in rows:
                yield from read_file_batches(row["uri"], row["file_key"], row["file_id"], int(row["attempt"]), opts)

    return ingest_files
