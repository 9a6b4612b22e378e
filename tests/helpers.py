"""Small helpers shared by tests."""

from __future__ import annotations

from typing import Any

from crawlforge.lib.config import CrawlforgeConfig, build_config


def make_config(lake: str, **sets: Any) -> CrawlforgeConfig:
    """conf/local.yaml with the lake at ``lake`` and dotted overrides given as keyword pairs."""
    overrides = [f"lake.root={lake}", "spark.shuffle_partitions=2"]
    overrides += [f"{k.replace('__', '.')}={v}" for k, v in sets.items()]
    return build_config(["local"], overrides)


def write_warc(path: str, pages: list[tuple[str, bytes, str]]) -> None:
    """Write a gzip-per-record WARC of HTTP 200 responses: (url, body, content type) per page.

    Record ids are derived from the URL, so the file is the same bytes on every run.
    """
    import gzip
    import hashlib
    import uuid

    with open(path, "wb") as out:
        for url, body, ctype in pages:
            http = f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
            rid = uuid.UUID(bytes=hashlib.md5(url.encode()).digest())
            head = (
                "WARC/1.0\r\nWARC-Type: response\r\n"
                f"WARC-Record-ID: <urn:uuid:{rid}>\r\nWARC-Date: 2026-01-02T03:04:05Z\r\n"
                f"WARC-Target-URI: {url}\r\nContent-Type: application/http; msgtype=response\r\n"
                f"Content-Length: {len(http)}\r\n\r\n"
            ).encode()
            out.write(gzip.compress(head + http + b"\r\n\r\n"))
