"""Shared fixtures: one local Spark + Delta session for the whole test run, the shared data path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = SHARED / "data"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not DATA.is_dir():
        pytest.fail(f"the shared fixtures are missing at {DATA}")
    return DATA


@pytest.fixture(scope="session")
def spark() -> Iterator[object]:
    """One session for every Spark test: local[2], two shuffle partitions, UI off (ecosystem.md §3)."""
    from crawlforge.jobs.spark_session import build_local_session
    from crawlforge.lib.config import SparkConfig

    os.environ.setdefault("CRAWLFORGE_IVY_DIR", str(REPO / ".cache" / "ivy"))
    cfg = SparkConfig(
        master="local[2]",
        shuffle_partitions=2,
        conf={"spark.ui.enabled": "false", "spark.default.parallelism": "2"},
    )
    session = build_local_session(cfg, "crawlforge-tests")
    yield session
    session.stop()
