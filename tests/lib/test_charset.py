"""Charset decoding: HTTP header vs meta tag vs byte detection, aliases, and bad bytes that must never raise."""

from __future__ import annotations

import codecs
import random

import pytest

from crawlforge.lib.charset import (
    charset_from_content_type,
    decode_html,
    detect_charset,
    find_meta_charset,
    normalize_charset,
)


RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю. Широкая электрификация южных губерний. " * 4
JAPANESE = "日本語のテキストです。東京は日本の首都であり、多くの人が住んでいます。今日はとても良い天気ですね。" * 4


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


# --- label normalisation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("latin-1", "cp1252"),  # browsers decode ISO-8859-1 labels as windows-1252 (WHATWG)
        ("ISO-8859-1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("UTF8", "utf-8"),
        ('"utf-8"', "utf-8"),
        ("utf-8;", "utf-8"),
        ("windows-1251", "cp1251"),
        ("Shift_JIS", "cp932"),  # the WHATWG Shift_JIS decoder is Microsoft's cp932
        ("x-sjis", "cp932"),
        ("cp932", "cp932"),
        ("euc-kr", "cp949"),
        ("gb2312", "gb18030"),
        ("big5", "big5hkscs"),
        ("tis-620", "cp874"),
        ("koi8-r", "koi8-r"),
        ("utf-16", "utf-16-le"),
        ("no-such-charset", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize_charset(label: str | None, codec: str | None) -> None:
    assert normalize_charset(label) == codec
    if codec is not None:
        codecs.lookup(codec)  # every answer is a codec Python can use


def test_charset_from_content_type() -> None:
    assert charset_from_content_type("text/html; charset=windows-1251") == "windows-1251"
    assert charset_from_content_type('text/html;charset="UTF-8"') == "UTF-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type("koi8-r") == "koi8-r"  # a bare label is accepted too
    assert charset_from_content_type(None) is None


def test_find_meta_charset_forms() -> None:
    assert find_meta_charset(b'<html><head><meta charset="windows-1251">') == "windows-1251"
    assert find_meta_charset(b"<meta charset=shift_jis />") == "shift_jis"
    http_equiv = b'<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">'
    assert find_meta_charset(http_equiv) == "EUC-JP"
    reversed_attrs = b"<meta content='text/html; charset=koi8-r' http-equiv='content-type'>"
    assert find_meta_charset(reversed_attrs) == "koi8-r"
    assert find_meta_charset(b'<!-- <meta charset="koi8-r"> --><meta charset="utf-8">') == "utf-8"
    assert find_meta_charset(b'<meta name="description" content="no charset here">') is None
    assert find_meta_charset(b'<meta charset="utf-16">') == "utf-8"  # WHATWG: a meta utf-16 label means utf-8
    late = b"<html><head>" + b" " * 5000 + b'<meta charset="koi8-r">'
    assert find_meta_charset(late, scan_bytes=4096) is None
    assert find_meta_charset(late, scan_bytes=8192) == "koi8-r"


# --- precedence: BOM > HTTP > meta > detection > fallback -------------------------------------------------------


def test_http_header_wins_over_meta() -> None:
    payload = page(RUSSIAN, '<meta charset="koi8-r">').encode("cp1251")
    res = decode_html(payload, "text/html; charset=windows-1251")
    assert (res.charset, res.source) == ("cp1251", "http")
    assert RUSSIAN in res.text


def test_meta_used_without_http_charset() -> None:
    head = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    payload = page(RUSSIAN, head).encode("cp1251")
    res = decode_html(payload, None)
    assert (res.charset, res.source) == ("cp1251", "meta")
    assert RUSSIAN in res.text


def test_meta_shift_jis() -> None:
    payload = page(JAPANESE, '<meta charset="Shift_JIS">').encode("shift_jis")
    res = decode_html(payload)
    assert (res.charset, res.source) == ("cp932", "meta")
    assert JAPANESE in res.text


def test_unknown_http_label_falls_through_to_meta() -> None:
    payload = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    res = decode_html(payload, "text/html; charset=bogus-charset")
    assert (res.charset, res.source) == ("cp1251", "meta")


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (RUSSIAN, "cp1251", "cp1251"),
        (RUSSIAN, "koi8-r", "koi8-r"),
        (JAPANESE, "shift_jis", "cp932"),
        (JAPANESE, "euc-jp", "euc_jp"),
    ],
)
def test_detection_without_labels(text: str, encoding: str, expected: str) -> None:
    res = decode_html(page(text).encode(encoding))
    assert (res.charset, res.source) == (expected, "detected")
    assert text in res.text
    assert detect_charset(page(text).encode(encoding)) == expected


def test_bom_beats_labels() -> None:
    payload = codecs.BOM_UTF8 + page(RUSSIAN).encode("utf-8")
    res = decode_html(payload, "windows-1251")
    assert (res.charset, res.source) == ("utf-8", "bom")
    assert res.text.startswith("<!doctype")  # BOM stripped
    res16 = decode_html(codecs.BOM_UTF16_LE + page(JAPANESE).encode("utf-16-le"))
    assert (res16.charset, res16.source) == ("utf-16-le", "bom")
    assert JAPANESE in res16.text


def test_valid_utf8_overrides_a_legacy_label() -> None:
    payload = page(RUSSIAN).encode("utf-8")
    res = decode_html(payload, "text/html; charset=ISO-8859-1")  # common server default on UTF-8 sites
    assert (res.charset, res.source) == ("utf-8", "detected")
    assert RUSSIAN in res.text
    strict = decode_html(payload, "text/html; charset=ISO-8859-1", utf8_override=False)
    assert (strict.charset, strict.source) == ("cp1252", "http")  # what a browser would do


def test_latin1_label_decodes_as_windows_1252() -> None:
    payload = page("Price: 5 \u20ac \u2014 caf\u00e9").encode("cp1252")  # euro sign is byte 0x80
    res = decode_html(payload, "latin-1")
    assert (res.charset, res.source) == ("cp1252", "http")
    assert "5 \u20ac \u2014 caf\u00e9" in res.text


def test_utf8_label_with_a_few_bad_bytes_stays_utf8() -> None:
    good = page(RUSSIAN).encode("utf-8")
    payload = good[:200] + b"\xff" + good[200:]
    res = decode_html(payload, "utf-8")
    assert (res.charset, res.source) == ("utf-8", "http")
    assert res.text.count("\ufffd") == 1


def test_utf8_label_on_legacy_bytes_is_not_trusted() -> None:
    payload = page(RUSSIAN).encode("cp1251")
    res = decode_html(payload, "utf-8")
    assert res.source == "detected"
    assert RUSSIAN in res.text


def test_utf16_label_on_ascii_compatible_bytes_is_ignored() -> None:
    payload = page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251")
    res = decode_html(payload, "text/html; charset=UTF-16")
    assert (res.charset, res.source) == ("cp1251", "meta")
    real = page(JAPANESE).encode("utf-16-le")  # no BOM: the header is the only evidence
    res16 = decode_html(real, "utf-16le")
    assert (res16.charset, res16.source) == ("utf-16-le", "http")
    assert JAPANESE in res16.text


def test_unlabelled_iso_2022_jp_is_detected() -> None:
    payload = page(JAPANESE).encode("iso-2022-jp")  # 7-bit, so it looks like ASCII
    res = decode_html(payload)
    assert res.source == "detected" and res.charset.startswith("iso2022")
    assert JAPANESE in res.text


def test_ascii_and_empty() -> None:
    assert decode_html(b"<p>hello</p>")[1:] == ("utf-8", "detected")
    assert decode_html(b"") == ("", "utf-8", "fallback")


def test_bad_bytes_never_raise() -> None:
    rng = random.Random(7)
    for labels in (None, "utf-8", "shift_jis", "utf-16", "iso-2022-jp", "nonsense", "x-user-defined"):
        for size in (1, 17, 4096):
            payload = bytes(rng.randrange(256) for _ in range(size))
            res = decode_html(payload, labels)
            assert isinstance(res.text, str)
            res.text.encode("utf-8")  # no lone surrogates: the text can be written to Parquet/Delta
