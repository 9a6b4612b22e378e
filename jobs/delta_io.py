"""Every Delta read and write of the suite goes through here.

- Tables live at ``<lake.root>/<table>`` and are created up front with their declared schema and
  partitioning (``DeltaTable.createIfNotExists``), so concurrent jobs agree on them.
- Writes carry the run id as Delta ``userMetadata``, so ``DESCRIBE HISTORY`` says which run wrote
  each version.
- Commits that lose a race with another writer (two ingests of different snapshots appending to the
  same table, two jobs creating a table at the same moment) are retried with jittered backoff.
  Conflicts are rare because writers touch disjoint ``source``/``snapshot`` partitions and say so in
  their predicates.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable
from typing import ClassVar, TypeVar

from delta.tables import DeltaTable
from pyspark import InheritableThread
from pyspark.sql import DataFrame, SparkSession, is_remote
from pyspark.sql import functions as F

from crawlforge.jobs.tables import TableSpec


log = logging.getLogger(__name__)
T = TypeVar("T")

_RETRYABLE = (
    "ConcurrentAppendException",
    "ConcurrentDeleteReadException",
    "ConcurrentDeleteDeleteException",
    "ConcurrentTransactionException",
    "MetadataChangedException",
    "ProtocolChangedException",
    "ConcurrentWriteException",
    "DELTA_CONCURRENT",
    "DELTA_METADATA_CHANGED",
    "DELTA_PROTOCOL_CHANGED",
    "already exists",
    # another process is creating the same table right now: its folder exists, its first commit not yet
    "DELTA_CREATE_TABLE_WITH_NON_EMPTY_LOCATION",
    "FileAlreadyExistsException",
)


def lake_root(root: str) -> str:
    """A local lake root as an absolute path (Delta rejects ``./lake`` as a table location); URIs unchanged."""
    if ":" in root.split("/", 1)[0]:  # s3://, abfss://, dbfs:/, file:/
        return root.rstrip("/")
    return os.path.abspath(root)


def table_path(root: str, name: str) -> str:
    return f"{lake_root(root)}/{name}"


# Only while *creating* a table: another process has made the table's folder and is writing its first
# commit, and Delta's existence check sees a ``_delta_log`` with no version in it yet (seen in CI when
# two ingests of different snapshots start on one empty lake at the same moment).
_CREATE_RACE = ("DELTA_TABLE_NOT_FOUND",)


def is_retryable_conflict(exc: BaseException, extra: tuple[str, ...] = ()) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(marker in text for marker in (*_RETRYABLE, *extra))


def with_commit_retries(action: Callable[[], T], what: str, attempts: int = 8, also_retry: tuple[str, ...] = ()) -> T:
    """Run a Delta commit, retrying when a concurrent writer won the race.

    ``also_retry`` adds error markers that are a race only in the caller's context (a missing table
    while creating it); elsewhere they are real errors and fail at once.
    """
    BackgroundCommit.wait_all()
    for attempt in range(attempts):
        try:
            return action()
        except Exception as exc:
            if attempt == attempts - 1 or not is_retryable_conflict(exc, also_retry):
                raise
            sleep = random.uniform(0.2, min(8.0, 0.5 * 2**attempt))
            log.warning("%s: concurrent Delta commit (%s); retrying in %.1fs", what, type(exc).__name__, sleep)
            time.sleep(sleep)
    raise AssertionError("unreachable")


class BackgroundCommit:
    """A small bookkeeping commit (a ``runs`` row) made on a thread while the job goes on.

    A one-row append costs ~0.35 s of driver time, most of it Delta's commit protocol, and a stage made
    five of them in a row (issue #13). Running one while the job plans and reads hides it. Ordering is
    kept: every foreground commit of the process (:func:`with_commit_retries`, which every write here goes
    through) first waits for the background commits started before it, so a job's outputs are never
    committed before its ``running`` row, and :meth:`wait` re-raises what the commit raised.
    """

    _pending: ClassVar[list[BackgroundCommit]] = []
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, action: Callable[[], None], what: str) -> None:
        self.what = what
        self._error: BaseException | None = None
        name = f"crawlforge-commit-{what}"
        # InheritableThread carries the job group and local properties to the JVM thread (pinned-thread mode);
        # Spark Connect's client is thread-safe as is
        thread_type = threading.Thread if is_remote() else InheritableThread
        self._thread = thread_type(target=self._run, args=(action,), name=name, daemon=True)
        with self._lock:
            self._pending.append(self)
        self._thread.start()

    def _run(self, action: Callable[[], None]) -> None:
        try:
            action()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever waits
            self._error = exc

    def wait(self) -> None:
        """Block until the commit is made; raise its error, if any."""
        self._thread.join()
        with self._lock:
            if self in self._pending:
                self._pending.remove(self)
        if self._error is not None:
            raise RuntimeError(f"{self.what} failed: {self._error}") from self._error

    @classmethod
    def wait_all(cls) -> None:
        """Wait for every pending background commit (called before each foreground commit)."""
        if threading.current_thread().name.startswith("crawlforge-commit-"):
            return  # a background commit itself does not wait for the others
        with cls._lock:
            pending = list(cls._pending)
        for commit in pending:
            commit.wait()


def ensure_table(spark: SparkSession, root: str, spec: TableSpec) -> str:
    """Create the table with its schema, partitioning and properties if it does not exist; return its path.

    An existing table is recognised from its log alone (~2 ms; ``createIfNotExists`` on it plans a whole
    create, ~30-80 ms, and every stage calls this for five or six tables). Its schema is checked where it
    matters, by every write (:func:`_conform` and Delta's schema enforcement).
    """
    path = table_path(root, spec.name)
    if DeltaTable.isDeltaTable(spark, path):
        return path

    def create() -> None:
        builder = DeltaTable.createIfNotExists(spark).location(path).addColumns(spec.schema)
        if spec.partition_by:
            builder = builder.partitionedBy(*spec.partition_by)
        for key, value in spec.properties:
            builder = builder.property(key, value)
        builder.execute()

    with_commit_retries(create, f"create {spec.name}", also_retry=_CREATE_RACE)
    return path


def table_exists(spark: SparkSession, root: str, name: str) -> bool:
    return DeltaTable.isDeltaTable(spark, table_path(root, name))


def read_table(spark: SparkSession, root: str, name: str) -> DataFrame:
    return spark.read.format("delta").load(table_path(root, name))


def _conform(df: DataFrame, spec: TableSpec) -> DataFrame:
    """Select the table's columns in order with the table's types; a missing column is an error."""
    missing = [f.name for f in spec.schema.fields if f.name not in df.columns]
    if missing:
        raise ValueError(f"cannot write {spec.name}: the data lacks columns {missing}")
    return df.select([F.col(f.name).cast(f.dataType).alias(f.name) for f in spec.schema.fields])


def append(df: DataFrame, root: str, spec: TableSpec, run_id: str) -> None:
    path = table_path(root, spec.name)
    data = _conform(df, spec)

    def write() -> None:
        data.write.format("delta").mode("append").option("userMetadata", run_id).save(path)

    with_commit_retries(write, f"append to {spec.name}")


def replace_where(df: DataFrame, root: str, spec: TableSpec, predicate: str, run_id: str) -> None:
    """Atomically delete the rows matching ``predicate`` and insert ``df`` (one Delta commit).

    This is what makes a re-read of a file exactly-once: rows left by an earlier attempt of the same
    files are replaced, never duplicated. The predicate must name the partition columns so that
    writers of other partitions never conflict.
    """
    path = table_path(root, spec.name)
    data = _conform(df, spec)

    def write() -> None:
        (
            data.write.format("delta")
            .mode("overwrite")
            .option("replaceWhere", predicate)
            .option("userMetadata", run_id)
            .save(path)
        )

    with_commit_retries(write, f"replace rows of {spec.name}")


def scope_predicate(source: str, snapshot: str, file_ids: list[str] | None = None) -> str:
    """SQL predicate of one source/snapshot partition, optionally narrowed to some input files.

    Every replaceWhere names the partition columns, so writers of other snapshots never conflict.
    """
    predicate = f"source = {sql_string(source)} AND snapshot = {sql_string(snapshot)}"
    if file_ids is not None:
        predicate += f" AND file_id IN ({', '.join(sql_string(f) for f in file_ids)})"
    return predicate


def sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
