"""DCLM preprocessing, held-out metrics and token-weighted percentile buckets (pure Python)."""

from __future__ import annotations

import math
import random

import pytest

from crawlforge.lib.quality_text import (
    BUCKET_PERCENTILES,
    NUM_BUCKETS,
    PERCENTILES,
    binary_metrics,
    bucket_thresholds,
    dclm_preprocess,
    fasttext_line,
    positive_probability,
    rank_of,
    roc_auc,
    utf8_bytes,
    weighted_thresholds,
    whitespace_tokens,
)


def test_dclm_preprocess_joins_lines_like_dclm() -> None:
    # DCLM: " ".join(content.strip().splitlines())
    text = "  Title\n\nFirst line.\r\nSecond\u2028third  \n"
    assert dclm_preprocess(text) == " ".join(text.strip().splitlines())
    assert dclm_preprocess(text) == "Title  First line. Second third"
    assert "\n" not in dclm_preprocess("a\nb\rc\n")
    assert dclm_preprocess(None) == "" and dclm_preprocess("") == ""
    assert fasttext_line("__label__hq", "a\nb") == "__label__hq a b"


def test_weights() -> None:
    assert whitespace_tokens(" a  b\tc\n") == 3
    assert utf8_bytes("é€a") == 2 + 3 + 1
    assert whitespace_tokens(None) == 0 and utf8_bytes(None) == 0


def test_positive_probability_follows_dclm_hq_prob() -> None:
    assert positive_probability(["__label__hq"], [0.8]) == pytest.approx(0.8)
    assert positive_probability(["__label__cc"], [0.8]) == pytest.approx(0.2)
    assert positive_probability(["__label__cc"], [1.00001]) == 0.0  # fastText adds 1e-5
    assert positive_probability([], []) == 0.0


def test_roc_auc_against_pairwise_definition() -> None:
    rng = random.Random(3)
    labels = [rng.random() < 0.4 for _ in range(300)]
    scores = [round(rng.random(), 2) + (0.2 if y else 0.0) for y in labels]  # rounded: many ties
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    pairwise = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
    assert roc_auc([int(y) for y in labels], scores) == pytest.approx(pairwise, abs=1e-12)
    assert roc_auc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]) == 1.0
    assert math.isnan(roc_auc([1, 1], [0.3, 0.4]))


def test_binary_metrics_counts() -> None:
    m = binary_metrics([1, 1, 1, 0, 0], [0.9, 0.6, 0.2, 0.7, 0.1], threshold=0.5)
    assert (m.precision, m.recall, m.accuracy) == (pytest.approx(2 / 3), pytest.approx(2 / 3), pytest.approx(3 / 5))
    assert m.positives == 3 and m.negatives == 2 and m.n == 5


def test_weighted_thresholds_equal_weights_are_plain_percentiles() -> None:
    scores = [i / 100 for i in range(100)]  # 0.00 .. 0.99, weight 1 each
    t = weighted_thresholds(scores, [1] * 100)
    assert len(t) == len(PERCENTILES)
    # p % of the weight is reached at the p-th smallest score
    assert t[:3] == [0.0, 0.01, 0.02] and t[-1] == 0.98
    assert [rank_of(s, t) for s in (0.0, 0.5, 0.99)] == [1, 51, 99]


def test_weighted_thresholds_follow_the_weight() -> None:
    # one heavy document holds 90 % of the tokens: every percentile from 10 % upwards is its score
    scores, weights = [0.1, 0.2, 0.9], [5, 5, 90]
    t = weighted_thresholds(scores, weights)
    assert t[4] == 0.1 and t[9] == 0.2 and t[10] == 0.9 and t[98] == 0.9
    assert rank_of(0.9, bucket_thresholds(t)) == NUM_BUCKETS - 1
    assert rank_of(0.1, bucket_thresholds(t)) == 1  # it reaches the 5 % edge (score >= t)
    assert rank_of(0.05, bucket_thresholds(t)) == 0
    assert weighted_thresholds([], []) == []


def test_bucket_is_pct_div_5() -> None:
    rng = random.Random(1)
    scores = [rng.random() ** 3 for _ in range(500)]
    weights = [rng.randint(1, 2000) for _ in scores]
    t = weighted_thresholds(scores, weights)
    edges = bucket_thresholds(t)
    assert len(edges) == len(BUCKET_PERCENTILES) == 19
    for s in scores:
        assert rank_of(s, edges) == rank_of(s, t) // 5
    # each bucket holds about 5 % of the weight (up to one document's weight at each edge)
    total = sum(weights)
    by_bucket = [0] * NUM_BUCKETS
    for s, w in zip(scores, weights, strict=True):
        by_bucket[rank_of(s, edges)] += w
    assert all(abs(b / total - 0.05) < 0.02 for b in by_bucket)
