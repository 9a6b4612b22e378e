"""train-classifier: DCLM-style fastText quality classifiers from positive and negative tables or SQL queries.

Per configured classifier (``quality.classifiers``; ``quality.train`` narrows to some names):

1. **Data.** Positives and negatives each come from a lake table (``table`` + optional ``where``) or a Spark SQL query
   (``sql``; every existing lake table is registered as a temp view of its own name), e.g. a reference source
   against random crawl documents, as DCLM trained OH-2.5 + ELI5 against RefinedWeb. Rows with empty text are
   skipped.
2. **Balanced sampling in Spark.** Both sides are counted (two aggregates), then each is Bernoulli-sampled at
   ``min(1, n / count)`` with ``n = min(count_pos, count_neg, max_per_class)``, deciding each row by an
   ``xxhash64(seed, side, key)`` of its key (``key_column``, default a SHA-256 of the text): the sample is the same
   whatever the partitioning, and the two classes are balanced in expectation. A second hash holds out
   ``heldout_fraction`` of the sample for evaluation.
3. **Training file.** Each document becomes one fastText line, ``__label__hq`` / ``__label__cc`` and DCLM's
   preprocessing (:func:`crawlforge.lib.quality_text.dclm_preprocess`), computed on the executors; the lines are
   sorted by a third hash (a shuffle that interleaves the classes; the order is data, so the file is identical run to
   run) and written by Spark as text part files, then concatenated in part order into one local file. Nothing but
   counts reaches the driver.
4. **fastText supervised** through fastText's CLI (:mod:`crawlforge.lib.fasttext_train`; settings from the config:
   DCLM's defaults with word bigrams; ``-thread 1 -seed`` so the same data gives byte-identical models).
5. **Evaluation** on the held-out split: precision, recall, F1, accuracy at ``eval_threshold`` and ROC AUC of the
   positive-label probability (the score the ``quality`` job writes), computed by streaming the held-out file
   through the trained model with ``fasttext-predict``.
6. **Versioned model** (:mod:`crawlforge.jobs.model_registry`): ``model.bin`` and ``model_card.json`` (parameters,
   metrics, data provenance, sample counts; no timestamps, so equal inputs give an equal version) are published
   under ``_models/quality/<name>/<language>/<version>/`` and recorded in the ``models`` table with the metrics and
   a JSON description of the positive and negative queries in ``training_data``.

Training is a single-node step by nature (fastText trains on one machine; DCLM used 200k documents), so the job
needs a local lake (``model_registry.staging_dir``).
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.functions import pandas_udf
from pyspark.sql.types import StringType

from crawlforge.jobs import delta_io, model_registry
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import ALL_TABLES
from crawlforge.lib.config import CrawlforgeConfig, QualityClassifierConfig, QualityDataConfig
from crawlforge.lib.fasttext_train import FastTextParams, binary_version, train_supervised
from crawlforge.lib.quality_text import (
    POSITIVE_LABEL,
    PREPROCESS_VERSION,
    binary_metrics,
    dclm_preprocess,
    positive_probability,
)


log = logging.getLogger(__name__)
JOB = "train-classifier"
KIND = "quality"
HASH_RANGE = 1_000_000_000
MODEL_FILE = "model.bin"
CARD_FILE = "model_card.json"


@dataclass
class TrainedClassifier:
    name: str
    language: str
    version: str
    path: str
    metrics: dict[str, float]
    counts: dict[str, int] = field(default_factory=dict)


def params_of(c: QualityClassifierConfig) -> FastTextParams:
    return FastTextParams(
        lr=c.lr, dim=c.dim, ws=c.ws, epoch=c.epoch, minCount=c.min_count, wordNgrams=c.word_ngrams,
        bucket=c.bucket, thread=c.threads, seed=c.seed,
    )  # fmt: skip


def to_train(cfg: CrawlforgeConfig) -> list[QualityClassifierConfig]:
    """The classifiers this run trains: those with both data sides, narrowed by ``quality.train``."""
    wanted = set(cfg.quality.train)
    unknown = wanted - {c.name for c in cfg.quality.classifiers}
    if unknown:
        raise ValueError(f"quality.train names unknown classifiers {sorted(unknown)}")
    out = []
    for c in cfg.quality.classifiers:
        if wanted and c.name not in wanted:
            continue
        if c.positives is None or c.negatives is None:
            if wanted:
                raise ValueError(f"classifier {c.name!r} needs both quality positives and negatives to train")
            continue
        for side, data in (("positives", c.positives), ("negatives", c.negatives)):
            if (data.table is None) == (data.sql is None):
                raise ValueError(f"classifier {c.name!r} {side}: give exactly one of `table` or `sql`")
        out.append(c)
    return out


def describe_data(data: QualityDataConfig) -> dict[str, Any]:
    return {k: v for k, v in data.model_dump().items() if v is not None}


def describe_plan(cfg: CrawlforgeConfig) -> str:
    lines = [f"# train-classifier: models under {delta_io.table_path(cfg.lake.root, model_registry.MODELS_DIR)}"]
    for c in to_train(cfg):
        assert c.positives is not None and c.negatives is not None
        lines.append(
            f"# {c.name} ({c.language}): positives {describe_data(c.positives)} vs negatives "
            f"{describe_data(c.negatives)}; at most {c.max_per_class} per class, {c.heldout_fraction:.0%} held out; "
            f"fastText {' '.join(params_of(c).args())}"
        )
    if len(lines) == 1:
        lines.append("# nothing to train: no quality.classifiers with positives and negatives")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Data


def register_lake_views(spark: SparkSession, root: str) -> list[str]:
    """Every lake table that exists becomes a temp view of its own name (for ``sql`` training queries)."""
    names = []
    for name in sorted(ALL_TABLES):
        if delta_io.table_exists(spark, root, name):
            delta_io.read_table(spark, root, name).createOrReplaceTempView(name)
            names.append(name)
    return names


def source_frame(spark: SparkSession, root: str, data: QualityDataConfig) -> DataFrame:
    """``_key`` (string) and ``_text`` (non-empty string) of one side's rows."""
    if data.sql:
        df = spark.sql(data.sql)
    else:
        assert data.table is not None
        location = data.table if ("/" in data.table or ":" in data.table) else delta_io.table_path(root, data.table)
        df = spark.read.format("delta").load(location)
        if data.where:
            df = df.where(data.where)
    if data.text_column not in df.columns:
        raise ValueError(f"training data has no column {data.text_column!r} (columns: {df.columns})")
    text = F.col(data.text_column).cast("string")
    key = F.col(data.key_column).cast("string") if data.key_column else F.sha2(text, 256)
    return df.select(key.alias("_key"), text.alias("_text")).where(F.length(F.trim(F.col("_text"))) > 0)


def _unit_hash(seed: int, salt: str, key: Column) -> Column:
    """A uniform integer in [0, HASH_RANGE) from the seed, a salt and the row key: partitioning-independent."""
    return F.pmod(F.xxhash64(F.lit(seed), F.lit(salt), key), F.lit(HASH_RANGE))


@pandas_udf(StringType())  # type: ignore[call-overload]
def _fasttext_lines(labels: pd.Series, texts: pd.Series) -> pd.Series:
    return pd.Series([f"{lab} {dclm_preprocess(t)}" for lab, t in zip(labels, texts, strict=True)])


def sampled_lines(
    pos: DataFrame, neg: DataFrame, c: QualityClassifierConfig, n_pos: int, n_neg: int
) -> tuple[DataFrame, int]:
    """The balanced, labelled sample: ``heldout`` (bool), ``_order`` and the fastText ``line``; and the target n."""
    n = min(n_pos, n_neg, c.max_per_class)
    sides = []
    for df, label, count in ((pos, POSITIVE_LABEL, n_pos), (neg, c.negative_label, n_neg)):
        fraction = min(1.0, n / count) if count else 0.0
        keep = _unit_hash(c.seed, label, F.col("_key")) < F.lit(round(fraction * HASH_RANGE))
        sides.append(df.where(keep).withColumn("_label", F.lit(label)))
    both = sides[0].unionByName(sides[1])
    heldout = _unit_hash(c.seed, "heldout", F.col("_key")) < F.lit(round(c.heldout_fraction * HASH_RANGE))
    return (
        both.select(
            heldout.alias("heldout"),
            F.xxhash64(F.lit(c.seed), F.lit("order"), F.col("_label"), F.col("_key")).alias("_order"),
            F.col("_key"),
            _fasttext_lines(F.col("_label"), F.col("_text")).alias("line"),
        ),
        n,
    )


def write_local_file(df: DataFrame, parts_dir: Path, target: Path) -> dict[str, int]:
    """Sort by ``_order``, write ``line`` as text part files, concatenate them in part order into ``target``.

    Returns line and character counts per label, counted while concatenating (no data reaches the driver).
    """
    shutil.rmtree(parts_dir, ignore_errors=True)
    df.orderBy("_order", "_key").select("line").write.mode("overwrite").text(str(parts_dir))
    counts: dict[str, int] = {}
    with target.open("w", encoding="utf-8") as out:
        for part in sorted(parts_dir.glob("part-*")):
            with part.open(encoding="utf-8") as fh:
                for line in fh:
                    label = line.split(" ", 1)[0]
                    counts[f"docs{label}"] = counts.get(f"docs{label}", 0) + 1
                    counts[f"chars{label}"] = counts.get(f"chars{label}", 0) + len(line) - len(label) - 2
                    out.write(line)
    shutil.rmtree(parts_dir, ignore_errors=True)
    return counts


def evaluate(model_path: Path, heldout: Path, negative_label: str, threshold: float) -> dict[str, float]:
    """Held-out precision/recall/F1/accuracy at ``threshold`` and ROC AUC of the positive probability."""
    import fasttext

    model = fasttext.load_model(str(model_path))
    labels: list[int] = []
    scores: list[float] = []
    with heldout.open(encoding="utf-8") as fh:
        for line in fh:
            label, _, text = line.rstrip("\n").partition(" ")
            pred_labels, probs = model.predict(text, k=1)
            labels.append(1 if label == POSITIVE_LABEL else 0)
            scores.append(positive_probability(pred_labels, probs, negative_label))
    if not labels:
        return {"heldout_docs": 0.0}
    m = binary_metrics(labels, scores, threshold).as_dict()
    return {
        "precision": m["precision"], "recall": m["recall"], "f1": m["f1"], "accuracy": m["accuracy"],
        "auc": m["auc"], "threshold": threshold, "heldout_docs": m["n"], "heldout_positives": m["positives"],
        "heldout_negatives": m["negatives"],
    }  # fmt: skip


def train_one(
    spark: SparkSession, cfg: CrawlforgeConfig, c: QualityClassifierConfig, run_id: str
) -> TrainedClassifier:
    root = cfg.lake.root
    assert c.positives is not None and c.negatives is not None
    pos = source_frame(spark, root, c.positives)
    neg = source_frame(spark, root, c.negatives)
    n_pos, n_neg = pos.count(), neg.count()
    log.info("%s: %d positive and %d negative candidate documents", c.name, n_pos, n_neg)
    if n_pos == 0 or n_neg == 0:
        raise RuntimeError(f"classifier {c.name!r}: no {'positive' if n_pos == 0 else 'negative'} documents")
    sample, n = sampled_lines(pos, neg, c, n_pos, n_neg)

    staged = model_registry.staging_dir(root, KIND, c.name, c.language)
    for p in staged.iterdir():
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    work = staged.parent / "_work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    train_file, heldout_file = work / "train.txt", work / "heldout.txt"
    train_counts = write_local_file(sample.where(~F.col("heldout")), work / "train_parts", train_file)
    held_counts = write_local_file(sample.where(F.col("heldout")), work / "heldout_parts", heldout_file)
    params = params_of(c)
    log.info("%s: training fastText on %s", c.name, train_counts)
    train_supervised(train_file, staged / "model", params)
    metrics = evaluate(staged / MODEL_FILE, heldout_file, c.negative_label, c.eval_threshold)
    counts = {
        "candidates_positive": n_pos, "candidates_negative": n_neg, "target_per_class": n,
        "train_positive": train_counts.get(f"docs{POSITIVE_LABEL}", 0),
        "train_negative": train_counts.get(f"docs{c.negative_label}", 0),
        "heldout_positive": held_counts.get(f"docs{POSITIVE_LABEL}", 0),
        "heldout_negative": held_counts.get(f"docs{c.negative_label}", 0),
    }  # fmt: skip
    training_data = {
        "positives": describe_data(c.positives), "negatives": describe_data(c.negatives),
        "labels": {"positive": POSITIVE_LABEL, "negative": c.negative_label},
        "sampling": {"max_per_class": c.max_per_class, "heldout_fraction": c.heldout_fraction, "seed": c.seed,
                     "method": "xxhash64 Bernoulli per class at min(1, n/count), n = min(counts, max_per_class)"},
        "preprocess": PREPROCESS_VERSION, "counts": counts,
    }  # fmt: skip
    param_strings = {**params.as_strings(), "preprocess": PREPROCESS_VERSION, "fasttext": binary_version()}
    card = {"name": c.name, "language": c.language, "kind": KIND, "params": param_strings,
            "metrics": metrics, "training_data": training_data}  # fmt: skip
    (staged / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    version, path, files = model_registry.publish_files(root, KIND, c.name, c.language, staged)
    shutil.rmtree(work, ignore_errors=True)
    training_docs = counts["train_positive"] + counts["train_negative"]
    training_chars = sum(v for k, v in train_counts.items() if k.startswith("chars"))
    model_registry.record(
        spark, root,
        model_registry.ModelRecord(
            kind=KIND, name=c.name, language=c.language, version=version, path=path, files=files,
            training_data=json.dumps(training_data, sort_keys=True), training_docs=training_docs,
            training_chars=training_chars, params=param_strings,
            metrics={k: float(v) for k, v in metrics.items()} | {k: float(v) for k, v in counts.items()},
        ),
        run_id,
    )  # fmt: skip
    log.info("%s: model %s at %s; held-out %s", c.name, version, path, metrics)
    return TrainedClassifier(c.name, c.language, version, path, metrics, counts)


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> list[TrainedClassifier]:
    run_id = run_id or cfg.run.run_id or new_run_id("train-classifier")
    classifiers = to_train(cfg)
    if not classifiers:
        raise ValueError("no quality classifier to train: configure quality.classifiers with positives and negatives")
    out = []
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        register_lake_views(spark, cfg.lake.root)
        for c in classifiers:
            trained = train_one(spark, cfg, c, run_id)
            out.append(trained)
            recorder.counts.update({f"{c.name}_{k}": int(v) for k, v in trained.counts.items()})
        recorder.message = "; ".join(f"{t.name} {t.version} auc={t.metrics.get('auc', float('nan')):.4f}" for t in out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
