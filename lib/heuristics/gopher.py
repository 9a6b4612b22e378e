"""Gopher repetition and quality signals (Rae et al. 2021, "Scaling Language Models: Methods, Analysis & Insights
from Training Gopher", App. A, Table A1), computed exactly as datatrove's FineWeb filters do.

Sources: huggingface/datatrove 0.10.1 ``src/datatrove/pipeline/filters/gopher_repetition_filter.py`` and
``gopher_quality_filter.py`` (FineWeb recipe ``examples/fineweb.py``, steps 5 and 6). Words come from
:func:`crawlforge.lib.text_split.words_datatrove` (datatrove's English word tokenizer).

FineWeb default thresholds (a document is dropped when the comparison holds; see ``decisions.py``):

================================  ==========  ==================================================
signal                            drop when   note
================================  ==========  ==================================================
gopher_dup_para_frac              > 0.30      paragraphs = ``text.strip()`` split on ``\\n{2,}``
gopher_dup_para_char_frac         > 0.20      chars of repeated paragraphs / ``len(text)``
gopher_dup_line_frac              > 0.30      lines = ``text`` split on ``\\n+``
gopher_dup_line_char_frac         > 0.20
gopher_top_{2,3,4}gram_char_frac  > .20 .18 .16  most frequent n-gram: ``len(" ".join(g)) * count / len(text)``
gopher_dup_{5..10}gram_char_frac  > .15 .14 .13 .12 .11 .10   repeated n-grams (skip-ahead scan)
gopher_non_symbol_words           < 50, > 100000   words with a character outside the punctuation set
gopher_mean_word_length           < 3, > 10   over non-symbol words
gopher_hash_word_ratio            > 0.1       ``text.count("#") / words``
gopher_ellipsis_word_ratio        > 0.1       (``"..."`` + ``"…"`` occurrences) / words
gopher_bullet_lines_frac          > 0.9       ``splitlines()`` lines starting (after lstrip) with ``•`` or ``-``
gopher_ellipsis_lines_frac        > 0.3       lines ending (after rstrip) with ``...`` or ``…``
gopher_alpha_words_frac           < 0.8       words containing an alphabetic character
gopher_stop_words                 < 2         distinct Gopher stop words present (case-sensitive)
================================  ==========  ==================================================
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from crawlforge.lib.heuristics.ngrams import WordNgrams
from crawlforge.lib.heuristics.wordlists import GOPHER_STOP_WORDS, terminal_punctuation


__all__ = [
    "DUP_NGRAM_SIZES",
    "PUNCTUATION_CHARS",
    "TOP_NGRAM_SIZES",
    "dup_ngram_chars",
    "duplicates",
    "gopher_quality_signals",
    "gopher_repetition_signals",
    "top_ngram_chars",
]

TOP_NGRAM_SIZES = (2, 3, 4)
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)

# datatrove utils/text.py PUNCTUATION (plus C0/C1 control characters except \t and \n) and TERMINAL_PUNCTUATION:
# a word made only of these characters is a "symbol word".
_PUNCT = "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"
_CONTROL = "".join(chr(c) for lo, hi in ((0, 9), (11, 13), (13, 32), (127, 160)) for c in range(lo, hi))
PUNCTUATION_CHARS: frozenset[str] = frozenset(_PUNCT + _CONTROL) | terminal_punctuation()

_PARAGRAPH_SPLIT = re.compile(r"\n{2,}")
_LINE_SPLIT = re.compile(r"\n+")


def duplicates(items: Sequence[str]) -> tuple[int, int]:
    """(number of items seen before, total length of those items), datatrove's ``find_duplicates``.

    Every occurrence after the first of an item is "seen before": the counts are those of all items minus those
    of the distinct ones (set and ``len`` in C instead of a Python loop).
    """
    distinct = set(items)
    return len(items) - len(distinct), sum(map(len, items)) - sum(map(len, distinct))


def top_ngram_chars(words: Sequence[str] | WordNgrams, n: int) -> int | None:
    """Characters of the most frequent word n-gram times its count (``" ".join`` length); ``None`` if no n-gram.

    Ties go to the n-gram seen first, as ``Counter.most_common(1)``. ``words`` may be a :class:`WordNgrams`, to
    share its n-gram classes between sizes.
    """
    grams = words if isinstance(words, WordNgrams) else WordNgrams(words)
    top = grams.most_common(n)
    if top is None:
        return None
    start, count = top
    return (sum(map(len, grams.words[start : start + n])) + n - 1) * count


def dup_ngram_chars(words: Sequence[str] | WordNgrams, n: int) -> int:
    """Characters in repeated word n-grams, datatrove's ``find_all_duplicate`` (see
    :meth:`WordNgrams.joined_dup_chars`: n-grams are keyed by their words concatenated without separator, a key
    seen before adds its length and the scan jumps past it)."""
    grams = words if isinstance(words, WordNgrams) else WordNgrams(words)
    return grams.joined_dup_chars(n)


def _frac(num: float, den: float) -> float | None:
    return num / den if den else None


def gopher_repetition_signals(
    text: str, words: Sequence[str], *, grams: WordNgrams | None = None
) -> dict[str, float | None]:
    """Gopher repetition fractions of ``text``; ``words`` must be ``words_datatrove(text)``.

    Every fraction is ``None`` for an empty text (datatrove drops it as ``empty``); n-gram fractions are ``None``
    when the text has fewer than n words (datatrove skips the check). ``grams`` is ``WordNgrams(words)`` if the
    caller already has it (``compute_signals`` shares it with :func:`gopher_quality_signals`).
    """
    n_chars = len(text)
    out: dict[str, float | None] = {}
    if n_chars:
        paragraphs = _PARAGRAPH_SPLIT.split(text.strip())
        para_dups, para_dup_chars = duplicates(paragraphs)
        lines = _LINE_SPLIT.split(text)
        line_dups, line_dup_chars = duplicates(lines)
        out["gopher_dup_para_frac"] = para_dups / len(paragraphs)
        out["gopher_dup_para_char_frac"] = para_dup_chars / n_chars
        out["gopher_dup_line_frac"] = line_dups / len(lines)
        out["gopher_dup_line_char_frac"] = line_dup_chars / n_chars
    else:
        for key in ("para_frac", "para_char_frac", "line_frac", "line_char_frac"):
            out[f"gopher_dup_{key}"] = None
    grams = grams if grams is not None else WordNgrams(words)
    for n in TOP_NGRAM_SIZES:
        top = top_ngram_chars(grams, n) if n_chars else None
        out[f"gopher_top_{n}gram_char_frac"] = None if top is None else top / n_chars
    for n in DUP_NGRAM_SIZES:
        out[f"gopher_dup_{n}gram_char_frac"] = dup_ngram_chars(grams, n) / n_chars if n_chars else None
    return out


def gopher_quality_signals(
    text: str,
    words: Sequence[str],
    stop_words: Collection[str] = GOPHER_STOP_WORDS,
    *,
    lines: Sequence[str] | None = None,
    grams: WordNgrams | None = None,
) -> dict[str, float | int | None]:
    """Gopher quality statistics of ``text``; ``words`` must be ``words_datatrove(text)``.

    Ratios whose denominator is zero are ``None`` (datatrove never reaches them: such documents are dropped
    earlier as too short). ``lines`` (``text.splitlines()``) and ``grams`` (``WordNgrams(words)``) may be passed
    when the caller has them. The per-word tests run once per distinct word, weighted by its count (the same
    integer totals as a test of every word).
    """
    grams = grams if grams is not None else WordNgrams(words)
    n_words = len(words)
    punct = PUNCTUATION_CHARS
    n_non_symbol = non_symbol_chars = alpha_words = 0
    for word, count in zip(grams.vocabulary, grams.word_counts.tolist(), strict=True):
        if not punct.issuperset(word):
            n_non_symbol += count
            non_symbol_chars += len(word) * count
        if word.isalpha() or any(map(str.isalpha, word)):
            alpha_words += count
    if lines is None:
        lines = text.splitlines()
    n_lines = len(lines)
    bullet_lines = 0
    ellipsis_lines = 0
    for line in lines:
        if line.lstrip().startswith(("•", "-")):
            bullet_lines += 1
        if line.rstrip().endswith(("...", "…")):
            ellipsis_lines += 1
    return {
        "gopher_words": n_words,
        "gopher_non_symbol_words": n_non_symbol,
        "gopher_mean_word_length": _frac(non_symbol_chars, n_non_symbol),
        "gopher_hash_word_ratio": _frac(text.count("#"), n_words),
        "gopher_ellipsis_word_ratio": _frac(text.count("...") + text.count("…"), n_words),
        "gopher_bullet_lines_frac": _frac(bullet_lines, n_lines),
        "gopher_ellipsis_lines_frac": _frac(ellipsis_lines, n_lines),
        "gopher_alpha_words_frac": _frac(alpha_words, n_words),
        "gopher_stop_words": len(set(grams.vocabulary).intersection(stop_words)),
    }
