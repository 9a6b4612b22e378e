"""Real-sized pages (issue #13): one Common-Crawl-sized WARC file of real HTML through ingest and extract.

The file holds 40,000 records of the shared extraction benchmarks' pages, repeated under new URLs and record
ids: pages up to 200 KB (mean ~95 KB, Common Crawl's), one stretch of 1,000 records of the larger real pages back
to back (as a big site's pages are), and giant pages around the two size limits. It runs in the test session's
Spark (local[2], ``spark.driver.memory`` 1536m as shipped). With Spark's row-count batches (4,096 rows per Parquet
reader batch) the same file exhausts that heap in extract (``Cannot reserve additional contiguous bytes in the
vectorized reader``; checked by hand with the memory model replaced by those settings).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io, extract, ingest, memory_model
from crawlforge.lib.extract import extract_html
from crawlforge.lib.real_crawl import RealCrawlSpec, RealPage, build_real_crawl, load_pages
from tests.helpers import make_config


pytestmark = pytest.mark.spark

RECORDS = 40_000
# the body of the file: real pages up to 200 KB (mean ~95 KB, Common Crawl's); one stretch of BURST records is the
# 214 larger real pages (mean ~650 KB) back to back, what one 4,096-row reader batch held when it ran out of heap
SMALL = 200_000
BURST = 1_000
MB = 1024 * 1024
# over ingest.max_record_bytes (16 MiB): dropped at ingest; over extract.max_bytes (8 MiB): 'too_large' at
# extract without its bytes going to Python; 4 MiB: parsed (or cut off at the time limit, with that status)
GIANTS = (17 * MB, 15 * MB, 9 * MB, 4 * MB)


@pytest.fixture(scope="module")
def all_pages(shared_data: Path) -> list[RealPage]:
    folders = [shared_data / "extraction" / "scrapinghub-aeb", shared_data / "extraction" / "wcxb-dev-sample"]
    return load_pages(folders)


@pytest.fixture(scope="module")
def real_pages(all_pages: list[RealPage]) -> list[RealPage]:
    return [p for p in all_pages if len(p.html) <= SMALL]


@pytest.fixture(scope="module")
def real_lake(
    spark, tmp_path_factory: pytest.TempPathFactory, real_pages: list[RealPage], all_pages: list[RealPage]
) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("real-pages")
    burst = [p for p in all_pages if len(p.html) > SMALL]
    spec = RealCrawlSpec(
        files=1, records_per_file=RECORDS, large_pages=GIANTS, burst_records=BURST, filler_lines_per_record=0
    )
    (path,) = build_real_crawl(root / "crawl", real_pages, spec, burst=burst)
    cfg = make_config(
        str(root / "lake"),
        ingest__input__kind="paths",
        ingest__input__paths=f"[{path}]",
        ingest__snapshot="REAL-40K",
    )
    ingest.run(spark, cfg)
    extract.run(spark, cfg)
    return root / "lake", cfg


def test_a_real_size_file_is_ingested_whole_and_giants_are_dropped_with_a_reason(spark, real_lake) -> None:
    lake, _ = real_lake
    (ledger,) = delta_io.read_table(spark, str(lake), "ingest_files").collect()
    assert ledger["status"] == "done"
    assert ledger["records_total"] == RECORDS + 1  # + warcinfo
    assert ledger["drops_by_reason"] == {"record_type": 1, "too_large": 1}
    assert ledger["records_kept"] == RECORDS - 1
    raw = delta_io.read_table(spark, str(lake), "raw")
    sizes = raw.agg(F.count("*").alias("n"), F.avg("payload_length").alias("mean"), F.max("payload_length")).first()
    assert sizes["n"] == RECORDS - 1
    assert 90_000 < sizes["mean"] < 130_000  # Common Crawl's page size, not the generator's 4 KB


def test_every_record_of_the_real_file_gets_a_document_with_its_status(spark, real_lake, all_pages) -> None:
    lake, _ = real_lake
    docs = delta_io.read_table(spark, str(lake), "documents")
    statuses = Counter({r["extract_status"]: r["count"] for r in docs.groupBy("extract_status").count().collect()})
    assert sum(statuses.values()) == RECORDS - 1
    assert set(statuses) <= {"ok", "empty", "too_large"} and statuses["too_large"] == 2
    # the few real pages that give no text do so on their own too (JavaScript-only pages): the same verdict as a
    # direct call, for every copy
    empty_pages = {
        r[0].rsplit("/", 1)[1] for r in docs.where("extract_status = 'empty'").select("url").distinct().collect()
    }
    by_name = {p.name.replace("/", "-"): p for p in all_pages}
    assert all(extract_html(by_name[n].html, None, isolation="inprocess").status == "empty" for n in empty_pages)
    assert statuses["ok"] >= RECORDS * 0.98
    giants = {
        r["payload_length"]: r["extract_status"]
        for r in docs.where(F.col("payload_length") > 3 * MB).select("payload_length", "extract_status").collect()
    }
    assert giants[15 * MB] == "too_large" and giants[9 * MB] == "too_large"
    assert giants[4 * MB] in {"ok", "timeout"}
    assert docs.join(delta_io.read_table(spark, str(lake), "raw"), ["doc_id"], "left_anti").count() == 0


def test_the_memory_model_bounds_batches_by_bytes_whatever_the_page_size(spark, real_lake) -> None:
    _, cfg = real_lake
    plan = memory_model.plan(cfg)
    # a reader batch of the largest pages a table may hold stays within the byte budget
    assert plan.reader_batch_rows * cfg.ingest.max_record_bytes <= cfg.memory.batch_bytes
    assert spark.conf.get("spark.sql.parquet.columnarReaderBatchSize") == str(plan.reader_batch_rows)
    assert spark.conf.get("spark.sql.execution.arrow.maxBytesPerBatch") == str(cfg.memory.batch_bytes)
    bigger = make_config("/tmp/unused", ingest__max_record_bytes=64 * MB, memory__batch_bytes=64 * MB)
    assert memory_model.plan(bigger).reader_batch_rows == 1
    # writes of the partitioned tables stream into open files instead of sorting every row of a task first
    assert spark.conf.get("spark.sql.maxConcurrentOutputFileWriters") == str(plan.concurrent_writers) == "2"
