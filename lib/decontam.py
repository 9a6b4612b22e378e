"""Benchmark decontamination by word n-gram overlap (pure Python; the Spark join is in ``jobs/decontam.py``).

A document is contaminated by a benchmark item when they share a word ``n``-gram (default 13), after the same
normalisation on both sides. This is the test of GPT-3 (Brown et al. 2020, appendix C: 13-gram collisions between
training documents and benchmark examples; their text was lower-cased and stripped of punctuation before
comparison) and of datatrove's decontamination block (``pipeline/decont/n_grams.py``: word n-grams of
``simplify_text`` output, hashed to 64 bits). Our normalisation, applied identically to benchmark items and
documents:

1. Unicode NFKC (full-width digits and ligatures become their plain forms), then ``str.lower()``;
2. every character of Unicode category P* (punctuation) or S* (symbols: ``$``, ``+``, ``=``...) becomes a space,
   so ``"$18."`` and ``"18"`` and ``"re-sell"``/``"re sell"`` compare equal;
3. split on whitespace (``str.split()``: any Unicode space, tabs and newlines).

Digits are kept as they are (datatrove's default maps every number to 0; for math benchmarks such as GSM8K the
numbers are most of what tells one item from another, so keeping them avoids false matches between items that
share a template). A text shorter than ``n`` words yields no n-gram and can never match (GPT-3 did the same;
short items are the usual false-positive source).

Each n-gram is the space-joined normalised words, hashed with xxHash64 (seed 0) to a signed 64-bit integer (Spark's
``bigint``). With 64-bit hashes the chance of one false collision among 10^6 benchmark n-grams and 10^12 document
n-grams is about 5 %; a collision makes one spurious hit, and the matched item is recorded, so a reviewer can check.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Iterator

import xxhash


__all__ = ["DEFAULT_NGRAM", "ngram_hashes", "ngrams", "normalize_words"]

DEFAULT_NGRAM = 13
_PUNCT_SYMBOL = ("P", "S")
_TABLE: dict[int, str] | None = None


def _translate_table() -> dict[int, str]:
    """Every code point of Unicode category P* or S* -> a space (built once per process, about 0.3 s)."""
    global _TABLE  # noqa: PLW0603 - a per-process cache, like a loaded model
    if _TABLE is None:
        _TABLE = {
            cp: " " for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)).startswith(_PUNCT_SYMBOL)
        }
    return _TABLE


def normalize_words(text: str | None) -> list[str]:
    """The normalised words of ``text`` (see the module docstring); ``None`` or empty gives ``[]``."""
    if not text:
        return []
    return unicodedata.normalize("NFKC", text).lower().translate(_translate_table()).split()


def ngrams(words: list[str], n: int = DEFAULT_NGRAM) -> Iterator[str]:
    """Every contiguous ``n``-gram of ``words`` as one space-joined string (none when fewer than ``n`` words)."""
    for i in range(len(words) - n + 1):
        yield " ".join(words[i : i + n])


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def hash_ngram(ngram: str) -> int:
    """xxHash64 (seed 0) of the UTF-8 n-gram, as a signed 64-bit integer."""
    return _signed64(xxhash.xxh64_intdigest(ngram.encode("utf-8")))


def ngram_hashes(text: str | None, n: int = DEFAULT_NGRAM) -> set[int]:
    """The distinct n-gram hashes of ``text`` after normalisation."""
    return {hash_ngram(g) for g in ngrams(normalize_words(text), n)}


def item_hashes(texts: Iterable[str | None], n: int = DEFAULT_NGRAM) -> set[int]:
    """The union of the n-gram hashes of several fields of one benchmark item (question, answer...).

    Fields are hashed separately, never concatenated, so no n-gram spans the boundary of two fields.
    """
    out: set[int] = set()
    for t in texts:
        out |= ngram_hashes(t, n)
    return out
