"""The dedup job on a generated corpus with planted duplicates (known 5-gram Jaccard), in two snapshots.

One module fixture runs the job three times on one lake: snapshot 1, snapshot 2 incrementally against
snapshot 1's band index, then a full recompute of both (``dedup.scope=all``). Everything is checked against the
generator's ground truth or an independent Python computation: pair recall by Jaccard band, no unrelated merge,
the survivor rule, the rules of exact/URL copies, the stage_stats accounting, the signatures against
:mod:`crawlforge.lib.minhash`, and incremental vs full (differences only at bridges).
"""

from __future__ import annotations

import zlib
from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from pyspark.sql import functions as F

from crawlforge.jobs import dedup as dedup_job
from crawlforge.jobs import delta_io
from crawlforge.jobs.tables import DECISIONS, DOCUMENTS
from crawlforge.lib.dedup_synth import SynthDoc, generate, planted_pairs
from crawlforge.lib.dedup_text import text_key, url_key
from crawlforge.lib.minhash import MinHashParams, signatures
from tests.helpers import make_config


pytestmark = pytest.mark.spark

SOURCE = "test-crawl"
S1, S2 = "CC-2024-10", "CC-2024-22"
DROPPED = 5  # documents the recipe dropped: never deduplicated


def _snapshot(d: SynthDoc) -> str:
    return S1 if zlib.crc32(d.doc_id.encode()) % 2 == 0 else S2


def _write_inputs(spark: Any, root: str, docs: list[SynthDoc]) -> set[str]:
    doc_rows, dec_rows, dropped = [], [], set()
    for i, d in enumerate(docs):
        snap = _snapshot(d)
        date = d.warc_date + (timedelta(days=60) if snap == S2 else timedelta(0))  # snapshot 2 is fetched later
        row = {f.name: None for f in DOCUMENTS.schema.fields}
        row.update(source=SOURCE, snapshot=snap, doc_id=d.doc_id, file_id=f"file{i % 3}", url=d.url, text=d.text)
        row.update(warc_date=date, extract_status="ok")
        doc_rows.append(row)
        keep = d.kind == "single" and len(dropped) < DROPPED and i % 2 == 1
        keep = not keep
        if not keep:
            dropped.add(d.doc_id)
        dec = {f.name: None for f in DECISIONS.schema.fields}
        dec.update(source=SOURCE, snapshot=snap, doc_id=d.doc_id, file_id=f"file{i % 3}", language="en", keep=keep)
        dec.update(failing_rules=[] if keep else ["x"], recipe="r", recipe_version="1", recipe_hash="h", run_id="t")
        dec_rows.append(dec)
    delta_io.ensure_table(spark, root, DOCUMENTS)
    delta_io.ensure_table(spark, root, DECISIONS)
    delta_io.append(spark.createDataFrame(doc_rows, DOCUMENTS.schema), root, DOCUMENTS, "t")
    delta_io.append(spark.createDataFrame(dec_rows, DECISIONS.schema), root, DECISIONS, "t")
    return dropped


def _cfg(root: str, **sets: Any) -> Any:
    return make_config(root, ingest__source=SOURCE, scope__source=SOURCE, **sets)


def _dups(spark: Any, root: str) -> dict[str, dict[str, Any]]:
    rows = delta_io.read_table(spark, root, "duplicates").collect()
    return {r["doc_id"]: r.asDict() for r in rows}


@pytest.fixture(scope="module")
def runs(spark, tmp_path_factory) -> dict[str, Any]:
    root = str(tmp_path_factory.mktemp("dedup_lake"))
    docs = generate(110, seed=3)
    dropped = _write_inputs(spark, root, docs)
    out: dict[str, Any] = {"root": root, "docs": docs, "dropped": dropped}
    out["r1"] = dedup_job.run(spark, _cfg(root, scope__snapshot=S1))
    out["r2"] = dedup_job.run(spark, _cfg(root, scope__snapshot=S2))
    out["inc"] = _dups(spark, root)
    out["stats_inc"] = [r.asDict() for r in delta_io.read_table(spark, root, "stage_stats").collect()]
    out["sigs"] = delta_io.read_table(spark, root, "minhash_signatures").where("has_signature").limit(40).collect()
    out["full"] = dedup_job.run(spark, _cfg(root, scope__snapshot=S2, dedup__scope="all"))
    out["all"] = _dups(spark, root)
    out["removed"] = dedup_job.dedup_removed(spark, root, (SOURCE, S2)).collect()
    return out


def _clusters(dups: dict[str, dict[str, Any]]) -> dict[str, set[str]]:
    by: dict[str, set[str]] = defaultdict(set)
    for doc, r in dups.items():
        by[r["cluster_id"]].add(doc)
    return by


def test_quality_against_planted_jaccard(runs) -> None:
    docs = {d.doc_id: d for d in runs["docs"]}
    dups = runs["all"]
    cluster_of = {doc: r["cluster_id"] for doc, r in dups.items()}
    for members in _clusters(dups).values():
        families = {docs[m].family for m in members}
        assert len(families) == 1, f"unrelated documents merged: {sorted(members)}"  # precision: no false merge
    bands: dict[str, list[bool]] = defaultdict(list)
    for a, b, j in planted_pairs(runs["docs"]):
        if a in runs["dropped"] or b in runs["dropped"]:
            continue
        found = a in cluster_of and cluster_of.get(a) == cluster_of.get(b)
        band = ">=0.8" if j >= 0.8 else "0.7-0.8" if j >= 0.7 else "0.5-0.7" if j >= 0.5 else "<0.5"
        bands[band].append(found)
    recall = {k: sum(v) / len(v) for k, v in bands.items()}
    assert len(bands[">=0.8"]) >= 20
    assert recall[">=0.8"] >= 0.95, recall
    assert recall["<0.5"] <= 0.3, recall  # the S-curve: dissimilar copies are rarely candidates


def test_exact_url_short_rules_and_survivor_order(runs) -> None:
    docs = {d.doc_id: d for d in runs["docs"]}
    dups = runs["all"]
    for doc, r in dups.items():
        kind = docs[doc].kind
        if not r["is_survivor"] and kind in ("exact", "url"):
            partner = docs[r["survivor_doc_id"]]
            expected = "exact_text" if text_key(docs[doc].text) == text_key(partner.text) else "url"
            if kind == "url":
                assert url_key(docs[doc].url) == url_key(partner.url)
            assert r["rule"] == expected
    # every short (no-shingle) pair is found by the exact rule alone
    shorts = [d for d in runs["docs"] if d.family in {x.family for x in runs["docs"] if len(x.text.split()) < 5}]
    assert shorts and all(dups[d.doc_id]["cluster_size"] == 2 for d in shorts)
    # survivor = earliest fetch, then doc_id (no corpus, no quality family here), checked per cluster in Python
    dates = {
        d.doc_id: d.warc_date + (timedelta(days=60) if _snapshot(d) == S2 else timedelta(0)) for d in docs.values()
    }
    for members in _clusters(dups).values():
        best = min(members, key=lambda m: (dates[m], _snapshot(docs[m]), m))
        assert {dups[m]["survivor_doc_id"] for m in members} == {best}
        assert [m for m in members if dups[m]["is_survivor"]] == [best]
        assert {dups[m]["cluster_size"] for m in members} == {len(members)}
    assert not set(dups) & runs["dropped"]  # dedup.input=kept


def test_accounting_and_dedup_removed(runs) -> None:
    dups = runs["inc"]
    full_rows = [s for s in runs["stats_inc"] if s["stage"] == "dedup"]
    removed = Counter(r["rule"] for r in dups.values() if not r["is_survivor"])
    stat_removed = Counter()
    for s in full_rows:
        if s["rule"] != "kept":
            stat_removed[s["rule"]] += s["docs_dropped"]
    assert stat_removed == Counter({"url": removed["url"], "exact_text": removed["exact_text"],
                                    "near_dup": removed["minhash"]})  # fmt: skip
    kept_rows = [s for s in full_rows if s["rule"] == "kept"]
    assert sum(s["docs_in"] for s in kept_rows) == len(runs["docs"]) - len(runs["dropped"])
    r2 = runs["all"]
    expected = {(d, "dedup/" + r["rule"]) for d, r in r2.items() if not r["is_survivor"] and r["snapshot"] == S2}
    assert {(r["doc_id"], r["reason"]) for r in runs["removed"]} == expected


def test_signatures_match_the_library(runs) -> None:
    docs = {d.doc_id: d for d in runs["docs"]}
    rows = runs["sigs"]
    assert rows
    expected = signatures([docs[r["doc_id"]].text for r in rows], MinHashParams()).view(np.int64)
    got = np.array([r["signature"] for r in rows], dtype=np.int64)
    assert np.array_equal(got, expected)


def test_incremental_differs_from_full_only_at_bridges(runs) -> None:
    inc, full = runs["inc"], runs["all"]
    docs = {d.doc_id: d for d in runs["docs"]}
    assert runs["r2"].reference_matches > 0  # snapshot 2 did find copies of snapshot 1 documents
    removed_inc = {d for d, r in inc.items() if not r["is_survivor"]}
    removed_full = {d for d, r in full.items() if not r["is_survivor"]}
    assert removed_inc <= removed_full  # incremental never removes what a recompute keeps
    s1_cluster = {d: r["cluster_id"] for d, r in inc.items() if r["snapshot"] == S1}
    full_clusters = _clusters(full)
    for doc in removed_full - removed_inc:
        if _snapshot(docs[doc]) == S2:
            # the band index holds content keys only: a same-URL page with other text in an earlier snapshot is
            # removed by a recompute's URL rule, never by the incremental run (a documented difference)
            assert full[doc]["rule"] == "url" and full[doc]["survivor_snapshot"] == S1, (doc, full[doc])
            continue
        # a bridge: kept by snapshot 1, merged by the recompute with another snapshot-1 cluster or survivor
        members = full_clusters[full[doc]["cluster_id"]]
        s1_groups = {s1_cluster.get(m, m) for m in members if _snapshot(docs[m]) == S1}
        assert len(s1_groups) >= 2, doc


def test_manifest_mismatch_is_refused(spark, runs) -> None:
    with pytest.raises(ValueError, match="seed"):
        dedup_job.run(spark, _cfg(runs["root"], scope__snapshot=S2, dedup__seed=2))


def test_spark_keys_equal_the_python_definition(spark) -> None:
    texts = ["Hello  World\n", "\u00a0TAB\tand\u2003em space ", "", "   ", None, "Ünïcödé  Ä"]
    urls = ["HTTPS://Ex.COM/A?b=C#frag", "ex.com/x", None, "", "http://h/#", "ftp://X.y/Z"]
    df = spark.createDataFrame(list(zip(texts, urls, strict=True)), "text string, url string")
    got = df.select(dedup_job.text_key_col(F.col("text")), dedup_job.url_key_col(F.col("url"))).collect()
    assert [tuple(r) for r in got] == [(text_key(t), url_key(u)) for t, u in zip(texts, urls, strict=True)]


def test_band_edges_stars_caps_and_checks(spark) -> None:
    rows = [
        *[(0, 100, k, True) for k in (5, 3, 9)],  # bucket of 3: star to 3
        (0, 200, 7, True),  # singleton: no edge
        *[(1, 300, k, False) for k in (1, 2)],  # reference-only bucket: no edge
        *[(1, 400, k, True) for k in range(10, 16)],  # 6 members > cap 5: skipped or capped, and reported
        (2, 100, 9, True),
        (2, 100, 9, True),  # same key in another band, repeated row: one member
        (2, 100, 1, False),
    ]
    df = spark.createDataFrame(rows, "band int, band_key bigint, node bigint, is_new boolean")
    edges, oversized = dedup_job.band_edges(df, max_bucket=5, oversized="skip")
    assert sorted(tuple(r) for r in edges.collect()) == [(5, 3), (9, 1), (9, 3)]
    assert [tuple(r) for r in oversized.collect()] == [(1, 400, 6, 6)]

    capped, oversized = dedup_job.band_edges(df, max_bucket=5, oversized="cap")
    assert [tuple(r) for r in oversized.collect()] == [(1, 400, 6, 1)]
    from_big = sorted(tuple(r) for r in capped.collect() if r["dst"] == 10)
    # 5 of the 6 members are kept; the root (10) needs no edge, so 4 or 5 edges, all to the bucket minimum
    assert {len(from_big)} <= {4, 5} and all(src in range(11, 16) for src, _ in from_big)
    again, _ = dedup_job.band_edges(df.repartition(3), max_bucket=5, oversized="cap")
    assert sorted(tuple(r) for r in again.collect()) == sorted(tuple(r) for r in capped.collect())
    assert sorted(tuple(r) for r in capped.collect() if r["dst"] != 10) == [(5, 3), (9, 1), (9, 3)]
    with pytest.raises(ValueError, match="cap"):
        dedup_job.band_edges(df, max_bucket=5, oversized="drop")

    # references are picked first: a new bucket of 6 with one reference keeps the reference's edge
    ref_rows = [(3, 500, k, True) for k in range(20, 25)] + [(3, 500, 99, False)]
    ref_df = spark.createDataFrame(ref_rows, "band int, band_key bigint, node bigint, is_new boolean")
    ref_edges, _ = dedup_job.band_edges(ref_df, max_bucket=3, oversized="cap")
    assert (99, 20) in {tuple(r) for r in ref_edges.collect()}
    sig = {3: [1, 2, 3, 4], 5: [1, 2, 3, 9], 9: [7, 7, 7, 4]}  # J(5,3) = 0.75, J(9,3) = 0.25, 1 has none
    sigs = spark.createDataFrame(list(sig.items()), "doc_key bigint, signature array<bigint>")
    kept = dedup_job.check_edges(edges, sigs, 0.7)
    assert sorted(tuple(r) for r in kept.collect()) == [(5, 3), (9, 1)]
