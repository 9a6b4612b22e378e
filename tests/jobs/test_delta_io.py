"""Creating a table while another process is creating it (the race CI hit with two concurrent ingests)."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from delta.tables import DeltaTable

from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import DOCUMENTS, INGEST_FILES, RUNS, STAGE_PROGRESS


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


def test_bookkeeping_tables_checkpoint_every_100_commits_data_tables_as_delta_does(spark, tmp_path: Path) -> None:
    """A checkpoint of a small table cost ~2.5 s of a ~5 s stage every few stages (issue #13)."""
    root = str(tmp_path / "lake")
    for spec, expected in ((STAGE_PROGRESS, "100"), (RUNS, "100"), (DOCUMENTS, None)):
        path = delta_io.ensure_table(spark, root, spec)
        props = DeltaTable.forPath(spark, path).detail().first()["properties"]
        assert props.get("delta.checkpointInterval") == expected, spec.name
        assert delta_io.ensure_table(spark, root, spec) == path  # an existing table is left as it is


def test_a_background_commit_lands_before_later_commits_and_its_error_is_raised(spark, tmp_path: Path) -> None:
    """The ``running`` row of a run is committed on a thread; the job's own commits must come after it."""
    root = str(tmp_path / "lake")
    path = delta_io.ensure_table(spark, root, STAGE_PROGRESS)

    def rows(file_id: str):
        return spark.createDataFrame([("s", "x", "extract", file_id, "r", datetime.now(UTC))], STAGE_PROGRESS.schema)

    slow, fast = rows("background"), rows("foreground")

    def slow_append() -> None:
        time.sleep(1.5)
        delta_io.append(slow, root, STAGE_PROGRESS, "background-run")

    background = delta_io.BackgroundCommit(slow_append, "slow append")
    delta_io.append(fast, root, STAGE_PROGRESS, "foreground-run")  # must wait for the background commit
    background.wait()
    history = DeltaTable.forPath(spark, path).history().where("operation = 'WRITE'").orderBy("version").collect()
    assert [h["userMetadata"] for h in history] == ["background-run", "foreground-run"]

    def broken() -> None:
        raise OSError("lake is read-only")

    failed = delta_io.BackgroundCommit(broken, "broken append")
    with pytest.raises(RuntimeError, match="broken append failed: lake is read-only"):
        delta_io.append(fast, root, STAGE_PROGRESS, "after-the-failure")  # the failure surfaces at the next commit
    assert not delta_io.BackgroundCommit._pending  # handed on once: later commits no longer wait for it
    with pytest.raises(RuntimeError, match="lake is read-only"):
        failed.wait()  # its owner still sees the error
