"""The MLlib signature family: signatures estimate the true 5-gram Jaccard, short texts never fail the job, and
the saved model is reused (same signatures on a second call)."""

from __future__ import annotations

import os

import numpy as np
import pytest

from crawlforge.jobs import minhash_mllib
from crawlforge.lib.dedup_synth import generate, planted_pairs
from tests.helpers import make_config


pytestmark = pytest.mark.spark


def test_mllib_signatures(spark, tmp_path) -> None:
    docs = [d for d in generate(24, seed=5) if d.kind in ("original", "near")]
    texts = {i: d.text for i, d in enumerate(docs)}
    key_of = {d.doc_id: i for i, d in enumerate(docs)}
    n = len(texts)
    texts[n], texts[n + 1], texts[n + 2] = "too short text", "", None  # type: ignore[assignment]
    texts[n + 3] = texts[0]
    df = spark.createDataFrame(sorted(texts.items()), "doc_key bigint, text string")
    cfg = make_config(str(tmp_path / "lake"), dedup__hash_family="mllib")
    rows = {r["doc_key"]: r for r in minhash_mllib.signatures(spark, cfg, df).collect()}
    assert set(rows) == set(texts)
    assert [rows[k]["has_signature"] for k in (n, n + 1, n + 2)] == [False, False, False]
    assert rows[n + 3]["signature"] == rows[0]["signature"] and rows[n + 3]["band_keys"] == rows[0]["band_keys"]
    assert len(rows[0]["signature"]) == 112 and len(rows[0]["band_keys"]) == 14
    errors = []
    for a, b, j in planted_pairs(docs):
        sa, sb = np.array(rows[key_of[a]]["signature"]), np.array(rows[key_of[b]]["signature"])
        errors.append(float(np.mean(sa == sb)) - j)
    assert len(errors) >= 15
    assert abs(float(np.mean(errors))) < 0.05 and float(np.max(np.abs(errors))) < 0.25, errors
    # saved once, then loaded: the same signatures
    assert os.path.isdir(minhash_mllib.model_path(cfg))
    again = {r["doc_key"]: r["signature"] for r in minhash_mllib.signatures(spark, cfg, df).collect()}
    assert all(again[k] == rows[k]["signature"] for k in rows)
