"""The rights job end to end: pages and robots.txt captures ingested from WARC files (real fixture pages among
them), licence / opt-out / TDM / robots.txt evidence in signals_rights, exactly-once reruns, the copyright-clean
recipe's drops, the licence columns in corpus, export and data card, and an older lake's raw table gaining
http_headers."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from pyspark.sql import functions as F

from crawlforge.jobs import delta_io
from crawlforge.jobs import export as export_job
from crawlforge.jobs import ingest as ingest_job
from crawlforge.jobs import publish as publish_job
from crawlforge.jobs import report as report_job
from crawlforge.jobs import rights as rights_job
from crawlforge.jobs import select as select_job
from crawlforge.jobs.schema_evolution import add_missing_columns
from crawlforge.jobs.select import rule_fails
from crawlforge.jobs.tables import DOCUMENTS, RAW, SIGNALS, TableSpec
from crawlforge.lib.recipe import load_recipe
from tests.helpers import make_config, write_warc


pytestmark = pytest.mark.spark

SNAP = "TEST-2026-14"
CC = "https://creativecommons.org/licenses/"


def _with_headers(ctype: str, **headers: str) -> str:
    """A Content-Type value for write_warc followed by extra HTTP header lines."""
    return ctype + "".join(f"\r\n{k.replace('_', '-')}: {v}" for k, v in headers.items())


def _page(head: str = "", body: str = "<p>Some text of the page.</p>") -> bytes:
    return f"<html><head><title>t</title>{head}</head><body>{body}</body></html>".encode()


def test_rights_job_on_ingested_pages_and_robots(spark, tmp_path, shared_data):
    html = shared_data / "extraction"
    wiki = gzip.decompress((html / "wcxb-dev-sample/html/2905.html.gz").read_bytes())
    pan = gzip.decompress(
        (html / "scrapinghub-aeb/html/d90bda7ed14df19574f4ca8b1ccde5752a78f40058af1393e81cc99adb3e8756.html.gz")
        .read_bytes()
    )  # fmt: skip
    pages_dir, robots_dir = tmp_path / "pages", tmp_path / "robots"
    pages_dir.mkdir()
    robots_dir.mkdir()
    write_warc(
        str(pages_dir / "a.warc.gz"),
        [
            ("https://site.example/open.html", _page(f'<link rel="license" href="{CC}by/4.0/">'), "text/html"),
            ("https://site.example/private/p.html", _page(f'<link rel="license" href="{CC}by-sa/4.0/">'),
             "text/html"),
            ("https://news.example/a.html", _page('<meta name="tdm-reservation" content="1">'),
             _with_headers("text/html", tdm_reservation="0", tdm_policy="https://news.example/tdm.json")),
            ("https://news.example/b.html", _page('<link rel="license" href="https://creativecommons.org/publicdomain/zero/1.0/">'),
             _with_headers("text/html", X_Robots_Tag="GPTBot: noai, noimageai")),
            ("https://art.example/c.html", _page(f'<link rel="license" href="{CC}by/4.0/"><a rel="license" '
             f'href="{CC}by-nc/4.0/">x</a>'), "text/html; charset=utf-8"),
        ],
    )  # fmt: skip
    write_warc(
        str(pages_dir / "b.warc.gz"),
        [("https://en.wikipedia.org/wiki/List_of_Nobel_laureates", wiki, "text/html; charset=UTF-8"),
         ("http://www.pan.example/news", pan, "text/html"), ("https://art.example/none.html", _page(), "text/html")],
    )  # fmt: skip
    write_warc(
        str(robots_dir / "robots.warc.gz"),
        [("https://site.example/robots.txt", b"User-agent: GPTBot\nUser-agent: CCBot\nDisallow: /private/\n",
          "text/plain"),
         ("https://art.example/robots.txt", b"User-agent: *\nDisallow: /\n", "text/plain")],
    )  # fmt: skip
    # the real Internet Archive capture (archive.org/robots.txt among other records) as a second robots file
    shutil.copy(shared_data / "warc" / "non-cc" / "ia-web-commons-IAH-urls-wget.warc.gz", robots_dir)

    lake = str(tmp_path / "lake")
    cfg = make_config(lake, ingest__snapshot=SNAP, ingest__input__kind="glob",
                      ingest__input__glob=str(pages_dir / "*.warc.gz"))  # fmt: skip
    ingest_job.run(spark, cfg, run_id="ing-pages")
    robots_cfg = make_config(
        lake, ingest__snapshot=SNAP, ingest__source="common-crawl-robotstxt", ingest__input__kind="glob",
        ingest__input__glob=str(robots_dir / "*.warc.gz"), **{"ingest__keep_mime_types": "[text/plain]"},
    )  # fmt: skip
    ingest_job.run(spark, robots_cfg, run_id="ing-robots")
    raw = delta_io.read_table(spark, lake, "raw")
    heads = {r["url"]: r["http_headers"] for r in raw.where(F.col("source") == "common-crawl").collect()}
    assert heads["https://news.example/b.html"] == {"x-robots-tag": "GPTBot: noai, noimageai"}
    assert heads["https://site.example/open.html"] == {}

    res = rights_job.run(spark, cfg, run_id="rights-1")
    assert (res.documents, res.files_processed, res.robots_files) == (8, 2, 2)
    out = {r["doc_id"]: r for r in delta_io.read_table(spark, lake, "signals_rights").collect()}
    url_of = {r["doc_id"]: r["url"] for r in raw.select("doc_id", "url").collect()}
    rows = {url_of[k]: v for k, v in out.items()}
    assert set(rows) == set(heads)

    r = rows["https://site.example/open.html"]
    assert (r["rights_license"], r["rights_license_class"], r["rights_open"], r["rights_permissive"]) == (
        "cc-by-4.0", "permissive", True, True)  # fmt: skip
    assert (r["rights_robots_txt"], r["rights_robots_ai_disallowed"], r["rights_robots_disallowed_agents"]) == (
        True, False, [])  # fmt: skip
    p = rows["https://site.example/private/p.html"]
    assert p["rights_robots_ai_disallowed"] and p["rights_robots_disallowed_agents"] == ["GPTBot", "CCBot"]
    assert p["rights_robots_root_disallowed_agents"] == []
    a = rows["https://news.example/a.html"]  # header tdm-reservation 0 beats the meta's 1
    assert (a["rights_tdm_reservation"], a["rights_tdm_source"], a["rights_tdm_reserved"]) == (0, "header", False)
    assert a["rights_conflicts"] == ["tdm"] and a["rights_tdm_policy"] == "https://news.example/tdm.json"
    assert (a["rights_robots_txt"], a["rights_robots_ai_disallowed"]) == (False, None)  # no capture for the host
    b = rows["https://news.example/b.html"]
    assert (b["rights_noai"], b["rights_noimageai"], b["rights_optout_source"], b["rights_license"]) == (
        True, True, "header", "cc0-1.0")  # fmt: skip
    c = rows["https://art.example/c.html"]
    assert (c["rights_license_conflict"], c["rights_license_class"], c["rights_open"]) == (True, "conflict", False)
    assert c["rights_robots_root_disallowed_agents"] == c["rights_robots_disallowed_agents"] != []
    w = rows["https://en.wikipedia.org/wiki/List_of_Nobel_laureates"]
    assert (w["rights_license"], w["rights_license_source"], w["rights_open"]) == ("cc-by-sa-4.0", "rel", True)
    assert rows["http://www.pan.example/news"]["rights_license"] == "cc-by-3.0"
    assert all(v["rights_headers_recorded"] and v["rights_fingerprint"] == res.fingerprint for v in rows.values())
    assert res.counts["noai"] == 1 and res.counts["licensed"] == 6 and res.counts["robots_ai_disallowed"] == 3

    # the per-host robots table: the deciding groups only, root disallows, the agents a group names
    hosts = {r["host"]: r for r in delta_io.read_table(spark, lake, "robots_hosts").collect()}
    assert set(hosts) == {"site.example", "art.example", "archive.org"}
    assert hosts["site.example"]["robots_named_agents"] == ["GPTBot", "CCBot"]
    assert hosts["site.example"]["robots_root_disallowed_agents"] == []
    assert len(hosts["art.example"]["robots_root_disallowed_agents"]) == len(cfg.rights.ai_agents)
    assert "Teoma" not in hosts["archive.org"]["robots_rules"] and "/control/" in hosts["archive.org"]["robots_rules"]

    # exactly once: a rerun with the same robots files does nothing (and does not rebuild robots_hosts)
    again = rights_job.run(spark, cfg, run_id="rights-2")
    assert (again.files_processed, again.fingerprint) == (0, res.fingerprint)
    assert delta_io.read_table(spark, lake, "signals_rights").count() == 8
    assert {r["run_id"] for r in delta_io.read_table(spark, lake, "robots_hosts").collect()} == {"rights-1"}

    # the copyright-clean recipe: first failing rule per page
    recipe = load_recipe("copyright-clean")
    signals = delta_io.read_table(spark, lake, "signals_rights")
    first = F.coalesce(*[F.when(rule_fails(rule), F.lit(rule.name)) for rule in recipe.rules])
    dropped = {url_of[d["doc_id"]]: d["reason"] for d in signals.select("doc_id", first.alias("reason")).collect()}
    assert dropped == {
        "https://site.example/open.html": None,
        "https://site.example/private/p.html": "rights/respect_robots_ai",
        "https://news.example/a.html": "rights/open_license_only",
        "https://news.example/b.html": "rights/respect_noai",
        "https://art.example/c.html": "rights/respect_robots_ai",
        "https://art.example/none.html": "rights/respect_robots_ai",
        "https://en.wikipedia.org/wiki/List_of_Nobel_laureates": None,
        "http://www.pan.example/news": None,
    }

    # publish carries the licence evidence into the corpus, export into the shards, the data card counts it
    pages = raw.where(F.col("source") == "common-crawl")
    docs = pages.select(
        "source", "snapshot", "doc_id", "file_id", "url", "host", "warc_date",
        F.lit(None).cast("string").alias("title"), F.concat(F.lit("Text of "), F.col("url")).alias("text"),
        F.lit("ok").alias("extract_status"),
        *[F.lit(None).cast(DOCUMENTS.schema[c].dataType).alias(c) for c in
          ("extract_error", "extract_method", "charset", "charset_source", "payload_length", "text_chars",
           "text_lines", "extract_ms", "extractor")], F.lit("t").alias("run_id"),
    )  # fmt: skip
    # a document the rights job never saw (as if its file came after the rights run)
    unchecked = docs.limit(1).withColumn("doc_id", F.lit("unchecked")).withColumn("url", F.lit("https://new.example/"))
    delta_io.ensure_table(spark, lake, DOCUMENTS)
    delta_io.append(docs.unionByName(unchecked), lake, DOCUMENTS, "t")
    # the select job with the copyright-clean recipe: the rights rules are drop reasons like any other
    given = ("source", "snapshot", "doc_id", "file_id", "url")
    base = delta_io.read_table(spark, lake, "documents").select(
        *given, F.lit("en").alias("language"),
        *[F.lit(None).cast(f.dataType).alias(f.name) for f in SIGNALS.schema.fields
          if f.name not in (*given, "language")],
    )  # fmt: skip
    delta_io.ensure_table(spark, lake, SIGNALS)
    delta_io.append(base, lake, SIGNALS, "t")
    sel_cfg = make_config(lake, ingest__snapshot=SNAP, select__recipe="copyright-clean")
    sel = select_job.run(spark, sel_cfg, run_id="sel-1")
    assert (sel.docs, sel.kept) == (9, 3)
    assert sel.dropped_by_rule == {"rights/respect_robots_ai": 3, "rights/open_license_only": 1,
                                   "rights/respect_noai": 1, "rights/not_checked": 1}  # fmt: skip
    decisions = {d["doc_id"]: d["first_failing_rule"] for d in delta_io.read_table(spark, lake, "decisions").collect()}
    assert decisions.pop("unchecked") == "rights/not_checked"
    assert {url_of[k]: v for k, v in decisions.items()} == dropped
    pub_cfg = make_config(lake, ingest__snapshot=SNAP, select__recipe="copyright-clean",
                          **{"publish__remove": '["domain:pan.example"]'})  # fmt: skip
    assert publish_job.run(spark, pub_cfg, run_id="pub-1").published == 2  # pan.example removed by host
    corpus = {r["url"]: r for r in delta_io.read_table(spark, lake, "corpus").collect()}
    assert set(corpus) == {"https://site.example/open.html", "https://en.wikipedia.org/wiki/List_of_Nobel_laureates"}
    w = corpus["https://en.wikipedia.org/wiki/List_of_Nobel_laureates"]
    assert (w["rights_license"], w["rights_license_class"], w["rights_license_url"], w["rights_noai"]) == (
        "cc-by-sa-4.0", "share_alike", "https://creativecommons.org/licenses/by-sa/4.0/deed.en", False)  # fmt: skip
    o = corpus["https://site.example/open.html"]
    assert (o["rights_license"], o["rights_tdm_reserved"], o["rights_robots_ai_disallowed"]) == (
        "cc-by-4.0", False, False)  # fmt: skip

    export_job.run(spark, pub_cfg, run_id="exp-1")
    shard = next((tmp_path / "lake" / "export").glob("*.jsonl.gz"))
    exported = {d["url"]: d for d in map(json.loads, gzip.decompress(shard.read_bytes()).splitlines())}
    assert exported["https://site.example/open.html"]["rights_license"] == "cc-by-4.0"
    assert exported["https://site.example/open.html"]["rights_license_class"] == "permissive"

    index = report_job.run(spark, pub_cfg, run_id="rep-1")
    card = (Path(index).parent / "datacard.md").read_text(encoding="utf-8")
    assert "### Licence evidence per document" in card
    assert "| share_alike | 1 |" in card and "| permissive | 1 |" in card and "| cc-by-sa-4.0 | 1 |" in card
    assert "| noai | 1 |" in card and "| robots ai disallowed | 3 |" in card and "| pages checked | 8 |" in card
    assert "Licences and opt-outs" in Path(index).read_text(encoding="utf-8")


def test_older_raw_table_gains_http_headers(spark, tmp_path):
    lake = str(tmp_path / "old")
    old = TableSpec("raw", type(RAW.schema)([f for f in RAW.schema.fields if f.name != "http_headers"]),
                    RAW.partition_by)  # fmt: skip
    delta_io.ensure_table(spark, lake, old)
    assert "http_headers" not in delta_io.read_table(spark, lake, "raw").columns
    assert add_missing_columns(spark, lake, RAW) == ["http_headers"]
    stored = delta_io.read_table(spark, lake, "raw").schema["http_headers"].dataType
    assert stored == RAW.schema["http_headers"].dataType
    assert add_missing_columns(spark, lake, RAW) == []
