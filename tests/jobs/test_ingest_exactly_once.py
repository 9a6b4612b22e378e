"""Exactly-once ingest: a run killed with SIGKILL midway and run again equals a clean run; two ingests of
different snapshots into one lake at the same time both succeed. These start real `crawlforge` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io, ingest
from crawlforge.jobs.run_records import latest_runs
from tests.helpers import make_config, short_lived_jvm_env


pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[2]
RUN_COLUMNS = ("ingest_run_id", "ingest_attempt")


def _cli(lake: Path, pattern: str, snapshot: str, per_batch: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "crawlforge",
        "ingest",
        "--config",
        "local",
        "--set",
        f"lake.root={lake}",
        "--set",
        "spark.master=local[1]",
        "--set",
        "spark.shuffle_partitions=1",
        "--set",
        "ingest.input.kind=glob",
        "--set",
        f"ingest.input.glob={pattern}",
        "--set",
        f"ingest.snapshot={snapshot}",
        "--set",
        f"ingest.files_per_batch={per_batch}",
    ]


def _commits(table: Path) -> int:
    log = table / "_delta_log"
    return len(list(log.glob("*.json"))) if log.is_dir() else 0


def _comparable(df: DataFrame) -> list[tuple]:
    cols = [c for c in df.columns if c not in RUN_COLUMNS]
    return sorted((tuple(r) for r in df.select(*cols).collect()), key=repr)


def _latest_ledger(df: DataFrame) -> list[tuple]:
    latest = df.groupBy("file_path").agg(F.max("attempt").alias("attempt"))
    rows = df.join(latest, ["file_path", "attempt"]).select(
        "file_path", "status", "records_total", "records_kept", "drops_by_reason"
    )
    return sorted((r[0], r[1], r[2], r[3], tuple(sorted(r[4].items()))) for r in rows.collect())


def test_sigkill_midway_then_rerun_equals_a_clean_run(spark, tmp_path: Path, shared_data: Path) -> None:
    pattern = f"{shared_data}/warc/cc/*.gz"
    killed_lake = tmp_path / "killed"
    env = short_lived_jvm_env()  # carries CRAWLFORGE_IVY_DIR, which the spark fixture set
    proc = subprocess.Popen(
        _cli(killed_lake, pattern, "KILL"),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    raw_log, ledger_log = killed_lake / "raw", killed_lake / "ingest_files"
    # Kill in the window where a batch's raw rows are committed but its ledger rows are not, if we
    # catch it; otherwise right after the second batch. Both must end equal to a clean run.
    in_window = False
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        raw_n, ledger_n = _commits(raw_log), _commits(ledger_log)
        if ledger_n >= 2 and raw_n > ledger_n:  # table creation counts one commit in each
            in_window = True
            break
        if ledger_n >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the ingest finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    ledger_before = delta_io.read_table(spark, str(killed_lake), "ingest_files").count()
    files = sorted(shared_data.glob("warc/cc/*.gz"))
    assert 1 <= ledger_before < len(files)
    print(f"killed after {ledger_before} file(s); between raw and ledger commits: {in_window}")

    cfg = make_config(
        str(killed_lake),
        ingest__input__kind="glob",
        ingest__input__glob=pattern,
        ingest__snapshot="KILL",
        ingest__files_per_batch=3,
    )
    resumed = ingest.run(spark, cfg)
    assert resumed.files_skipped == ledger_before
    clean_lake = tmp_path / "clean"
    ingest.run(
        spark,
        make_config(str(clean_lake), ingest__input__kind="glob", ingest__input__glob=pattern, ingest__snapshot="KILL"),
    )

    killed_raw = delta_io.read_table(spark, str(killed_lake), "raw")
    clean_raw = delta_io.read_table(spark, str(clean_lake), "raw")
    assert killed_raw.count() == clean_raw.count()
    assert _comparable(killed_raw) == _comparable(clean_raw)
    killed_ledger = delta_io.read_table(spark, str(killed_lake), "ingest_files")
    assert _latest_ledger(killed_ledger) == _latest_ledger(delta_io.read_table(spark, str(clean_lake), "ingest_files"))
    # one finished row per file: the killed run's finished files were not read again
    assert killed_ledger.count() == len(files)
    # the killed run stays visible in `runs` as running
    statuses = sorted(r["status"] for r in latest_runs(spark, str(killed_lake)).collect())
    assert statuses == ["running", "succeeded"]


def test_two_snapshots_ingested_at_the_same_time_into_one_lake(spark, tmp_path: Path, shared_data: Path) -> None:
    lake = tmp_path / "lake"
    env = short_lived_jvm_env()  # carries CRAWLFORGE_IVY_DIR, which the spark fixture set
    pattern_a = f"{shared_data}/warc/cc/*.gz"
    pattern_b = f"{shared_data}/warc/non-cc/*.gz"
    procs = [
        subprocess.Popen(
            _cli(lake, pattern, snap, per_batch=3), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        for pattern, snap in ((pattern_a, "SNAP-A"), (pattern_b, "SNAP-B"))
    ]
    outputs = [p.communicate(timeout=600)[0].decode(errors="replace") for p in procs]
    for p, out in zip(procs, outputs, strict=True):
        assert p.returncode == 0, out[-3000:]
    raw = delta_io.read_table(spark, str(lake), "raw")
    counts = {r["snapshot"]: r["count"] for r in raw.groupBy("snapshot").count().collect()}
    alone = tmp_path / "alone"
    for pattern, snap in ((pattern_a, "SNAP-A"), (pattern_b, "SNAP-B")):
        ingest.run(
            spark,
            make_config(str(alone), ingest__input__kind="glob", ingest__input__glob=pattern, ingest__snapshot=snap),
        )
    alone_raw = delta_io.read_table(spark, str(alone), "raw")
    assert counts == {r["snapshot"]: r["count"] for r in alone_raw.groupBy("snapshot").count().collect()}
    assert _comparable(raw) == _comparable(alone_raw)
    runs = latest_runs(spark, str(lake))
    assert sorted(r["status"] for r in runs.collect()) == ["succeeded", "succeeded"]
