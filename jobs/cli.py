"""``crawlforge <job> --config conf/local.yaml --set key=value ... [--dry-run]``.

Every job module exposes ``main(argv) -> int`` built with :func:`job_main`, so a job runs the same
way from the console script, ``python -m crawlforge``, ``spark-submit`` of the launcher, a Databricks
``python_wheel_task`` or an EMR step. Exit codes: 0 success, 2 bad configuration or arguments,
3 the job failed (the message says which stage or files and how to resume).
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
        ("lake", "spark", "run", "ingest", "sample"),
    ),
    "extract": (
        "crawlforge.jobs.extract",
        "HTML to text: raw -> documents (resiliparse, charset, per-page size and time limits)",
        ("lake", "spark", "run", "ingest", "scope", "extract"),
    ),
    "annotate": (
        "crawlforge.jobs.annotate",
        "language ID and heuristic signals: documents -> signals (drops nothing)",
        ("lake", "spark", "run", "ingest", "scope", "annotate"),
    ),
    "select": (
        "crawlforge.jobs.select",
        "apply a recipe to the signals table: the decisions and drop_samples tables",
        ("lake", "spark", "run", "ingest", "scope", "select", "sample"),
    ),
    "pipeline": (
        "crawlforge.jobs.pipeline",
        "run every stage from one config and print the tables",
        ("lake", "spark", "run", "ingest", "sample", "scope", "extract", "annotate", "select"),
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
    spark = None
    if needs_spark:
        from crawlforge.jobs.spark_session import get_session

        spark = get_session(cfg.spark, f"crawlforge-{job}")
    try:
        run(spark, cfg)
    except Exception as exc:
        log.exception("crawlforge %s failed", job)
        print(
            f"crawlforge {job} FAILED: {type(exc).__name__}: {exc}\n"
            "Finished work is committed; run the same command again to resume where it stopped.",
            file=sys.stderr,
        )
        return EXIT_FAILED
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
