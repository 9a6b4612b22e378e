"""``crawlforge <job> --config conf/local.yaml --set key=value ... [--dry-run]``.

Every job module exposes ``main(argv) -> int`` built with :func:`job_main`, so a job runs the same
way from the console script, ``python -m crawlforge``, ``spark-submit`` of the launcher, a Databricks
``python_wheel_task`` or an EMR step. Exit codes: 0 success, 2 bad configuration or arguments,
3 the job failed (the message says which stage or files and how to resume), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from crawlforge.lib.config import ConfigError, CrawlforgeConfig, build_config, describe_options


EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_FAILED = 3
EXIT_INTERRUPTED = 130  # Ctrl-C / SIGINT, as shells report it

# job name -> (module, one-line summary, config sections it reads)
JOBS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "generate-sample": (
        "crawlforge.jobs.generate_sample",
        "write the embedded sample crawl (WARC files)",
        ("lake", "sample"),
    ),
    "ingest": (
        "crawlforge.jobs.ingest",
        "read WARC/WET files into the raw and ingest_files tables",
        ("lake", "spark", "memory", "run", "ingest", "sample"),
    ),
    "extract": (
        "crawlforge.jobs.extract",
        "HTML to text: raw -> documents (resiliparse, charset, per-page size and time limits)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "extract"),
    ),
    "annotate": (
        "crawlforge.jobs.annotate",
        "language ID and heuristic signals: documents -> signals (drops nothing)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "annotate"),
    ),
    "select": (
        "crawlforge.jobs.select",
        "apply a recipe to the signals table: the decisions and drop_samples tables",
        ("lake", "spark", "memory", "run", "ingest", "scope", "select", "sample"),
    ),
    "ingest-text": (
        "crawlforge.jobs.ingest_text",
        "JSONL/Parquet/plain-text files -> documents of their own source, with license and provenance (sources)",
        ("lake", "spark", "memory", "run", "text_input"),
    ),
    "train-lm": (
        "crawlforge.jobs.train_lm",
        "train CCNet's SentencePiece + 5-gram KenLM per language from a table or SQL query -> models",
        ("lake", "spark", "memory", "run", "ccnet"),
    ),
    "ccnet": (
        "crawlforge.jobs.ccnet",
        "CCNet paragraph dedup, language and perplexity: documents -> signals_ccnet (drops nothing)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "ccnet"),
    ),
    "cutoffs": (
        "crawlforge.jobs.cutoffs",
        "per-language perplexity percentiles -> perplexity_cutoffs (versioned); re-bucket signals_ccnet",
        ("lake", "spark", "memory", "run", "ingest", "scope", "ccnet"),
    ),
    "decontam": (
        "crawlforge.jobs.decontam",
        "benchmark n-gram overlap: documents -> signals_decontam (drops nothing; recipes can drop on it)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "decontam"),
    ),
    "rights": (
        "crawlforge.jobs.rights",
        "licence links, noai/TDMRep opt-outs, robots.txt for AI agents: raw -> signals_rights (drops nothing)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "rights"),
    ),
    "publish": (
        "crawlforge.jobs.publish",
        "selected, deduplicated, PII-redacted documents -> corpus (MERGE); removal requests (opt-out)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "publish"),
    ),
    "export": (
        "crawlforge.jobs.export",
        "corpus -> JSONL.gz / Parquet shards of a target size with a manifest (sha256, tokens)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "export"),
    ),
    "report": (
        "crawlforge.jobs.report",
        "static HTML report with plots and a Markdown data card from the lake's tables",
        ("lake", "spark", "memory", "run", "ingest", "scope", "select", "report"),
    ),
    "dedup": (
        "crawlforge.jobs.dedup",
        "exact (URL, text) and MinHash near-dup removal: kept documents -> duplicates, band index (drops nothing)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "dedup"),
    ),
    "train-classifier": (
        "crawlforge.jobs.train_classifier",
        "train DCLM-style fastText quality classifiers from positive/negative tables or SQL -> models + held-out AUC",
        ("lake", "spark", "memory", "run", "quality"),
    ),
    "quality": (
        "crawlforge.jobs.quality",
        "score documents with the quality classifiers + Nemotron-CC buckets -> signals_quality (drops nothing)",
        ("lake", "spark", "memory", "run", "ingest", "scope", "quality"),
    ),
    "pipeline": (
        "crawlforge.jobs.pipeline",
        "run the configured stages (ingest through export and report) from one config; print the tables",
        (
            "lake",
            "spark",
            "run",
            "pipeline",
            "ingest",
            "sample",
            "text_input",
            "scope",
            "extract",
            "annotate",
            "ccnet",
            "quality",
            "decontam",
            "rights",
            "select",
            "dedup",
            "publish",
            "export",
            "report",
        ),
    ),
}

log = logging.getLogger("crawlforge")


def _options_epilog(sections: Sequence[str]) -> str:
    lines = ["configuration keys (set in YAML or with --set key=value):"]
    for key, default, desc in describe_options():
        if key.split(".", 1)[0] not in sections:
            continue
        lines.append(f"  {key} (default {default})")
        if desc:
            lines.extend(textwrap.wrap(desc, 96, initial_indent="      ", subsequent_indent="      "))
    return "\n".join(lines)


def build_parser(job: str, description: str, sections: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"crawlforge {job}",
        description=description,
        epilog=_options_epilog(sections),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="FILE",
        help="YAML config file or packaged config name (e.g. conf/local.yaml or local); repeatable, later wins",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        dest="overrides",
        metavar="KEY=VALUE",
        help="override one config key with a dotted name, e.g. --set ingest.input.file_limit=10; repeatable",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the resolved config and the input plan, then exit without running anything",
    )
    return parser


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        force=True,
    )
    logging.getLogger("py4j").setLevel(logging.WARNING)


def job_main(
    job: str,
    argv: Sequence[str] | None,
    plan: Callable[[CrawlforgeConfig], str],
    run: Callable[[Any, CrawlforgeConfig], Any],
    *,
    needs_spark: bool = True,
) -> int:
    """Parse args, build the config, then dry-run (print config + plan) or run the job.

    ``run`` gets a Spark session, or ``None`` for a job that needs none (``needs_spark=False``).
    """
    _module, summary, sections = JOBS[job]
    parser = build_parser(job, summary, sections)
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        cfg = build_config(args.config, args.overrides)
    except ConfigError as exc:
        print(f"crawlforge {job}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(cfg.run.log_level)
    if args.dry_run:
        print(f"# resolved configuration (config_hash {cfg.config_hash()})")
        print(cfg.to_yaml())
        try:
            print(plan(cfg))
        except Exception as exc:  # noqa: BLE001 - any planning failure is reported as a config problem
            print(f"crawlforge {job}: cannot plan the input: {exc}", file=sys.stderr)
            return EXIT_CONFIG
        return EXIT_OK
    import re
    import shlex
    import time

    def _failed_files(result: Any) -> list[tuple[str, str]]:
        """(path, error) of input files a job finished without (ingest's failed_files, also inside a pipeline)."""
        found: list[tuple[str, str]] = []
        for item in result.values() if isinstance(result, dict) else [result]:
            found.extend(getattr(item, "failed_files", None) or [])
        return found

    # The command a person reruns to resume: finished files and stages are skipped (exactly-once per file).
    rerun = " ".join(["crawlforge", job, *(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))])
    t0 = time.time()
    log.info("crawlforge %s: starting (config_hash %s, lake %s)", job, cfg.config_hash(), cfg.lake.root)
    spark = None
    if needs_spark:
        from crawlforge.jobs.spark_session import get_session

        try:
            spark = get_session(cfg.spark, f"crawlforge-{job}")
        except Exception as exc:
            log.exception("crawlforge %s: no Spark session", job)
            print(
                f"crawlforge {job} FAILED before any work: cannot start Spark: {type(exc).__name__}: {exc}\n"
                "Check Java 17, the Delta jars (spark.delta_jars, CRAWLFORGE_IVY_DIR; `make setup` warms them) "
                f"and spark.master; then run again:\n  {rerun}",
                file=sys.stderr,
            )
            return EXIT_FAILED
    from crawlforge.jobs.run_records import SparkProgress

    try:
        with SparkProgress(spark, job):
            result = run(spark, cfg)
    except KeyboardInterrupt:
        print(
            f"crawlforge {job} INTERRUPTED after {time.time() - t0:.0f}s. Finished files are committed; "
            f"run the same command again to resume:\n  {rerun}",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except Exception as exc:
        log.exception("crawlforge %s failed", job)
        chain, seen = [], set()
        cause: BaseException | None = exc
        while cause is not None and id(cause) not in seen:  # the pipeline wraps a stage's error: show both
            seen.add(id(cause))
            chain.append(cause)
            cause = cause.__cause__
        stages = [m.group(1) for e in chain if (m := re.match(r"stage '([^']+)' failed", str(e)))]
        notes = [n for e in chain for n in getattr(e, "__notes__", [])]
        root = chain[-1]
        lines = [f"crawlforge {job} FAILED after {time.time() - t0:.0f}s"]
        if stages:
            lines[0] += f" in stage {stages[0]!r}"
        text = [ln.strip() for ln in str(root).strip().splitlines() if ln.strip()] or [""]
        # A Python worker's error arrives inside Spark's message: its last "XxxError: ..." line says what broke.
        inner = [ln for ln in text if re.match(r"^[\w.]+(Error|Exception)\b.*:", ln)]
        lines.append(f"  error: {type(root).__name__}: {text[0][:500]}")
        if inner and inner[-1] != text[0]:
            lines.append(f"  cause: {inner[-1][:500]}")
        lines += notes
        lines.append(
            "Finished files and stages are committed and are skipped on a rerun; fix the cause above, then run the "
            f"same command again to resume where it stopped:\n  {rerun}"
        )
        print("\n".join(lines), file=sys.stderr)
        return EXIT_FAILED
    failed = _failed_files(result)
    if failed:
        shown = "\n".join(f"  {path}: {error[:200]}" for path, error in failed[:10])
        more = f"\n  ... and {len(failed) - 10} more" if len(failed) > 10 else ""
        print(
            f"crawlforge {job} finished, but {len(failed)} input file(s) failed and were recorded in ingest_files "
            f"(status='failed'):\n{shown}{more}\nTransient failures are retried by running the same command "
            "again; corrupt files only with --set ingest.retry_failed=true.",
            file=sys.stderr,
        )
    log.info("crawlforge %s: finished in %.0fs", job, time.time() - t0)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: crawlforge <job> [--config FILE] [--set KEY=VALUE ...] [--dry-run] [--help]\n\njobs:")
        for name, (_, summary, _) in JOBS.items():
            print(f"  {name:<16} {summary}")
        return EXIT_OK if args else EXIT_CONFIG
    job, rest = args[0], args[1:]
    if job not in JOBS:
        print(f"crawlforge: unknown job {job!r}; known jobs: {', '.join(JOBS)}", file=sys.stderr)
        return EXIT_CONFIG
    module = importlib.import_module(JOBS[job][0])
    return int(module.main(rest))


if __name__ == "__main__":
    sys.exit(main())
