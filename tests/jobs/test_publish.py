"""publish on small hand-made Delta tables: MERGE idempotence, dedup, redaction, removals (opt-out), history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from delta.tables import DeltaTable
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType, TimestampType

from crawlforge.jobs import delta_io
from crawlforge.jobs import publish as publish_job
from crawlforge.jobs.tables import CORPUS, DECISIONS, DUPLICATES, SIGNALS_CCNET, TableSpec
from crawlforge.lib.pii import redact
from tests.helpers import make_config


pytestmark = pytest.mark.spark

SOURCE, SNAP = "common-crawl", "TEST-2026-01"
BODY = "The mill on the river was built in 1820 and still grinds grain for the valley farms today."
# doc index -> (url, text)
DOCS: list[tuple[str, str]] = [
    ("https://alpha.example.com/a", BODY + " Write to jane.doe@example.com or call +44 20 7946 0958."),
    ("https://beta.example.com/b", BODY + " Server at 8.8.8.8, card 4111 1111 1111 1111."),
    ("https://www.optout.org/page", BODY + " Nothing private here."),
    ("https://deep.sub.optout.org/x", BODY + " Also opted out by domain."),
    ("https://notoptout.org/y", BODY + "\nA boilerplate line CCNet removed.\nSimilar host name, not a subdomain."),
    ("https://gamma.example.net/c", BODY + " A near duplicate of d06."),
    ("https://gamma.example.net/d", BODY + " A near duplicate of d05."),
    ("https://delta.example.net/e", BODY + " Dropped by the recipe."),
]
KEPT = {0, 1, 2, 3, 4, 5, 6}  # d07 is dropped by select
NON_SURVIVOR = 6  # d06 is a near duplicate of d05 (survivor)

DOCS_SPEC = TableSpec(
    "documents",
    StructType(
        [
            StructField("source", StringType(), False),
            StructField("snapshot", StringType(), False),
            StructField("doc_id", StringType(), False),
            StructField("file_id", StringType(), False),
            StructField("url", StringType()),
            StructField("host", StringType()),
            StructField("title", StringType()),
            StructField("text", StringType()),
            StructField("extract_status", StringType()),
            StructField("warc_date", TimestampType()),
        ]
    ),
    ("source", "snapshot"),
)
RAW_SPEC = TableSpec(
    "raw",
    StructType(
        [
            StructField("source", StringType(), False),
            StructField("snapshot", StringType(), False),
            StructField("doc_id", StringType(), False),
            StructField("file_id", StringType(), False),
            StructField("warc_record_id", StringType()),
            StructField("warc_date", TimestampType()),
            StructField("file_path", StringType()),
            StructField("offset", LongType()),
            StructField("length", LongType()),
            StructField("payload_digest", StringType()),
        ]
    ),
    ("source", "snapshot"),
)
SIGNALS_SPEC = TableSpec(
    "signals",
    StructType(
        [
            StructField("source", StringType(), False),
            StructField("snapshot", StringType(), False),
            StructField("doc_id", StringType(), False),
            StructField("file_id", StringType(), False),
            StructField("language", StringType()),
            StructField("language_score", DoubleType()),
        ]
    ),
    ("source", "snapshot"),
)
DATE = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _key(i: int) -> dict[str, Any]:
    return {"source": SOURCE, "snapshot": SNAP, "doc_id": f"d{i:02d}", "file_id": f"f{i % 2}"}


def _write(spark, lake: str, spec: TableSpec, rows: list[dict[str, Any]]) -> None:
    delta_io.ensure_table(spark, lake, spec)
    df = spark.createDataFrame(rows, spec.schema)
    delta_io.replace_where(df, lake, spec, delta_io.scope_predicate(SOURCE, SNAP), "test")


def _decisions(keep: set[int]) -> list[dict[str, Any]]:
    return [
        {**_key(i), "language": "en", "keep": i in keep, "first_failing_rule": None if i in keep else "lid/score",
         "first_failing_version": None, "failing_rules": [] if i in keep else ["lid/score"], "recipe": "fineweb",
         "recipe_version": "1", "recipe_hash": "abc", "run_id": "test"}
        for i in range(len(DOCS))
    ]  # fmt: skip


@pytest.fixture(scope="module")
def lake(spark, tmp_path_factory):
    root = str(tmp_path_factory.mktemp("publish") / "lake")
    docs, raw, sig = [], [], []
    for i, (url, text) in enumerate(DOCS):
        host = url.split("/")[2]
        docs.append({**_key(i), "url": url, "host": host, "title": f"t{i}", "text": text, "extract_status": "ok",
                     "warc_date": DATE})  # fmt: skip
        raw.append({**_key(i), "warc_record_id": f"<urn:uuid:{i}>", "warc_date": DATE, "file_path": f"/crawl/f{i % 2}",
                    "offset": 1000 * i, "length": 500 + i, "payload_digest": f"sha1:{i}"})  # fmt: skip
        sig.append({**_key(i), "language": "en", "language_score": 0.9})
    _write(spark, root, DOCS_SPEC, docs)
    _write(spark, root, RAW_SPEC, raw)
    _write(spark, root, SIGNALS_SPEC, sig)
    _write(spark, root, DECISIONS, _decisions(KEPT))
    dup = {"cluster_id": "c1", "cluster_size": 2, "survivor_source": SOURCE, "survivor_snapshot": SNAP,
           "survivor_doc_id": "d05", "rule": "minhash", "rule_version": "1", "survivor_rule_version": "1",
           "params_id": "p", "run_id": "dedup", "language": "en"}  # fmt: skip
    _write(
        spark, root, DUPLICATES, [{**_key(5), **dup, "is_survivor": True}, {**_key(6), **dup, "is_survivor": False}]
    )
    ccnet = {f.name: None for f in SIGNALS_CCNET.schema.fields}
    ccnet.update(
        {**_key(4), "ccnet_removed_lines": [1], "perplexity": 123.0, "perplexity_bucket": "head", "run_id": "c"}
    )
    _write(spark, root, SIGNALS_CCNET, [ccnet])
    return root


def _corpus(spark, root: str) -> dict[str, dict[str, Any]]:
    return {r["doc_id"]: r.asDict() for r in delta_io.read_table(spark, root, CORPUS.name).collect()}


def test_publish_merge_dedup_redaction_removals(spark, lake):
    cfg = make_config(lake, ingest__source=SOURCE, scope__snapshot=SNAP)
    first = publish_job.run(spark, cfg, run_id="pub-1")
    corpus = _corpus(spark, lake)
    expected = {f"d{i:02d}" for i in KEPT - {NON_SURVIVOR}}
    assert set(corpus) == expected
    assert (first.selected, first.dedup_removed, first.inserted, first.published) == (7, 1, 6, 6)
    for doc_id, row in corpus.items():
        i = int(doc_id[1:])
        source_text = DOCS[i][1] if i != 4 else DOCS[4][1].replace("\nA boilerplate line CCNet removed.", "")
        want_text, counts = redact(source_text, "placeholder")
        assert row["text"] == want_text
        assert {t: row[f"pii_{t}"] for t in counts} == counts
        assert (row["warc_record_id"], row["offset"], row["file_path"]) == (
            f"<urn:uuid:{i}>",
            1000 * i,
            f"/crawl/f{i % 2}",
        )
        assert (row["language"], row["bucket"], row["url"], row["host"]) == (
            "en",
            "head" if i == 4 else "all",
            DOCS[i][0],
            DOCS[i][0].split("/")[2],
        )
        assert row["recipe_hash"] == "abc"
    assert corpus["d00"]["text"].endswith("Write to <EMAIL> or call <PHONE>.")
    assert (corpus["d01"]["pii_ipv4"], corpus["d01"]["pii_credit_card"]) == (1, 1)
    assert corpus["d05"]["dup_cluster_size"] == 2
    assert (corpus["d04"]["perplexity"], corpus["d01"]["perplexity"]) == (123.0, None)
    pii = {r["doc_id"]: r for r in delta_io.read_table(spark, lake, "signals_pii").collect()}
    assert set(pii) == expected and pii["d00"]["pii_total"] == 2

    # publishing again with the same inputs changes nothing
    second = publish_job.run(spark, cfg, run_id="pub-2")
    assert (second.inserted, second.updated, second.deleted) == (0, 0, 0)
    assert {k: v["published_at"] for k, v in _corpus(spark, lake).items()} == {
        k: v["published_at"] for k, v in corpus.items()
    }

    # an opt-out by domain (host and subdomains, not look-alike hosts) and by URL; applied to the corpus at once
    cfg_rm = make_config(
        lake,
        ingest__source=SOURCE,
        scope__snapshot=SNAP,
        publish__remove='["domain:optout.org", "url:https://beta.example.com/b"]',
    )
    third = publish_job.run(spark, cfg_rm, run_id="pub-3")
    after = _corpus(spark, lake)
    assert set(after) == expected - {"d01", "d02", "d03"}
    assert third.optout_removed == 3 and third.deleted == 3
    removals = delta_io.read_table(spark, lake, "removals").collect()
    assert sorted((r["kind"], r["value"]) for r in removals) == [
        ("domain", "optout.org"),
        ("url", "https://beta.example.com/b"),
    ]
    # recording the same requests again adds no row (later publishes keep honouring them: see pub-5)
    again = ["url:https://beta.example.com/b", "domain:OPTOUT.org."]
    assert publish_job.record_removals(spark, lake, again, "opt-out", "pub-4") == 0
    assert delta_io.read_table(spark, lake, "removals").count() == 2

    # a recipe change that drops d00 removes it from the corpus (the scope's corpus follows the decisions)
    _write(spark, lake, DECISIONS, _decisions(KEPT - {0}))
    fifth = publish_job.run(spark, cfg, run_id="pub-5")
    assert set(_corpus(spark, lake)) == set(after) - {"d00"}
    assert fifth.deleted == 1

    history = DeltaTable.forPath(spark, delta_io.table_path(lake, CORPUS.name)).history()
    runs = [r["userMetadata"] for r in history.where(F.col("operation") == "MERGE").orderBy("version").collect()]
    assert runs[0] == "pub-1" and "pub-3" in runs and runs[-1] == "pub-5"

    stats = delta_io.read_table(spark, lake, "stage_stats").where(F.col("run_id") == "pub-3").collect()
    by_rule = {r["rule"]: r["docs_dropped"] for r in stats}
    assert by_rule == {"dedup/minhash": 1, "removal/domain": 2, "removal/url": 1, "published": 0}


def test_parse_removal_rejects_bad_requests():
    assert publish_job.parse_removal("Domain: WWW.Example.COM.") == ("domain", "www.example.com")
    for bad in ("example.com", "host:example.com", "url:"):
        with pytest.raises(ValueError, match="expected one of"):
            publish_job.parse_removal(bad)
