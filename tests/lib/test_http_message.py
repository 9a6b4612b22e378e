"""HTTP response parsing of WARC blocks."""

import gzip

from crawlforge.lib.http_message import parse_content_type, parse_http_response


def test_basic_response() -> None:
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\nX: y\r\n\r\n<html>hi</html>"
    r = parse_http_response(block)
    assert r.ok and r.status == 200
    assert (r.mime_type, r.charset) == ("text/html", "iso-8859-1")
    assert r.body == b"<html>hi</html>"


def test_lf_only_and_http2_status_line() -> None:
    r = parse_http_response(b"HTTP/2 404\nContent-Type: text/plain\n\nnope")
    assert r.ok and r.status == 404 and r.mime_type == "text/plain" and r.body == b"nope"


def test_chunked_body_is_decoded() -> None:
    body = b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
    r = parse_http_response(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    assert r.body == b"hello world"


def test_gzip_content_encoding_is_decoded() -> None:
    payload = gzip.compress(b"<p>compressed</p>")
    r = parse_http_response(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n" + payload)
    assert r.body == b"<p>compressed</p>"


def test_broken_headers_are_reported_not_raised() -> None:
    assert parse_http_response(b"garbage without headers").error == "no end of HTTP headers"
    assert parse_http_response(b"NOT HTTP\r\n\r\nbody").error == "bad HTTP status line"


def test_content_type_parsing() -> None:
    assert parse_content_type('text/HTML;charset="UTF-8"') == ("text/html", "utf-8")
    assert parse_content_type(None) == (None, None)
    assert parse_content_type("text/html; foo=bar") == ("text/html", None)
