"""CCNet document perplexity: SentencePiece + 5-gram KenLM, and the head/middle/tail buckets.

Reimplements facebookresearch/cc_net@bda555bd as wired by ``cc_net/mine.py`` (``_mine_shard``, steps ``sp``,
``lm``, ``pp_bucket``):

1. ``perplexity.MultiSentencePiece(field="raw_content", normalize=True)``: the **whole document** goes through
   :func:`~crawlforge.lib.ccnet_text.normalize`, then ``sp.encode_as_pieces``; the pieces are joined with one
   space (field ``tokenized``).
2. ``perplexity.DocLM(field="tokenized", normalize=False)``: the tokenized text is split on ``"\\n"``; for each
   line, ``log_score = model.score(line)`` (KenLM's defaults ``bos=True, eos=True``: ``log10 p(line </s> | <s>)``)
   and ``length = len(line.split()) + 1`` (the ``+ 1`` is ``</s>``); the document perplexity is
   ``round(10.0 ** (-sum(log_score) / sum(length)), 1)`` (``pp``). A document whose tokenized text is empty
   gets no perplexity (``get_lines`` returns ``[]``): ``None`` here.
3. ``perplexity.PerplexityBucket(cutoff_csv, percentile_head=30, percentile_tail=60)``: ``head`` if
   ``pp < cutoff[lang][30]``, ``middle`` if ``pp < cutoff[lang][60]``, else ``tail``; ``all`` when the language
   has no cutoff or there is no perplexity (CCNet's default ``-1``).

Because :func:`normalize` deletes control characters, ``\\n`` included, step 1 joins the lines of a document
with **no separator** before tokenizing ("...factoring.If you're..."), so step 2 always sees exactly one line
and the per-line sum of ``DocLM`` has a single term in CCNet's pipeline. :meth:`PerplexityScorer.doc_perplexity`
reproduces that (the default, ``per_line=False``). ``per_line=True`` is the literal per-paragraph reading:
each ``"\\n"`` line of the raw text is normalised, tokenized and scored as its own sentence, with its own
``<s>``/``</s>``, and the terms are summed as ``DocLM`` sums lines. No CCNet pipeline computes that, and its
values are **not** comparable with CCNet's ``cutoff.csv``; it exists for experiments.

Models load once per process: :class:`PerplexityScorer` objects are cheap, picklable (only paths travel) and
share a module-level cache keyed by the resolved model paths, so a Spark Python worker loads each model on
first use and reuses it for every batch. Nothing is downloaded; the model files must be on local disk (shipped
with the job). ``kenlm`` and ``sentencepiece`` are imported lazily, so the bucket helpers work without them.
"""

from __future__ import annotations

import csv
import math
import os
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from crawlforge.lib.ccnet_text import normalize


__all__ = [
    "CCNET_PERCENTILE_HEAD",
    "CCNET_PERCENTILE_TAIL",
    "KENLM_LOAD_METHOD",
    "LineScore",
    "PerplexityScorer",
    "clear_model_cache",
    "load_cutoffs",
    "perplexity_bucket",
    "pp",
]

#: ``PerplexityBucket`` defaults in CCNet's ``mine`` pipeline.
CCNET_PERCENTILE_HEAD = 30
CCNET_PERCENTILE_TAIL = 60
#: ``DocLM(load_method=2)``: ``kenlm.LoadMethod.POPULATE_OR_READ`` (mmap and populate the pages).
KENLM_LOAD_METHOD = 2

_LOCK = threading.Lock()
_SP_CACHE: dict[str, Any] = {}
_LM_CACHE: dict[tuple[str, int], Any] = {}


class LineScore(NamedTuple):
    """KenLM's log10 probability of one tokenized line and CCNet's length for it (tokens + 1 for ``</s>``)."""

    log10_prob: float
    length: int


def pp(log_score: float, length: int) -> float:
    """CCNet ``perplexity.pp``: ``10 ** (-log_score / length)`` (not rounded)."""
    return 10.0 ** (-log_score / length)


def clear_model_cache() -> None:
    """Forget every loaded model (tests; long-lived processes that replace model files)."""
    with _LOCK:
        _SP_CACHE.clear()
        _LM_CACHE.clear()


def _cache_key(path: str | os.PathLike[str]) -> str:
    return str(Path(path).resolve())


def _load_sentencepiece(path: str) -> Any:
    key = _cache_key(path)
    with _LOCK:
        model = _SP_CACHE.get(key)
        if model is None:
            if not Path(key).is_file():
                raise FileNotFoundError(f"SentencePiece model not found: {key}")
            import sentencepiece

            model = sentencepiece.SentencePieceProcessor()
            model.load(key)  # CCNet: sp.load(str(model))
            _SP_CACHE[key] = model
        return model


def _load_kenlm(path: str, load_method: int) -> Any:
    key = (_cache_key(path), load_method)
    with _LOCK:
        model = _LM_CACHE.get(key)
        if model is None:
            if not Path(key[0]).is_file():
                raise FileNotFoundError(f"KenLM model not found: {key[0]}")
            import kenlm

            config = kenlm.Config()
            config.load_method = load_method
            model = kenlm.Model(key[0], config)
            _LM_CACHE[key] = model
        return model


class PerplexityScorer:
    """CCNet's ``MultiSentencePiece`` + ``DocLM`` for one language: text -> document perplexity.

    ``sp_model_path`` is a SentencePiece model (CCNet ``{lang}.sp.model``), ``kenlm_model_path`` a KenLM ARPA
    or binary model (CCNet ``{lang}.arpa.bin``) trained on that tokenizer's pieces. Models are loaded on first
    use and cached per process (see the module docstring); ``load()`` forces it early.
    """

    __slots__ = ("_lm", "_sp", "kenlm_model_path", "load_method", "sp_model_path")

    def __init__(
        self,
        sp_model_path: str | os.PathLike[str],
        kenlm_model_path: str | os.PathLike[str],
        *,
        load_method: int = KENLM_LOAD_METHOD,
    ) -> None:
        self.sp_model_path = os.fspath(sp_model_path)
        self.kenlm_model_path = os.fspath(kenlm_model_path)
        self.load_method = load_method
        self._sp: Any = None
        self._lm: Any = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the paths only; the receiving process loads (or reuses) its own models."""
        return {"sp": self.sp_model_path, "lm": self.kenlm_model_path, "load_method": self.load_method}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Counterpart of :meth:`__getstate__`."""
        self.sp_model_path = state["sp"]
        self.kenlm_model_path = state["lm"]
        self.load_method = state["load_method"]
        self._sp = None
        self._lm = None

    def __repr__(self) -> str:
        return f"PerplexityScorer({self.sp_model_path!r}, {self.kenlm_model_path!r})"

    def load(self) -> PerplexityScorer:
        """Load both models now (from the process cache when another scorer already did)."""
        if self._sp is None:
            self._sp = _load_sentencepiece(self.sp_model_path)
        if self._lm is None:
            self._lm = _load_kenlm(self.kenlm_model_path, self.load_method)
        return self

    @property
    def sentencepiece(self) -> Any:
        """The loaded ``sentencepiece.SentencePieceProcessor``."""
        return self.load()._sp

    @property
    def kenlm(self) -> Any:
        """The loaded ``kenlm.Model``."""
        return self.load()._lm

    def tokenize(self, text: str) -> str:
        """CCNet ``MultiSentencePiece.do`` with ``normalize=True``: ``" ".join(encode_as_pieces(normalize(text)))``."""
        return " ".join(self.sentencepiece.encode_as_pieces(normalize(text)))

    def score_tokenized(self, tokenized: str) -> list[LineScore]:
        """CCNet ``DocLM.do`` with ``normalize=False``: one :class:`LineScore` per ``"\\n"`` line; ``[]`` if empty.

        ``log10_prob`` is ``kenlm.Model.score(line)`` with ``bos=True, eos=True``; ``length`` is
        ``len(line.split()) + 1``.
        """
        if not tokenized:
            return []
        model = self.kenlm
        return [LineScore(model.score(line), len(line.split()) + 1) for line in tokenized.split("\n")]

    def line_scores(self, text: str, *, per_line: bool = False) -> list[LineScore]:
        """The :class:`LineScore` terms of :meth:`doc_perplexity` for ``text``."""
        if not per_line:
            return self.score_tokenized(self.tokenize(text))
        if not text:
            return []
        # DocLM(normalize=True) on the raw "\n" lines, with SentencePiece applied to each normalised line; an empty
        # line still scores log10 p(</s> | <s>) with length 1, as in DocLM.
        model = self.kenlm
        tokenized = [self.tokenize(line) for line in text.split("\n")]
        return [LineScore(model.score(tok), len(tok.split()) + 1) for tok in tokenized]

    def doc_perplexity(self, text: str | None, *, per_line: bool = False) -> float | None:
        """CCNet's document perplexity of ``text``, rounded to 0.1; ``None`` when CCNet assigns none.

        ``10 ** (-sum(log10 p) / sum(tokens + 1))`` over the tokenized lines (one line in CCNet's pipeline, see
        the module docstring; ``per_line=True`` scores each ``"\\n"`` line of ``text`` separately). ``None`` for
        an empty or ``None`` text or one that normalises to nothing (CCNet leaves ``perplexity`` unset).
        """
        if not text:
            return None
        scores = self.line_scores(text, per_line=per_line)
        if not scores:
            return None
        log_score: float = 0
        length = 0
        for score in scores:  # same accumulation order and types as DocLM.do
            log_score += score.log10_prob
            length += score.length
        return round(pp(log_score, length), 1)

    def perplexities(self, texts: Iterable[str | None], *, per_line: bool = False) -> list[float | None]:
        """:meth:`doc_perplexity` of each text (for ``pandas_udf`` batches)."""
        return [self.doc_perplexity(t, per_line=per_line) for t in texts]


def load_cutoffs(
    csv_path: str | os.PathLike[str],
    percentile_head: int = CCNET_PERCENTILE_HEAD,
    percentile_tail: int = CCNET_PERCENTILE_TAIL,
) -> dict[str, tuple[float, float]]:
    """Read a CCNet ``cutoff.csv`` into ``{lang: (head_cutoff, tail_cutoff)}`` (``PerplexityBucket._prepare``).

    Format (cc_net/data/cutoff.csv): a header row ``,<lang>,<lang>,...``; then one row per percentile, whose
    first cell is the percentile (the index, looked up by value as pandas ``cutoffs[lang][30]`` does) and whose
    other cells are that percentile of the language's perplexity.
    """
    with open(csv_path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"{csv_path}: empty cutoff table")
    langs = rows[0][1:]
    by_percentile: dict[int, list[str]] = {}
    for row in rows[1:]:
        if row:
            by_percentile[int(float(row[0]))] = row[1:]
    missing = [p for p in (percentile_head, percentile_tail) if p not in by_percentile]
    if missing:
        raise ValueError(f"{csv_path}: no row for percentile(s) {missing}")
    head, tail = by_percentile[percentile_head], by_percentile[percentile_tail]
    return {lang: (float(head[i]), float(tail[i])) for i, lang in enumerate(langs)}


def perplexity_bucket(
    perplexity: float | None, language: str | None, cutoffs: Mapping[str, tuple[float, float]]
) -> str:
    """CCNet ``PerplexityBucket.get_bucket``: ``head`` / ``middle`` / ``tail``, or ``all``.

    ``all`` when ``language`` has no cutoffs or the perplexity is missing or negative (CCNet's default is ``-1``)
    or NaN (which compares false everywhere in CCNet and would land in ``tail``; a missing score is not a bad
    score, so NaN is treated as missing here).
    """
    if perplexity is None or math.isnan(perplexity) or language not in cutoffs or perplexity < 0:
        return "all"
    pp_head, pp_tail = cutoffs[language]
    if perplexity < pp_head:
        return "head"
    if perplexity < pp_tail:
        return "middle"
    return "tail"
