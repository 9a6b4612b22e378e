"""Progress, run records and failure messages: what a person sees when a job runs, fails and is resumed."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, job_main, main
from crawlforge.jobs.run_records import SparkProgress, latest_runs


def _plan(_cfg: Any) -> str:
    return "# plan"


def _argv(lake: Path, *sets: str) -> list[str]:
    out = ["--config", "local", "--set", f"lake.root={lake}"]
    for s in sets:
        out += ["--set", s]
    return out


def test_pipeline_failure_names_the_stage_the_cause_and_the_resume_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(_spark: Any, _cfg: Any) -> None:
        try:
            raise FileNotFoundError("lid model /x/lid.bin not found")
        except FileNotFoundError as exc:  # what jobs/pipeline.py does with a stage's error
            raise RuntimeError(f"stage 'annotate' failed: {exc}") from exc

    argv = _argv(tmp_path, "sample.pages=5")
    assert job_main("pipeline", argv, _plan, run, needs_spark=False) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "crawlforge pipeline FAILED after" in err and "in stage 'annotate'" in err
    assert "error: FileNotFoundError: lid model /x/lid.bin not found" in err
    assert f"crawlforge pipeline --config local --set lake.root={tmp_path} --set sample.pages=5" in err
    assert "run the same command again to resume" in err


def test_interrupted_run_exits_130_with_resume_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def run(_spark: Any, _cfg: Any) -> None:
        raise KeyboardInterrupt

    assert job_main("ingest", _argv(tmp_path), _plan, run, needs_spark=False) == EXIT_INTERRUPTED
    err = capsys.readouterr().err
    assert "crawlforge ingest INTERRUPTED" in err
    assert f"crawlforge ingest --config local --set lake.root={tmp_path}" in err


def test_failed_input_files_are_listed_but_the_run_succeeds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    class Result:
        def __init__(self) -> None:
            self.failed_files = [(f"/in/f{i}.warc.gz", "corrupt gzip member at 1234") for i in range(12)]

    assert job_main("pipeline", _argv(tmp_path), _plan, lambda s, c: {"ingest": Result()}, needs_spark=False) == 0
    err = capsys.readouterr().err
    assert "12 input file(s) failed" in err and "/in/f0.warc.gz: corrupt gzip member at 1234" in err
    assert "... and 2 more" in err and "ingest.retry_failed=true" in err


@pytest.mark.spark
def test_spark_progress_reports_tasks_of_a_running_stage(
    spark: SparkSession, caplog: pytest.LogCaptureFixture
) -> None:
    def slow(batches: Iterator[Any]) -> Iterator[Any]:
        for b in batches:
            time.sleep(1.5)
            yield b

    done = threading.Event()

    def action() -> None:
        spark.range(0, 4, 1, numPartitions=4).mapInPandas(slow, "id long").count()
        done.set()

    caplog.set_level(logging.INFO, logger="crawlforge.jobs.run_records")
    with SparkProgress(spark, "unit", interval_s=0.3) as progress:
        worker = threading.Thread(target=action)
        worker.start()
        seen: list[str] = []
        deadline = time.time() + 120
        while not done.is_set() and time.time() < deadline:
            seen.append(progress.snapshot())
            time.sleep(0.1)
        worker.join(timeout=120)
    assert done.is_set()
    four = [s for s in seen if re.search(r"stage \d+: [0-4]/4 tasks done, [0-4] running", s)]
    assert four, seen[-5:]  # the 4-partition stage was seen while it ran
    assert any("unit progress: stage" in r.getMessage() for r in caplog.records)
    assert progress.snapshot() == ""  # idle again


@pytest.mark.spark
def test_failed_stage_is_recorded_and_a_rerun_resumes(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real failure inside Spark's Python workers (a missing language-ID model), then the fixed rerun."""
    lake = tmp_path / "lake"
    base = ["sample.pages=24", "sample.files=2", f"sample.output_dir={tmp_path / 'input'}"]
    assert main(["ingest", *_argv(lake, *base)]) == EXIT_OK
    assert main(["extract", *_argv(lake, *base)]) == EXIT_OK
    capsys.readouterr()
    missing = tmp_path / "no-such-lid.bin"
    bad = _argv(lake, *base, f"annotate.lid_model={missing}")
    assert main(["annotate", *bad]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "crawlforge annotate FAILED after" in err
    assert "(job annotate) failed" in err
    assert "0 input file(s) finished by this run are committed" in err
    assert str(missing) in err  # the cause, from inside the Python worker's traceback
    assert "crawlforge annotate --config local" in err and "run the same command again" in err

    runs = latest_runs(spark, str(lake))
    failed = runs.where((F.col("job") == "annotate") & (F.col("status") == "failed")).collect()
    assert len(failed) == 1 and str(missing) in failed[0]["message"]
    assert runs.where(F.col("status") == "running").count() == 0  # every run was closed

    assert main(["annotate", *_argv(lake, *base)]) == EXIT_OK
    progress = delta_io.read_table(spark, str(lake), "stage_progress").where(F.col("stage") == "annotate")
    assert progress.count() == 2  # both files annotated by the rerun, once each
    signals = delta_io.read_table(spark, str(lake), "signals").count()
    ok_docs = delta_io.read_table(spark, str(lake), "documents").where("extract_status = 'ok'").count()
    assert signals == ok_docs > 0
