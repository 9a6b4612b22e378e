"""Small helpers shared by tests."""

from __future__ import annotations

import os
from typing import Any

from crawlforge.lib.config import CrawlforgeConfig, build_config


# A JVM a test starts beside the test session (a CLI subprocess, a test cluster's daemons) lives a minute or two
# on a 2-core machine the session shares: C1-only JIT and the serial collector spend far less CPU compiling and
# collecting than the defaults (C2, G1's threads). Not for the session's own JVM (over a 20-minute suite C2 pays
# for itself) nor a notebook kernel's (its queries ran slower: 35 -> 41 s), both measured (issue #13).
SHORT_LIVED_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def short_lived_jvm_env() -> dict[str, str]:
    """This process's environment for a child whose JVMs are short-lived: every JVM it starts (spark-submit's
    launcher, the driver) picks ``SHORT_LIVED_JVM`` up from ``JAVA_TOOL_OPTIONS``."""
    return {**os.environ, "JAVA_TOOL_OPTIONS": SHORT_LIVED_JVM}


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
