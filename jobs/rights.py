"""rights: licence, opt-out and TDM evidence of every raw page -> the ``signals_rights`` family table.

A score job: it drops nothing. Recipes drop on its columns (``conf/recipes/copyright-clean.yaml``:
``rights_open eq false``, ``rights_tdm_reserved eq true``, ``rights_noai eq true``...). What is detected, and how:
:mod:`crawlforge.lib.rights` (licence links, CC URLs and statements, ``noai``/``noimageai``, TDMRep) and
:mod:`crawlforge.lib.robots_txt` (RFC 9309 rules for ``rights.ai_agents``).

Input: ``raw`` (the HTML, which ``documents`` no longer has, and the HTTP headers ingest kept in ``http_headers``:
``X-Robots-Tag``, ``tdm-reservation``, ``tdm-policy``, ``Link``). Rows ingested before ``http_headers`` existed
have it null: ``rights_headers_recorded`` is false there, and header evidence is simply absent.

robots.txt: Common Crawl publishes its robots.txt captures per crawl as WARC files (``robotstxt.paths.gz``). They
are ingested as their own source (``crawlforge ingest --set ingest.source=common-crawl-robotstxt --set
'ingest.keep_mime_types=[text/plain]'`` with the same snapshot), and each page is joined by host to the newest
capture whose URL path is ``/robots.txt`` (``rights.robots_source``, ``rights.robots_snapshot``), kept per host in
the ``robots_hosts`` table: the groups that decide for ``rights.ai_agents`` (a few hundred bytes where a robots.txt
can be 500 KiB), which agents it disallows on ``/`` and which it names, rebuilt when the fingerprint changes (below;
``ingest.input.file_type=robotstxt`` lists a snapshot's captures). The capture's HTTP status counts as RFC 9309
says: 4xx allows everything, 5xx disallows everything, anything else is parsed. Ingest keeps only 200 responses
unless told otherwise (``ingest.keep_status=[200,404,410,500,502,503]`` with ``ingest.keep_mime_types=[text/plain,
text/html]`` keeps the others); a host without a capture reads as "no robots.txt" (``rights_robots_txt`` false,
``rights_robots_ai_disallowed`` null).

Exactly-once per input file (:mod:`crawlforge.jobs.incremental`, upstream ``ingest``). The stage name carries a
fingerprint of the agents, the robots source and the set of robots.txt files ingested so far: ingesting more
robots.txt captures, or changing the agents, re-scores every file on the next run; running again with nothing new
does nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs.cli import job_main
from crawlforge.jobs.extract import scope_of
from crawlforge.jobs.incremental import finished_files, run_file_stage
from crawlforge.jobs.run_records import RunRecorder, new_run_id
from crawlforge.jobs.tables import RAW, ROBOTS_HOSTS, SIGNALS_RIGHTS
from crawlforge.lib.config import CrawlforgeConfig
from crawlforge.lib.robots_txt import MAX_BYTES
from crawlforge.udfs.rights_udf import (
    INPUT_COLUMNS,
    OUTPUT_DDL,
    ROBOTS_HOSTS_DDL,
    ROBOTS_HOSTS_IN,
    make_rights_fn,
    make_robots_hosts_fn,
)


log = logging.getLogger(__name__)
JOB = "rights"
# counted per run (recorder counts): name -> a boolean SQL expression over signals_rights
COUNTED = {
    "licensed": "rights_license != 'none'",
    "open": "rights_open",
    "permissive": "rights_permissive",
    "license_conflict": "rights_license_conflict",
    "noai": "rights_noai",
    "noimageai": "rights_noimageai",
    "tdm_reserved": "rights_tdm_reserved",
    "robots_ai_disallowed": "rights_robots_ai_disallowed",
    "robots_txt": "rights_robots_txt",
}


@dataclass
class RightsResult:
    run_id: str
    fingerprint: str
    robots_files: int = 0
    files_processed: int = 0
    documents: int = 0
    counts: dict[str, int] | None = None


def robots_scope(cfg: CrawlforgeConfig) -> tuple[str, str] | None:
    """(source, snapshot) of the robots.txt captures, or None when robots.txt is not used."""
    if not cfg.rights.robots_source:
        return None
    return cfg.rights.robots_source, cfg.rights.robots_snapshot or scope_of(cfg)[1]


def fingerprint(cfg: CrawlforgeConfig, robots_files: Sequence[str]) -> str:
    """Hash of what the signals depend on: agents, robots source and the robots.txt files ingested so far."""
    data = {"agents": cfg.rights.ai_agents, "robots": robots_scope(cfg), "files": sorted(robots_files), "v": 1}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def robots_by_host(raw: DataFrame, source: str, snapshot: str) -> DataFrame:
    """The newest robots.txt capture per host (ties: the larger doc_id), as ``ROBOTS_HOSTS_IN``."""
    scoped = raw.where((F.col("source") == source) & (F.col("snapshot") == snapshot))
    robots = scoped.where(F.lower(F.expr("parse_url(url, 'PATH')")) == "/robots.txt").where(F.col("host").isNotNull())
    w = Window.partitionBy(F.lower("host")).orderBy(F.col("warc_date").desc_nulls_last(), F.col("doc_id").desc())
    return (
        robots.withColumn("_rank", F.row_number().over(w))
        .where("_rank = 1")
        .select(
            F.lower("host").alias("host"),
            F.col("http_status").alias("robots_status"),
            F.substring("payload", 1, MAX_BYTES).alias("robots_body"),
            F.col("doc_id").alias("capture_doc_id"),
            "warc_date",
        )
    )


def refresh_robots_hosts(
    spark: SparkSession, cfg: CrawlforgeConfig, rs: tuple[str, str], fp: str, run_id: str
) -> DataFrame:
    """The ``robots_hosts`` rows of the robots scope for fingerprint ``fp``, rebuilt (one replaceWhere of the
    scope's partition) when the stored ones were built for other agents or fewer robots.txt files."""
    root = cfg.lake.root
    delta_io.ensure_table(spark, root, ROBOTS_HOSTS)
    scope = (F.col("source") == rs[0]) & (F.col("snapshot") == rs[1])
    current = delta_io.read_table(spark, root, ROBOTS_HOSTS.name).where(scope & (F.col("rights_fingerprint") == fp))
    if current.limit(1).count() == 0:
        captures = robots_by_host(delta_io.read_table(spark, root, RAW.name), *rs).select(*ROBOTS_HOSTS_IN)
        rows = captures.mapInPandas(make_robots_hosts_fn(cfg.rights.ai_agents), ROBOTS_HOSTS_DDL).select(
            F.lit(rs[0]).alias("source"), F.lit(rs[1]).alias("snapshot"), "*",
            F.lit(fp).alias("rights_fingerprint"), F.lit(run_id).alias("run_id"),
        )  # fmt: skip
        delta_io.replace_where(rows, root, ROBOTS_HOSTS, delta_io.scope_predicate(*rs), run_id)
        log.info("rights: robots_hosts of %s/%s rebuilt for fingerprint %s", rs[0], rs[1], fp)
    return delta_io.read_table(spark, root, ROBOTS_HOSTS.name).where(scope & (F.col("rights_fingerprint") == fp))


def with_robots(pages: DataFrame, hosts: DataFrame | None) -> DataFrame:
    """``pages`` (raw rows) with their host's ``robots_status`` and rules as ``robots_body`` (null: no capture),
    and ``http_headers`` ensured."""
    if "http_headers" not in pages.columns:  # a raw table older than http_headers, not yet written by ingest
        pages = pages.withColumn("http_headers", F.lit(None).cast("map<string,string>"))
    if hosts is None:
        return pages.withColumn("robots_status", F.lit(None).cast("int")).withColumn(
            "robots_body", F.lit(None).cast("string")
        )
    robots = hosts.select(F.col("host").alias("_host"), "robots_status", F.col("robots_rules").alias("robots_body"))
    joined = pages.join(robots, F.lower(pages["host"]) == robots["_host"], "left")
    return joined.drop("_host")


def describe_plan(cfg: CrawlforgeConfig) -> str:
    source, snapshot = scope_of(cfg)
    rs = robots_scope(cfg)
    return "\n".join(
        [
            f"# rights {source}/{snapshot}: {delta_io.table_path(cfg.lake.root, RAW.name)} (HTML + http_headers) -> "
            f"{delta_io.table_path(cfg.lake.root, SIGNALS_RIGHTS.name)}",
            f"# robots.txt: {'raw rows of ' + '/'.join(rs) + ' joined by host' if rs else 'not used'}; "
            f"AI agents: {', '.join(cfg.rights.ai_agents)}",
        ]
    )


def run(spark: SparkSession, cfg: CrawlforgeConfig, run_id: str | None = None) -> RightsResult:
    run_id = run_id or cfg.run.run_id or new_run_id(JOB)
    source, snapshot = scope_of(cfg)
    root = cfg.lake.root
    rs = robots_scope(cfg)
    if rs == (source, snapshot):
        raise ValueError(f"rights.robots_source {rs[0]!r} is the scope's own source; score the pages' source")
    delta_io.ensure_table(spark, root, RAW)
    robots_files = sorted(finished_files(spark, root, "ingest", *rs)) if rs else []
    fp = fingerprint(cfg, robots_files)
    result = RightsResult(run_id, fp, robots_files=len(robots_files))
    fn = make_rights_fn(cfg.rights.ai_agents)
    # Arrow batches of raw pages: keep them small, payloads can be megabytes each.
    spark.conf.set("spark.sql.execution.arrow.maxRecordsPerBatch", "256")
    with RunRecorder(spark, cfg, JOB, run_id) as recorder:
        raw = delta_io.read_table(spark, root, RAW.name)
        robots = refresh_robots_hosts(spark, cfg, rs, fp, run_id) if rs and robots_files else None

        def transform(df: DataFrame) -> DataFrame:
            pages = with_robots(df, robots).select(*INPUT_COLUMNS)
            out = pages.mapInPandas(fn, OUTPUT_DDL)
            return out.withColumn("rights_fingerprint", F.lit(fp)).withColumn("run_id", F.lit(run_id))

        stage = run_file_stage(
            spark,
            root,
            stage=f"{JOB}-{fp}",
            upstream="ingest",
            run_id=run_id,
            source=source,
            snapshot=snapshot,
            input_df=raw,
            output=SIGNALS_RIGHTS,
            transform=transform,
            files_per_batch=cfg.rights.files_per_batch,
        )
        result.files_processed = stage.files_processed
        result.documents = stage.docs_in
        written = delta_io.read_table(spark, root, SIGNALS_RIGHTS.name).where(F.col("run_id") == run_id)
        sums = [F.sum(F.when(F.expr(c), 1).otherwise(0)).alias(k) for k, c in COUNTED.items()]
        agg = written.agg(*sums).collect()[0]
        result.counts = {k: int(agg[k] or 0) for k in COUNTED}
        recorder.counts = {
            "files_processed": result.files_processed,
            "documents": result.documents,
            "robots_files": result.robots_files,
            **result.counts,
        }
        recorder.stage_stats(
            [{"source": source, "snapshot": snapshot, "stage": JOB, "rule": f"rights/{k}",
              "docs_in": result.documents, "docs_out": result.documents, "docs_dropped": 0}
             for k in ("licensed", "open", "noai", "tdm_reserved", "robots_ai_disallowed")]
        )  # fmt: skip
        recorder.message = f"robots.txt {rs or 'off'} ({len(robots_files)} file(s)), fingerprint {fp} (scores only)"
    log.info("rights %s/%s: %d pages, %s", source, snapshot, result.documents, result.counts)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    return job_main(JOB, argv, describe_plan, run)
