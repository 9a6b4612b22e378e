"""One place that gets a Spark session with Delta, whatever runs the job.

- Under ``spark-submit``, Databricks or EMR a session (or a SparkContext) already exists: it is
  reused as is, with the jars the platform gives. Databricks and EMR ship their own Delta; attaching
  OSS jars there breaks things (delta-io/delta#719), so nothing is added. Only the two Delta SQL
  confs are checked.
- In local mode crawlforge builds the session: Delta's SQL extension and catalog, and the real
  ``io.delta`` jars resolved by Spark's Ivy (``configure_spark_with_delta_pip`` sets
  ``spark.jars.packages``; Ivy looks in ``~/.m2`` and the Ivy cache before Maven Central, so a warm
  cache makes this work offline), small shuffle partitions and UTC timestamps.
"""

from __future__ import annotations

import logging
import os
import sys

from pyspark.sql import SparkSession

from crawlforge.lib.config import SparkConfig, default_ivy_dir


log = logging.getLogger(__name__)

DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"

# Settings that keep a one-machine session quick: Delta reconstructs table state with few tasks,
# timestamps are UTC so partition values never depend on the machine's zone.
LOCAL_DEFAULTS = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
    "spark.databricks.delta.snapshotPartitions": "2",
    "spark.sql.sources.parallelPartitionDiscovery.parallelism": "4",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "true",
    "spark.python.worker.reuse": "true",
    # Delta schema evolution for additive columns (new signals) without rewriting tables.
    "spark.databricks.delta.schema.autoMerge.enabled": "false",
}


def _platform_provides_delta() -> bool:
    return bool(os.environ.get("DATABRICKS_RUNTIME_VERSION")) or os.path.exists("/usr/share/aws/delta/lib")


def active_session() -> SparkSession | None:
    """The session of spark-submit / Databricks / a test, if one exists (no new JVM is started)."""
    return SparkSession.getActiveSession()


def get_session(cfg: SparkConfig, app_name: str | None = None) -> SparkSession:
    """Return the existing session, or build a local one with Delta (see module docstring)."""
    existing = active_session()
    if existing is not None:
        _check_delta_confs(existing)
        return existing
    if os.environ.get("SPARK_ENV_LOADED") or os.environ.get("PYSPARK_GATEWAY_PORT"):
        # Launched by spark-submit: master, jars and conf come from the launcher.
        session = SparkSession.builder.appName(app_name or cfg.app_name).getOrCreate()
        _check_delta_confs(session)
        return session
    return build_local_session(cfg, app_name)


def build_local_session(cfg: SparkConfig, app_name: str | None = None) -> SparkSession:
    builder = SparkSession.builder.master(cfg.master).appName(app_name or cfg.app_name)
    conf = dict(LOCAL_DEFAULTS)
    conf["spark.sql.shuffle.partitions"] = str(cfg.shuffle_partitions)
    conf["spark.driver.memory"] = cfg.driver_memory
    # Python workers must run the driver's interpreter (the project venv), not whatever `python3`
    # is first on PATH; otherwise they cannot import crawlforge.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    conf["spark.pyspark.python"] = os.environ["PYSPARK_PYTHON"]
    conf["spark.sql.extensions"] = DELTA_EXTENSION
    conf["spark.sql.catalog.spark_catalog"] = DELTA_CATALOG
    ivy = default_ivy_dir(cfg)
    if ivy:
        conf["spark.jars.ivy"] = ivy
    conf.update(cfg.conf)
    for key, value in conf.items():
        builder = builder.config(key, value)

    mode = cfg.delta_jars
    if mode == "auto":
        mode = "provided" if _platform_provides_delta() else "pip"
    if mode == "pip":
        try:
            from delta import configure_spark_with_delta_pip
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "delta_jars='pip' needs the delta-spark package: pip install 'crawlforge[local]'"
            ) from exc
        builder = configure_spark_with_delta_pip(builder)
    elif mode == "jars":
        if not cfg.jars:
            raise ValueError("spark.delta_jars='jars' needs spark.jars: the delta-spark and delta-storage jar paths")
        builder = builder.config("spark.jars", ",".join(cfg.jars))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    log.info(
        "local Spark %s session (master=%s, delta_jars=%s, jars=%s)",
        session.version,
        cfg.master,
        mode,
        session.conf.get("spark.jars", "") or session.conf.get("spark.jars.packages", ""),
    )
    return session


def _check_delta_confs(session: SparkSession) -> None:
    ext = session.conf.get("spark.sql.extensions", "") or ""
    if "DeltaSparkSessionExtension" not in ext and not os.environ.get("DATABRICKS_RUNTIME_VERSION"):
        log.warning(
            "the Spark session has no Delta SQL extension (spark.sql.extensions=%r); pass "
            "--conf spark.sql.extensions=%s --conf spark.sql.catalog.spark_catalog=%s",
            ext,
            DELTA_EXTENSION,
            DELTA_CATALOG,
        )
