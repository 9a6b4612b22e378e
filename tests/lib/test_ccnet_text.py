"""CCNet text normalisation (cc_net/text_normalizer.py @ bda555bd): one hand-made case per rule, exact outputs."""

from __future__ import annotations

import random
import unicodedata

import pytest

from crawlforge.lib.ccnet_text import (
    NON_PRINTING_CHARS,
    UNICODE_PUNCT,
    normalize,
    normalize_for_dedup,
    remove_non_printing_char,
    remove_unicode_punct,
    replace_unicode_punct,
    strip_accents,
)


def test_unicode_punct_table_is_ccnets() -> None:
    # 34 entries; spot-check the ones whose replacement is not a single ASCII character, and the oddity "１".
    assert len(UNICODE_PUNCT) == 34
    assert UNICODE_PUNCT["—"] == " - "
    assert UNICODE_PUNCT["．"] == ". "
    assert UNICODE_PUNCT["…"] == "..."
    assert UNICODE_PUNCT["１"] == '"'
    assert UNICODE_PUNCT["►"] == "-"
    assert "‘" not in UNICODE_PUNCT  # LEFT SINGLE QUOTATION MARK is *not* in CCNet's table
    assert {chr(c) for c in [*range(32), *range(127, 160)]} == NON_PRINTING_CHARS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # strip (Python whitespace) first; empty stays empty
        ("  Hello  ", "hello"),
        ("", ""),
        (" \t\n ", ""),
        # lower-case
        ("ABC Def", "abc def"),
        # accents: NFD then drop Mn
        ("Café Ñandú Ünïcode", "cafe nandu unicode"),
        ("İstanbul", "istanbul"),  # lower() gives i + U+0307 (Mn), which is dropped
        ("ﬁne x²", "ﬁne x²"),  # compatibility characters are not decomposed by NFD (nor ² a digit)
        # digits: every Nd code point -> 0
        ("Call 555-1234 in 2024", "call 000-0000 in 0000"),
        ("١٢٣ and ４２", "000 and 00"),
        ("１", "0"),  # in the punctuation table, but a digit first
        # unicode punctuation replaced
        ("a，b。c、d", "a,b.c,d"),
        ("«Bonjour» „gut“ ”x”", '"bonjour" "gut" "x"'),
        ("「引用」《书》", '"引用""书"'),
        ("it’s ´quoted´", "it's 'quoted'"),
        ("a∶b：c？！（d）；", "a:b:c?!(d);"),
        ("1–2", "0-0"),
        ("a—b", "a - b"),
        ("a．b", "a. b"),
        ("wait…", "wait..."),
        ("a～b━c〈d〉【e】50％ ►", "a~b-c<d>[e]00% -"),
        ("‘single’", "‘single'"),  # U+2018 is not in the table
        # control characters deleted, newlines and tabs included; NBSP and zero-width space kept
        ("a\tb\nc\x00d\x7fe\x85f\x9fg", "abcdefg"),
        ("a\u00a0b\u200bc", "a\u00a0b\u200bc"),
        ("line one\nline two", "line oneline two"),
        # no second strip: whitespace exposed by later rules stays
        ("a \x01", "a "),
        ("a—", "a - "),
        # everything at once (checked against CCNet's own function)
        ("  Le Café « Ünïcode » coûte 3,50 € — 2ème fois…\n", 'le cafe " unicode " coute 0,00 €  -  0eme fois...'),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_strip_accents_keeps_nfd_form() -> None:
    # CCNet's early return never fires: Hangul syllables come back as conjoining jamo, not as the syllable.
    assert strip_accents("한국") == unicodedata.normalize("NFD", "한국")
    assert strip_accents("한국") != "한국"
    assert normalize("한국") == "\u1112\u1161\u11ab\u1100\u116e\u11a8"
    assert strip_accents("ascii only") == "ascii only"
    assert strip_accents("crème brûlée") == "creme brulee"


@pytest.mark.parametrize(
    ("kwargs", "text", "expected"),
    [
        ({"accent": False}, "Café", "café"),
        ({"case": False}, "Café ABC", "Cafe ABC"),
        ({"numbers": False}, "Room 101", "room 101"),
        ({"numbers": False}, "１", '"'),  # without digit replacement the table entry applies
        ({"punct": 2}, "«Oui»… a—b", "oui ab"),
        ({"punct": 0}, "«Oui»…", "«oui»…"),
        ({"punct": 0}, "a\nb", "ab"),  # control characters are removed whatever the options
    ],
)
def test_normalize_options(kwargs: dict[str, object], text: str, expected: str) -> None:
    assert normalize(text, **kwargs) == expected  # type: ignore[arg-type]


def test_helpers() -> None:
    assert replace_unicode_punct("«a»—b") == '"a" - b'
    assert remove_unicode_punct("«a»—b") == "ab"
    assert remove_non_printing_char("a\x00\x1f\x7f\x9f\xa0b") == "a\xa0b"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Hello World 2024!  ", "hello world 0000!"),  # strip, lower, digits; ASCII punctuation kept
        ("Café Ñandú", "café ñandú"),  # accents kept
        ("«Bonjour», dit-il…", "bonjour, dit-il"),  # table characters deleted, not replaced
        ("a—b x．y 50％", "ab xy 00"),
        ("a\tb\nc\x00d\x85e", "abcde"),
        ("１２", "00"),
        ("", ""),
        ("   ", ""),
        ("  «Bonjour», dit-il… Café 2024 x．y a—b\t!  ", "bonjour, dit-il café 0000 xy ab!"),  # CCNet's output
    ],
)
def test_normalize_for_dedup(text: str, expected: str) -> None:
    assert normalize_for_dedup(text) == expected


def test_normalize_for_dedup_equals_ccnets_slow_variant() -> None:
    # CCNet keeps a slow reference, ``normalize(accent=False, case=True, numbers=True, punct=2)``; both must agree.
    rng = random.Random(7)
    pool = [*UNICODE_PUNCT, *NON_PRINTING_CHARS, *"aZé 1١１\u00a0İ한.,!?", "\u0301", "\u2028"]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 10)))
        assert normalize_for_dedup(text) == normalize(text, accent=False, punct=2), repr(text)
