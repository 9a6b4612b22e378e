"""The MLlib signature family: Spark's ``MinHashLSHModel`` used as a seeded hash function, never its join.

``shared/reference/minhash-spark.md`` §1: MLlib's ``approxSimilarityJoin`` is OR-only amplification (one MinHash
value per "table"), so its candidate pairs grow with the square of shared content; but
``MinHashLSHModel.transform`` with ``numHashTables = bands * rows`` is a fine, seeded, JVM-only hash family
(``h_i(S) = min over x in S of ((1 + x) * a_i + b_i) mod 2038074743``, ``a_i, b_i`` from
``scala.util.Random(seed)``). This module turns it into the same (signature, band keys) rows as the UDF family,
so banding, edges, clusters and survivors are shared code.

* Words: lower-case, every run of characters that are not letters or digits becomes one space (a JVM-only
  approximation of datatrove's normalisation; the UDF family is the exact one). Shingles: ``NGram(n)``;
  set vector: ``HashingTF(numFeatures=2^30, binary=True)`` (``2^30 <= HASH_PRIME`` as MLlib requires).
* A document with fewer than ``n`` words has an empty vector, which makes MLlib fail the *whole job*
  ("Must have at least 1 non zero entry"); such rows never reach the model and get no signature.
* The model is fitted once and saved under ``dedup.mllib_model_dir`` (default ``<lake>/_models/minhash_mllib``)
  in a folder named by the manifest's id, and every later run loads it, so signatures stay comparable across
  runs; its manifest is stored with the signatures and checked before reuse like the UDF family's.
* Band key ``j``: ``xxhash64(j, slice(signature, j * rows + 1, rows))``, a Spark built-in.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from pyspark.ml.feature import HashingTF, MinHashLSH, MinHashLSHModel, NGram
from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.lib.config import CrawlforgeConfig, DedupConfig


log = logging.getLogger(__name__)

NUM_FEATURES = 1 << 30
NORMALISATION = "spark-mllib: lower, [^\\p{L}\\p{N}]+ -> space, split on spaces"
_VERSION = 1

__all__ = ["NUM_FEATURES", "load_or_fit_model", "manifest", "model_path", "signatures"]


def manifest(d: DedupConfig) -> dict[str, Any]:
    """Everything that determines an MLlib-family signature (stored and compared like the UDF manifest)."""
    return {
        "family": "spark-mllib MinHashLSHModel",
        "family_version": _VERSION,
        "normalisation": NORMALISATION,
        "n": d.ngram,
        "permutations": d.bands * d.rows,
        "bands": d.bands,
        "rows": d.rows,
        "seed": d.seed,
        "hashing_tf": f"murmur3, numFeatures={NUM_FEATURES}, binary",
        "permutation": "min((1 + x) * a + b) mod 2038074743; a, b from scala.util.Random(seed)",
        "band_key": "xxhash64(band index, slice of rows values) (Spark built-in, seed 42)",
    }


def params_id(d: DedupConfig) -> str:
    canonical = json.dumps(manifest(d), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def model_path(cfg: CrawlforgeConfig) -> str:
    base = cfg.dedup.mllib_model_dir or f"{delta_io.lake_root(cfg.lake.root)}/_models/minhash_mllib"
    return f"{base.rstrip('/')}/{params_id(cfg.dedup)}"


def _features(docs: DataFrame, n: int) -> DataFrame:
    text = F.coalesce(F.col("text"), F.lit(""))  # a null text would make NGram throw
    words = F.split(F.trim(F.regexp_replace(F.lower(text), r"[^\p{L}\p{N}]+", " ")), " ")
    df = docs.select("doc_key", F.filter(words, lambda w: w != F.lit("")).alias("_words"))
    df = NGram(n=n, inputCol="_words", outputCol="_ngrams").transform(df)
    return HashingTF(numFeatures=NUM_FEATURES, binary=True, inputCol="_ngrams", outputCol="_features").transform(df)


def _saved(spark: SparkSession, path: str) -> bool:
    """Whether a saved model is at ``path`` (its ``metadata`` folder), on any Hadoop file system.

    Asked first rather than catching ``load``'s failure, which logs a Java stack trace on every first fit.
    """
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    meta = jvm.org.apache.hadoop.fs.Path(f"{path}/metadata")
    return bool(meta.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(meta))


def load_or_fit_model(spark: SparkSession, cfg: CrawlforgeConfig) -> MinHashLSHModel:
    """Load the saved model, or fit it once (the fit reads no data: only the dimension and the seed) and save."""
    path = model_path(cfg)
    if _saved(spark, path):
        return MinHashLSHModel.load(path)
    d = cfg.dedup
    seed_df = _features(spark.createDataFrame([(0, "a b c d e f g h")], "doc_key bigint, text string"), d.ngram)
    lsh = MinHashLSH(inputCol="_features", outputCol="_hashes", numHashTables=d.bands * d.rows, seed=d.seed)
    model = lsh.fit(seed_df)
    model.write().overwrite().save(path)
    log.info("saved the MinHashLSH model (%d tables, seed %d) to %s", d.bands * d.rows, d.seed, path)
    return MinHashLSHModel.load(path)


def signatures(spark: SparkSession, cfg: CrawlforgeConfig, docs: DataFrame) -> DataFrame:
    """(doc_key, has_signature, signature array<bigint>, band_keys array<bigint>) of (doc_key, text) rows."""
    d = cfg.dedup
    model = load_or_fit_model(spark, cfg)
    feats = _features(docs.select("doc_key", "text"), d.ngram)
    nonempty = F.size("_ngrams") > 0
    signed = model.transform(feats.where(nonempty))
    sig = F.transform("_hashes", lambda v: vector_to_array(v)[0].cast("bigint"))
    signed = signed.select("doc_key", sig.alias("signature"))
    keys = F.array(*[F.xxhash64(F.lit(j), F.slice("signature", j * d.rows + 1, d.rows)) for j in range(d.bands)])
    signed = signed.select("doc_key", F.lit(True).alias("has_signature"), "signature", keys.alias("band_keys"))
    empty = feats.where(~nonempty).select(
        "doc_key",
        F.lit(False).alias("has_signature"),
        F.lit(None).cast("array<bigint>").alias("signature"),
        F.lit(None).cast("array<bigint>").alias("band_keys"),
    )
    return signed.unionByName(empty)
