"""Ingest throughput against its limit: plain FastWARC iteration over the same files in one process.

    .venv/bin/python benchmarks/ingest_throughput.py [--mb 200] [--cores 2]

Generates a sample crawl of at least ``--mb`` MB of .warc.gz (once; reused afterwards), then measures
in one run:

1. ``fastwarc``: ArchiveIterator over every file, reading every record's block (the limit);
2. ``reader``: crawlforge's WarcFileReader in one process (what each Spark task runs);
3. ``spark``: the ingest job in local mode with ``--cores`` cores, end to end including the Delta
   commits of ``raw`` and ``ingest_files`` (session start-up excluded).

It prints records/s and MB/s (compressed input) per core and each row's ratio to the limit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from fastwarc.warc import ArchiveIterator


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def fastwarc_limit(paths: list[Path]) -> tuple[int, float]:
    t0 = time.perf_counter()
    n = 0
    for p in paths:
        with open(p, "rb") as fh:
            for rec in ArchiveIterator(fh, parse_http=False):
                rec.reader.read()
                n += 1
    return n, time.perf_counter() - t0


def reader_loop(paths: list[Path]) -> tuple[int, int, float]:
    from crawlforge.lib.warc_reader import read_local_file

    t0 = time.perf_counter()
    total = kept = 0
    for p in paths:
        _, summary = read_local_file(str(p), "common-crawl")
        total += summary.records_total
        kept += summary.records_kept
    return total, kept, time.perf_counter() - t0


def spark_ingest(paths: list[Path], cores: int, lake: Path) -> tuple[int, int, float, float]:
    from crawlforge.jobs import ingest
    from crawlforge.jobs.spark_session import build_local_session
    from crawlforge.lib.config import build_config

    shutil.rmtree(lake, ignore_errors=True)
    cfg = build_config(
        ["local"],
        [
            f"lake.root={lake}",
            f"spark.master=local[{cores}]",
            f"spark.shuffle_partitions={cores}",
            "spark.driver_memory=4g",
            "ingest.input.kind=paths",
            f"ingest.input.paths=[{','.join(str(p) for p in paths)}]",
            "ingest.snapshot=BENCH",
            "run.log_level=WARNING",
        ],
    )
    spark = build_local_session(cfg.spark, "crawlforge-bench")
    spark.range(1).count()  # JVM warm
    t0 = time.perf_counter()
    result = ingest.run(spark, cfg)
    elapsed = time.perf_counter() - t0
    spark.stop()
    return result.records_total, result.records_kept, elapsed, result.batch_seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=200, help="size of the generated crawl in MB of .warc.gz")
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--files", type=int, default=16)
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "out"))
    args = ap.parse_args()
    os.environ.setdefault("CRAWLFORGE_IVY_DIR", str(REPO / ".cache" / "ivy"))

    from crawlforge.lib.sample_crawl import generate_to_size

    out = Path(args.out)
    t0 = time.perf_counter()
    paths = sorted(generate_to_size(out / f"crawl-{args.mb}mb", args.mb * 1_000_000, files=args.files))
    gen_s = time.perf_counter() - t0
    mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"input: {len(paths)} files, {mb:.1f} MB .warc.gz (generated or reused in {gen_s:.1f}s)")

    n_fw, t_fw = fastwarc_limit(paths)
    n_rd, kept_rd, t_rd = reader_loop(paths)
    n_sp, kept_sp, t_sp, t_batches = spark_ingest(paths, args.cores, out / "lake")
    assert n_rd == n_sp and kept_rd == kept_sp, (n_rd, n_sp, kept_rd, kept_sp)

    rows = [
        ("fastwarc iteration, 1 process (limit)", n_fw, t_fw, 1),
        ("crawlforge reader, 1 process", n_rd, t_rd, 1),
        (f"crawlforge ingest, Spark local[{args.cores}] + Delta", n_sp, t_sp, args.cores),
        ("  of which inside batches (read + 2 commits)", n_sp, t_batches, args.cores),
    ]
    limit = n_fw / t_fw
    print(f"\n{'path':<46} {'records':>9} {'seconds':>8} {'rec/s/core':>11} {'MB/s/core':>10} {'vs limit':>9}")
    for name, n, t, cores in rows:
        per_core = n / t / cores
        print(f"{name:<46} {n:>9} {t:>8.1f} {per_core:>11.0f} {mb / t / cores:>10.2f} {per_core / limit:>9.2f}")
    print(f"\nrecords kept (HTML 200 pages): {kept_sp} of {n_sp}; machine: {os.cpu_count()} cores")
    print(f"per-run fixed cost (tables, ledger scan, run records, stage stats): {t_sp - t_batches:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
