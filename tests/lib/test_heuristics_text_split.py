"""Word / sentence / line splitting used by the heuristic signals (hand-made strings, exact outputs)."""

from __future__ import annotations

import pytest

from crawlforge.lib.text_split import (
    count_sentences_datatrove,
    is_punct_token,
    lines_rp,
    rp_normalize,
    sentence_count_rp,
    words_datatrove,
    words_for_language,
    words_wordpunct,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I don't know... (see e.g. http://x.org/a?b=1), it's 5km.",
            ["I", "do", "n't", "know", "...", "(", "see", "e.g.", "http://x.org/a?b=1", ")", ",", "it", "'s", "5",
             "km", "."],
        ),
        ("U.S.A. and USA. Mr. Smith", ["U.S.A.", "and", "USA", ".", "Mr.", "Smith"]),
        ("great:) ok", ["great", ":)", "ok"]),  # emoticon re-merged after affix splitting
        ("well-known 1-2 a--b x/y", ["well", "-", "known", "1", "-", "2", "a", "--", "b", "x", "/", "y"]),
        ("Cannot dont Im its", ["Can", "not", "do", "nt", "I", "m", "its"]),  # "its" is never split
        ("They’re here, aren’t they?", ["They", "’re", "here", ",", "are", "n’t", "they", "?"]),
        ("Prices: $5.99, 25% off!!!", ["Prices", ":", "$", "5.99", ",", "25", "%", "off", "!", "!", "!"]),
        ("Hello.World and end.Next", ["Hello", ".", "World", "and", "end", ".", "Next"]),
        ("mail john.doe@example.com now", ["mail", "john.doe@example.com", "now"]),
        ("  spaced\n\n\tout  ", ["spaced", "out"]),
        ("", []),
    ],
)  # fmt: skip
def test_words_datatrove(text: str, expected: list[str]) -> None:
    assert words_datatrove(text) == expected


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Hello world. This is it! Ok", 3),
        ("Hello... world", 1),  # "..." is not a sentence end for the sentencizer
        ("Wait!!! Really?", 2),
        ("U.S.A. is big. Yes", 2),
        ("one two three", 1),
        ("", 0),
    ],
)
def test_count_sentences_datatrove(text: str, sentences: int) -> None:
    assert count_sentences_datatrove(words_datatrove(text)) == sentences


def test_is_punct_token() -> None:
    assert is_punct_token("...")
    assert is_punct_token("«»")
    assert not is_punct_token("$")  # currency symbol is Sc, not P*
    assert not is_punct_token("a.")


def test_words_for_language_scripts() -> None:
    assert words_for_language("我爱北京 hello", "zh") == ["我", "爱", "北", "京", "hello"]
    assert words_for_language("今日は、世界！", "ja") == ["今", "日", "は", "、", "世", "界", "！"]
    assert words_for_language("สวัสดีครับ hello", "th") == ["สวัสดีครับ", "hello"]
    assert words_for_language("안녕하세요 세계.", "ko") == ["안녕하세요", "세계", "."]
    assert words_for_language("Don't stop", "en") == ["Do", "n't", "stop"]
    assert words_for_language("plain latin text", "zh") == ["plain", "latin", "text"]


def test_redpajama_views() -> None:
    assert words_wordpunct("Don't stop-me now!!") == ["Don", "'", "t", "stop", "-", "me", "now", "!!"]
    assert rp_normalize("Héllo, World!  Foo") == "he\u0301llo world foo"
    assert lines_rp("a\n\nb") == ["a\n", "\n", "b"]
    assert lines_rp("a\n") == ["a\n"]
    assert sentence_count_rp("Hello world. Bye! ok") == 3
