"""Loaders for the word lists shipped in ``crawlforge/lib/resources/wordlists`` (see its ``NOTICE.md``).

Every loader is cached per process, so a pandas UDF pays the file read once per Python worker. Nothing is
downloaded: a language without a shipped list gets ``None`` and the dependent signal is ``None``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path


__all__ = [
    "GOPHER_STOP_WORDS",
    "ldnoobw_words",
    "read_list_file",
    "stopwords_json",
    "terminal_punctuation",
    "url_filter_words",
    "wordlist_path",
]

# Gopher (Rae et al. 2021, "Scaling Language Models", App. A, quality filter): a document must contain at least
# two of these English words. datatrove keeps the same constant (gopher_quality_filter.py, STOP_WORDS).
GOPHER_STOP_WORDS: frozenset[str] = frozenset({"the", "be", "to", "of", "and", "that", "have", "with"})

# LDNOOBW languages and the file names they map to. English for the C4 bad-words filter is pinned to the
# 2016 list (datatrove's _EN_BADWORDS_URL), every other list is the 2020 snapshot (5faf2ba4).
_LDNOOBW_LANGS = frozenset(
    {"ar", "cs", "da", "de", "en", "eo", "es", "fa", "fi", "fil", "fr", "fr-CA-u-sd-caqc", "hi", "hu", "it"}
    | {"ja", "kab", "ko", "nl", "no", "pl", "pt", "ru", "sv", "th", "tlh", "tr", "zh"}
)


def wordlist_path(*parts: str) -> Path:
    """Path of a shipped word-list file, e.g. ``wordlist_path("ldnoobw", "en.txt")``."""
    root = resources.files("crawlforge.lib").joinpath("resources", "wordlists", *parts)
    return Path(str(root))


def read_list_file(path: str | Path) -> list[str]:
    """Lines of a UTF-8 list file, without their line endings (empty lines kept, as the anchors read them)."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\r\n") for line in f]


@lru_cache(maxsize=1)
def terminal_punctuation() -> frozenset[str]:
    """datatrove's ``TERMINAL_PUNCTUATION`` (FineWeb's line-ends-in-punctuation test), 159 characters."""
    chars = set()
    for line in read_list_file(wordlist_path("datatrove", "terminal_punctuation.txt")):
        if line.startswith("U+"):
            chars.add(chr(int(line.split("\t", 1)[0][2:], 16)))
    return frozenset(chars)


@lru_cache(maxsize=1)
def _stopwords_json() -> dict[str, frozenset[str]]:
    with open(wordlist_path("stopwords-json", "stopwords.json"), encoding="utf-8") as f:
        data: dict[str, list[str]] = json.load(f)
    return {lang: frozenset(words) for lang, words in data.items()}


def stopwords_json(language: str) -> frozenset[str] | None:
    """Stop words of a language (ISO 639-1) from 6/stopwords-json, RedPajama-v2's list; ``None`` if absent."""
    return _stopwords_json().get(language)


@lru_cache(maxsize=64)
def ldnoobw_words(language: str, *, c4_english: bool = False) -> frozenset[str] | None:
    """LDNOOBW entries for a language (stripped lines, as C4 / RedPajama read them); ``None`` if no list.

    Args:
        language: LDNOOBW file name (ISO 639-1 mostly, plus ``fil``, ``kab``, ``tlh``, ``fr-CA-u-sd-caqc``).
        c4_english: for ``en``, return the 2016 list pinned by C4 / datatrove instead of the 2020 one.
    """
    if language not in _LDNOOBW_LANGS:
        return None
    name = "en-25e679f0.txt" if (language == "en" and c4_english) else f"{language}.txt"
    return frozenset(line.strip() for line in read_list_file(wordlist_path("ldnoobw", name)))


@lru_cache(maxsize=8)
def url_filter_words(kind: str) -> frozenset[str]:
    """datatrove URL-filter words: ``kind`` is ``banned_words``, ``soft_banned_words`` or ``banned_subwords``.

    Entries are normalized as datatrove does: lines starting with ``#`` are skipped, every other line keeps only
    ``[a-zA-Z0-9]`` and is lower-cased.
    """
    from crawlforge.lib.heuristics.url_filter import normalize_url_word

    if kind not in ("banned_words", "soft_banned_words", "banned_subwords"):
        raise ValueError(f"unknown URL-filter word list {kind!r}")
    lines = read_list_file(wordlist_path("datatrove", f"{kind}.txt"))
    return frozenset(normalize_url_word(line) for line in lines if not line.startswith("#"))
