"""The ``runs`` and ``stage_stats`` tables: what ran, with which config and versions, and its counts.

A run appends a ``running`` row when it starts and updates it when it ends, so a run that was killed
stays visible as ``running`` with its start time. ``stage_stats`` rows count documents in and out per
rule, per source and snapshot (and language where a stage knows it).
"""

from __future__ import annotations

import logging
import platform
import secrets
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import SparkSession

from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import RUNS, STAGE_STATS
from crawlforge.lib.config import CrawlforgeConfig


log = logging.getLogger(__name__)

_PACKAGES = ("crawlforge", "pyspark", "delta-spark", "fastwarc", "resiliparse", "pyarrow", "pandas", "numpy")


def new_run_id(job: str) -> str:
    """Sortable and unique: UTC time, job name and random bits."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{job}-{secrets.token_hex(3)}"


def versions(spark: SparkSession | None = None) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    if spark is not None:
        out["spark"] = spark.version
    return out


class RunRecorder:
    """Context manager around one job run; see the module docstring."""

    def __init__(self, spark: SparkSession, cfg: CrawlforgeConfig, job: str, run_id: str) -> None:
        self.spark = spark
        self.cfg = cfg
        self.job = job
        self.run_id = run_id
        self.counts: dict[str, int] = {}
        self.message: str | None = None
        self._t0 = time.time()
        self._started = datetime.now(UTC)

    def __enter__(self) -> RunRecorder:
        root = self.cfg.lake.root
        delta_io.ensure_table(self.spark, root, RUNS)
        delta_io.ensure_table(self.spark, root, STAGE_STATS)
        row = self._row("running", None)
        delta_io.append(self.spark.createDataFrame([row], RUNS.schema), root, RUNS, self.run_id)
        log.info("run %s started (job=%s, config_hash=%s)", self.run_id, self.job, self.cfg.config_hash())
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        status = "succeeded" if exc is None else "failed"
        if exc is not None and self.message is None:
            self.message = f"{type(exc).__name__}: {exc}"[:4000]
        try:
            self._finish(status)
        except Exception:
            log.exception("could not record the end of run %s", self.run_id)

    def _row(self, status: str, finished: datetime | None) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "job": self.job,
            "status": status,
            "started_at": self._started,
            "finished_at": finished,
            "duration_s": (time.time() - self._t0) if finished else None,
            "config_hash": self.cfg.config_hash(),
            "config_yaml": self.cfg.to_yaml(),
            "versions": versions(self.spark),
            "counts": dict(self.counts),
            "message": self.message,
        }

    def _finish(self, status: str) -> None:
        row = self._row(status, datetime.now(UTC))
        table = DeltaTable.forPath(self.spark, delta_io.table_path(self.cfg.lake.root, RUNS.name))
        src = self.spark.createDataFrame([row], RUNS.schema)

        def merge() -> None:
            (
                table.alias("t")
                .merge(src.alias("s"), "t.run_id = s.run_id")
                .whenMatchedUpdateAll()
                .whenNotMatchedInsertAll()
                .execute()
            )

        delta_io.with_commit_retries(merge, "record run end")
        log.info("run %s %s in %.1fs %s", self.run_id, status, time.time() - self._t0, self.counts or "")

    def stage_stats(self, rows: list[dict[str, Any]]) -> None:
        """Append stage_stats rows (source, snapshot, stage, rule, docs_in, docs_out, docs_dropped, language)."""
        if not rows:
            return
        now = datetime.now(UTC)
        full = [{"run_id": self.run_id, "job": self.job, "recorded_at": now, "language": None, **r} for r in rows]
        df = self.spark.createDataFrame(full, STAGE_STATS.schema)
        delta_io.append(df, self.cfg.lake.root, STAGE_STATS, self.run_id)
