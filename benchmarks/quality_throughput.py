"""Quality-classifier scoring throughput per core: the ``quality`` job on Spark against a tight loop (the limit).

    .venv/bin/python benchmarks/quality_throughput.py [--pages 3000] [--cores 2] [--bucket 200000]

1. Documents: the HTML pages of a generated sample crawl (``crawlforge.lib.sample_crawl``), extracted in-process with
   the project's extractor (resiliparse), so they look like ``documents.text``; written to a fresh lake as a
   ``documents`` table in two input files.
2. Model: a fastText classifier trained with the project's CLI wrapper (``lib/fasttext_train.py``) on WikiText-2
   paragraphs (``../shared/data/text``) against the crawl's spam/list/short pages; DCLM's settings with word bigrams,
   but ``--bucket`` n-gram buckets (fastText's 2M default makes an 800 MB model for 100 dims).
3. Tight loop, one process: DCLM preprocessing + ``fasttext-predict`` on every document (the per-core limit).
4. Spark ``local[--cores]``: ``quality.run`` end to end (score pass with its Delta commit, then the percentile and
   bucket pass rewriting the scope), then a second run, which has no new file and measures the bucket pass alone.
   Session start-up is excluded.

Rates are documents per second, and per core (Spark: divided by ``--cores``). Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def build_documents(pages: int, out: Path) -> list[tuple[str, str]]:
    """(kind, text) of every extracted HTML page of a generated crawl."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    from crawlforge.lib.extract import ExtractOptions, extract_in_process
    from crawlforge.lib.sample_crawl import GROUND_TRUTH_FILE, SampleSpec, generate_crawl

    files = generate_crawl(out, SampleSpec(pages=pages, files=2, seed=99, snapshot="BENCH-QUALITY"))
    truth = {}
    for line in (out / GROUND_TRUTH_FILE).read_text().splitlines():
        row = json.loads(line)
        truth[row["warc_record_id"]] = row
    docs = []
    for f in files:
        with open(f, "rb") as fh:
            for rec in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
                row = truth.get(rec.record_id.strip("<>"))
                if row is None or row.get("content_type") != "text/html" or row.get("http_status") != 200:
                    continue
                res = extract_in_process(rec.reader.read(), None, ExtractOptions())
                if res.ok and res.text.strip():
                    docs.append((row["kind"], res.text))
    return docs


def train_model(docs: list[tuple[str, str]], work: Path, bucket: int) -> Path:
    from crawlforge.lib.fasttext_train import FastTextParams, train_supervised
    from crawlforge.lib.quality_text import NEGATIVE_LABEL, POSITIVE_LABEL, fasttext_line

    wiki = [
        s.strip()
        for s in (SHARED / "text" / "wikitext-2-raw-v1.test.txt").read_text(encoding="utf-8").splitlines()
        if s.strip() and not s.strip().startswith("=") and len(s.split()) >= 40
    ]
    lines = [fasttext_line(POSITIVE_LABEL, t) for t in wiki[:600]]
    lines += [fasttext_line(NEGATIVE_LABEL, t) for k, t in docs if k in ("spam", "list", "short")]
    data = work / "train.txt"
    data.write_text("\n".join(sorted(lines, key=lambda x: x[::-1])) + "\n", encoding="utf-8")
    return train_supervised(data, work / "model", FastTextParams(bucket=bucket, epoch=10))


def tight_loop(model_path: Path, texts: list[str]) -> float:
    import fasttext

    from crawlforge.lib.quality_text import dclm_preprocess
    from crawlforge.udfs.quality_udf import score_texts

    model = fasttext.load_model(str(model_path))
    t0 = time.perf_counter()
    score_texts(model, [dclm_preprocess(t) for t in texts], "__label__cc")
    return time.perf_counter() - t0


def spark_runs(texts: list[str], model_path: Path, lake: Path, cores: int) -> tuple[float, float]:
    from crawlforge.jobs import delta_io, quality
    from crawlforge.jobs.spark_session import build_local_session
    from crawlforge.jobs.tables import DOCUMENTS, STAGE_PROGRESS
    from crawlforge.lib.config import SparkConfig, build_config

    os.environ.setdefault("CRAWLFORGE_IVY_DIR", str(REPO / ".cache" / "ivy"))
    spark = build_local_session(
        SparkConfig(master=f"local[{cores}]", shuffle_partitions=cores, conf={"spark.ui.enabled": "false"}),
        "bench-quality",
    )
    root = str(lake)
    rows = [
        {f.name: None for f in DOCUMENTS.schema.fields}
        | {"source": "bench", "snapshot": "B", "doc_id": f"d{i}", "file_id": f"f{i % 2}", "text": t,
           "extract_status": "ok"}
        for i, t in enumerate(texts)
    ]  # fmt: skip
    delta_io.ensure_table(spark, root, DOCUMENTS)
    delta_io.append(spark.createDataFrame(rows, DOCUMENTS.schema), root, DOCUMENTS, "bench")
    delta_io.ensure_table(spark, root, STAGE_PROGRESS)
    progress = [("bench", "B", "extract", f"f{i}", "bench", None) for i in range(2)]
    delta_io.append(spark.createDataFrame(progress, STAGE_PROGRESS.schema), root, STAGE_PROGRESS, "bench")
    cfg = build_config(
        [],
        [f"lake.root={root}", "scope.source=bench", "scope.snapshot=B", "quality.per_language=false"],
        base={"quality": {"classifiers": [{"name": "bench", "model_path": str(model_path)}]}},
    )
    t0 = time.perf_counter()
    quality.run(spark, cfg, run_id="bench-1")
    full = time.perf_counter() - t0
    t0 = time.perf_counter()
    quality.run(spark, cfg, run_id="bench-2")
    buckets_only = time.perf_counter() - t0
    spark.stop()
    return full, buckets_only


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--bucket", type=int, default=200_000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    try:
        t0 = time.perf_counter()
        docs = build_documents(args.pages, work / "crawl")
        texts = [t for _, t in docs]
        prep = time.perf_counter() - t0
        t0 = time.perf_counter()
        model = train_model(docs, work, args.bucket)
        train_s = time.perf_counter() - t0
        model_mb = model.stat().st_size / 1e6
        loop = tight_loop(model, texts)
        full, buckets = spark_runs(texts, model, work / "lake", args.cores)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    n = len(texts)
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, Python {sys.version.split()[0]}")
    print(f"# {n} documents ({mb:.1f} MB of text) from {args.pages} generated pages, prepared in {prep:.1f}s; "
          f"model trained in {train_s:.1f}s (bucket {args.bucket}, {model_mb:.0f} MB)")  # fmt: skip
    print(f"| {'what':<52} | {'cores':>5} | {'seconds':>8} | {'docs/s':>8} | {'docs/s/core':>11} |")
    print(f"|{'-' * 54}|{'-' * 7}|{'-' * 10}|{'-' * 10}|{'-' * 13}|")
    for what, cores, secs in (
        ("tight loop: DCLM preprocess + fasttext-predict", 1, loop),
        (f"Spark quality job, score + buckets (local[{args.cores}])", args.cores, full),
        (f"Spark quality job, rerun: bucket pass only (local[{args.cores}])", args.cores, buckets),
    ):
        print(f"| {what:<52} | {cores:>5} | {secs:>8.2f} | {n / secs:>8.0f} | {n / secs / cores:>11.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
