"""Exact values of every heuristic signal family on hand-made strings."""

from __future__ import annotations

import math

import pytest

from crawlforge.lib.heuristics.c4 import c4_badwords_signals, c4_quality
from crawlforge.lib.heuristics.fineweb import fineweb_quality_signals
from crawlforge.lib.heuristics.gopher import (
    dup_ngram_chars,
    gopher_quality_signals,
    gopher_repetition_signals,
    top_ngram_chars,
)
from crawlforge.lib.heuristics.redpajama import load_ut1_categories, redpajama_signals
from crawlforge.lib.heuristics.url_filter import UrlFilterLists, url_signals
from crawlforge.lib.heuristics.wordlists import (
    GOPHER_STOP_WORDS,
    ldnoobw_words,
    stopwords_json,
    terminal_punctuation,
    url_filter_words,
)
from crawlforge.lib.text_split import words_datatrove


# "the cat sat." twice, a blank line, "the end": 34 characters, 10 words
CAT = "the cat sat.\nthe cat sat.\n\nthe end"


def test_gopher_repetition_exact() -> None:
    words = words_datatrove(CAT)
    assert words == ["the", "cat", "sat", ".", "the", "cat", "sat", ".", "the", "end"]
    s = gopher_repetition_signals(CAT, words)
    assert s["gopher_dup_para_frac"] == 0.0  # paragraphs: "the cat sat.\nthe cat sat." and "the end"
    assert s["gopher_dup_para_char_frac"] == 0.0
    assert s["gopher_dup_line_frac"] == 1 / 3  # lines split on \n+: one of three repeats
    assert s["gopher_dup_line_char_frac"] == 12 / 34
    assert s["gopher_top_2gram_char_frac"] == 14 / 34  # "the cat" x 2
    assert s["gopher_top_3gram_char_frac"] == 22 / 34  # "the cat sat" x 2
    assert s["gopher_top_4gram_char_frac"] == 26 / 34  # "the cat sat ." x 2
    assert s["gopher_dup_5gram_char_frac"] == 13 / 34  # "thecatsat.the" repeats at word 4
    assert s["gopher_dup_6gram_char_frac"] == 0.0


def test_gopher_repetition_paragraphs_and_empty() -> None:
    text = "alpha beta\n\nalpha beta\n\n\ngamma"
    s = gopher_repetition_signals(text, words_datatrove(text))
    assert s["gopher_dup_para_frac"] == 1 / 3
    assert s["gopher_dup_para_char_frac"] == 10 / len(text)
    assert s["gopher_top_4gram_char_frac"] == 21 / 30  # every 4-gram occurs once; the first is taken
    assert gopher_repetition_signals("a b c", ["a", "b", "c"])["gopher_top_4gram_char_frac"] is None
    empty = gopher_repetition_signals("", [])
    assert all(v is None for v in empty.values())


def test_ngram_helpers() -> None:
    assert top_ngram_chars(["a", "b"], 3) is None
    assert top_ngram_chars(["x", "y", "x", "y"], 2) == 3 * 2  # "x y" twice; ties go to the first seen
    # overlapping repeats are counted once: the scan jumps past a repeated n-gram
    assert dup_ngram_chars(["a"] * 8, 2) == 2 * 3  # keys "aa" at 0..6: seen at 1 (+2, jump to 3), 3, 5
    # datatrove keys n-grams without a separator: ("ab", "c") and ("a", "bc") collide
    assert dup_ngram_chars(["ab", "c", "a", "bc"], 2) == 3


def test_gopher_quality_exact() -> None:
    s = gopher_quality_signals(CAT, words_datatrove(CAT))
    assert s == {
        "gopher_words": 10,
        "gopher_non_symbol_words": 8,
        "gopher_mean_word_length": 3.0,
        "gopher_hash_word_ratio": 0.0,
        "gopher_ellipsis_word_ratio": 0.0,
        "gopher_bullet_lines_frac": 0.0,
        "gopher_ellipsis_lines_frac": 0.0,
        "gopher_alpha_words_frac": 0.8,
        "gopher_stop_words": 1,  # only "the"
    }


def test_gopher_quality_symbols_bullets_ellipses() -> None:
    text = "- item one...\n  • item two…\n#tag # and to\nThe plain line"
    words = words_datatrove(text)
    assert words == ["-", "item", "one", "...", "•", "item", "two", "…", "#", "tag", "#", "and", "to", "The",
                     "plain", "line"]  # fmt: skip
    s = gopher_quality_signals(text, words)
    assert s["gopher_words"] == 16
    assert s["gopher_non_symbol_words"] == 11  # "•" is not in datatrove's punctuation set, "-" "..." "…" "#" are
    assert s["gopher_mean_word_length"] == (4 + 3 + 1 + 4 + 3 + 3 + 3 + 2 + 3 + 5 + 4) / 11
    assert s["gopher_hash_word_ratio"] == 2 / 16
    assert s["gopher_ellipsis_word_ratio"] == 2 / 16
    assert s["gopher_bullet_lines_frac"] == 2 / 4
    assert s["gopher_ellipsis_lines_frac"] == 2 / 4
    assert s["gopher_alpha_words_frac"] == 10 / 16
    assert s["gopher_stop_words"] == 2  # "and", "to"; "The" is not "the"
    assert gopher_quality_signals("", [])["gopher_mean_word_length"] is None


C4_TEXT = "\n".join(
    [
        "Hello world here.[1]",
        "short line",
        "This uses javascript heavily ok.",
        "We use cookies on this site.",
        "x" * 1001 + " more words",
        "A line. Two sentences here! Three?",
        "lorem ipsum dolor sit",
        "{ bad } here now",
    ]
)


def test_c4_quality_counts_and_cleaned_text() -> None:
    result = c4_quality(C4_TEXT)
    cleaned = "Hello world here.\nA line. Two sentences here! Three?\nlorem ipsum dolor sit\n{ bad } here now"
    assert result.text == cleaned
    assert result.signals == {
        "c4_lines": 8,
        "c4_lines_kept": 4,
        "c4_lines_too_long_word": 1,
        "c4_lines_no_terminal_punct": 3,  # "short line", the lorem line, the curly line
        "c4_lines_too_few_words": 1,
        "c4_lines_javascript": 1,
        "c4_lines_policy": 1,
        "c4_citations_removed": 1,
        "c4_lorem_ipsum_lines": 1,
        "c4_curly_bracket_lines": 1,
        "c4_first_doc_drop": "lorem_ipsum",
        "c4_num_sentences": 1 + 3 + 1 + 1,
        "c4_chars_removed": len(C4_TEXT) - len(cleaned),
    }


def test_c4_quality_first_doc_drop_order_and_strict_mode() -> None:
    text = "curly { comes first\nthen lorem ipsum text"
    assert c4_quality(text).signals["c4_first_doc_drop"] == "curly_bracket"
    js = "enable javascript { please }"  # a javascript line is removed before the curly-bracket check
    assert c4_quality(js).signals["c4_first_doc_drop"] is None
    strict = c4_quality("no end punctuation here\nThis one ends well.", filter_no_terminal_punct=True)
    assert strict.text == "This one ends well."
    assert c4_quality("Ends with dots here...", filter_no_terminal_punct=True).text == ""


def test_c4_badwords() -> None:
    word = sorted(w for w in ldnoobw_words("en", c4_english=True) if w.isalpha())[0]
    assert c4_badwords_signals(f"Some text with {word.upper()} inside.", "en") == {"c4_badwords": True}
    assert c4_badwords_signals(f"Some text with x{word}x inside.", "en") == {"c4_badwords": False}
    assert c4_badwords_signals("clean text", "en") == {"c4_badwords": False}
    assert c4_badwords_signals("clean text", "xx") == {"c4_badwords": None}
    assert c4_badwords_signals("女の子", "ja") == {"c4_badwords": False}  # allow-listed sub-word


def test_fineweb_quality_exact() -> None:
    text = (
        "Short one.\nThis is a considerably longer line of text without end\nShort one.\n\n"
        "another line that ends with a question?"
    )
    assert len(text) == 117
    s = fineweb_quality_signals(text, words_datatrove(text))
    assert s == {
        "fineweb_lines": 4,
        "fineweb_line_punct_ratio": 3 / 4,
        "fineweb_short_line_ratio": 2 / 4,
        "fineweb_char_dup_ratio": 10 / 113,
        "fineweb_newline_words_ratio": 4 / 24,
    }
    assert fineweb_quality_signals(" \n\n", [])["fineweb_lines"] == 0


def _lists() -> UrlFilterLists:
    return UrlFilterLists(
        domains=frozenset({"bad.com", "sub.ok.org"}),
        urls=frozenset({"https://x.org/p"}),
        banned_words=frozenset({"porn"}),
        soft_banned_words=frozenset({"sexy", "hot", "girls"}),
        banned_subwords=frozenset({"xxx"}),
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.bad.com/a", (True, False, False, 0, 0, 0)),
        ("https://bad.com/", (True, True, False, 0, 0, 0)),
        ("https://sub.ok.org/", (False, True, False, 0, 0, 0)),
        ("https://x.org/p", (False, False, True, 0, 0, 0)),
        ("https://a.com/free-porn-videos", (False, False, False, 1, 0, 0)),
        ("https://a.com/PORN", (False, False, False, 0, 0, 0)),  # URL tokens keep their case (as datatrove)
        ("https://a.com/hot-sexy-girls-hot", (False, False, False, 0, 3, 0)),
        ("https://a.com/bestXXXvideos/xxx", (False, False, False, 0, 0, 2)),
    ],
)
def test_url_signals(url: str, expected: tuple[object, ...]) -> None:
    s = url_signals(url, _lists())
    assert tuple(s.values()) == expected


def test_url_signals_without_url_and_file_lists(tmp_path: object) -> None:
    assert set(url_signals(None, _lists()).values()) == {None}
    path = tmp_path / "domains"  # type: ignore[operator]
    path.write_text("# comment\nbad.com\n  spaced.org  \n", encoding="utf-8")
    lists = UrlFilterLists.fineweb(domain_files=[path])
    assert lists.domains == frozenset({"bad.com", "spaced.org"})
    assert "porn" in lists.banned_words


def test_redpajama_exact() -> None:
    text = "The cat, the CAT!\nThe end..."
    s = redpajama_signals(text, "en")
    entropy = -(0.5 * math.log(0.5) + 1 / 3 * math.log(1 / 3) + 1 / 6 * math.log(1 / 6))
    assert s == {
        "rps_doc_num_sentences": 2,
        "rps_doc_word_count": 6,  # the cat the cat the end
        "rps_doc_mean_word_length": 3.0,
        "rps_doc_symbol_to_word_ratio": round(1 / 9, 8),  # one "..." over 9 WordPunct tokens
        "rps_doc_frac_lines_end_with_ellipsis": 0.5,
        "rps_doc_frac_no_alph_words": round(1 - 6 / 9, 8),
        "rps_doc_frac_all_caps_words": round(1 / 9, 8),  # "CAT"
        "rps_doc_frac_unique_words": 0.5,
        "rps_doc_unigram_entropy": round(entropy, 8),
        "rps_doc_frac_chars_top_2gram": round(12 / 18, 8),  # "the cat" x 2
        "rps_doc_frac_chars_top_3gram": 1.0,  # "the cat the" x 2 = 18 of 18 characters
        "rps_doc_frac_chars_top_4gram": 0.0,
        "rps_doc_frac_chars_dupe_5grams": 0.0,
        "rps_doc_frac_chars_dupe_6grams": 0.0,
        "rps_doc_frac_chars_dupe_7grams": 0.0,
        "rps_doc_frac_chars_dupe_8grams": 0.0,
        "rps_doc_frac_chars_dupe_9grams": 0.0,
        "rps_doc_frac_chars_dupe_10grams": 0.0,
        "rps_doc_ldnoobw_words": 0,
        "rps_doc_lorem_ipsum": 0.0,
        "rps_doc_curly_bracket": 0.0,
        "rps_doc_stop_word_fraction": round(1 / 9, 8),  # "the"; the list is lower-case and case-sensitive
        "rps_doc_ut1_blacklist": None,
    }


def test_redpajama_repetition_lorem_curly_ut1(tmp_path: object) -> None:
    text = "a b c d e f a b c d e f g {x} Lorem Ipsum"
    s = redpajama_signals(text, "en", host="casino.example", ut1_categories={"casino.example": "gambling"})
    # normalized: a b c d e f a b c d e f g x lorem ipsum -> 16 words of 24 characters; the repeated 5- and
    # 6-grams cover the first 12 one-letter words
    assert s["rps_doc_frac_chars_dupe_5grams"] == 0.5
    assert s["rps_doc_frac_chars_dupe_6grams"] == 0.5
    assert s["rps_doc_frac_chars_dupe_7grams"] == 0.0
    assert s["rps_doc_lorem_ipsum"] == round(1 / len("a b c d e f a b c d e f g x lorem ipsum"), 8)
    assert s["rps_doc_curly_bracket"] == round(2 / len(text), 8)
    assert s["rps_doc_ut1_blacklist"] == "gambling"
    assert redpajama_signals("", "en")["rps_doc_word_count"] == 0
    assert redpajama_signals("x", "xx")["rps_doc_stop_word_fraction"] is None
    bad = sorted(w for w in ldnoobw_words("en") or () if " " in w)[0]
    assert redpajama_signals(f"foo {bad} bar {bad}", "en")["rps_doc_ldnoobw_words"] == 2
    g = tmp_path / "gambling"  # type: ignore[operator]
    d = tmp_path / "dating"  # type: ignore[operator]
    g.write_text("casino.example\n# c\n\nboth.example\n", encoding="utf-8")
    d.write_text("both.example\n", encoding="utf-8")
    assert load_ut1_categories({"gambling": str(g), "dating": str(d)}) == {
        "casino.example": "gambling",
        "both.example": "dating,gambling",
    }


def test_shipped_word_lists() -> None:
    assert {"the", "be", "to", "of", "and", "that", "have", "with"} == GOPHER_STOP_WORDS
    assert len(terminal_punctuation()) == 159 and {".", "!", "?", "。"} <= terminal_punctuation()
    assert len(ldnoobw_words("en") or ()) == 403
    assert len(ldnoobw_words("en", c4_english=True) or ()) == 377
    assert ldnoobw_words("xx") is None
    assert len(stopwords_json("en") or ()) == 570
    assert len(url_filter_words("banned_words")) == 203  # 216 lines, 13 commented out
    assert "porn" in url_filter_words("banned_words")
