"""RedPajama-v2 document-level quality signals (``rps_doc_*``; Together AI 2023, "RedPajama-Data-v2: an open
dataset with 30 trillion tokens", quality-signal table).

Source: togethercomputer/RedPajama-Data @ 6d2cee9d, ``app/src/core/quality_signals/{natural_language,content,
repetitions}.py`` and ``app/src/core/document.py``. Column names and definitions are RedPajama's; scores are
rounded to 8 decimals as there (``core/constants.py`` ``PRECISION``). Two word views are used:

* raw words: NLTK ``WordPunctTokenizer`` (``\\w+|[^\\w\\s]+``) of the raw text;
* normalized words: whitespace split of the text after removing ASCII punctuation, lower-casing, collapsing
  whitespace and NFD (``utilities/text/normalization.py``).

Implemented: ``rps_doc_num_sentences``, ``rps_doc_word_count``, ``rps_doc_mean_word_length``,
``rps_doc_symbol_to_word_ratio``, ``rps_doc_frac_lines_end_with_ellipsis``, ``rps_doc_frac_no_alph_words``,
``rps_doc_frac_unique_words``, ``rps_doc_unigram_entropy``, ``rps_doc_frac_all_caps_words``,
``rps_doc_frac_chars_top_{2,3,4}gram``, ``rps_doc_frac_chars_dupe_{5..10}grams``, ``rps_doc_ldnoobw_words``,
``rps_doc_lorem_ipsum``, ``rps_doc_curly_bracket``, ``rps_doc_stop_word_fraction``, ``rps_doc_ut1_blacklist``.

Deviations, by design: ``rps_doc_ldnoobw_words`` is computed for every language with a shipped LDNOOBW list
(RedPajama only loads en/fr/it/es/de and scores 0 elsewhere); ``rps_doc_stop_word_fraction`` is ``None`` for a
language without a stop-word list (RedPajama raises); ``rps_doc_ut1_blacklist`` is the comma-joined sorted UT1
category names of the exact host (RedPajama stores an integer id of that category set).

Not implemented here: the per-line ``rps_lines_*`` spans (they are line-level, not document columns), the
fastText ``rps_doc_ml_*`` scores, the DSIR importance weights and the ``ccnet_*`` columns (other jobs).
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from crawlforge.lib.heuristics.ngrams import WordNgrams
from crawlforge.lib.heuristics.wordlists import ldnoobw_words, stopwords_json
from crawlforge.lib.text_split import rp_normalize_split, sentence_count_rp, wordpunct_counts


__all__ = ["PRECISION", "load_ut1_categories", "redpajama_signals"]

PRECISION = 8
_ASCII_LETTERS = frozenset(string.ascii_letters)
_LOREM = "lorem ipsum"


def _r(x: float) -> float:
    return round(x, PRECISION)


def _top_ngram_frac(grams: WordNgrams, n: int, total_chars: int) -> float:
    top = grams.most_common(n)
    if top is None or top[1] <= 1:
        return 0.0
    start, count = top
    return _r(sum(map(len, grams.words[start : start + n])) * count / total_chars)


def _dupe_ngram_fracs(grams: WordNgrams, lengths: Sequence[int], total_chars: int) -> dict[int, float]:
    """Fraction of characters covered by word n-grams that occur more than once, for n = 5..10.

    A word is covered when some window ``[j, j + n)`` starting at a repeated n-gram holds it: +1 at every such
    ``j``, -1 at ``j + n``, and the running sum is positive exactly on the covered words. A repeated n-gram
    contains a repeated (n-1)-gram, so once a size has none, larger sizes have none either.
    """
    out = dict.fromkeys(range(5, 11), 0.0)
    if total_chars == 0:
        return out
    word_chars = np.asarray(lengths, dtype=np.int64)
    for n in range(5, 11):
        if not grams.has_repeats(n):
            break
        starts = grams.repeated_starts(n)
        windows = np.zeros(len(word_chars) + 1, dtype=np.int64)
        windows[starts] += 1
        windows[starts + n] -= 1
        covered = np.cumsum(windows[:-1]) > 0
        out[n] = _r(int(word_chars[covered].sum()) / total_chars)
    return out


@lru_cache(maxsize=64)
def _multiword_entries(block: frozenset[str]) -> dict[str, tuple[int, ...]]:
    """First word of every entry of several words -> the sizes (in words) of the entries it starts."""
    sizes: dict[str, set[int]] = {}
    for entry in block:
        parts = entry.split(" ")
        if len(parts) > 1:
            sizes.setdefault(parts[0], set()).add(len(parts))
    return {first: tuple(sorted(n)) for first, n in sizes.items()}


def _ldnoobw_count(grams: WordNgrams, block: frozenset[str]) -> int:
    """Word n-grams (n = words per list entry) equal to an entry, summed over the entry sizes.

    Single words are counted per distinct word; n-grams of several words are joined only where a word that
    starts such an entry stands.
    """
    by_first = _multiword_entries(block)
    total = 0
    starts_entry = np.zeros(len(grams.vocabulary), dtype=bool)
    for i, (word, count) in enumerate(zip(grams.vocabulary, grams.word_counts.tolist(), strict=True)):
        if word in block:
            total += count
        if word in by_first:
            starts_entry[i] = True
    words = grams.words
    for i in np.flatnonzero(starts_entry[grams.ids]).tolist():
        for n in by_first[words[i]]:
            if i + n <= len(words) and " ".join(words[i : i + n]) in block:
                total += 1
    return total


def redpajama_signals(
    text: str,
    language: str,
    host: str | None = None,
    ut1_categories: Mapping[str, str] | None = None,
) -> dict[str, float | int | str | None]:
    """RedPajama-v2 ``rps_doc_*`` signals of ``text``.

    Args:
        text: document text.
        language: ISO 639-1 code; picks the stop-word and LDNOOBW lists.
        host: the URL's host name, for ``rps_doc_ut1_blacklist``.
        ut1_categories: host -> comma-joined UT1 categories (configuration); ``None`` disables the signal.

    Per-word tests run once per distinct word, weighted by its count (the same integer totals).
    """
    stops = stopwords_json(language)
    n_raw = all_caps = ascii_alpha = stop_hits = 0
    for token, count in wordpunct_counts(text).items():
        n_raw += count
        if token.isupper():
            all_caps += count
        # RedPajama counts the matches of (?<!\w)\w*[a-zA-Z]\w* in the text: the maximal runs of word characters
        # holding an ASCII letter, i.e. exactly the WordPunct tokens holding one
        if not _ASCII_LETTERS.isdisjoint(token):
            ascii_alpha += count
        if stops is not None and token in stops:
            stop_hits += count
    normalized, words = rp_normalize_split(text)
    n_words = len(words)
    grams = WordNgrams(words)
    lengths = grams.word_chars
    total_chars = int(lengths.sum())
    # RedPajama's lines (lines_rp): every "\n"-terminated line, then the rest if not empty; rstrip drops the "\n"
    lines = text.split("\n")
    if not lines[-1]:
        lines.pop()

    out: dict[str, float | int | str | None] = {
        "rps_doc_num_sentences": sentence_count_rp(text),
        "rps_doc_word_count": n_words,
        "rps_doc_mean_word_length": _r(total_chars / n_words) if n_words else None,
        "rps_doc_symbol_to_word_ratio": (
            _r((text.count("#") + text.count("...") + text.count("…")) / n_raw) if n_raw else None
        ),
        "rps_doc_frac_lines_end_with_ellipsis": (
            _r(sum(1 for line in lines if line.rstrip().endswith(("...", "…"))) / len(lines)) if lines else None
        ),
        "rps_doc_frac_no_alph_words": _r(1.0 - ascii_alpha / n_raw) if n_raw else None,
        "rps_doc_frac_all_caps_words": _r(all_caps / n_raw) if n_raw else None,
    }
    if n_words:
        # the vocabulary is in order of first occurrence, as Counter(words): the same terms summed in the same
        # order; each term is computed once per distinct count
        counts = grams.word_counts.tolist()
        terms = {c: -c / n_words * math.log(c / n_words) for c in set(counts)}
        out["rps_doc_frac_unique_words"] = _r(len(counts) / n_words)
        out["rps_doc_unigram_entropy"] = _r(sum(map(terms.__getitem__, counts)))
    else:
        out["rps_doc_frac_unique_words"] = None
        out["rps_doc_unigram_entropy"] = None
    for n in (2, 3, 4):
        out[f"rps_doc_frac_chars_top_{n}gram"] = _top_ngram_frac(grams, n, total_chars)
    for n, frac in _dupe_ngram_fracs(grams, lengths, total_chars).items():
        out[f"rps_doc_frac_chars_dupe_{n}grams"] = frac

    block = ldnoobw_words(language)
    out["rps_doc_ldnoobw_words"] = None if block is None else (_ldnoobw_count(grams, block) if normalized else 0)
    out["rps_doc_lorem_ipsum"] = (
        _r(normalized.count(_LOREM) / len(normalized)) if normalized and _LOREM in normalized else 0.0
    )
    out["rps_doc_curly_bracket"] = _r((text.count("{") + text.count("}")) / len(text)) if text else 0.0
    if stops is None:
        out["rps_doc_stop_word_fraction"] = None
    elif not n_words:
        out["rps_doc_stop_word_fraction"] = 0.0
    else:
        out["rps_doc_stop_word_fraction"] = _r(stop_hits / n_raw)
    out["rps_doc_ut1_blacklist"] = None if ut1_categories is None or host is None else ut1_categories.get(host)
    return out


def load_ut1_categories(category_files: Mapping[str, str]) -> dict[str, str]:
    """Host -> comma-joined sorted UT1 categories, from ``{category: path of its "domains" file}``.

    Lines are stripped; empty lines and ``#`` comments are skipped.
    """
    hosts: dict[str, set[str]] = {}
    for category, path in category_files.items():
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                host = line.strip()
                if host and not host.startswith("#"):
                    hosts.setdefault(host, set()).add(category)
    return {host: ",".join(sorted(cats)) for host, cats in hosts.items()}
