"""C4 quality and bad-words signals (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
Text-to-Text Transformer", §2.2), computed as datatrove's ``C4QualityFilter`` / ``C4BadWordsFilter`` do.

Sources: huggingface/datatrove 0.10.1 ``src/datatrove/pipeline/filters/c4_filters.py``, itself after
tensorflow/datasets ``tensorflow_datasets/text/c4_utils.py``. FineWeb (``examples/fineweb.py``, step 7) runs
``C4QualityFilter(filter_no_terminal_punct=False)`` and no bad-words filter.

**C4QualityFilter changes the text.** It walks ``text.splitlines()``; each line is stripped, and is *removed* when
(in this order) it has a whitespace-separated word longer than 1000 characters, [only if
``filter_no_terminal_punct``] it does not end in ``. ? ! " '`` or ends in ``...``, it has fewer than 3 words
(counted before citation removal), it contains ``javascript``, or it contains a cookie / terms-of-use phrase.
Wikipedia citation marks (``[1]``, ``[edit]``, ``[citation needed]``) are deleted from kept lines. The document
is dropped at the first surviving line containing ``lorem ipsum`` (checked before ``javascript``) or ``{``
(checked after ``javascript``), or when the kept lines hold fewer than 5 sentences (spaCy-rule sentencizer per
line). Otherwise the text becomes ``"\\n".join(kept_lines).strip()``, and **the next FineWeb filter sees that
text**. :func:`c4_quality` returns the signals and that cleaned text; ``compute_signals`` computes the
``fineweb_*`` signals on it.

Signals (FineWeb drop rule in brackets): ``c4_lines``, ``c4_lines_kept``, ``c4_lines_too_long_word``,
``c4_lines_no_terminal_punct`` (counted, and removed only with ``filter_no_terminal_punct``),
``c4_lines_too_few_words``, ``c4_lines_javascript``, ``c4_lines_policy``, ``c4_citations_removed``,
``c4_lorem_ipsum_lines`` [> 0], ``c4_curly_bracket_lines`` [> 0], ``c4_num_sentences`` [< 5],
``c4_chars_removed``. When a document holds both a lorem-ipsum and a curly-bracket line, datatrove reports
whichever comes first; ``c4_first_doc_drop`` records it (``"lorem_ipsum"``, ``"curly_bracket"`` or ``None``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from crawlforge.lib.heuristics.wordlists import ldnoobw_words
from crawlforge.lib.text_split import count_sentences_datatrove, words_datatrove


__all__ = ["C4Result", "c4_badwords_signals", "c4_quality"]

CITATION_RE = re.compile(r"\[\d*]|\[edit]|\[citation needed]")
END_PUNCTUATION = (".", "?", "!", '"', "'")
POLICY_SUBSTRINGS = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)


def _may_be_policy(lower: str) -> bool:
    """False only when no phrase of ``POLICY_SUBSTRINGS`` can occur: each holds "policy", "cookie" or "terms of
    use" (keep this in step with the list)."""
    return "policy" in lower or "cookie" in lower or "terms of use" in lower


@dataclass(frozen=True, slots=True)
class C4Result:
    """Signals of :func:`c4_quality` and the text as C4QualityFilter leaves it.

    ``words`` is ``words_datatrove(text)`` when :func:`c4_quality` was given the words of every line (built from
    them, not split again), else ``None``.
    """

    signals: dict[str, int | str | None]
    text: str
    words: list[str] | None = None


def c4_quality(
    text: str,
    *,
    filter_no_terminal_punct: bool = False,
    min_words_per_line: int = 3,
    max_word_length: int = 1000,
    remove_citations: bool = True,
    lines: Sequence[str] | None = None,
    line_words: Sequence[list[str]] | None = None,
) -> C4Result:
    """Run C4's line filter over ``text`` (FineWeb's settings by default) without dropping anything.

    ``lines`` (``text.splitlines()``) and ``line_words`` (``words_datatrove`` of each of those lines) may be
    passed when the caller has them: the sentence count then reuses the words of every line that citation
    removal leaves unchanged (stripping a line does not change its words), and the result carries the words of
    the cleaned text.
    """
    if lines is None:
        lines = text.splitlines()
    too_long = no_punct = few_words = javascript = policy = citations = 0
    lorem_lines = curly_lines = 0
    first_drop: str | None = None
    sentences = 0
    kept: list[str] = []
    kept_words: list[str] | None = None if line_words is None else []
    for i, raw in enumerate(lines):
        line = raw.strip()
        words = line.split()
        # a word longer than the limit needs a line longer than it: test the line first
        if max_word_length != -1 and len(line) > max_word_length and words and max(map(len, words)) > max_word_length:
            too_long += 1
            continue
        n_sub = 0
        if remove_citations and "[" in line:
            line, n_sub = CITATION_RE.subn("", line)
            citations += n_sub
        lacks_punct = not line.endswith(END_PUNCTUATION) or line.endswith("...")
        if lacks_punct:
            no_punct += 1
            if filter_no_terminal_punct:
                continue
        if len(words) < min_words_per_line:
            few_words += 1
            continue
        lower = line.lower()
        if "lorem ipsum" in lower:
            lorem_lines += 1
            first_drop = first_drop or "lorem_ipsum"
        if "javascript" in lower:
            javascript += 1
            continue
        if "{" in line:
            curly_lines += 1
            first_drop = first_drop or "curly_bracket"
        # three scans rule most lines out before the six of the policy test
        if _may_be_policy(lower) and any(p in lower for p in POLICY_SUBSTRINGS):
            policy += 1
            continue
        if line_words is None or kept_words is None:
            sentences += _sentences(line, None)
        else:
            tokens = words_datatrove(line) if n_sub else line_words[i]
            sentences += _sentences(line, tokens)
            kept_words.extend(tokens)
        kept.append(line)
    cleaned = "\n".join(kept).strip()
    signals: dict[str, int | str | None] = {
        "c4_lines": len(lines),
        "c4_lines_kept": len(kept),
        "c4_lines_too_long_word": too_long,
        "c4_lines_no_terminal_punct": no_punct,
        "c4_lines_too_few_words": few_words,
        "c4_lines_javascript": javascript,
        "c4_lines_policy": policy,
        "c4_citations_removed": citations,
        "c4_lorem_ipsum_lines": lorem_lines,
        "c4_curly_bracket_lines": curly_lines,
        "c4_first_doc_drop": first_drop,
        "c4_num_sentences": sentences,
        "c4_chars_removed": len(text) - len(cleaned),
    }
    return C4Result(signals=signals, text=cleaned, words=kept_words)


# Sentences per kept line, by line: boilerplate lines recur across the pages of a site. Cleared when full.
_SENTENCE_CACHE: dict[str, int] = {}
_SENTENCE_CACHE_SIZE = 65_536


def _sentences(line: str, words: list[str] | None) -> int:
    """spaCy-sentencizer sentences of one kept line (at least 1); ``words`` is ``words_datatrove(line)`` or
    ``None`` to split it here."""
    count = _SENTENCE_CACHE.get(line)
    if count is None:
        count = count_sentences_datatrove(words_datatrove(line) if words is None else words) or 1
        if len(_SENTENCE_CACHE) >= _SENTENCE_CACHE_SIZE:
            _SENTENCE_CACHE.clear()
        _SENTENCE_CACHE[line] = count
    return count


# C4BadWordsFilter: words allowed again because they are common sub-words in languages without spaces. datatrove
# removes every language's allow-list from every list (its loop runs over all of them), mirrored here.
_BADWORDS_ALLOWLIST = frozenset({"sm", "グロ", "女の子", "性"})
_NO_SPACE_LANGS = frozenset({"ja", "th", "zh"})


def _trie_alternation(words: Iterable[str]) -> str:
    """A regex matching exactly the given strings, factored by common prefixes (much faster than a flat ``a|b|c``
    for hundreds of words; it matches the same set of strings, so ``search`` finds a match exactly when the flat
    alternation does)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return emit(trie)


@lru_cache(maxsize=64)
def _badwords_re(language: str) -> re.Pattern[str] | None:
    words = ldnoobw_words(language, c4_english=True)
    if words is None:
        return None
    alternation = _trie_alternation(words - _BADWORDS_ALLOWLIST)
    if language in _NO_SPACE_LANGS:
        return re.compile(alternation)
    # C4 / datatrove: (?:\W|^)(words)(?:\W|$). Only whether it matches is used, and the lookarounds match at
    # exactly the same places without consuming the neighbours (~20% faster: no capture, no alternation)
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")


def c4_badwords_signals(text: str, language: str) -> dict[str, bool | None]:
    """``c4_badwords``: the lower-cased text contains an LDNOOBW entry of ``language`` (as a whole word except in
    ja/th/zh); ``None`` when no list exists for the language. C4 drops such documents (``keep_fraction=0``).
    """
    pattern = _badwords_re(language)
    if pattern is None:
        return {"c4_badwords": None}
    return {"c4_badwords": pattern.search(text.lower()) is not None}
