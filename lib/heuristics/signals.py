"""One entry point for every heuristic quality signal of a document: :func:`compute_signals`.

Scores are data, decisions are configuration: nothing here drops a document or reads a threshold. The
thresholds that turn these columns into FineWeb's keep / drop live in :mod:`crawlforge.lib.heuristics.decisions`.

Column families (all snake_case, prefixed by family; types are stable, ``None`` = not computable):

* ``doc_*``: ``doc_chars`` (``len(text)``).
* ``url_*``: FineWeb URL filter (:mod:`.url_filter`), ``None`` without a URL.
* ``gopher_*``: Gopher repetition + quality (:mod:`.gopher`), on the text as given.
* ``c4_*``: C4 quality line filter with FineWeb's settings (:mod:`.c4`), on the text as given, plus
  ``c4_badwords`` (C4 bad-words filter; not part of FineWeb).
* ``fineweb_*``: FineWeb quality (:mod:`.fineweb`) on the text **after** C4's line removal, as in the recipe.
* ``rps_doc_*``: RedPajama-v2 document signals (:mod:`.redpajama`).

Word splitting: :func:`crawlforge.lib.text_split.words_for_language` (datatrove's English rules for English and
other space-separated languages; characters / script runs for zh, ja, th, ...). Each text is tokenized once per
view and shared by the families: the lines of ``text.splitlines()`` are split once, their words make the words of
the text (Gopher), and, with datatrove's rules, C4 counts sentences on them and builds the words of its cleaned
text (FineWeb) from the lines it keeps. The Gopher families share one :class:`~.ngrams.WordNgrams`.

Example::

    >>> from crawlforge.lib.heuristics import compute_signals
    >>> s = compute_signals("Hello world.", url="https://example.com/", language="en")
    >>> s["gopher_words"], s["fineweb_line_punct_ratio"], s["url_banned_words"]
    (3, 1.0, 0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from urllib.parse import urlsplit

from crawlforge.lib.heuristics.c4 import c4_badwords_signals, c4_quality
from crawlforge.lib.heuristics.fineweb import fineweb_quality_signals
from crawlforge.lib.heuristics.gopher import gopher_quality_signals, gopher_repetition_signals
from crawlforge.lib.heuristics.ngrams import WordNgrams
from crawlforge.lib.heuristics.redpajama import redpajama_signals
from crawlforge.lib.heuristics.url_filter import UrlFilterLists, url_signals
from crawlforge.lib.heuristics.wordlists import GOPHER_STOP_WORDS, stopwords_json
from crawlforge.lib.text_split import word_splitter, words_datatrove, words_of_lines


__all__ = ["SIGNAL_COLUMNS", "SignalResources", "SignalValue", "compute_signals"]

SignalValue = float | int | bool | str | None


@dataclass(frozen=True)
class SignalResources:
    """Per-worker configuration data for :func:`compute_signals` (build once, reuse for every document).

    Attributes:
        url_lists: URL-filter lists; the default has FineWeb's word lists and no domain / URL blocklist.
        ut1_categories: host -> UT1 categories for ``rps_doc_ut1_blacklist``; ``None`` leaves it ``None``.
        gopher_stop_words: per-language stop words for ``gopher_stop_words``. English defaults to Gopher's eight
            words; a language missing here falls back to its 6/stopwords-json list (``None`` if there is none).
    """

    url_lists: UrlFilterLists = field(default_factory=UrlFilterLists.fineweb)
    ut1_categories: Mapping[str, str] | None = None
    gopher_stop_words: Mapping[str, frozenset[str]] = field(default_factory=lambda: {"en": GOPHER_STOP_WORDS})


_DEFAULT_RESOURCES: SignalResources | None = None


def _default_resources() -> SignalResources:
    global _DEFAULT_RESOURCES  # noqa: PLW0603 - built lazily once per worker
    if _DEFAULT_RESOURCES is None:
        _DEFAULT_RESOURCES = SignalResources()
    return _DEFAULT_RESOURCES


def _base_language(language: str) -> str:
    return language.split("_", 1)[0].lower()


def compute_signals(
    text: str, url: str | None, language: str, resources: SignalResources | None = None
) -> dict[str, SignalValue]:
    """Every heuristic signal of one document, as a flat dict with the columns of :data:`SIGNAL_COLUMNS`.

    Args:
        text: extracted document text.
        url: the document URL, or ``None`` (URL signals are then ``None``).
        language: ISO 639-1 code (or ``xxx_Script``) from language identification.
        resources: lists and per-language settings; defaults to FineWeb's word lists without domain blocklist.
    """
    res = resources or _default_resources()
    lang = _base_language(language)
    out: dict[str, SignalValue] = {"doc_chars": len(text)}
    out.update(url_signals(url, res.url_lists))

    split = word_splitter(lang)
    lines = text.splitlines()
    line_words = words_of_lines(lines, lang)
    words = list(chain.from_iterable(line_words))  # == split(text): line boundaries are whitespace
    grams = WordNgrams(words)
    stop_words = res.gopher_stop_words.get(lang)
    if stop_words is None:
        stop_words = stopwords_json(lang)
    out.update(gopher_repetition_signals(text, words, grams=grams))
    quality = gopher_quality_signals(text, words, stop_words or frozenset(), lines=lines, grams=grams)
    if stop_words is None:
        quality["gopher_stop_words"] = None
    out.update(quality)

    datatrove_words = split is words_datatrove  # C4 counts sentences on datatrove's (English) words
    c4 = c4_quality(text, lines=lines, line_words=line_words if datatrove_words else None)
    out.update(c4.signals)
    out.update(c4_badwords_signals(text, lang))
    cleaned = c4.text
    cleaned_words = c4.words
    if cleaned_words is None:
        cleaned_words = words if cleaned == text else split(cleaned)
    out.update(fineweb_quality_signals(cleaned, cleaned_words))

    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        host = None
    out.update(redpajama_signals(text, lang, host=host, ut1_categories=res.ut1_categories))
    return out


def _columns() -> tuple[str, ...]:
    return tuple(compute_signals("a b c.\n\nd e f.", "https://example.com/", "en"))


SIGNAL_COLUMNS: Sequence[str] = _columns()
"""Every column :func:`compute_signals` returns, in a stable order."""
