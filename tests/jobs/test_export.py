"""export on a hand-made corpus table: shard count and contents, byte-identical reruns, manifest, removals."""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest

from crawlforge.jobs import delta_io
from crawlforge.jobs import export as export_job
from crawlforge.jobs.publish import record_removals
from crawlforge.jobs.tables import CORPUS, PII_TYPES
from crawlforge.lib.shards import shard_of
from crawlforge.lib.tokens import count_unicode_words
from tests.helpers import make_config


pytestmark = pytest.mark.spark

SOURCE, SNAP = "common-crawl", "TEST-2026-02"
N_DOCS = 60
WORDS = [
    *("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota"),
    *("kappa", "lambda", "mu", "nu", "xi", "omicron", "pi", "rho", "sigma"),
]


def _text(i: int) -> str:
    # varied lengths, some non-ASCII so bytes != chars
    return " ".join(WORDS[(i + k) % len(WORDS)] for k in range(5 + (i * 7) % 40)) + f". Größe №{i}, café!"


def _corpus_rows() -> list[dict]:
    now = datetime(2026, 2, 1, tzinfo=UTC)
    rows = []
    for i in range(N_DOCS):
        text = _text(i)
        host = "spam.example.org" if i % 10 == 3 else f"site{i % 4}.example.com"
        rows.append(
            {"source": SOURCE, "snapshot": SNAP, "language": "en", "bucket": "all", "doc_id": f"doc{i:03d}",
             "file_id": f"f{i % 3}", "url": f"https://{host}/p{i}", "host": host, "title": None, "text": text,
             "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "text_chars": len(text),
             "warc_record_id": f"<urn:uuid:{i}>", "warc_date": now, "file_path": "/x", "offset": i * 10, "length": 5,
             "payload_digest": None, "language_score": 0.9, "perplexity": None, "perplexity_bucket": None,
             "quality_bucket": None, "decontam_hits": 0, "dup_cluster_size": None,
             **{f"pii_{t}": 0 for t in PII_TYPES}, "pii_mode": "placeholder", "recipe": "fineweb",
             "recipe_version": "1", "recipe_hash": "h", "published_at": now, "run_id": "t"}
        )  # fmt: skip
    return rows


def _read_jsonl_shards(out: str) -> dict[str, list[dict]]:
    shards = {}
    for name in sorted(os.listdir(out)):
        if name.endswith(".jsonl.gz"):
            with gzip.open(os.path.join(out, name), "rt", encoding="utf-8") as f:
                shards[name] = [json.loads(line) for line in f]
    return shards


def test_export_shards_manifest_determinism_and_removals(spark, tmp_path):
    lake = str(tmp_path / "lake")
    rows = _corpus_rows()
    delta_io.ensure_table(spark, lake, CORPUS)
    delta_io.append(spark.createDataFrame(rows, CORPUS.schema).repartition(5), lake, CORPUS, "t")
    total_bytes = sum(len(r["text"].encode()) for r in rows)
    target = total_bytes // 4 + 1  # -> 4 shards
    out1, out2 = str(tmp_path / "out1"), str(tmp_path / "out2")
    base = {"ingest__source": SOURCE, "scope__snapshot": SNAP, "export__target_shard_bytes": target}

    res = export_job.run(spark, make_config(lake, export__output_dir=out1, **base), run_id="exp-1")
    n = math.ceil(total_bytes / target)
    assert res.n_shards == n == 4
    shards = _read_jsonl_shards(out1)
    assert len(shards) == n
    seen = []
    for name, docs in shards.items():
        index = int(name.split("-")[1])
        assert all(shard_of(d["id"], n) == index for d in docs)
        assert [d["id"] for d in docs] == sorted(d["id"] for d in docs)
        seen += [d["id"] for d in docs]
    assert sorted(seen) == [f"doc{i:03d}" for i in range(N_DOCS)]
    by_id = {d["id"]: d for docs in shards.values() for d in docs}
    assert by_id["doc007"]["text"] == _text(7) and by_id["doc007"]["token_count"] == count_unicode_words(_text(7))

    manifest = json.loads((tmp_path / "out1" / "manifest.json").read_text())
    assert manifest["tokenizer"] == "unicode-words-v1" and manifest["documents"] == N_DOCS
    assert manifest["tokens"] == sum(count_unicode_words(r["text"]) for r in rows)
    assert manifest["text_bytes"] == total_bytes
    for entry in manifest["shards"]:
        data = (tmp_path / "out1" / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["file_bytes"]
        if entry["format"] == "parquet":
            table = pq.read_table(tmp_path / "out1" / entry["file"])
            assert table.num_rows == entry["documents"]
            assert table.column("id").to_pylist() == [
                d["id"] for d in shards[entry["file"].replace("parquet", "jsonl.gz")]
            ]

    # same corpus, different partitioning -> byte-identical shards
    spark.conf.set("spark.sql.shuffle.partitions", "3")
    try:
        export_job.run(spark, make_config(lake, export__output_dir=out2, **base), run_id="exp-2")
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", "2")
    m2 = json.loads((tmp_path / "out2" / "manifest.json").read_text())
    assert [(s["file"], s["sha256"]) for s in m2["shards"]] == [(s["file"], s["sha256"]) for s in manifest["shards"]]

    # a removal request is honoured by export even before publish runs again
    record_removals(spark, lake, ["domain:spam.example.org", "doc_id:doc000"], "opt-out", "rm-1")
    res3 = export_job.run(spark, make_config(lake, export__output_dir=out1, **base), run_id="exp-3")
    removed = {f"doc{i:03d}" for i in range(N_DOCS) if i % 10 == 3} | {"doc000"}
    assert res3.removed == len(removed)
    ids = {d["id"] for docs in _read_jsonl_shards(out1).values() for d in docs}
    assert ids == {f"doc{i:03d}" for i in range(N_DOCS)} - removed
    m3 = json.loads((tmp_path / "out1" / "manifest.json").read_text())
    assert m3["documents"] == N_DOCS - len(removed)
    assert set(os.listdir(out1)) == {s["file"] for s in m3["shards"]} | {"manifest.json"}
