"""CCNet perplexity throughput per core: Spark ``mapInPandas`` against the tight single-process loop.

    .venv/bin/python benchmarks/perplexity_throughput.py [--docs 4000] [--cores 2] [--out benchmarks/out/ppl]

1. Trains a small CCNet-recipe LM once (SentencePiece unigram 2000 pieces + 5-gram KenLM, via
   ``lib.lm_training.train_ccnet_lm``) on the first 50 articles of ``shared/data/text/wikitext-2-raw-v1.test.txt``.
   The model is small next to CCNet's 65536-piece Wikipedia models, so KenLM lookups are cheaper than in
   production; both sides of the ratio use the same model, which is what the ratio is about.
2. Builds ``--docs`` documents of 3 consecutive WikiText paragraphs (cycled), ~1.5 KB each.
3. Tight loop: ``PerplexityScorer.doc_perplexity`` over every document in this process (one core), after one
   warm-up call that loads the models.
4. Spark ``local[--cores]``: the same documents in ``--cores`` partitions through
   ``udfs.ccnet_udf.make_perplexity_fn`` (the perplexity step alone) and ``make_score_fn`` (the ccnet job's
   per-document work: dedup rule + fastText LID + perplexity), forced with the ``noop`` writer; a warm-up run
   first starts the Python workers and loads the models (they load once per worker). Session start-up excluded.

Rates are documents per second per core; the ratio is Spark's per-core rate over the tight loop's. The machine
is shared (the 1-minute load average is printed), so absolute numbers move; the ratio is the point.
"""

from __future__ import annotations

import argparse
import os
import re
import time
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
WIKITEXT = REPO.parent / "shared" / "data" / "text" / "wikitext-2-raw-v1.test.txt"


def articles(path: Path) -> list[list[str]]:
    out: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if re.fullmatch(r" = [^=].* = ", line):
            out.append([])
        elif line.strip() and out:
            out[-1].append(line.strip())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=4000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "out" / "perplexity"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from crawlforge.lib.lm_training import train_ccnet_lm
    from crawlforge.lib.perplexity import PerplexityScorer

    arts = articles(WIKITEXT)
    model_dir = out / "lm"
    if not (model_dir / "en.arpa.bin").is_file():
        train = [p for a in arts[:50] for p in a]
        train_ccnet_lm(train, model_dir, "en", vocab_size=2000, fallback_vocab_size=None, memory="64M",
                       vocab_estimate=4096, num_threads=2)  # fmt: skip
    paragraphs = [p for a in arts for p in a]
    docs = ["\n".join(paragraphs[(3 * i + k) % len(paragraphs)] for k in range(3)) for i in range(args.docs)]
    mean_chars = sum(map(len, docs)) / len(docs)

    scorer = PerplexityScorer(model_dir / "en.sp.model", model_dir / "en.arpa.bin")
    scorer.doc_perplexity(docs[0])  # load the models
    t0 = time.perf_counter()
    loop_values = [scorer.doc_perplexity(d) for d in docs]
    t_loop = time.perf_counter() - t0

    os.environ.setdefault("CRAWLFORGE_IVY_DIR", str(REPO / ".cache" / "ivy"))
    from crawlforge.jobs.spark_session import build_local_session
    from crawlforge.lib.config import SparkConfig
    from crawlforge.udfs.ccnet_udf import (
        PERPLEXITY_OUTPUT_DDL,
        SCORE_OUTPUT_DDL,
        LanguageModel,
        ScoreOptions,
        make_perplexity_fn,
        make_score_fn,
    )

    spark = build_local_session(
        SparkConfig(
            master=f"local[{args.cores}]",
            shuffle_partitions=args.cores,
            conf={"spark.ui.enabled": "false", "spark.sql.execution.arrow.maxRecordsPerBatch": "500"},
        ),
        "crawlforge-bench-perplexity",
    )
    model = LanguageModel("en", str(model_dir), "bench", "en.sp.model", "en.arpa.bin")
    rows = [(f"d{i:06d}", "s", "x", "f", t, None) for i, t in enumerate(docs)]
    df = spark.createDataFrame(
        rows, "doc_id string, source string, snapshot string, file_id string, text string, dup_hashes array<bigint>"
    ).repartition(args.cores)
    df = df.cache()
    df.count()

    def timed(frame_fn: object) -> float:
        frame_fn().write.format("noop").mode("overwrite").save()  # type: ignore[operator]  # warm-up
        t = time.perf_counter()
        frame_fn().write.format("noop").mode("overwrite").save()  # type: ignore[operator]
        return time.perf_counter() - t

    def pp_frame() -> object:
        return df.select("doc_id", "text").mapInPandas(make_perplexity_fn(model), PERPLEXITY_OUTPUT_DDL)

    def score_frame() -> object:
        fn = make_score_fn(ScoreOptions(models={"en": model}))
        return df.select("source", "snapshot", "doc_id", "file_id", "text", "dup_hashes").mapInPandas(
            fn, SCORE_OUTPUT_DDL
        )

    t_pp = timed(pp_frame)
    t_score = timed(score_frame)
    spark_values = dict(pp_frame().collect())  # type: ignore[attr-defined]
    same = all(spark_values[f"d{i:06d}"] == v for i, v in enumerate(loop_values))
    spark.stop()

    loop_rate = len(docs) / t_loop
    pp_rate = len(docs) / t_pp / args.cores
    score_rate = len(docs) / t_score / args.cores
    load = os.getloadavg()[0]
    print(f"\nCCNet perplexity throughput: {len(docs)} documents of {mean_chars:.0f} chars on average; "
          f"{os.cpu_count()} cores, 1-min load average {load:.1f}; Spark local[{args.cores}]")  # fmt: skip
    print(f"{'step':<52} {'docs':>6} {'seconds':>8} {'cores':>5} {'docs/s/core':>12} {'vs loop':>8}")
    for name, seconds, cores, rate in (
        ("tight loop: PerplexityScorer.doc_perplexity", t_loop, 1, loop_rate),
        ("Spark mapInPandas: perplexity step", t_pp, args.cores, pp_rate),
        ("Spark mapInPandas: dedup rule + LID + perplexity", t_score, args.cores, score_rate),
    ):
        print(f"{name:<52} {len(docs):>6} {seconds:>8.2f} {cores:>5} {rate:>12.1f} {rate / loop_rate:>8.2f}")
    print(f"Spark perplexities equal to the tight loop's on every document: {same}")


if __name__ == "__main__":
    main()
