"""Parse the HTTP response stored in a WARC ``response`` record's block.

FastWARC can parse HTTP itself, but then the number of block bytes it consumed is hidden, and we need
it to tell a complete record from a clipped one (a block shorter than its Content-Length). So the
reader takes the raw block and this module splits it: status line, headers, body. Bodies that the
crawler stored with ``Transfer-Encoding: chunked`` (wget does; Common Crawl stores them decoded and
renames the header ``X-Crawler-Transfer-Encoding``) are de-chunked; ``Content-Encoding: gzip/deflate``
bodies are decompressed up to a cap. Nothing here raises on bad input: a block that is not an HTTP
response comes back with ``ok=False`` and a reason.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field


_STATUS_RE = re.compile(rb"^HTTP/\d(?:\.\d)?\s+(\d{3})(?:\s|$)")
MAX_HEADER_BYTES = 64 * 1024
LIST_HEADERS = frozenset({"x-robots-tag", "link"})
"""Headers whose repeated lines are joined (a site may send one ``X-Robots-Tag`` line per crawler)."""


@dataclass(slots=True)
class HttpResponse:
    ok: bool
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    mime_type: str | None = None
    charset: str | None = None
    error: str | None = None


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """``text/html; charset=UTF-8`` -> (``text/html``, ``utf-8``); tolerant of junk and quotes."""
    if not value:
        return None, None
    parts = value.split(";")
    mime = parts[0].strip().lower() or None
    charset = None
    for part in parts[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip().lower() or None
    return mime, charset


def _dechunk(body: bytes) -> bytes | None:
    """Decode a chunked body; None when it is not valid chunked encoding."""
    out = bytearray()
    pos = 0
    n = len(body)
    while pos < n:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            return None
        size_field = body[pos:eol].split(b";", 1)[0].strip()
        try:
            size = int(size_field, 16)
        except ValueError:
            return None
        pos = eol + 2
        if size == 0:
            return bytes(out)
        out += body[pos : pos + size]
        pos += size + 2
    return bytes(out)


def _decompress(body: bytes, encoding: str, cap: int) -> bytes | None:
    wbits = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}.get(encoding)
    if wbits is None:
        return None
    try:
        d = zlib.decompressobj(wbits)
        out = d.decompress(body, cap)
        return out if not d.unconsumed_tail else None
    except zlib.error:
        if encoding == "deflate":  # some servers send raw deflate without the zlib header
            try:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, cap)
            except zlib.error:
                return None
        return None


def parse_http_response(block: bytes, max_body_bytes: int = 64 * 1024 * 1024) -> HttpResponse:
    """Split a WARC response block into status, headers and a decoded body."""
    head_end = block.find(b"\r\n\r\n", 0, MAX_HEADER_BYTES)
    sep = 4
    if head_end < 0:
        head_end = block.find(b"\n\n", 0, MAX_HEADER_BYTES)
        sep = 2
    if head_end < 0:
        return HttpResponse(ok=False, error="no end of HTTP headers")
    head = block[:head_end]
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    match = _STATUS_RE.match(lines[0].strip())
    if not match:
        return HttpResponse(ok=False, error="bad HTTP status line")
    headers: dict[str, str] = {}
    for raw in lines[1:]:
        name, colon, value = raw.partition(b":")
        if not colon:
            continue
        key = name.strip().decode("latin-1").lower()
        if key and key not in headers:  # first value wins, as browsers do for Content-Type
            headers[key] = value.strip().decode("latin-1")
        elif key in LIST_HEADERS:  # list-valued: repeated lines mean one comma-joined value (RFC 9110 5.3)
            headers[key] += ", " + value.strip().decode("latin-1")
    body = block[head_end + sep :]
    if "chunked" in headers.get("transfer-encoding", "").lower():
        decoded = _dechunk(body)
        if decoded is not None:
            body = decoded
    encoding = headers.get("content-encoding", "").strip().lower()
    if encoding and encoding != "identity":
        decoded = _decompress(body, encoding, max_body_bytes)
        if decoded is not None:
            body = decoded
    mime, charset = parse_content_type(headers.get("content-type"))
    return HttpResponse(
        ok=True, status=int(match.group(1)), headers=headers, body=body, mime_type=mime, charset=charset
    )
