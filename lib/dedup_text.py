"""Keys for exact duplicate removal: the normalised-text hash and the URL key (pure Python reference).

The dedup job computes both keys with Spark's built-in functions (no Python worker, so the exact step is as
cheap as a column scan, minhash-spark.md §4.2 step 1); the functions here are the same definitions on strings,
and ``tests/jobs/test_dedup.py`` checks that both agree. Exact duplicates can be ~40% of all Common Crawl
duplicates (NeMo Curator's README), so they are removed before any MinHash work.

* **Text key** (rule ``exact_text``, :data:`EXACT_TEXT_VERSION`): lower-case, every run of whitespace
  (:data:`WHITESPACE` only, the same explicit class on the JVM and in Python) becomes one space, leading and
  trailing spaces go; then the first 32 hex digits (128 bits) of its SHA-256 over UTF-8. Only layout and case
  are forgiven: a page with one changed word is a near duplicate, found by MinHash. Empty text has no key.
* **URL key** (rule ``url``, :data:`URL_VERSION`): the URL without its ``#fragment`` and with scheme and host
  lower-cased (RFC 3986 says both are case-insensitive); the path and query keep their case.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final


__all__ = ["EXACT_TEXT_VERSION", "URL_VERSION", "WHITESPACE", "text_key", "url_key"]

EXACT_TEXT_VERSION: Final[str] = "exact_text/1"
URL_VERSION: Final[str] = "url/1"
WHITESPACE: Final[str] = " \t\n\r\f\u000b\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""Characters treated as whitespace by the text key (a regex character-class body, valid in Java and Python)."""

_WS_RE = re.compile(f"[{WHITESPACE}]+")
_URL_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)?([^/?#]*)([^#]*)")


def normalise_for_exact(text: str | None) -> str | None:
    """The text the exact key hashes: lower-cased, whitespace runs collapsed, stripped; ``None`` if empty."""
    if text is None:
        return None
    out = _WS_RE.sub(" ", text.lower()).strip(" ")
    return out or None


def text_key(text: str | None) -> str | None:
    """128-bit hex key of :func:`normalise_for_exact`, or ``None`` for empty text."""
    norm = normalise_for_exact(text)
    if norm is None:
        return None
    return hashlib.sha256(norm.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def url_key(url: str | None) -> str | None:
    """The URL without its fragment, scheme and host lower-cased; ``None`` for an empty URL."""
    if not url:
        return None
    m = _URL_RE.match(url)
    assert m is not None  # the pattern matches every string
    scheme, host, rest = m.group(1) or "", m.group(2), m.group(3)
    return (scheme.lower() + host.lower() + rest) or None
