"""ingest-text on real Spark + Delta: JSONL with bad records and a missing file; every record accounted for."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from crawlforge.jobs import delta_io, ingest_text
from crawlforge.jobs.incremental import finished_files
from crawlforge.lib.warc_reader import make_doc_id
from tests.helpers import make_config


pytestmark = pytest.mark.spark


def test_jsonl_source_with_bad_records_missing_file_and_rerun(spark: Any, tmp_path: Path) -> None:
    good = tmp_path / "books-0.jsonl.gz"
    lines = [json.dumps({"id": f"b{i}", "text": f"Chapter {i}.\nIt was a dark night.", "url": f"https://b.org/{i}"})
             for i in range(5)]  # fmt: skip
    lines += ["{broken", json.dumps({"id": "b9", "text": ""})]
    good.write_bytes(gzip.compress("\n".join(lines).encode()))
    missing = tmp_path / "books-1.jsonl"
    cfg = make_config(
        str(tmp_path / "lake"),
        text_input__source="books",
        text_input__snapshot="2026-11",
        text_input__format="jsonl",
        text_input__id_field="id",
        text_input__url_field="url",
        text_input__input__kind="paths",
        text_input__input__paths=f"[{good}, {missing}]",
        text_input__license="public-domain",
        text_input__description="test books",
    )
    first = ingest_text.run(spark, cfg)
    assert first.by_status == {"ok": 5, "parse_error": 1, "empty": 1, "read_error": 1}
    lake = str(tmp_path / "lake")
    docs = {r["doc_id"]: r.asDict() for r in delta_io.read_table(spark, lake, "documents").collect()}
    assert len(docs) == 8
    d0 = docs[make_doc_id("books", "2026-11\x00b0")]
    assert (d0["text"], d0["url"], d0["host"], d0["text_lines"]) == (
        "Chapter 0.\nIt was a dark night.",
        "https://b.org/0",
        "b.org",
        2,
    )
    ledger = {r["file_path"]: r.asDict() for r in delta_io.read_table(spark, lake, "ingest_files").collect()}
    assert ledger[str(good)]["status"] == "done" and ledger[str(good)]["records_kept"] == 5
    assert ledger[str(good)]["drops_by_reason"] == {"parse_error": 1, "empty": 1}
    assert ledger[str(missing)]["status"] == "failed" and ledger[str(missing)]["records_total"] == 0
    # only the readable file is handed to annotate / ccnet
    assert finished_files(spark, lake, "extract", "books", "2026-11") == {ledger[str(good)]["file_id"]}

    # rerun: the done file is skipped, the failed one retried (attempt 2); nothing is duplicated
    missing.write_text(json.dumps({"id": "c1", "text": "Now it exists."}) + "\n")
    second = ingest_text.run(spark, cfg)
    assert (second.files_processed, second.files_skipped) == (1, 1)
    docs = delta_io.read_table(spark, lake, "documents")
    assert docs.count() == 8  # the failed file's error row was replaced by its one record
    assert docs.where("extract_status = 'read_error'").count() == 0
    attempts = {
        (r["file_path"], r["attempt"], r["status"]) for r in delta_io.read_table(spark, lake, "ingest_files").collect()
    }
    assert (str(missing), 2, "done") in attempts
    sources = delta_io.read_table(spark, lake, "sources").collect()
    assert {(r["license"], r["description"], r["format"]) for r in sources} == {
        ("public-domain", "test books", "jsonl")
    }
