"""CCNet paragraph dedup, per-document half (cc_net/dedup.py @ bda555bd): hashes, both policies, bookkeeping.

The corpus-level part is simulated here with plain Python (a Counter for "remove every copy", a first-owner map
for "keep first") so that the contract the Spark job must fulfil is written down and checked.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

import pytest

from crawlforge.lib.paragraph_dedup import (
    ZERO_HASH,
    DedupResult,
    apply_removed_lines,
    dedup_lines,
    dedup_text,
    hash_to_int64,
    hash_to_uint64,
    int64_to_hash,
    keep_first,
    line_hash,
    line_hashes,
    remove_every_copy,
    removed_line_ids,
    split_lines,
)


def text(*lines: str) -> str:
    return "\n".join(lines)


def every_copy_duplicates(docs: Sequence[str]) -> set[bytes]:
    """What the Spark side computes for remove-every-copy: hashes seen >= 2 times over all lines of all docs."""
    counts = Counter(h for doc in docs if doc for h in line_hashes(split_lines(doc)))
    return {h for h, n in counts.items() if n >= 2}


def seen_elsewhere(docs: Sequence[str]) -> list[set[bytes]]:
    """What the Spark side computes for keep-first: per doc, its hashes whose first document is another one."""
    owner: dict[bytes, int] = {}
    for i, doc in enumerate(docs):
        for h in line_hashes(split_lines(doc)) if doc else []:
            owner.setdefault(h, i)
    return [{h for h in (line_hashes(split_lines(doc)) if doc else []) if owner[h] != i} for i, doc in enumerate(docs)]


def test_line_hash_is_first_8_bytes_of_sha1_of_normalized_line() -> None:
    assert line_hash("_Hello") == hashlib.sha1(b"_hello").digest()[:8]
    assert line_hash("_Hello").hex() == "205a0b60fa951c0a"
    # the integers CCNet's dedup.str_hash returns for the same strings (native little-endian uint64)
    assert hash_to_uint64(line_hash("_hello")) == 728622142312897056
    assert hash_to_uint64(line_hash("World")) == 6444968757765087612
    assert hash_to_uint64(line_hash("")) == 957977401221134810


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Hello 2024", "  hello 1999 ", True),  # case, digits, outer whitespace
        ("«Hi»…", "hi", True),  # unicode punctuation deleted
        ("a\tb", "ab", True),  # control characters deleted
        ("Café", "Cafe", False),  # accents kept
        ("hi!", "hi", False),  # ASCII punctuation kept
        ("", "   ", True),  # empty and blank lines share one key
    ],
)
def test_line_hash_normalisation(a: str, b: str, same: bool) -> None:
    assert (line_hash(a) == line_hash(b)) is same


def test_int64_round_trip() -> None:
    for line in ["_hello", "world", "", "x" * 1000, "é"]:
        key = line_hash(line)
        signed = hash_to_int64(key)
        assert -(2**63) <= signed < 2**63
        assert signed % 2**64 == hash_to_uint64(key)
        assert int64_to_hash(signed) == key
        assert int64_to_hash(hash_to_uint64(key)) == key


def test_remove_every_copy_ccnet_test_dedup_from_hashes() -> None:
    # cc_net tests/test_dedup.py::test_dedup_from_hashes: "_hello" and "i'm originaler" were added twice,
    # "world" once (not a duplicate).
    dups = {line_hash("_hello"), line_hash("i'm originaler")}
    first = remove_every_copy(text("_Hello", "World", "I'm so original"), dups)
    assert first.lines == ("World", "I'm so original")
    assert first.line_ids == (1, 2)
    assert (first.original_nlines, first.nlines) == (3, 2)
    second = remove_every_copy(text("Good morning", "World", "I'm originaler"), dups)
    assert second.text == text("Good morning", "World")
    assert second.line_ids == (0, 1)


def test_keep_first_ccnet_test_simple_dedup() -> None:
    # cc_net tests/test_dedup.py::test_simple_dedup (in-memory ``deduplicate``: first occurrence kept).
    docs = [text("_Hello", "_World", "I'm so original"), text("_world", "I'm originaler", "_Hello")]
    elsewhere = seen_elsewhere(docs)
    first, second = (keep_first(d, s) for d, s in zip(docs, elsewhere, strict=True))
    assert first.text == docs[0]
    assert first.line_ids == (0, 1, 2)
    assert second.text == "I'm originaler"
    assert second.line_ids == (1,)
    assert (second.original_nlines, second.nlines) == (3, 1)


def test_remove_every_copy_removes_the_first_copy_too() -> None:
    docs = [text("Shared line", "Only in one"), text("Intro", "SHARED LINE 2"), text("shared line")]
    # digits normalise to 0, so "SHARED LINE 2" is not the same key as "shared line"
    dups = every_copy_duplicates(docs)
    results = [remove_every_copy(d, dups) for d in docs]
    assert results[0].lines == ("Only in one",)
    assert results[1].lines == ("Intro", "SHARED LINE 2")
    assert results[2].dropped
    assert results[2].nlines == 0
    assert results[2].text == ""


def test_repeats_inside_one_document() -> None:
    doc = text("a", "b", "A", "c", "a")
    # keep-first (nothing seen elsewhere): the first "a" survives, later repeats go; line_ids point at originals
    res = keep_first(doc, set())
    assert res.lines == ("a", "b", "c")
    assert res.line_ids == (0, 1, 3)
    # remove-every-copy counts repeats inside the document too, so every "a" goes
    res = remove_every_copy(doc, every_copy_duplicates([doc]))
    assert res.lines == ("b", "c")
    assert res.line_ids == (1, 3)


def test_a_removed_line_still_shadows_its_later_repeats() -> None:
    # finalize_doc adds every line's (possibly zeroed) hash to its seen set: a repeat of a removed line whose key
    # is not in the container (cannot happen with a consistent container, but the rule is CCNet's) is dropped.
    dups = {line_hash("x")}
    res = dedup_lines(["x", "y", "x"], dups)
    assert res.lines == ("y",)


def test_blank_lines_are_paragraphs_like_any_other() -> None:
    docs = [text("first", "", "second"), text("third", "", "fourth")]
    dups = every_copy_duplicates(docs)
    assert line_hash("") in dups
    assert remove_every_copy(docs[0], dups).text == text("first", "second")


def test_counts() -> None:
    doc = text("keep me", "drop me", "", "and me")
    res = dedup_text(doc, {line_hash("drop me"), line_hash("")})
    assert isinstance(res, DedupResult)
    assert res.original_length == len(doc)
    assert res.original_nlines == 4
    assert res.text == text("keep me", "and me")
    assert res.length == len(res.text) == 14
    assert res.nlines == 2
    assert (res.removed_lines, res.removed_chars) == (2, len(doc) - 14)
    assert not res.dropped


def test_empty_text_is_dropped_before_hashing() -> None:
    res = dedup_text("", set())
    assert res.dropped
    assert (res.original_nlines, res.original_length, res.nlines, res.length) == (0, 0, 0, 0)


def test_split_is_on_newline_only() -> None:
    # CCNet splits with str.split("\n"): "\r" and U+2028 stay inside a paragraph
    assert split_lines("a\r\nb\u2028c\n") == ["a\r", "b\u2028c", ""]


def test_precomputed_hashes_and_zero_hash() -> None:
    lines = ["a", "b"]
    with pytest.raises(ValueError, match="2 lines"):
        dedup_lines(lines, set(), hashes=[line_hash("a")])
    # a key of eight zero bytes counts as removed (CCNet zeroes removed keys and skips zeros)
    assert dedup_lines(lines, set(), hashes=[ZERO_HASH, line_hash("b")]).lines == ("b",)
    assert dedup_lines(lines, frozenset(), hashes=line_hashes(lines)).lines == ("a", "b")


def test_policies_over_a_corpus() -> None:
    """Whole-corpus invariants of the two contracts."""
    docs = [
        text("Welcome to my blog", "Post 1 about cats", "Share this:", "Copyright 2020"),
        text("Welcome to my blog", "Post 2 about dogs", "Share this:", "Copyright 2021"),
        text("A unique page", "with unique lines"),
        text("share this:", "SHARE THIS:"),
        "",
    ]
    all_keys = Counter(h for d in docs if d for h in line_hashes(split_lines(d)))

    dups = every_copy_duplicates(docs)
    kept = [remove_every_copy(d, dups) for d in docs]
    kept_keys = Counter(h for r in kept for h in line_hashes(r.lines))
    assert set(kept_keys) == {h for h, n in all_keys.items() if n == 1}
    assert all(n == 1 for n in kept_keys.values())
    # "Post 1 about cats" and "Post 2 about dogs" differ in words; the copyright lines collide (digits -> 0)
    assert kept[0].lines == ("Post 1 about cats",)
    assert kept[2].lines == ("A unique page", "with unique lines")
    assert kept[3].dropped and kept[4].dropped

    firsts = [keep_first(d, s) for d, s in zip(docs, seen_elsewhere(docs), strict=True)]
    first_keys = Counter(h for r in firsts for h in line_hashes(r.lines))
    assert set(first_keys) == set(all_keys)
    assert all(n == 1 for n in first_keys.values())
    assert firsts[0].text == docs[0]
    assert firsts[1].lines == ("Post 2 about dogs",)
    assert firsts[3].dropped


def test_removed_line_ids_and_apply_removed_lines_rebuild_the_deduplicated_text() -> None:
    """The publish contract: documents.text + signals_ccnet.ccnet_removed_lines -> CCNet's deduplicated text."""
    docs = [
        text("Welcome to my blog", "Post 1 about cats", "", "Share this:", "Copyright 2020", ""),
        text("Welcome to my blog", "Post 2 about dogs", "Share this:", "Copyright 2021"),
        text("A unique page", "with unique lines"),
        text("share this:", "SHARE THIS:"),
        "",
        text("x", "x", "y"),
    ]
    dups = every_copy_duplicates(docs)
    for doc, seen in zip(docs, seen_elsewhere(docs), strict=True):
        for result in (remove_every_copy(doc, dups), keep_first(doc, seen)):
            removed = removed_line_ids(result)
            assert sorted(set(removed) | set(result.line_ids)) == list(range(result.original_nlines))
            assert not set(removed) & set(result.line_ids)
            assert apply_removed_lines(doc, removed) == result.text
    assert removed_line_ids(remove_every_copy(docs[0], dups)) == [0, 2, 3, 4, 5]
    assert apply_removed_lines("a\nb\nc", [1]) == "a\nc"
    assert apply_removed_lines("a\nb\nc", []) == "a\nb\nc"
    assert apply_removed_lines("a\nb\nc", None) == "a\nb\nc"
    assert apply_removed_lines("a\nb", [0, 1]) == ""
    assert apply_removed_lines(None, None) == ""
    with pytest.raises(ValueError, match="out of range"):
        apply_removed_lines("a\nb", [2])
