"""Whole-dedup throughput and scaling, the signature step against its tight loop, and MLlib's join side by side.

    .venv/bin/python benchmarks/dedup_scaling.py [--sizes 5000 10000 20000] [--join-max 10000] [--sign-max 50000]
                                                [--cores 2] [--skip-join]

Data: one corpus of :func:`crawlforge.lib.dedup_synth.generate`, its first N documents at each size (Zipfian
pseudo-words, 150-400 words a document, 30% with a shared boilerplate footer, planted near-duplicate families at
known Jaccard, exact and URL copies), written as a ``documents`` Delta table in a temporary lake. Rows, per size
N (local[cores] Spark session, one machine):

1. ``dedup`` : the whole job (``jobs/dedup.run``, ``dedup.input=all``): keys, exact URL/text edges, signatures,
   bands, star edges, connected components, survivors, the four tables and stage_stats. docs/s/core =
   N / wall / cores. The scaling exponent is the slope of log(wall) on log(N) over the sizes run.
2. ``sign-spark`` (sizes up to ``--sign-max``, like 3 and the MLlib ``transform`` column): the signature step
   alone through Spark (``mapInArrow`` over the UDF, written to the noop sink).
3. ``sign-loop``: the same signatures in this process with :func:`crawlforge.lib.minhash.signatures` (process CPU
   time: the per-core tight loop). The hashing limit itself is measured by ``benchmarks/minhash_signatures.py``.
4. ``mllib-join``: Spark MLlib ``MinHashLSH(numHashTables=5).approxSimilarityJoin`` at distance < 0.25 on the
   same documents (HashingTF of word 5-grams), only up to ``--join-max`` documents, cancelled after
   ``--join-timeout`` seconds (shown as "> t (cancelled)"); candidate-count growth is the point
   (minhash-spark.md §1.4).

Plus pair recall of the dedup run by planted-Jaccard band and whether any cluster merged two families. Timing
on a shared machine is noisy: the machine's load average is printed with the table. Never a test assertion.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _write_docs(spark, root: str, docs, scratch: str) -> None:
    """The documents as a Delta ``documents`` table, through one Parquet file (fast at 400k documents)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pyspark.sql import functions as F

    from crawlforge.jobs import delta_io
    from crawlforge.jobs.tables import DOCUMENTS

    n = len(docs)
    cols = {
        "doc_id": [d.doc_id for d in docs],
        "file_id": [f"f{i % 16}" for i in range(n)],
        "url": [d.url for d in docs],
        "text": [d.text for d in docs],
        "warc_date": pa.array([d.warc_date for d in docs], pa.timestamp("us", tz="UTC")),
    }
    path = f"{scratch}/docs.parquet"
    pq.write_table(pa.table(cols), path, row_group_size=20_000)
    df = spark.read.parquet(path)
    given = set(df.columns)
    df = df.select(
        *[F.col(f.name) if f.name in given else F.lit(None).cast(f.dataType).alias(f.name) for f in DOCUMENTS.schema]
    )
    df = df.withColumn("source", F.lit("bench")).withColumn("snapshot", F.lit("S1"))
    df = df.withColumn("extract_status", F.lit("ok"))
    delta_io.ensure_table(spark, root, DOCUMENTS)
    delta_io.append(df, root, DOCUMENTS, "bench")


def _count_within(spark, df, seconds: float, group: str) -> int | None:
    """``df.count()``, cancelled after ``seconds`` (then None): MLlib's join can run for hours on skewed buckets."""
    import threading

    sc = spark.sparkContext
    sc.setJobGroup(group, "timed benchmark step", interruptOnCancel=True)
    timer = threading.Timer(seconds, lambda: sc.cancelJobGroup(group))
    timer.start()
    try:
        return df.count()
    except Exception as exc:  # only a cancellation is expected here
        if "cancel" not in str(exc).lower():
            raise
        return None
    finally:
        timer.cancel()
        sc.setLocalProperty("spark.jobGroup.id", None)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    ap.add_argument("--join-max", type=int, default=10000)
    ap.add_argument("--join-timeout", type=float, default=600, help="cancel MLlib's join after this many seconds")
    ap.add_argument(
        "--sign-max", type=int, default=50000, help="time the signature steps alone only at sizes up to this"
    )
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--skip-join", action="store_true")
    args = ap.parse_args()

    import numpy as np
    from pyspark.ml.feature import HashingTF, MinHashLSH, NGram
    from pyspark.sql import functions as F

    from crawlforge.jobs import dedup as dedup_job
    from crawlforge.jobs import delta_io
    from crawlforge.jobs.spark_session import build_local_session
    from crawlforge.lib.config import SparkConfig, build_config
    from crawlforge.lib.dedup_synth import generate, planted_pairs
    from crawlforge.lib.minhash import MinHashParams, signatures
    from crawlforge.udfs.minhash_udf import OUTPUT_DDL, make_signature_fn

    os.environ.setdefault("CRAWLFORGE_IVY_DIR", str(REPO / ".cache" / "ivy"))
    spark = build_local_session(
        SparkConfig(
            master=f"local[{args.cores}]",
            shuffle_partitions=2 * args.cores,
            driver_memory="6g",
            conf={"spark.ui.enabled": "false"},
        ),
        "dedup-bench",
    )
    results = []
    # one corpus, the first N documents of it at each size (families are generated one after another)
    corpus = generate(max(1, int(max(args.sizes) / 1.9)) + 1, seed=7)
    for size in args.sizes:
        docs = corpus[:size]
        n = len(docs)
        tmp = tempfile.mkdtemp(prefix="dedup-bench-")
        root = f"{tmp}/lake"
        try:
            _write_docs(spark, root, docs, tmp)
            cfg = build_config(
                ["local"],
                [f"lake.root={root}", "ingest.source=bench", "scope.source=bench", "scope.snapshot=S1",
                 "dedup.input=all", "run.log_level=WARNING"],
            )  # fmt: skip
            t0 = time.time()
            res = dedup_job.run(spark, cfg)
            t_dedup = time.time() - t0
            dups = {r["doc_id"]: r["cluster_id"] for r in delta_io.read_table(spark, root, "duplicates").collect()}
            fam = {d.doc_id: d.family for d in docs}
            by_cluster = defaultdict(set)
            for doc, c in dups.items():
                by_cluster[c].add(fam[doc])
            merged = sum(1 for f in by_cluster.values() if len(f) > 1)
            bands: dict[str, list[bool]] = defaultdict(list)
            for a, b, j in planted_pairs(docs):
                band = "J>=0.9" if j >= 0.9 else "0.8-0.9" if j >= 0.8 else "0.7-0.8" if j >= 0.7 else "<0.7"
                bands[band].append(a in dups and dups.get(a) == dups.get(b))
            recall = {k: (sum(v) / len(v), len(v)) for k, v in sorted(bands.items())}

            t_sign_spark = t_sign_mllib = t_loop = None
            text_df = delta_io.read_table(spark, root, "documents").select(
                F.xxhash64("doc_id").alias("doc_key"), "text"
            )
            text_df = text_df.repartition(2 * args.cores).cache()
            text_df.count()
            if n <= args.sign_max:
                t0 = time.time()
                text_df.mapInArrow(make_signature_fn(MinHashParams()), OUTPUT_DDL).write.format("noop").mode(
                    "overwrite"
                ).save()
                t_sign_spark = time.time() - t0
                from crawlforge.jobs import minhash_mllib

                minhash_mllib.load_or_fit_model(spark, cfg)  # fitted and saved once, outside the timing
                t0 = time.time()
                minhash_mllib.signatures(spark, cfg, text_df).write.format("noop").mode("overwrite").save()
                t_sign_mllib = time.time() - t0
                texts = [d.text for d in docs]
                c0 = time.process_time()
                signatures(texts, MinHashParams())
                t_loop = time.process_time() - c0

            t_join = cands = None
            if not args.skip_join and n <= args.join_max:
                words = F.split(F.trim(F.regexp_replace(F.lower("text"), r"[^\p{L}\p{N}]+", " ")), " ")
                feats = NGram(n=5, inputCol="w", outputCol="g").transform(text_df.select("doc_key", words.alias("w")))
                feats = HashingTF(numFeatures=1 << 30, binary=True, inputCol="g", outputCol="v").transform(feats)
                feats = feats.where(F.size("g") > 0).select("doc_key", "v").cache()
                feats.count()
                t0 = time.time()
                model = MinHashLSH(inputCol="v", outputCol="h", numHashTables=5, seed=1).fit(feats)
                pairs = model.approxSimilarityJoin(feats, feats, 0.25, distCol="d").where(
                    "datasetA.doc_key < datasetB.doc_key"
                )
                cands = _count_within(spark, pairs, args.join_timeout, f"mllib-join-{n}")
                t_join = time.time() - t0
                feats.unpersist()
            text_df.unpersist()
            results.append((n, t_dedup, res, t_sign_spark, t_sign_mllib, t_loop, t_join, cands, recall, merged))
            print(f"done {n}: dedup {t_dedup:.1f}s", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    spark.stop()

    cores = args.cores
    print(f"\nload average at the end: {os.getloadavg()}  (2 cores shared with other work; numbers are noisy)")
    print("| docs | dedup wall s | dedup docs/s/core | CC rounds | removed | sign UDF via Spark docs/s/core | "
          "sign MLlib docs/s/core | sign tight loop docs/s/core | MLlib join s (pairs < 0.25) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")

    def rate(t: float | None, n: int, per: int) -> str:
        return f"{n / t / per:.0f}" if t else "not run"

    for n, t, res, ts, tm, tl, tj, cands, _recall, _m in results:
        join = "not run" if tj is None else f"{tj:.1f} ({cands})" if cands is not None else f"> {tj:.0f} (cancelled)"
        print(f"| {n} | {t:.1f} | {n / t / cores:.0f} | {res.cc_rounds} | {sum(res.removed.values())} | "
              f"{rate(ts, n, cores)} | {rate(tm, n, cores)} | {rate(tl, n, 1)} | {join} |")  # fmt: skip
    if len(results) >= 2:
        x = np.log([r[0] for r in results])
        y = np.log([r[1] for r in results])
        slope = float(np.polyfit(x, y, 1)[0])
        print(f"\nscaling exponent of the whole dedup (wall ~ N^k): k = {slope:.2f}")
    print("\n| docs | pair recall by planted Jaccard band (pairs) | clusters merging two families |")
    print("|---|---|---|")
    for n, *_rest, recall, merged in results:
        text = ", ".join(f"{k}: {v:.3f} ({c})" for k, (v, c) in recall.items())
        print(f"| {n} | {text} | {merged} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
