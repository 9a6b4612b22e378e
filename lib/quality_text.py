"""Quality-classifier text handling and statistics, pure Python (no Spark): DCLM preprocessing, fastText lines,
held-out metrics and Nemotron-CC-style token-weighted percentile buckets.

Preprocessing follows DCLM exactly (mlfoundations/dclm ``baselines/mappers/enrichers/
quality_prediction_enrichers_calc_fasttext.py``, ``classify_fasttext_hq_prob``): the document's lines are joined with
single spaces, ``" ".join(text.strip().splitlines())``, and nothing else (no lower-casing, no tokenisation: fastText
splits on whitespace itself). The same function prepares training lines and scoring input, so train and inference
never disagree. The score is the probability of the positive label: ``p`` when fastText's top label is not the
negative label, else ``1 - p`` (DCLM's ``hq_prob``; labels ``__label__hq`` / ``__label__cc``).

Buckets follow the Nemotron-CC recipe (NeMo Curator ``tutorials/nemotron-cc``, see shared/reference/anchors.md):
each classifier's score is mapped to an integer 0..19 with token-weighted percentile thresholds at 5, 10, ..., 95;
the ensemble is the maximum over classifiers. Here a document's bucket is the number of those 19 thresholds its
score reaches (``score >= t``), so bucket 19 holds the top 5 % of the weight and bucket 0 the bottom 5 %; the
percentile column (0..99) is the same count over the thresholds at 1, 2, ..., 99 %, so ``bucket == pct // 5``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


POSITIVE_LABEL = "__label__hq"
NEGATIVE_LABEL = "__label__cc"
PREPROCESS_VERSION = "dclm-1"
"""Bump when :func:`dclm_preprocess` changes: it is recorded with every model."""
PERCENTILES = tuple(range(1, 100))
"""Thresholds stored per classifier and language: the token-weighted 1st..99th percentiles."""
BUCKET_PERCENTILES = tuple(range(5, 100, 5))
"""Nemotron-CC's 19 bucket edges (5, 10, ..., 95): 20 buckets, 0..19."""
NUM_BUCKETS = len(BUCKET_PERCENTILES) + 1


def dclm_preprocess(text: str | None) -> str:
    """DCLM's fastText input: the stripped text's lines joined with single spaces (one line, no ``\\n``)."""
    if not text:
        return ""
    return " ".join(text.strip().splitlines())


def fasttext_line(label: str, text: str | None) -> str:
    """One fastText supervised training line: ``__label__x <preprocessed text>``."""
    return f"{label} {dclm_preprocess(text)}"


def whitespace_tokens(text: str | None) -> int:
    """Whitespace token count (the cheap, tokenizer-free weight; ``str.split()`` semantics)."""
    return len(text.split()) if text else 0


def utf8_bytes(text: str | None) -> int:
    """UTF-8 byte count: the weight Nemotron-CC's tutorial uses for its percentile thresholds."""
    return len(text.encode("utf-8")) if text else 0


def positive_probability(labels: Sequence[str], probs: Sequence[float], negative_label: str = NEGATIVE_LABEL) -> float:
    """DCLM's ``hq_prob`` from fastText's top-1 prediction; clipped to [0, 1] (fastText adds 1e-5 to probabilities)."""
    if not labels:
        return 0.0
    p = float(probs[0])
    p = 1.0 - p if labels[0] == negative_label else p
    return min(1.0, max(0.0, p))


# --------------------------------------------------------------------------------------------------
# Held-out evaluation


@dataclass(frozen=True)
class BinaryMetrics:
    n: int
    positives: int
    negatives: int
    threshold: float
    precision: float
    recall: float
    f1: float
    accuracy: float
    auc: float

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


def roc_auc(labels: Sequence[int], scores: Sequence[float]) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney U) formula, ties counted half; NaN when a class is empty."""
    pairs = sorted(zip(scores, labels, strict=True))
    n_pos = sum(1 for y in labels if y)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        return math.nan
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j + 1 < len(pairs) and pairs[j + 1][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j) / 2.0 + 1.0
        rank_sum += avg_rank * sum(1 for k in range(i, j + 1) if pairs[k][1])
        i = j + 1
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def binary_metrics(labels: Sequence[int], scores: Sequence[float], threshold: float = 0.5) -> BinaryMetrics:
    """Precision, recall, F1 and accuracy of ``score >= threshold`` as positive, plus ROC AUC."""
    tp = sum(1 for y, s in zip(labels, scores, strict=True) if y and s >= threshold)
    fp = sum(1 for y, s in zip(labels, scores, strict=True) if not y and s >= threshold)
    fn = sum(1 for y, s in zip(labels, scores, strict=True) if y and s < threshold)
    tn = len(labels) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BinaryMetrics(
        n=len(labels),
        positives=tp + fn,
        negatives=tn + fp,
        threshold=threshold,
        precision=precision,
        recall=recall,
        f1=f1,
        accuracy=(tp + tn) / len(labels) if labels else 0.0,
        auc=roc_auc(labels, scores),
    )


# --------------------------------------------------------------------------------------------------
# Token-weighted percentiles and buckets (the reference the Spark implementation is tested against)


def weighted_thresholds(
    scores: Iterable[float], weights: Iterable[float], percentiles: Sequence[int] = PERCENTILES
) -> list[float]:
    """Token-weighted percentile thresholds: for each p, the smallest score s such that the weight of documents
    with score <= s is at least p % of the total weight. Empty input gives an empty list."""
    pairs = sorted((s, w) for s, w in zip(scores, weights, strict=True) if w > 0)
    total = sum(w for _, w in pairs)
    if not pairs or total <= 0:
        return []
    out: list[float] = []
    cum = 0.0
    idx = 0
    for p in percentiles:
        target = total * p / 100.0
        while idx < len(pairs) and cum + pairs[idx][1] < target - 1e-9 * total:
            cum += pairs[idx][1]
            idx += 1
        out.append(pairs[min(idx, len(pairs) - 1)][0])
    return out


def rank_of(score: float, thresholds: Sequence[float]) -> int:
    """How many thresholds ``score`` reaches (``score >= t``): the percentile (99 thresholds) or bucket (19)."""
    return bisect.bisect_right(list(thresholds), score)


def bucket_thresholds(percentile_thresholds: Sequence[float]) -> list[float]:
    """The 19 Nemotron-CC bucket edges (5..95 %) out of the 99 stored percentile thresholds (1..99 %)."""
    if len(percentile_thresholds) != len(PERCENTILES):
        raise ValueError(f"expected {len(PERCENTILES)} percentile thresholds, got {len(percentile_thresholds)}")
    return [percentile_thresholds[p - 1] for p in BUCKET_PERCENTILES]
