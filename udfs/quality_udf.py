"""``mapInPandas`` function of the quality job: ``documents`` rows in, one score per classifier out.

Each model is a fastText ``.bin`` (trained by ``train-classifier`` or given as ``model_path``) loaded once per Python
worker with ``fasttext-predict`` (module-level cache keyed by path), from a local or shipped folder
(:func:`crawlforge.jobs.model_registry.resolve`); nothing is downloaded. Input text goes through DCLM's
preprocessing (:func:`crawlforge.lib.quality_text.dclm_preprocess`) and the score is the probability of the positive
label (:func:`crawlforge.lib.quality_text.positive_probability`), exactly what ``train-classifier`` evaluates.
Prediction is deterministic, so scores are reproducible run to run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

from crawlforge.lib.quality_text import dclm_preprocess, positive_probability, utf8_bytes, whitespace_tokens


KEY_COLUMNS = ("source", "snapshot", "doc_id", "file_id")
INPUT_COLUMNS = [*KEY_COLUMNS, "text"]


@dataclass(frozen=True)
class ScoringModel:
    """One classifier as the workers see it: its column name, model file (or shipped folder + file) and labels."""

    name: str
    path: str
    version: str
    negative_label: str = "__label__cc"
    file_name: str | None = None

    @property
    def column(self) -> str:
        return f"quality_{self.name}"


def output_ddl(models: tuple[ScoringModel, ...]) -> str:
    cols = ", ".join(f"{m.column} double" for m in models)
    lead = "source string, snapshot string, doc_id string, file_id string"
    return f"{lead}, {cols}, quality_text_bytes bigint, quality_text_tokens bigint"


@cache
def load_model(path: str, file_name: str | None) -> Any:
    """A fastText model, loaded once per worker process and path."""
    import fasttext

    from crawlforge.jobs.model_registry import resolve

    local = resolve(path)
    if file_name:
        local = os.path.join(local, file_name)
    return fasttext.load_model(local)


def score_texts(model: Any, texts: list[str], negative_label: str) -> list[float]:
    """Positive-label probabilities of already preprocessed one-line texts.

    One ``predict`` per text: ``fasttext-predict``'s multi-line call returns the labels without their probabilities.
    """
    out = []
    for text in texts:
        labels, probs = model.predict(text, k=1)
        out.append(positive_probability(labels, probs, negative_label))
    return out


def make_quality_fn(
    models: tuple[ScoringModel, ...],
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        loaded = [(m, load_model(m.path, m.file_name)) for m in models]
        for pdf in batches:
            raw = [t if isinstance(t, str) else "" for t in pdf["text"]]
            prepared = [dclm_preprocess(t) for t in raw]
            out: dict[str, Any] = {k: pdf[k].to_numpy() for k in KEY_COLUMNS}
            for m, model in loaded:
                out[m.column] = score_texts(model, prepared, m.negative_label)
            out["quality_text_bytes"] = [utf8_bytes(t) for t in raw]
            out["quality_text_tokens"] = [whitespace_tokens(t) for t in raw]
            yield pd.DataFrame(out)

    return score
