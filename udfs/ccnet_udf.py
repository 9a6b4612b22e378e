"""``mapInPandas`` functions of the ccnet job: line hashes, then dedup + language + perplexity per document.

Two passes, as CCNet's ``hashes`` then ``mine`` steps (facebookresearch/cc_net@bda555bd ``mine.py``):

1. :func:`make_hash_fn`: per document, the CCNet key of every ``"\\n"`` line (first 8 bytes of the SHA1 of
   :func:`~crawlforge.lib.ccnet_text.normalize_for_dedup`, as a signed ``bigint``) and the text length. The job
   counts keys across the dedup scope in Spark (``groupBy``), so no hash set ever sits on the driver.
2. :func:`make_score_fn`: per document, with the keys it must lose (``dup_hashes``, computed by the job), the
   per-document rule of :func:`crawlforge.lib.paragraph_dedup.dedup_lines`, then fastText LID in CCNet's
   convention on the deduplicated text (lines joined with no separator, score rounded to 2 decimals), then
   CCNet's perplexity with the language's SentencePiece + KenLM model (:class:`~crawlforge.lib.perplexity.
   PerplexityScorer`). Models are loaded once per Python worker (module-level caches in ``lib/``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import pandas as pd

from crawlforge.lib.langid import LanguageIdentifier
from crawlforge.lib.paragraph_dedup import (
    dedup_text,
    hash_to_int64,
    int64_to_hash,
    line_hashes,
    removed_line_ids,
    split_lines,
)
from crawlforge.lib.perplexity import PerplexityScorer


KEY_COLUMNS = ["source", "snapshot", "doc_id", "file_id"]
HASH_INPUT_COLUMNS = [*KEY_COLUMNS, "text"]
HASH_OUTPUT_DDL = (
    "source string, snapshot string, doc_id string, file_id string, ccnet_original_length bigint, hashes array<bigint>"
)
SCORE_INPUT_COLUMNS = [*KEY_COLUMNS, "text", "dup_hashes"]
SCORE_OUTPUT_DDL = (
    "source string, snapshot string, doc_id string, file_id string, ccnet_original_nlines int, "
    "ccnet_original_length bigint, ccnet_nlines int, ccnet_length bigint, ccnet_removed_lines array<int>, "
    "ccnet_language string, ccnet_language_score double, perplexity double, ccnet_lm_version string"
)
SCORE_OUTPUT_COLUMNS = [c.split()[0] for c in SCORE_OUTPUT_DDL.split(", ")]
#: CCNet rounds the fastText score to 2 decimals (``split_by_lang.Classifier``: ``round(score, 2)``).
LID_SCORE_DIGITS = 2


def doc_hashes(text: str | None) -> list[int]:
    """CCNet's line keys of a document as signed 64-bit integers; none for an empty text (CCNet skips it)."""
    if not text:
        return []
    return [hash_to_int64(h) for h in line_hashes(split_lines(text))]


def make_hash_fn() -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def hashes(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            texts = pdf["text"].tolist()
            out = pdf[KEY_COLUMNS].copy()
            out["ccnet_original_length"] = [len(t) if t else 0 for t in texts]
            out["hashes"] = [doc_hashes(t) for t in texts]
            yield out

    return hashes


@dataclass(frozen=True)
class LanguageModel:
    """One language's CCNet LM as the workers see it: a folder path (or ``shipped:<name>``) and its version."""

    language: str
    folder: str
    version: str
    sp_file: str
    lm_file: str

    def scorer(self) -> PerplexityScorer:
        from crawlforge.jobs.model_registry import resolve

        base = resolve(self.folder)
        return PerplexityScorer(os.path.join(base, self.sp_file), os.path.join(base, self.lm_file))


@dataclass(frozen=True)
class ScoreOptions:
    lid_model: str | None = None
    models: Mapping[str, LanguageModel] = field(default_factory=dict)
    per_line: bool = False


def score_document(
    text: str | None,
    dup_hashes: object,
    lid: LanguageIdentifier,
    scorers: Mapping[str, tuple[PerplexityScorer, str]],
    per_line: bool = False,
) -> dict[str, object]:
    """Every CCNet column of one document (see the module docstring); the single-process reference of the job."""
    duplicates = {int64_to_hash(int(h)) for h in dup_hashes} if dup_hashes is not None else set()
    res = dedup_text(text or "", duplicates)
    out: dict[str, object] = {
        "ccnet_original_nlines": res.original_nlines,
        "ccnet_original_length": res.original_length,
        "ccnet_nlines": res.nlines,
        "ccnet_length": res.length,
        "ccnet_removed_lines": removed_line_ids(res),
        "ccnet_language": None,
        "ccnet_language_score": None,
        "perplexity": None,
        "ccnet_lm_version": None,
    }
    if res.dropped:  # CCNet drops the document here, before LID
        return out
    deduped = res.text
    pred = lid.predict(deduped)
    if pred.label is None:
        return out
    out["ccnet_language"] = pred.label
    out["ccnet_language_score"] = round(float(pred.score), LID_SCORE_DIGITS)
    model = scorers.get(pred.label)
    if model is not None:
        scorer, version = model
        out["perplexity"] = scorer.doc_perplexity(deduped, per_line=per_line)
        out["ccnet_lm_version"] = version
    return out


def make_score_fn(opts: ScoreOptions) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    lid = LanguageIdentifier(opts.lid_model, k=1, mode="ccnet")

    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        scorers = {lang: (m.scorer(), m.version) for lang, m in opts.models.items()}
        for pdf in batches:
            rows = [
                score_document(text, dups, lid, scorers, opts.per_line)
                for text, dups in zip(pdf["text"].tolist(), pdf["dup_hashes"].tolist(), strict=True)
            ]
            out = pdf[KEY_COLUMNS].copy()
            for column in SCORE_OUTPUT_COLUMNS[len(KEY_COLUMNS) :]:
                out[column] = [r[column] for r in rows]
            yield out

    return score


PERPLEXITY_OUTPUT_DDL = "doc_id string, perplexity double"


def make_perplexity_fn(model: LanguageModel) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """The perplexity step alone (one language's model, ``doc_id, text`` in): for throughput measurements."""

    def perplexity(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        scorer = model.scorer()
        for pdf in batches:
            yield pd.DataFrame({"doc_id": pdf["doc_id"], "perplexity": scorer.perplexities(pdf["text"].tolist())})

    return perplexity
