"""Decode an HTML payload to ``str`` the way a browser would, but robust to lying labels.

Why this module exists: Common Crawl stores raw HTTP payload bytes. About 1-2% of pages declare a wrong
charset or none, and a wrong choice turns a whole page into mojibake that later stages (language ID,
perplexity, dedup) silently mis-score. The order of evidence follows the WHATWG HTML/Encoding standards
(https://html.spec.whatwg.org/multipage/parsing.html#determining-the-character-encoding and
https://encoding.spec.whatwg.org/#names-and-labels):

1. a byte-order mark (``bom``) beats everything, as in browsers;
2. the charset parameter of the HTTP ``Content-Type`` header (``http``);
3. ``<meta charset>`` / ``<meta http-equiv="Content-Type" content="...; charset=...">`` in the first
   ``meta_scan_bytes`` of the payload (``meta``; the WHATWG prescan looks at 1024 bytes, we default to
   4096 because CMS templates often push the tag further down);
4. byte-level detection with uchardet, which resiliparse 2.0 bundles
   (``resiliparse.parse.encoding.detect_encoding``) (``detected``);
5. UTF-8 (``fallback``) when nothing else is known.

One deliberate deviation from browsers, taken from FineWeb's reader (datatrove ``WarcReader`` decodes
UTF-8 first and only then asks a detector): when a declared legacy charset contradicts bytes that are
valid, non-ASCII UTF-8, we decode as UTF-8 and report ``detected``. Valid multi-byte UTF-8 is practically
never produced by accident by a legacy encoding, while "Content-Type: text/html; charset=ISO-8859-1" on
UTF-8 pages (server defaults) is common. Conversely a page labelled UTF-8 whose bytes are mostly not UTF-8
falls through to the next source. Disable with ``utf8_override=False`` for strict browser behaviour. Two
more sanity checks on labels: a UTF-16 label on bytes without NULs is ignored (real UTF-16 HTML is full of
them), and unlabelled 7-bit bytes with ESC sequences go to the detector (ISO-2022-JP/KR look like ASCII).

Label normalisation uses the WHATWG label table (resiliparse's ``map_encoding_to_html5``: ``latin1`` and
``ascii`` become ``cp1252``, ``gb2312`` becomes ``gbk``, ...) and then maps each WHATWG decoder to the
Python codec that implements the same byte table: the WHATWG ``Shift_JIS`` decoder is Microsoft's
``cp932``, ``EUC-KR`` is ``cp949``, ``GBK`` is the ``gb18030`` decoder, ``Big5`` is ``big5hkscs`` and
``windows-874`` is ``cp874``. Decoding never raises: invalid bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from typing import Literal, NamedTuple

from resiliparse.parse.encoding import detect_encoding, map_encoding_to_html5


__all__ = [
    "CharsetSource",
    "DecodeResult",
    "charset_from_content_type",
    "decode_html",
    "detect_charset",
    "find_meta_charset",
    "normalize_charset",
]

CharsetSource = Literal["bom", "http", "meta", "detected", "fallback"]

#: WHATWG decoder name (as resiliparse spells the Python codec) -> Python codec with the browser's byte table.
_BROWSER_DECODER = {
    "shift_jis": "cp932",
    "euc_kr": "cp949",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "big5": "big5hkscs",
    "iso8859-11": "cp874",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
}

#: Python spellings of the codecs we return, so callers see one name per encoding.
_CANONICAL = {"utf_8": "utf-8", "utf8": "utf-8", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_CHARSET_PARAM = re.compile(rb"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:+\-]+)", re.IGNORECASE)
_CHARSET_PARAM_STR = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:+\-]+)", re.IGNORECASE)
_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_META_TAG = re.compile(rb"<meta[\s/][^>]*>", re.IGNORECASE)
_HIGH_BYTES = bytes(range(0x80, 0x100))
_ATTR = re.compile(rb"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


class DecodeResult(NamedTuple):
    """Decoded text plus which charset was used and which piece of evidence chose it."""

    text: str
    charset: str
    source: CharsetSource


def normalize_charset(label: str | bytes | None) -> str | None:
    """Map a charset label from a header or a meta tag to a Python codec name, or ``None`` if unknown.

    WHATWG labels first (so ``iso-8859-1``/``latin1``/``us-ascii`` -> ``cp1252`` as every browser does), then
    Python's own aliases for labels outside the WHATWG table (``latin-1``, ``cp932``), then the browser-decoder
    overlay described in the module docstring.
    """
    if label is None:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    label = label.strip().strip("\"'").strip().rstrip(";,").strip()
    if not label or len(label) > 40:
        return None
    mapped = map_encoding_to_html5(label, fallback_utf8=False)
    if mapped is None:
        try:
            py_name = codecs.lookup(label).name
        except LookupError:
            return None
        mapped = map_encoding_to_html5(py_name, fallback_utf8=False) or py_name
    mapped = _BROWSER_DECODER.get(mapped, mapped)
    return _CANONICAL.get(mapped, mapped)


def charset_from_content_type(value: str | None) -> str | None:
    """Return the raw ``charset`` parameter of a ``Content-Type`` header value (``text/html; charset=x``).

    A bare label (``"windows-1251"``) is returned unchanged so callers may pass either form.
    """
    if not value:
        return None
    if "=" not in value and ";" not in value and "/" not in value:
        return value.strip() or None
    m = _CHARSET_PARAM_STR.search(value)
    return m.group(1) if m else None


def find_meta_charset(payload: bytes, scan_bytes: int = 4096) -> str | None:
    """Find the charset declared by a ``<meta>`` tag in the first ``scan_bytes`` bytes, or ``None``.

    Implements the two forms the WHATWG prescan accepts: ``<meta charset=...>`` and
    ``<meta http-equiv="content-type" content="...charset=...">``. Commented-out tags are ignored. Per the
    standard, a meta label of UTF-16 means UTF-8 (the bytes we are scanning are ASCII-compatible, so the
    label must be wrong) and ``x-user-defined`` means windows-1252.
    """
    head = _COMMENT.sub(b"", payload[:scan_bytes])
    for tag in _META_TAG.finditer(head):
        attrs: dict[bytes, bytes] = {}
        for m in _ATTR.finditer(tag.group(0)):
            name = m.group(1).lower()
            if name not in attrs:
                attrs[name] = next(v for v in m.groups()[1:] if v is not None)
        label: bytes | None = attrs.get(b"charset")
        if label is None and attrs.get(b"http-equiv", b"").strip().lower() == b"content-type":
            cm = _CHARSET_PARAM.search(attrs.get(b"content", b""))
            label = cm.group(1) if cm else None
        if label:
            text = label.decode("ascii", "replace").strip()
            low = text.lower()
            if low.startswith(("utf-16", "utf16", "unicode", "ucs-2", "ucs2")):
                return "utf-8"
            if low == "x-user-defined":
                return "windows-1252"
            return text
    return None


def detect_charset(payload: bytes, max_bytes: int = 65536) -> str | None:
    """Guess the charset from the bytes alone with uchardet (bundled in resiliparse 2.0), or ``None``.

    uchardet samples ``max_bytes`` split between the head and the tail of the payload, which keeps the cost
    bounded on multi-megabyte pages. Pure ASCII is reported as ``utf-8`` (both decode it identically).
    """
    if not payload:
        return None
    guess = detect_encoding(payload, max_len=max_bytes, html5_compatible=False)
    if guess is None:
        return None
    if guess.lower() in {"ascii", "us-ascii"}:
        return "utf-8"
    return normalize_charset(guess)


def _utf8_verdict(payload: bytes, max_invalid_ratio: float) -> tuple[bool, bool]:
    """Return ``(is_ascii, looks_utf8)``; ``looks_utf8`` tolerates a few stray invalid bytes.

    A handful of broken bytes in an otherwise UTF-8 page (truncated template, pasted cp1252 quote) should not
    send the whole page to a detector, while a legacy-encoded page decoded as UTF-8 is almost all U+FFFD.
    """
    if payload.isascii():
        return True, True
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return False, True
    text = payload.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    # every ASCII byte decodes to exactly one ASCII char, so the rest of the text is the non-ASCII part
    non_ascii = len(text) - len(payload.translate(None, _HIGH_BYTES))
    return False, non_ascii > 0 and bad <= max_invalid_ratio * non_ascii


def _decode(payload: bytes, charset: str) -> str:
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def decode_html(
    payload: bytes,
    http_charset: str | None = None,
    *,
    meta_scan_bytes: int = 4096,
    detect_bytes: int = 65536,
    utf8_override: bool = True,
    max_invalid_utf8_ratio: float = 0.01,
) -> DecodeResult:
    """Decode an HTML payload; never raises on bad bytes (they become U+FFFD).

    :param payload: raw HTTP body (after transfer/content decoding).
    :param http_charset: the charset from the HTTP ``Content-Type`` header, either the bare label or the whole
        header value; ``None`` if absent.
    :param meta_scan_bytes: how far to look for a ``<meta>`` charset declaration.
    :param detect_bytes: how many bytes uchardet samples.
    :param utf8_override: prefer UTF-8 when the bytes are UTF-8 but a label says otherwise (see module docs).
    :param max_invalid_utf8_ratio: share of invalid sequences among non-ASCII characters under which a page
        labelled UTF-8 is still decoded as UTF-8.
    :return: ``DecodeResult(text, charset, source)`` with source in bom/http/meta/detected/fallback.
    """
    if not payload:
        return DecodeResult("", "utf-8", "fallback")
    for bom, enc in _BOMS:
        if payload.startswith(bom):
            return DecodeResult(_decode(payload[len(bom) :], enc), enc, "bom")

    verdict: tuple[bool, bool] | None = None

    def utf8() -> tuple[bool, bool]:
        nonlocal verdict
        if verdict is None:
            verdict = _utf8_verdict(payload, max_invalid_utf8_ratio)
        return verdict

    sources: tuple[Literal["http", "meta"], ...] = ("http", "meta")
    for source in sources:
        if source == "http":
            label = charset_from_content_type(http_charset)
        else:
            label = find_meta_charset(payload, meta_scan_bytes)
        enc = normalize_charset(label)
        if enc is None:
            continue
        if enc == "utf-8":
            if utf8()[1]:
                return DecodeResult(_decode(payload, "utf-8"), "utf-8", source)
            continue  # labelled UTF-8 but mostly not UTF-8: try the next piece of evidence
        if enc.startswith("utf-16"):
            if b"\x00" not in payload[:1024]:
                continue  # UTF-16 HTML is full of NUL bytes; ASCII-compatible bytes mean the label is wrong
            return DecodeResult(_decode(payload, enc), enc, source)
        if utf8_override:
            is_ascii, looks_utf8 = utf8()
            if looks_utf8 and not is_ascii:
                return DecodeResult(_decode(payload, "utf-8"), "utf-8", "detected")
        return DecodeResult(_decode(payload, enc), enc, source)

    is_ascii, looks_utf8 = utf8()
    if (is_ascii and b"\x1b" not in payload) or (looks_utf8 and not is_ascii):
        # pure ASCII (no ISO-2022 escape sequences) or UTF-8: no detector needed
        return DecodeResult(_decode(payload, "utf-8"), "utf-8", "detected")
    enc = detect_charset(payload, detect_bytes)
    if enc is None:
        return DecodeResult(_decode(payload, "utf-8"), "utf-8", "fallback")
    return DecodeResult(_decode(payload, enc), enc, "detected")
