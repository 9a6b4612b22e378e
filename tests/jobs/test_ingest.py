"""Real Spark + Delta runs of the ingest job on the shared Common Crawl fixtures and damaged files."""

from __future__ import annotations

import gzip
import random
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io, ingest
from crawlforge.jobs.run_records import latest_runs
from crawlforge.lib.warc_reader import read_local_file
from tests.helpers import make_config


pytestmark = pytest.mark.spark


def _glob_config(lake: Path, pattern: str, snapshot: str, **extra: object) -> object:
    return make_config(
        str(lake),
        ingest__input__kind="glob",
        ingest__input__glob=pattern,
        ingest__snapshot=snapshot,
        ingest__files_per_batch=4,
        **extra,
    )


def test_ingest_accounts_for_every_record_of_the_real_files(spark, tmp_path: Path, shared_data: Path) -> None:
    lake = tmp_path / "lake"
    cfg = _glob_config(lake, f"{shared_data}/warc/**/*.gz", "FIXTURES")
    result = ingest.run(spark, cfg)
    files = sorted(shared_data.glob("warc/**/*.gz"))
    assert result.files_planned == len(files) == result.files_read

    raw = delta_io.read_table(spark, str(lake), "raw")
    ledger = delta_io.read_table(spark, str(lake), "ingest_files")
    expected_kept = 0
    rows = {r["file_path"]: r for r in ledger.collect()}
    assert len(rows) == len(files)
    for path in files:
        records, summary = read_local_file(str(path), "common-crawl")
        row = rows[str(path)]
        assert row["status"] == summary.status, path.name
        assert (row["records_total"], row["records_kept"]) == (summary.records_total, summary.records_kept)
        assert row["drops_by_reason"] == dict(summary.drops_by_reason)
        assert row["records_total"] == row["records_kept"] + sum(row["drops_by_reason"].values())
        assert row["attempt"] == 1 and row["run_id"] == result.run_id
        ids = {r["doc_id"] for r in raw.where(F.col("file_path") == str(path)).select("doc_id").collect()}
        assert ids == {r.doc_id for r in records}, path.name
        expected_kept += len(records)
    assert raw.count() == expected_kept == result.records_kept
    # The fixtures hold some WARC records in more than one file (head16, its truncated copy, a fragment):
    # the same record gets the same doc_id in each, so raw's key is (doc_id, file_id).
    assert raw.select("doc_id", "file_id").distinct().count() == expected_kept
    assert raw.select("doc_id").distinct().count() < expected_kept
    assert {r[0] for r in raw.select("snapshot").distinct().collect()} == {"FIXTURES"}
    # provenance: the stored length re-reads the record from the file
    one = raw.where(F.col("url") == "http://commoncrawl.org/").first()
    assert one["offset"] == 0 and one["length"] == 5392 and one["payload_length"] == len(one["payload"])

    events = delta_io.read_table(spark, str(lake), "runs").where(F.col("run_id") == result.run_id)
    assert sorted(r["status"] for r in events.collect()) == ["running", "succeeded"]  # append-only: start, end
    runs = latest_runs(spark, str(lake)).where(F.col("run_id") == result.run_id).collect()
    assert [r["status"] for r in runs] == ["succeeded"]
    assert runs[0]["counts"]["records_kept"] == expected_kept
    stats = {r["rule"]: r for r in delta_io.read_table(spark, str(lake), "stage_stats").collect()}
    assert stats["kept"]["docs_out"] == expected_kept
    assert stats["record_type"]["docs_dropped"] == sum(
        r["drops_by_reason"].get("record_type", 0) for r in rows.values()
    )

    # a rerun reads nothing and changes nothing
    version_before = spark.sql(f"DESCRIBE HISTORY delta.`{lake}/raw`").agg(F.max("version")).first()[0]
    again = ingest.run(spark, cfg)
    assert (again.files_skipped, again.files_read) == (len(files), 0)
    assert spark.sql(f"DESCRIBE HISTORY delta.`{lake}/raw`").agg(F.max("version")).first()[0] == version_before


def _bad_inputs(folder: Path, shared_data: Path) -> dict[str, Path]:
    """Generated damaged files next to the real edge cases."""
    folder.mkdir(parents=True)
    part1 = shared_data / "warc/cc/CC-MAIN-20200808165417-20200808195417-00395.part1.warc.gz"
    data = part1.read_bytes()
    rng = random.Random(11)
    flipped = bytearray(data)
    for _ in range(4):
        i = rng.randrange(2000, len(flipped) - 2000)
        flipped[i] ^= 1 << rng.randrange(8)
    files = {
        "empty": b"",
        "not_gzip": b"definitely not a WARC file\n" * 100,
        "non_warc_gzip": gzip.compress(b"<html><p>an html file, gzipped</p></html>\n" * 50),
        "bitflips": bytes(flipped),
        "truncated": data[: len(data) // 2],
        "good": data,
    }
    out = {}
    for name, payload in files.items():
        path = folder / f"{name}.warc.gz"
        path.write_bytes(payload)
        out[name] = path
    for edge in (shared_data / "warc/cc-edge-cases").iterdir():
        shutil.copy(edge, folder / edge.name)
        out[edge.name] = folder / edge.name
    return out


def test_bad_input_never_kills_the_job_and_loses_no_readable_record(spark, tmp_path: Path, shared_data: Path) -> None:
    files = _bad_inputs(tmp_path / "in", shared_data)
    lake = tmp_path / "lake"
    cfg = _glob_config(lake, f"{tmp_path}/in/*", "BAD", ingest__max_record_bytes=20000)
    result = ingest.run(spark, cfg)
    assert result.files_read == len(files)
    ledger = {Path(r["file_path"]).name: r for r in delta_io.read_table(spark, str(lake), "ingest_files").collect()}
    raw = delta_io.read_table(spark, str(lake), "raw")
    for name in ("empty", "not_gzip", "non_warc_gzip"):
        row = ledger[f"{name}.warc.gz"]
        assert row["status"] == "failed" and row["error"], name
        assert row["error_kind"] == "corrupt"
    assert ledger["bitflips.warc.gz"]["status"] in ("partial", "done")
    assert ledger["truncated.warc.gz"]["status"] == "partial"
    assert ledger["good.warc.gz"]["status"] == "done"
    assert ledger["good.warc.gz"]["drops_by_reason"].get("too_large", 0) > 0  # the 20 kB cap
    for name, path in files.items():
        records, summary = read_local_file(str(path), "common-crawl", _read_options(cfg))
        got = {r[0] for r in raw.where(F.col("file_path") == str(path)).select("doc_id").collect()}
        assert got == {r.doc_id for r in records}, name
        assert ledger[path.name]["records_kept"] == summary.records_kept
    assert raw.count() == sum(r["records_kept"] for r in ledger.values())


def _read_options(cfg: object) -> object:
    from crawlforge.lib.warc_reader import ReadOptions

    ing = cfg.ingest  # type: ignore[attr-defined]
    return ReadOptions(
        keep_mime_types=frozenset(ing.keep_mime_types),
        keep_status=frozenset(ing.keep_status),
        max_record_bytes=ing.max_record_bytes,
    )


class _FlakyServer:
    """Serves files over loopback HTTP; fails every ``every``-th request with 503 and resets some bodies."""

    def __init__(self, root: Path, every: int = 3, always_fail: set[str] | None = None) -> None:
        self.root = root
        self.requests = 0
        self.failed = 0
        self.every = every
        self.always_fail = always_fail or set()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _serve(self, body_wanted: bool) -> None:
                with outer.lock:
                    outer.requests += 1
                    n = outer.requests
                name = self.path.lstrip("/")
                if name in outer.always_fail or (outer.every and n % outer.every == 0):
                    outer.failed += 1
                    self.send_response(503, "SlowDown")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path = outer.root / name
                if not path.is_file():
                    self.send_error(404)
                    return
                data = path.read_bytes()
                start = 0
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(data) - start))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                if body_wanted:
                    self.wfile.write(data[start:])

            def do_GET(self) -> None:
                self._serve(True)

            def do_HEAD(self) -> None:
                self._serve(False)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture
def cc_files(shared_data: Path) -> Iterator[Path]:
    yield shared_data / "warc" / "cc"


def test_http_ingest_survives_503s_and_equals_local_ingest(spark, tmp_path: Path, cc_files: Path) -> None:
    server = _FlakyServer(cc_files, every=3)
    try:
        names = sorted(p.name for p in cc_files.iterdir())
        manifest = tmp_path / "manifest.txt"
        manifest.write_text("\n".join(f"{server.url}/{n}" for n in names) + "\n")
        cfg = make_config(
            str(tmp_path / "lake"),
            ingest__input__kind="manifest",
            ingest__input__manifest=str(manifest),
            ingest__snapshot="HTTP",
            ingest__http__backoff_base_s=0.01,
            ingest__http__backoff_max_s=0.05,
            ingest__files_per_batch=4,
        )
        result = ingest.run(spark, cfg)
    finally:
        server.close()
    assert server.failed > 0
    assert result.by_status.get("failed", 0) == 0
    ledger = delta_io.read_table(spark, str(tmp_path / "lake"), "ingest_files")
    assert ledger.agg(F.sum("retries")).first()[0] > 0
    got = {r[0] for r in delta_io.read_table(spark, str(tmp_path / "lake"), "raw").select("doc_id").collect()}
    want = set()
    for name in names:
        want |= {r.doc_id for r in read_local_file(str(cc_files / name), "common-crawl")[0]}
    assert got == want


def test_transient_failure_is_retried_by_the_next_run_without_duplicates(
    spark, tmp_path: Path, cc_files: Path
) -> None:
    bad = "CC-MAIN-20200808165417-20200808195417-00395.part1.warc.gz"
    server = _FlakyServer(cc_files, every=0, always_fail={bad})
    manifest = tmp_path / "manifest.txt"
    names = [bad, "jwarc-commoncrawl-org-2019.warc.gz"]
    manifest.write_text("\n".join(f"{server.url}/{n}" for n in names))
    cfg = make_config(
        str(tmp_path / "lake"),
        ingest__input__kind="manifest",
        ingest__input__manifest=str(manifest),
        ingest__snapshot="RETRY",
        ingest__http__retries=1,
        ingest__http__backoff_base_s=0.01,
    )
    try:
        first = ingest.run(spark, cfg)
        assert first.by_status == {"failed": 1, "done": 1}
        server.always_fail.clear()
        second = ingest.run(spark, cfg)
    finally:
        server.close()
    assert (second.files_skipped, second.files_read, second.by_status) == (1, 1, {"done": 1})
    ledger = delta_io.read_table(spark, str(tmp_path / "lake"), "ingest_files").where(F.col("file_path").endswith(bad))
    assert sorted((r["attempt"], r["status"], r["error_kind"]) for r in ledger.collect()) == [
        (1, "failed", "transient"),
        (2, "done", None),
    ]
    raw = delta_io.read_table(spark, str(tmp_path / "lake"), "raw")
    assert raw.count() == raw.select("doc_id").distinct().count() == 9
