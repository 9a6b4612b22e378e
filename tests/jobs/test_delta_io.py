"""Creating a table while another process is creating it (the race CI hit with two concurrent ingests)."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from delta.tables import DeltaTable

from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import INGEST_FILES


def test_ensure_table_waits_out_another_writers_half_created_table(spark, tmp_path: Path) -> None:
    """An empty ``_delta_log`` is what a second process sees between the other's mkdir and first commit.

    Delta answers DELTA_TABLE_NOT_FOUND there; ``ensure_table`` must retry until the other commit lands.
    The other process is played by a thread that builds the same table elsewhere and moves its first
    commit into the half-made log a second later.
    """
    lake = tmp_path / "lake"
    log_dir = lake / INGEST_FILES.name / "_delta_log"
    log_dir.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    delta_io.ensure_table(spark, str(elsewhere), INGEST_FILES)
    first_commit = elsewhere / INGEST_FILES.name / "_delta_log" / "00000000000000000000.json"

    def other_process_commits() -> None:
        time.sleep(1.0)
        shutil.copy(first_commit, log_dir / first_commit.name)

    other = threading.Thread(target=other_process_commits)
    other.start()
    path = delta_io.ensure_table(spark, str(lake), INGEST_FILES)
    other.join()
    assert DeltaTable.isDeltaTable(spark, path)
    assert spark.read.format("delta").load(path).schema == INGEST_FILES.schema


def test_a_missing_table_is_retried_only_while_creating() -> None:
    calls = []

    def missing() -> None:
        calls.append(1)
        raise RuntimeError("[DELTA_TABLE_NOT_FOUND] Delta table `/x` doesn't exist.")

    with pytest.raises(RuntimeError, match="DELTA_TABLE_NOT_FOUND"):
        delta_io.with_commit_retries(missing, "read", attempts=3)
    assert len(calls) == 1
