"""Trained models (KenLM + SentencePiece, fastText quality classifiers, ...) as versioned files with provenance.

A training job writes its files into a fresh folder ``<lake>/_models/<kind>/<name>/<language>/<version>/`` and
then appends one row to the ``models`` table: the files with their sha256, what data trained it (a table
and predicate or a SQL query, with document and character counts), the training parameters and evaluation
metrics. ``version`` is the first 12 hex digits of the sha256 over the sorted (file name, file sha256) pairs, so
the same training data and parameters give the same version, and a scoring job records exactly which model
scored each row.

Models are read by Python workers from a local path. In local mode that is the lake folder itself; on a
cluster (lake on s3/abfss/dbfs) :func:`ship` adds the folder to the job with ``SparkContext.addFile`` and the
worker finds it with :func:`resolve`, so nothing is downloaded from the network by a task.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import MODELS


MODELS_DIR = "_models"
SHIPPED_PREFIX = "shipped:"


@dataclass(frozen=True)
class ModelRecord:
    kind: str
    name: str
    language: str
    version: str
    path: str
    files: dict[str, str]
    training_data: str = ""
    training_docs: int = 0
    training_chars: int = 0
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def files_version(files: Mapping[str, str]) -> str:
    """The version of a set of model files: sha256 over the sorted ``name=sha256`` lines, first 12 hex digits."""
    h = hashlib.sha256("".join(f"{k}={v}\n" for k, v in sorted(files.items())).encode())
    return h.hexdigest()[:12]


def staging_dir(root: str, kind: str, name: str, language: str) -> Path:
    """A local folder to train into (local lakes only; see :func:`publish_files` for where it ends up)."""
    base = Path(delta_io.lake_root(root)) / MODELS_DIR / kind / name / language / "_staging"
    base.mkdir(parents=True, exist_ok=True)
    return base


def publish_files(root: str, kind: str, name: str, language: str, staged: Path) -> tuple[str, str, dict[str, str]]:
    """Move a staged folder to its versioned place; return (version, path, files with sha256).

    Publishing the same files twice is a no-op (same version, same folder).
    """
    files = {p.name: file_sha256(p) for p in sorted(staged.iterdir()) if p.is_file()}
    if not files:
        raise RuntimeError(f"no model files in {staged}")
    version = files_version(files)
    target = Path(delta_io.lake_root(root)) / MODELS_DIR / kind / name / language / version
    if target.exists():
        for p in staged.iterdir():
            p.unlink()
        staged.rmdir()
    else:
        os.replace(staged, target)
    return version, str(target), files


def record(spark: SparkSession, root: str, rec: ModelRecord, run_id: str) -> None:
    """Append the model's row to the ``models`` table (one commit)."""
    delta_io.ensure_table(spark, root, MODELS)
    row = (
        rec.kind, rec.name, rec.language, rec.version, rec.path, dict(rec.files), rec.training_data,
        int(rec.training_docs), int(rec.training_chars), {k: str(v) for k, v in rec.params.items()},
        {k: float(v) for k, v in rec.metrics.items()}, datetime.now(UTC), run_id,
    )  # fmt: skip
    delta_io.append(spark.createDataFrame([row], MODELS.schema), root, MODELS, run_id)


def latest(spark: SparkSession, root: str, kind: str, name: str, language: str | None = None) -> list[ModelRecord]:
    """The newest recorded model per language of ``kind``/``name`` (one small row per language)."""
    if not delta_io.table_exists(spark, root, MODELS.name):
        return []
    df = delta_io.read_table(spark, root, MODELS.name).where((F.col("kind") == kind) & (F.col("name") == name))
    if language is not None:
        df = df.where(F.col("language") == language)
    newest = df.groupBy("language").agg(F.max_by(F.struct("*"), "created_at").alias("m")).select("m.*")
    out = []
    for r in newest.orderBy("language").collect():  # one row per language: model metadata, never documents
        out.append(
            ModelRecord(
                r["kind"], r["name"], r["language"], r["version"], r["path"], dict(r["files"] or {}),
                r["training_data"] or "", int(r["training_docs"] or 0), int(r["training_chars"] or 0),
                dict(r["params"] or {}), dict(r["metrics"] or {}),
            )
        )  # fmt: skip
    return out


_SHIPPED: dict[tuple[int, str], str] = {}


def _zip_folder(folder: str, target: Path) -> None:
    import zipfile

    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as zf:
        for p in sorted(Path(folder).rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())


def ship(spark: SparkSession, path: str) -> str:
    """A path a Python worker can open for the model file or folder ``path``.

    In local mode that is ``path`` itself. On a cluster a file, or a folder on a distributed file system, goes
    through ``SparkContext.addFile`` (recursive); a folder on the driver's local disk (Spark refuses to
    ``addFile`` those outside local mode) is zipped once into a temporary file named after its path and content
    version and sent with ``SparkContext.addArchive``, which unpacks it on every executor. Either way the worker
    gets ``shipped:<name>`` and :func:`resolve` turns it into a local path. Shipping the same path twice in one
    session reuses the first shipment.
    """
    sc = spark.sparkContext
    if sc.master.startswith("local") and os.path.exists(path):
        return path
    key = (id(sc), path)
    if key in _SHIPPED:
        return _SHIPPED[key]
    local = path.startswith("file:") or "://" not in path
    local_path = path.removeprefix("file:")
    if local and os.path.isdir(local_path):
        import tempfile

        tag = hashlib.sha256(os.path.abspath(local_path).encode()).hexdigest()[:12]
        name = f"model-{tag}-{os.path.basename(local_path.rstrip('/'))}.zip"
        archive = Path(tempfile.mkdtemp(prefix="crawlforge-ship-")) / name
        _zip_folder(local_path, archive)
        sc.addArchive(str(archive))
    else:
        name = os.path.basename(path.rstrip("/"))
        sc.addFile(path, recursive=True)
    _SHIPPED[key] = SHIPPED_PREFIX + name
    return _SHIPPED[key]


def resolve(shipped: str) -> str:
    """On a worker: the local path of a model file or folder returned by :func:`ship` (an archive is unpacked
    into a folder of the archive's name)."""
    if not shipped.startswith(SHIPPED_PREFIX):
        return shipped
    from pyspark import SparkFiles

    return SparkFiles.get(shipped[len(SHIPPED_PREFIX) :])
