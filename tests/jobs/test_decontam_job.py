"""The decontam job on the real GSM8K test set: planted items are flagged with the right item, near misses are
not, reruns are exactly-once, and a recipe rule on decontam_flag drops the flagged documents."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pyspark.sql import functions as F

from crawlforge.jobs import decontam as decontam_job
from crawlforge.jobs import delta_io
from crawlforge.jobs.select import rule_fails
from crawlforge.jobs.tables import DOCUMENTS, STAGE_PROGRESS
from crawlforge.lib.decontam import ngram_hashes
from crawlforge.lib.recipe import parse_recipe
from tests.helpers import make_config


pytestmark = pytest.mark.spark

SOURCE, SNAP = "common-crawl", "TEST-2026-03"


def _items(shared_data) -> list[dict]:
    with open(shared_data / "decontamination" / "gsm8k.test.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_decontam_flags_planted_gsm8k_items(spark, tmp_path, shared_data):
    items = _items(shared_data)
    q5, q100 = items[5]["question"], items[100]["question"]
    a42 = items[42]["answer"]
    words = q5.split()
    texts = {
        "planted_q5": f"Math forum, thread 12. {q5.lower()} Can someone explain? Thanks.",
        "planted_two": f"Quiz.\n{q100}\n\nSolution:\n{a42.replace(',', ' , ')}",
        "near_every_12th": " ".join("changed" if k % 12 == 11 else w for k, w in enumerate(words)),
        "near_12_words": "Intro text here. " + " ".join(words[:12]) + " and the rest is different.",
        "clean": "The mill on the river was built in 1820 and still grinds grain for the farms of the valley.",
        "empty": "",
    }
    lake = str(tmp_path / "lake")
    now = datetime.now(UTC)
    rows = [
        {"source": SOURCE, "snapshot": SNAP, "doc_id": name, "file_id": f"f{i % 2}", "url": f"https://x/{name}",
         "host": "x", "warc_date": now, "title": None, "text": text, "extract_status": "ok", "extract_error": None,
         "extract_method": None, "charset": None, "charset_source": None, "payload_length": None,
         "text_chars": len(text), "text_lines": None, "extract_ms": None, "extractor": None, "run_id": "t"}
        for i, (name, text) in enumerate(texts.items())
    ]  # fmt: skip
    delta_io.ensure_table(spark, lake, DOCUMENTS)
    delta_io.append(spark.createDataFrame(rows, DOCUMENTS.schema), lake, DOCUMENTS, "t")
    delta_io.ensure_table(spark, lake, STAGE_PROGRESS)
    progress = [(SOURCE, SNAP, "extract", f, "t", now) for f in ("f0", "f1")]
    delta_io.append(spark.createDataFrame(progress, STAGE_PROGRESS.schema), lake, STAGE_PROGRESS, "t")

    bench = (
        '[{"name": "gsm8k", "path": "' + str(shared_data / "decontamination" / "gsm8k.test.jsonl") + '", '
        '"text_fields": ["question", "answer"]}]'
    )
    cfg = make_config(lake, ingest__source=SOURCE, scope__snapshot=SNAP, decontam__benchmarks=bench)
    res = decontam_job.run(spark, cfg, run_id="dc-1")
    assert res.documents == len(texts) and res.flagged == 2
    assert res.benchmark_ngrams["gsm8k"] > 100_000

    out = {r["doc_id"]: r for r in delta_io.read_table(spark, lake, "signals_decontam").collect()}
    assert set(out) == set(texts)
    assert [(m["benchmark"], m["item"]) for m in out["planted_q5"]["decontam_matches"]] == [("gsm8k", "5")]
    # every 13-gram of the question is in the document (nothing else of GSM8K is)
    assert out["planted_q5"]["decontam_hits"] == len(ngram_hashes(q5, 13)) > 10
    assert sorted(m["item"] for m in out["planted_two"]["decontam_matches"]) == ["100", "42"]
    assert out["planted_two"]["decontam_items"] == 2
    for name in ("near_every_12th", "near_12_words", "clean", "empty"):
        assert (out[name]["decontam_hits"], out[name]["decontam_flag"], out[name]["decontam_matches"]) == (
            0,
            False,
            [],
        )

    # a rerun with the same benchmarks processes nothing; the table is unchanged
    again = decontam_job.run(spark, cfg, run_id="dc-2")
    assert again.files_processed == 0
    assert delta_io.read_table(spark, lake, "signals_decontam").count() == len(texts)

    # a recipe can drop on the flag
    recipe = parse_recipe(
        {"name": "t", "version": "1", "rules": [
            {"name": "decontam/benchmark", "version": "1", "column": "decontam_flag", "op": "eq", "value": True}]}
    )  # fmt: skip
    signals = delta_io.read_table(spark, lake, "signals_decontam")
    dropped = {r["doc_id"] for r in signals.where(rule_fails(recipe.rules[0])).select("doc_id").collect()}
    assert dropped == {"planted_q5", "planted_two"}
    assert signals.where(F.col("decontam_fingerprint") != res.fingerprint).count() == 0
