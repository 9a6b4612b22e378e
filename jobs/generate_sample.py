"""generate-sample: write the embedded sample crawl (WARC files in several languages) to disk.

The sample is made by a deterministic generator (:mod:`crawlforge.lib.sample_crawl`), so ``make demo``
needs no network and every machine gets byte-identical input. Generating again with the same spec
is a no-op.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawlforge.jobs.cli import job_main
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.sample_crawl import SampleSpec, generate_crawl


log = logging.getLogger(__name__)
JOB = "generate-sample"


def output_dir(cfg: CrawlforgeConfig) -> str:
    return cfg.sample.output_dir or f"{cfg.lake.root}/_sample_input"


def generate(cfg: CrawlforgeConfig) -> list[Path]:
    spec = SampleSpec(
        pages=cfg.sample.pages, files=cfg.sample.files, seed=cfg.sample.seed, snapshot=cfg.sample.snapshot
    )
    paths = generate_crawl(output_dir(cfg), spec)
    log.info("sample crawl: %d file(s), %d pages in %s", len(paths), spec.pages, output_dir(cfg))
    return paths


def describe_plan(cfg: CrawlforgeConfig) -> str:
    return f"# would write {cfg.sample.files} WARC file(s) with {cfg.sample.pages} pages to {output_dir(cfg)}"


def run(_spark: Any, cfg: CrawlforgeConfig) -> list[Path]:
    paths = generate(cfg)
    for path in paths:
        print(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """No Spark needed: parse the config and write the files."""
    return job_main(JOB, argv, describe_plan, run, needs_spark=False)
