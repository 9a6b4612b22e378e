"""The pipeline on a real Spark standalone cluster gives the same tables as a local-mode run.

A master and two workers (1 core each) are started with the pip pyspark's own ``bin/spark-class`` on
loopback: separate JVMs, executors with their own Python workers. The pipeline is submitted with
``bin/spark-submit`` and the project's launcher (``scripts/submit.py``), Delta's jars resolved by
``--packages`` from the warm Ivy cache (``.cache/ivy``, as ``scripts/warm_jars.py`` left it). The same
generated input is then run in local mode with the test session into a second lake, and every table is
compared row by row, after dropping what must differ (run ids, timestamps, timings, the lake path).

The run covers the stages whose work is distributed in a way local mode could hide (:data:`CLUSTER_STAGES`):
files read on executors, Python UDFs and Arrow batches with models loaded once per executor's Python worker
(fastText, resiliparse), SentencePiece + KenLM models trained on the driver and read by executors from the lake,
recipe joins, and dedup's shuffles and connected components with their survivor rule. The other stages
(train-classifier, quality, decontam, publish, export, report) use the same mechanisms (a model read from the lake
by executors, Python UDFs, Delta merges and writes) and are tested in local mode; with every stage this was the
suite's costliest test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import MapType, StringType

from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import ALL_TABLES
from tests.helpers import SHORT_LIVED_JVM, make_config


pytestmark = [pytest.mark.spark, pytest.mark.cluster]

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "scripts" / "submit.py"
DELTA_PACKAGE = "io.delta:delta-spark_2.13:4.0.1"
PAGES, FILES = 80, 2
CLUSTER_STAGES = ("ingest", "extract", "annotate", "train-lm", "ccnet", "select", "dedup")
SUBMIT_TIMEOUT_S = 900

# Columns that legitimately differ between two runs of the same input.
VOLATILE = {"run_id", "ingest_run_id", "duration_s", "config_yaml", "config_hash", "versions"}
VOLATILE_SUFFIXES = ("_at", "_ms", "_seconds")


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    master_url: str
    ui_url: str
    procs: list[subprocess.Popen[bytes]]
    base: Path

    @property
    def log_dir(self) -> Path:
        return self.base / "logs"

    def executor_dirs(self) -> list[Path]:
        """``work<i>/app-*/<executor id>`` folders: where each worker ran executors."""
        return sorted(self.base.glob("work*/app-*/*"))

    def logs(self, lines: int = 30) -> str:
        out = []
        for log in sorted(self.log_dir.glob("*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(out)


def cluster_env(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_HOME=str(spark_home()),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOG_DIR=str(base / "logs"),
        SPARK_DAEMON_MEMORY="256m",
        SPARK_DAEMON_JAVA_OPTS=SHORT_LIVED_JVM,
        PYSPARK_PYTHON=sys.executable,
        SPARK_CONF_DIR=str(base / "spark-conf"),  # an empty conf dir: no stray spark-defaults.conf
    )
    env.pop("PYSPARK_GATEWAY_PORT", None)
    env.pop("PYSPARK_GATEWAY_SECRET", None)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    (base / "spark-conf").mkdir(parents=True, exist_ok=True)
    return env


def _start(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def _alive_workers(ui_url: str) -> int:
    try:
        with urllib.request.urlopen(f"{ui_url}/json/", timeout=5) as resp:
            state = json.load(resp)
    except OSError:
        return -1
    return sum(1 for w in state.get("workers", []) if w.get("state") == "ALIVE")


def start_cluster(base: Path, workers: int = 2, timeout_s: float = 120) -> Cluster:
    env = cluster_env(base)
    (base / "logs").mkdir(parents=True, exist_ok=True)
    spark_class = str(spark_home() / "bin" / "spark-class")
    port, ui_port = free_port(), free_port()
    master_url, ui_url = f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}"
    procs = [
        _start(
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
             "--webui-port", str(ui_port)],
            env, base / "logs" / "master.log",
        )
    ]  # fmt: skip
    cluster = Cluster(master_url, ui_url, procs, base)
    try:
        deadline = time.time() + timeout_s
        while _alive_workers(ui_url) < 0:
            if time.time() > deadline or procs[0].poll() is not None:
                raise RuntimeError("the standalone master did not start:\n" + cluster.logs())
            time.sleep(0.5)
        for i in range(workers):
            work = base / f"work{i}"
            work.mkdir()
            procs.append(
                _start(
                    [spark_class, "org.apache.spark.deploy.worker.Worker", master_url, "--host", "127.0.0.1",
                     "--port", str(free_port()), "--webui-port", str(free_port()), "--cores", "1",
                     "--memory", "1g", "--work-dir", str(work)],
                    env, base / "logs" / f"worker{i}.log",
                )
            )  # fmt: skip
        while _alive_workers(ui_url) < workers:
            if time.time() > deadline or any(p.poll() is not None for p in procs):
                raise RuntimeError(f"{workers} workers did not register:\n" + cluster.logs())
            time.sleep(0.5)
    except BaseException:
        stop_cluster(cluster)
        raise
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    """Stop the workers, then the master: the processes this test started, by their pids."""
    for proc in reversed(cluster.procs):
        if proc.poll() is None:
            proc.terminate()
    for proc in reversed(cluster.procs):
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)


def submit_command(master_url: str, job_args: list[str]) -> list[str]:
    """The documented spark-submit line (README, 'Running on a cluster'), with small-machine settings."""
    ivy = os.environ.get("CRAWLFORGE_IVY_DIR", str(REPO / ".cache" / "ivy"))
    small = {
        "spark.executor.memory": "768m",
        "spark.executor.cores": "1",
        "spark.cores.max": "2",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.ui.enabled": "false",
        "spark.log.level": "WARN",
        "spark.databricks.delta.snapshotPartitions": "2",
        "spark.sql.sources.parallelPartitionDiscovery.parallelism": "2",
        "spark.driver.extraJavaOptions": SHORT_LIVED_JVM,
        "spark.executor.extraJavaOptions": SHORT_LIVED_JVM,
    }
    cmd = [
        str(spark_home() / "bin" / "spark-submit"),
        "--master", master_url,
        "--deploy-mode", "client",
        "--driver-memory", "1g",
        "--properties-file", str(REPO / "conf" / "spark" / "spark-defaults.conf"),
        "--packages", DELTA_PACKAGE,
        "--conf", f"spark.jars.ivy={ivy}",
        "--conf", f"spark.pyspark.python={sys.executable}",
    ]  # fmt: skip
    for key, value in small.items():
        cmd += ["--conf", f"{key}={value}"]
    return [*cmd, str(LAUNCHER), *job_args]


# --------------------------------------------------------------------------------------------------
# Table comparison


def comparable(df: DataFrame, lake: str) -> DataFrame:
    """Drop volatile columns, make maps sortable (set operations reject maps), neutralise the lake path."""
    root = delta_io.lake_root(lake)
    cols = []
    for field in df.schema.fields:
        name = field.name
        if name in VOLATILE or name.endswith(VOLATILE_SUFFIXES):
            continue
        col = F.col(name)
        if isinstance(field.dataType, MapType):
            col = F.array_sort(F.map_entries(col))
        elif isinstance(field.dataType, StringType):
            col = F.replace(col, F.lit(root), F.lit("<lake>"))
        cols.append(col.alias(name))
    return df.select(cols)


def table_differences(spark: SparkSession, lake_a: str, lake_b: str, name: str) -> str | None:
    """None when the table holds the same rows (as a multiset) in both lakes, else a description."""
    a = comparable(delta_io.read_table(spark, lake_a, name), lake_a)
    b = comparable(delta_io.read_table(spark, lake_b, name), lake_b)
    only_a, only_b = a.exceptAll(b), b.exceptAll(a)
    n_a, n_b = only_a.count(), only_b.count()
    if n_a == 0 and n_b == 0:
        return None
    show = [c for c in a.columns if c not in ("payload", "text", "config_yaml")]
    sample_a = [r.asDict() for r in only_a.select(show).limit(3).collect()]
    sample_b = [r.asDict() for r in only_b.select(show).limit(3).collect()]
    return f"{name}: {n_a} row(s) only in {lake_a}, {n_b} only in {lake_b}; e.g. {sample_a} vs {sample_b}"


# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.fail("a standalone cluster needs Java (java on PATH or JAVA_HOME)")
    c = start_cluster(tmp_path_factory.mktemp("standalone"))
    try:
        yield c
    finally:
        stop_cluster(c)


def test_pipeline_on_standalone_cluster_equals_local_mode(
    cluster: Cluster, spark: SparkSession, tmp_path: Path
) -> None:
    from crawlforge.jobs import pipeline

    sample_dir = tmp_path / "input"  # one input for both runs: file paths and file ids are the same
    cluster_lake, local_lake = tmp_path / "lake_cluster", tmp_path / "lake_local"
    sets = {
        "sample.pages": PAGES,
        "sample.files": FILES,
        "sample.output_dir": str(sample_dir),
        "pipeline.stages": f"[{','.join(CLUSTER_STAGES)}]",
    }
    job_args = ["pipeline", "--config", "local", "--set", f"lake.root={cluster_lake}"]
    for key, value in sets.items():
        job_args += ["--set", f"{key}={value}"]
    log = tmp_path / "submit.log"
    t0 = time.time()
    with open(log, "wb") as out:
        submit = subprocess.Popen(
            submit_command(cluster.master_url, job_args),
            cwd=tmp_path,  # nothing from the source tree on sys.path: the installed package is what runs
            env=cluster_env(tmp_path / "submit"),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            # The local-mode run goes on meanwhile, in this process with the test session.
            cfg = make_config(str(local_lake), **{k.replace(".", "__"): v for k, v in sets.items()})
            pipeline.run(spark, cfg)
            t_local = time.time() - t0
            code = submit.wait(timeout=SUBMIT_TIMEOUT_S)
        finally:
            if submit.poll() is None:
                submit.kill()
                submit.wait()
    t_cluster = time.time() - t0
    output = log.read_text(errors="replace")
    assert code == 0, f"spark-submit exited {code}:\n{output[-6000:]}\n{cluster.logs()}"
    print(f"local-mode pipeline {t_local:.0f}s, cluster pipeline (started together) {t_cluster:.0f}s")

    # The work really ran on the cluster: an application with executors on both workers.
    workers_used = {p.parent.parent.name for p in cluster.executor_dirs()}
    assert workers_used == {"work0", "work1"}, f"executors did not run on both workers: {cluster.executor_dirs()}"
    assert re.search(r"stage \d+/\d+ select", output), output[-3000:]

    tables = sorted(n for n in ALL_TABLES if delta_io.table_exists(spark, str(local_lake), n))
    assert {"raw", "documents", "signals", "signals_ccnet", "decisions", "duplicates", "stage_stats", "runs"} <= set(
        tables
    )
    missing = [n for n in tables if not delta_io.table_exists(spark, str(cluster_lake), n)]
    assert not missing, f"tables written in local mode but not on the cluster: {missing}"
    docs = delta_io.read_table(spark, str(local_lake), "documents").count()
    assert docs > PAGES // 2, docs  # the sample really went through (some pages are non-HTML or errors)
    diffs = [d for n in tables if (d := table_differences(spark, str(cluster_lake), str(local_lake), n))]
    assert not diffs, "\n".join(diffs)


@pytest.mark.spark
def test_table_comparison_detects_a_changed_row(spark: SparkSession, tmp_path: Path) -> None:
    """The comparison is not vacuous: one changed value, and one lake-path difference that must be ignored."""
    from crawlforge.jobs.tables import TableSpec

    spec = TableSpec(
        "t", spark.createDataFrame([], "source string, snapshot string, k string, m map<string,bigint>").schema, ()
    )
    lake_a, lake_b = str(tmp_path / "a"), str(tmp_path / "b")
    rows_a = [("s", "x", f"{lake_a}/f1", {"a": 1, "b": 2}), ("s", "x", "k2", {})]
    rows_b = [("s", "x", f"{lake_b}/f1", {"b": 2, "a": 1}), ("s", "x", "k2", {})]
    for lake, rows in ((lake_a, rows_a), (lake_b, rows_b)):
        delta_io.ensure_table(spark, lake, spec)
        delta_io.append(spark.createDataFrame(rows, spec.schema), lake, spec, "r")
    assert table_differences(spark, lake_a, lake_b, "t") is None
    delta_io.append(spark.createDataFrame([("s", "x", "k2", {})], spec.schema), lake_b, spec, "r")
    diff = table_differences(spark, lake_a, lake_b, "t")
    assert diff is not None and "0 row(s) only in" in diff and "1 only in" in diff
