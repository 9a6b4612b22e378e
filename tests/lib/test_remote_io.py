"""Tests for crawlforge.lib.remote_io against a scripted HTTP server on loopback (and moto on loopback for S3).

The server misbehaves the way Common Crawl does under load (503 SlowDown, 429 + Retry-After, resets, bodies cut
short, stalls), one scripted action per request, so every test can check both the bytes delivered and the exact
requests that were needed to deliver them.
"""

from __future__ import annotations

import gzip
import io
import logging
import pickle
import random
import re
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawlforge.lib import remote_io
from crawlforge.lib.remote_io import (
    USER_AGENT,
    InputError,
    PermanentInputError,
    RetryPolicy,
    TransientInputError,
    input_size,
    join_uri,
    open_input,
    read_lines,
    retries_used,
    set_s3_client_factory,
)


DATA = random.Random(20240601).randbytes(300_000)
LISTING = [
    "crawl-data/CC-MAIN-2024-10/segments/1/warc/a.warc.gz",
    "crawl-data/CC-MAIN-2024-10/segments/2/warc/b.warc.gz",
]
LISTING_GZ = gzip.compress(("\n".join(LISTING) + "\n\n").encode())
FAST = RetryPolicy(retries=4, backoff_base_s=0.001, backoff_max_s=0.002, timeout_s=5.0, seed=7)


# ------------------------------------------------------------------------------------------------ scripted server


@dataclass(frozen=True)
class Action:
    """What the server does for one request.

    kind: ok | status | cut (send `after` body bytes, then close cleanly) | reset (send `after`, then RST) |
    stall (send `after`, then go silent for `delay`) | ignore_range (200 with the whole file) |
    bad_range (206 whose Content-Range starts 7 bytes late).
    """

    kind: str = "ok"
    status: int = 200
    after: int = 0
    delay: float = 0.0
    headers: tuple[tuple[str, str], ...] = ()
    etag: str = '"v1"'


OK = Action()


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    range: str | None
    user_agent: str | None


@dataclass
class Server:
    base: str
    files: dict[str, bytes]
    plan: Callable[[int], Action] = lambda _i: OK
    log: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path

    def script(self, *actions: Action, then: Action = OK) -> None:
        """Answer the first requests with `actions`, every later one with `then`."""
        self.plan = lambda i: actions[i] if i < len(actions) else then

    def gets(self) -> list[Seen]:
        return [s for s in self.log if s.method == "GET"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        state: Server = self.server.state
        with state.lock:
            index = len(state.log)
            state.log.append(Seen(self.command, self.path, self.headers.get("Range"), self.headers.get("User-Agent")))
        action = state.plan(index)
        try:
            self._answer(state, action, head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up on this body: expected in several tests

    def _answer(self, state: Server, action: Action, head: bool) -> None:
        if action.kind == "status":
            self._simple(action.status, action.headers)
            return
        data = state.files.get(self.path)
        if data is None:
            self._simple(404)
            return
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        start = int(match[1]) if match else 0
        if start >= len(data) and match:
            self._simple(416, (("Content-Range", f"bytes */{len(data)}"),))
            return
        if match and action.kind != "ignore_range":
            shift = 7 if action.kind == "bad_range" else 0
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start + shift}-{len(data) - 1}/{len(data)}")
            payload = data[start:]
        else:
            self.send_response(200)
            payload = data
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("ETag", action.etag)
        self.send_header("Content-Type", "application/octet-stream")
        for name, value in action.headers:
            self.send_header(name, value)
        self.end_headers()
        if head:
            return
        if action.kind in ("cut", "reset", "stall"):
            self.wfile.write(payload[: action.after])
            self.wfile.flush()
            if action.kind == "stall":
                time.sleep(action.delay)
            if action.kind == "reset":
                # SO_LINGER 0 makes close() send a RST instead of a FIN: a "connection reset by peer".
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.rfile.close()
                self.wfile.close()
                self.connection.close()
            self.close_connection = True
            return
        self.wfile.write(payload)

    def _simple(self, status: int, headers: tuple[tuple[str, str], ...] = ()) -> None:
        body = f"status {status}\n".encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # sockets torn down on purpose


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback requests must never be routed through a proxy configured on the machine."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record backoff sleeps instead of sleeping, so tests are fast and can check the delays."""
    recorded: list[float] = []
    monkeypatch.setattr(remote_io, "_sleep", recorded.append)
    return recorded


@pytest.fixture
def server(sleeps: list[float]) -> Iterator[Server]:
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    state = Server(
        base=f"http://127.0.0.1:{httpd.server_address[1]}",
        files={"/data.bin": DATA, "/warc.paths.gz": LISTING_GZ, "/listing": LISTING_GZ, "/bad.gz": b"not gzip"},
    )
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _range_start(seen: Seen) -> int:
    if seen.range is None:
        return 0
    match = re.fullmatch(r"bytes=(\d+)-", seen.range)
    assert match, f"expected an open-ended Range header, got {seen.range!r}"
    return int(match[1])


# --------------------------------------------------------------------------------------------------------- http


def test_plain_download_streams_the_exact_bytes_with_user_agent(server: Server, sleeps: list[float]) -> None:
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.readable()
        assert f.read() == DATA
        assert f.tell() == len(DATA)
        assert f.read() == b""
        assert retries_used(f) == 0
    [seen] = server.gets()
    assert seen.range is None
    assert seen.user_agent == USER_AGENT
    assert USER_AGENT.startswith("crawlforge/")
    assert sleeps == []


def test_503_slowdown_is_retried_with_jittered_backoff(
    server: Server, sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    slowdown = Action("status", status=503)
    server.script(slowdown, slowdown, slowdown)
    with caplog.at_level(logging.WARNING, logger=remote_io.__name__), open_input(server.url("/data.bin"), FAST) as f:
        assert f.read() == DATA
        assert f.retries_used == 3  # type: ignore[attr-defined]
    assert len(server.gets()) == 4
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        assert 0.0 <= delay <= min(FAST.backoff_max_s, FAST.backoff_base_s * 2**attempt)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3
    assert all(server.url("/data.bin") in w and "HTTP 503" in w and "sleeping" in w for w in warnings)


def test_jitter_is_reproducible_with_a_seed(server: Server, sleeps: list[float]) -> None:
    policy = RetryPolicy(retries=5, backoff_base_s=0.001, backoff_max_s=1.0, seed=42)
    for _ in range(2):
        server.log.clear()
        server.script(*[Action("status", status=500)] * 4)
        with open_input(server.url("/data.bin"), policy) as f:
            assert f.read() == DATA
    assert len(sleeps) == 8
    assert sleeps[:4] == sleeps[4:]


def test_429_honours_retry_after(server: Server, sleeps: list[float]) -> None:
    too_many = Action("status", status=429, headers=(("Retry-After", "0"),))
    server.script(too_many, too_many)
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.read() == DATA
    assert sleeps == [0.0, 0.0]
    assert len(server.gets()) == 3


def test_retry_after_is_capped_by_backoff_max(server: Server, sleeps: list[float]) -> None:
    server.script(Action("status", status=503, headers=(("Retry-After", "3600"),)))
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.read() == DATA
    assert sleeps == [FAST.backoff_max_s]


def test_connection_reset_mid_body_resumes_with_range(server: Server) -> None:
    server.script(Action("reset", after=100_000))
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.read() == DATA
        assert f.retries_used == 1  # type: ignore[attr-defined]
    first, second = server.gets()
    assert first.range is None
    # How much of the body arrived before the RST is up to the kernels; the resume must start exactly there.
    assert 0 <= _range_start(second) <= 100_000


def test_body_shorter_than_content_length_resumes_at_the_exact_byte(server: Server) -> None:
    server.script(Action("cut", after=123_457))
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.read() == DATA
        assert f.retries_used == 1  # type: ignore[attr-defined]
    assert [s.range for s in server.gets()] == [None, "bytes=123457-"]


def test_progress_resets_the_retry_budget(server: Server) -> None:
    """Seven separate cuts on one file are survivable with retries=2, because each reply made progress."""
    server.plan = lambda _i: Action("cut", after=40_000)
    with open_input(server.url("/data.bin"), RetryPolicy(retries=2, backoff_base_s=0.001, seed=1)) as f:
        assert f.read() == DATA
        assert f.retries_used == 7  # type: ignore[attr-defined]
    assert [s.range for s in server.gets()] == [None] + [f"bytes={40_000 * k}-" for k in range(1, 8)]


def test_read_timeout_mid_body_resumes(server: Server) -> None:
    server.script(Action("stall", after=50_000, delay=1.0))
    policy = RetryPolicy(retries=2, backoff_base_s=0.001, timeout_s=0.2, seed=1)
    with open_input(server.url("/data.bin"), policy) as f:
        assert f.read() == DATA
        assert f.retries_used == 1  # type: ignore[attr-defined]
    assert [s.range for s in server.gets()] == [None, "bytes=50000-"]


@pytest.mark.parametrize("status", [404, 403, 400, 410])
def test_client_errors_are_permanent_and_never_retried(server: Server, sleeps: list[float], status: int) -> None:
    server.script(then=Action("status", status=status))
    with pytest.raises(PermanentInputError) as info:
        open_input(server.url("/data.bin"), FAST)
    assert info.value.status == status
    assert info.value.transient is False
    assert info.value.uri == server.url("/data.bin")
    assert isinstance(info.value, OSError)
    assert len(server.gets()) == 1
    assert sleeps == []


def test_missing_url_is_permanent(server: Server) -> None:
    with pytest.raises(PermanentInputError, match="404"):
        open_input(server.url("/nope.warc.gz"), FAST)
    assert len(server.gets()) == 1


@pytest.mark.parametrize("failure", [Action("status", status=503), Action("reset", after=0)], ids=["503", "reset"])
def test_always_failing_server_exhausts_exactly_the_budget(
    server: Server, sleeps: list[float], failure: Action
) -> None:
    server.script(then=failure)
    policy = RetryPolicy(retries=3, backoff_base_s=0.001, seed=3)
    with pytest.raises(TransientInputError) as info, open_input(server.url("/data.bin"), policy) as f:
        f.read()
    assert info.value.transient is True
    assert info.value.uri == server.url("/data.bin")
    assert info.value.retries_used == 3
    assert len(server.gets()) == 4  # the first try and exactly 3 retries
    assert len(sleeps) == 3


def test_failures_separated_by_progress_get_a_fresh_budget(server: Server) -> None:
    """Two failures, progress, two failures: fine with retries=2, since only consecutive failures count."""
    slowdown = Action("status", status=503)
    server.script(Action("cut", after=10_000), slowdown, Action("cut", after=10_000), slowdown)
    with open_input(server.url("/data.bin"), RetryPolicy(retries=2, backoff_base_s=0.001, seed=3)) as f:
        assert f.read() == DATA
        assert f.retries_used == 4  # type: ignore[attr-defined]
    assert [s.range for s in server.gets()] == [None] + ["bytes=10000-"] * 2 + ["bytes=20000-"] * 2


def test_budget_is_spent_by_consecutive_failures_after_progress(server: Server) -> None:
    server.script(Action("cut", after=10_000), then=Action("status", status=503))
    f = open_input(server.url("/data.bin"), RetryPolicy(retries=2, backoff_base_s=0.001, seed=3))
    assert f.read(10_000) == DATA[:10_000]
    with pytest.raises(TransientInputError) as info:
        f.read()
    f.close()
    assert info.value.retries_used == 2
    assert len(server.gets()) == 3  # the cut reply, then two 503s


def test_open_at_offset_sends_range_and_reports_absolute_position(server: Server) -> None:
    with open_input(server.url("/data.bin"), FAST, offset=1000) as f:
        assert f.tell() == 1000
        assert f.read(24) == DATA[1000:1024]
        assert f.tell() == 1024
        assert f.read() == DATA[1024:]
    assert [s.range for s in server.gets()] == ["bytes=1000-"]


def test_offset_at_end_is_empty_and_past_end_is_permanent(server: Server, sleeps: list[float]) -> None:
    with open_input(server.url("/data.bin"), FAST, offset=len(DATA)) as f:
        assert f.read() == b""
    with pytest.raises(PermanentInputError, match="past the end"):
        open_input(server.url("/data.bin"), FAST, offset=len(DATA) + 1)
    assert sleeps == []


def test_server_ignoring_range_on_resume_is_skipped_over(server: Server) -> None:
    server.script(Action("cut", after=60_000), Action("ignore_range"))
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.read() == DATA
    assert [s.range for s in server.gets()] == [None, "bytes=60000-"]


def test_wrong_content_range_is_retried(server: Server) -> None:
    server.script(Action("cut", after=60_000), Action("bad_range"))
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.read() == DATA
        assert f.retries_used == 2  # type: ignore[attr-defined]
    assert [s.range for s in server.gets()] == [None, "bytes=60000-", "bytes=60000-"]


def test_file_changed_between_requests_is_permanent(server: Server) -> None:
    server.script(Action("cut", after=60_000), Action(etag='"v2"'))
    with pytest.raises(PermanentInputError, match="ETag changed"), open_input(server.url("/data.bin"), FAST) as f:
        f.read()


def test_stream_interface_across_a_resume(server: Server) -> None:
    server.script(Action("cut", after=99_999))
    f = open_input(server.url("/data.bin"), FAST)
    assert not f.seekable()
    assert not f.writable()
    out = io.BytesIO()
    buf = bytearray(7_777)  # odd size, so one readinto spans the cut
    while n := f.readinto(buf):  # type: ignore[attr-defined]
        out.write(buf[:n])
    assert out.getvalue() == DATA
    assert f.tell() == len(DATA)
    f.close()
    f.close()  # idempotent
    with pytest.raises(ValueError):
        f.read(1)


def test_read_n_returns_exactly_n_and_read1_makes_progress(server: Server) -> None:
    server.script(Action("cut", after=5))
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.read(0) == b""
        assert f.read(10) == DATA[:10]  # spans the cut at byte 5
        chunk = f.read1(1000)  # type: ignore[attr-defined]
        assert 0 < len(chunk) <= 1000
        assert chunk == DATA[10 : 10 + len(chunk)]


def test_closing_early_does_not_hang(server: Server) -> None:
    start = time.monotonic()
    with open_input(server.url("/data.bin"), FAST) as f:
        assert f.read(100) == DATA[:100]
    assert time.monotonic() - start < 2


def test_input_size_http_local_and_missing(server: Server, tmp_path: Path) -> None:
    server.script(Action("status", status=503))
    assert input_size(server.url("/data.bin"), FAST) == len(DATA)
    assert [s.method for s in server.log] == ["HEAD", "HEAD"]
    with pytest.raises(PermanentInputError):
        input_size(server.url("/missing"), FAST)
    local = tmp_path / "x.bin"
    local.write_bytes(b"12345")
    assert input_size(str(local), FAST) == 5
    assert input_size(local.as_uri(), FAST) == 5
    with pytest.raises(PermanentInputError):
        input_size(str(tmp_path / "missing"), FAST)
    with pytest.raises(PermanentInputError):
        input_size(str(tmp_path), FAST)


# ------------------------------------------------------------------------------------------------- read_lines


def test_read_lines_gunzips_a_listing_over_http(server: Server) -> None:
    assert read_lines(server.url("/warc.paths.gz"), FAST) == LISTING


def test_read_lines_detects_gzip_by_magic(server: Server) -> None:
    assert read_lines(server.url("/listing"), FAST) == LISTING


def test_read_lines_resumes_a_broken_listing(server: Server) -> None:
    server.script(Action("reset", after=10))
    assert read_lines(server.url("/warc.paths.gz"), FAST) == LISTING


def test_read_lines_corrupt_gzip_is_permanent(server: Server) -> None:
    with pytest.raises(PermanentInputError, match="cannot decode"):
        read_lines(server.url("/bad.gz"), FAST)


def test_read_lines_local_gz_and_plain(tmp_path: Path) -> None:
    gz = tmp_path / "warc.paths.gz"
    gz.write_bytes(LISTING_GZ)
    assert read_lines(str(gz)) == LISTING
    plain = tmp_path / "manifest.txt"
    plain.write_bytes(b"\xef\xbb\xbf  first \r\n\n   \nsecond\t\nthird")
    assert read_lines(str(plain)) == ["first", "second", "third"]
    assert read_lines(plain.as_uri()) == ["first", "second", "third"]


# ------------------------------------------------------------------------------------------------------ local


def test_local_open_with_offset(tmp_path: Path) -> None:
    path = tmp_path / "a b.warc.gz"
    path.write_bytes(DATA[:5000])
    with open_input(str(path), offset=1234) as f:
        assert f.tell() == 1234
        assert f.read() == DATA[1234:5000]
        assert retries_used(f) == 0
    with open_input(path.as_uri(), offset=4999) as f:  # file:// with a %20 in it
        assert f.read() == DATA[4999:5000]
    with open_input(str(path), offset=5000) as f:
        assert f.read() == b""


def test_local_errors_are_permanent(tmp_path: Path, sleeps: list[float]) -> None:
    with pytest.raises(PermanentInputError) as info:
        open_input(str(tmp_path / "missing.warc.gz"), FAST)
    assert info.value.transient is False
    assert isinstance(info.value.__cause__, FileNotFoundError)
    with pytest.raises(PermanentInputError):
        open_input(str(tmp_path), FAST)
    small = tmp_path / "small"
    small.write_bytes(b"abc")
    with pytest.raises(PermanentInputError, match="past the end"):
        open_input(str(small), FAST, offset=4)
    with pytest.raises(ValueError):
        open_input(str(small), FAST, offset=-1)
    assert sleeps == []


@pytest.mark.parametrize(
    "uri", ["ftp://example.org/x", "gs://bucket/key", "", "s3://bucket-only", "s3:///key", "file://otherhost/tmp/x"]
)
def test_bad_uris_are_permanent(uri: str) -> None:
    with pytest.raises(PermanentInputError):
        open_input(uri, FAST)


# -------------------------------------------------------------------------------------------- helpers, policy


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("https://data.commoncrawl.org/", "crawl-data/CC-MAIN-2024-10/warc.paths.gz",
         "https://data.commoncrawl.org/crawl-data/CC-MAIN-2024-10/warc.paths.gz"),
        ("https://data.commoncrawl.org", "crawl-data/x.gz", "https://data.commoncrawl.org/crawl-data/x.gz"),
        ("https://data.commoncrawl.org/", "/crawl-data/x.gz", "https://data.commoncrawl.org/crawl-data/x.gz"),
        ("s3://commoncrawl/", "crawl-data/x.gz", "s3://commoncrawl/crawl-data/x.gz"),
        ("s3://commoncrawl", "crawl-data/x.gz", "s3://commoncrawl/crawl-data/x.gz"),
        ("https://mirror.example/cc/", "s3://commoncrawl/crawl-data/x.gz", "s3://commoncrawl/crawl-data/x.gz"),
        ("/data/cc", "crawl-data/x.gz", "/data/cc/crawl-data/x.gz"),
        ("", "crawl-data/x.gz", "crawl-data/x.gz"),
    ],
)  # fmt: skip
def test_join_uri(base: str, path: str, expected: str) -> None:
    assert join_uri(base, path) == expected


def test_backoff_bounds_and_retry_after() -> None:
    policy = RetryPolicy(backoff_base_s=0.5, backoff_max_s=60.0)
    rng = random.Random(0)
    for attempt in range(12):
        assert 0.0 <= policy.backoff_s(attempt, rng) <= min(60.0, 0.5 * 2**attempt)
    assert policy.backoff_s(1000, rng) <= 60.0  # no overflow for absurd attempt numbers
    assert policy.backoff_s(0, rng, retry_after_s=7.0) == 7.0
    assert policy.backoff_s(0, rng, retry_after_s=600.0) == 60.0
    a = [RetryPolicy(seed=5).backoff_s(i, random.Random(5)) for i in range(3)]
    b = [RetryPolicy(seed=5).backoff_s(i, random.Random(5)) for i in range(3)]
    assert a == b


@pytest.mark.parametrize(
    "kwargs", [{"retries": -1}, {"backoff_base_s": -1.0}, {"backoff_max_s": -0.5}, {"timeout_s": 0.0}]
)
def test_retry_policy_rejects_nonsense(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(**kwargs)


def test_retry_after_parsing() -> None:
    parse = remote_io._parse_retry_after
    assert parse(None) is None
    assert parse("0") == 0.0
    assert parse(" 12 ") == 12.0
    assert parse("garbage") is None
    assert parse(format_datetime(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)) == 0.0
    later = parse(format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True))
    assert later is not None and 100 < later <= 120


def test_errors_pickle_and_keep_their_fields() -> None:
    for cls in (TransientInputError, PermanentInputError):
        err = cls("boom", uri="s3://b/k", status=503, retries_used=4)
        copy = pickle.loads(pickle.dumps(err))
        assert type(copy) is cls
        assert (str(copy), copy.uri, copy.status, copy.retries_used, copy.transient) == (
            "boom",
            "s3://b/k",
            503,
            4,
            cls is TransientInputError,
        )
        assert isinstance(copy, InputError)


# ------------------------------------------------------------------------------------------------------------ s3


class FakeClientError(Exception):
    """Shaped like botocore's ClientError (``.response``), so these tests need no boto3."""

    def __init__(self, code: str, status: int, **extra: str) -> None:
        super().__init__(code)
        self.response = {
            "Error": {"Code": code, "Message": code, **extra},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }


class FakeBody:
    def __init__(self, data: bytes, break_after: int | None) -> None:
        self._buf = io.BytesIO(data)
        self._left = break_after

    def read(self, n: int) -> bytes:
        if self._left is not None:
            if self._left == 0:
                raise ConnectionResetError(104, "Connection reset by peer")
            n = min(n, self._left)
            self._left -= n
        return self._buf.read(n)

    def close(self) -> None:
        pass


class FakeS3:
    def __init__(self, objects: dict[str, bytes], script: list[Any]) -> None:
        self.objects = objects
        self.script = script  # per call: an exception to raise, an int to break the body after, or None
        self.calls: list[dict[str, Any]] = []

    def get_object(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        step = self.script.pop(0) if self.script else None
        if isinstance(step, Exception):
            raise step
        data = self.objects.get(kwargs["Key"])
        if data is None:
            raise FakeClientError("NoSuchKey", 404)
        start = int(re.fullmatch(r"bytes=(\d+)-", kwargs.get("Range", "bytes=0-"))[1])  # type: ignore[index]
        if start >= len(data) and "Range" in kwargs:
            raise FakeClientError("InvalidRange", 416, ActualObjectSize=str(len(data)))
        reply: dict[str, Any] = {
            "Body": FakeBody(data[start:], step),
            "ContentLength": len(data) - start,
            "ETag": '"abc"',
            "ResponseMetadata": {"HTTPStatusCode": 206 if "Range" in kwargs else 200},
        }
        if "Range" in kwargs:
            reply["ContentRange"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        return reply

    def head_object(self, **kwargs: Any) -> dict[str, Any]:
        if kwargs["Key"] not in self.objects:
            raise FakeClientError("404", 404)
        return {"ContentLength": len(self.objects[kwargs["Key"]])}


@pytest.fixture
def fake_s3() -> Iterator[Callable[[list[Any]], FakeS3]]:
    def install(script: list[Any]) -> FakeS3:
        client = FakeS3({"crawl-data/a.warc.gz": DATA}, script)
        set_s3_client_factory(lambda _policy: client)
        return client

    yield install
    set_s3_client_factory(None)


def test_s3_slowdown_and_reset_resume_with_range(fake_s3: Callable[[list[Any]], FakeS3], sleeps: list[float]) -> None:
    client = fake_s3([FakeClientError("SlowDown", 503), 70_000, FakeClientError("InternalError", 500)])
    with open_input("s3://commoncrawl/crawl-data/a.warc.gz", FAST) as f:
        assert f.read() == DATA
        assert f.retries_used == 3  # type: ignore[attr-defined]
    assert [c.get("Range") for c in client.calls] == [None, None, "bytes=70000-", "bytes=70000-"]
    assert {c["Bucket"] for c in client.calls} == {"commoncrawl"}
    assert len(sleeps) == 3


def test_s3_missing_key_is_permanent(fake_s3: Callable[[list[Any]], FakeS3], sleeps: list[float]) -> None:
    client = fake_s3([])
    with pytest.raises(PermanentInputError, match="NoSuchKey") as info:
        open_input("s3a://commoncrawl/crawl-data/missing.warc.gz", FAST)
    assert info.value.status == 404
    assert len(client.calls) == 1
    assert sleeps == []
    with pytest.raises(PermanentInputError):
        input_size("s3://commoncrawl/crawl-data/missing.warc.gz", FAST)


def test_s3_offsets_and_size(fake_s3: Callable[[list[Any]], FakeS3]) -> None:
    fake_s3([])
    uri = "s3://commoncrawl/crawl-data/a.warc.gz"
    assert input_size(uri, FAST) == len(DATA)
    with open_input(uri, FAST, offset=299_000) as f:
        assert f.read() == DATA[299_000:]
    with open_input(uri, FAST, offset=len(DATA)) as f:
        assert f.read() == b""
    with pytest.raises(PermanentInputError, match="past the end"):
        open_input(uri, FAST, offset=len(DATA) + 10)


def test_s3_throttling_exhausts_the_budget(fake_s3: Callable[[list[Any]], FakeS3]) -> None:
    client = fake_s3([FakeClientError("SlowDown", 503)] * 10)
    with pytest.raises(TransientInputError, match="SlowDown"):
        open_input("s3://commoncrawl/crawl-data/a.warc.gz", FAST)
    assert len(client.calls) == FAST.retries + 1


def test_botocore_network_errors_are_transient() -> None:
    bce = pytest.importorskip("botocore.exceptions")
    for exc in (
        bce.EndpointConnectionError(endpoint_url="https://s3.amazonaws.com"),
        bce.ConnectionClosedError(endpoint_url="https://s3.amazonaws.com"),
        bce.ReadTimeoutError(endpoint_url="https://s3.amazonaws.com"),
        bce.ResponseStreamingError(error="reset"),
        bce.IncompleteReadError(actual_bytes=1, expected_bytes=2),
    ):
        assert isinstance(remote_io._s3_failure("s3://b/k", exc), remote_io._TransientError), exc
    assert isinstance(remote_io._s3_failure("s3://b/k", bce.NoCredentialsError()), PermanentInputError)


def test_s3_without_boto3_is_a_clear_permanent_error(monkeypatch: pytest.MonkeyPatch) -> None:
    set_s3_client_factory(None)
    monkeypatch.setitem(sys.modules, "boto3", None)  # makes `import boto3` raise ImportError
    try:
        with pytest.raises(PermanentInputError, match="boto3"):
            open_input("s3://commoncrawl/crawl-data/a.warc.gz", FAST)
    finally:
        set_s3_client_factory(None)


def test_module_imports_without_boto3() -> None:
    code = (
        "import sys; sys.modules['boto3'] = None; sys.modules['botocore'] = None\n"
        "import crawlforge.lib.remote_io as r\n"
        "assert r.join_uri('s3://commoncrawl', 'x') == 's3://commoncrawl/x'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_s3_against_moto_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through the default boto3 client, against moto's server on loopback."""
    boto3 = pytest.importorskip("boto3")
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        for name, value in {
            "AWS_ENDPOINT_URL_S3": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        setup = boto3.client("s3", endpoint_url=endpoint)
        setup.create_bucket(Bucket="commoncrawl")
        setup.put_object(Bucket="commoncrawl", Key="crawl-data/a.warc.gz", Body=DATA)
        setup.put_object(Bucket="commoncrawl", Key="crawl-data/warc.paths.gz", Body=LISTING_GZ)
        set_s3_client_factory(None)  # the default factory, which must pick up the endpoint from the environment
        uri = join_uri("s3://commoncrawl/", "crawl-data/a.warc.gz")
        with open_input(uri, FAST) as f:
            assert f.read() == DATA
        with open_input(uri, FAST, offset=123) as f:
            assert f.read() == DATA[123:]
        assert input_size(uri, FAST) == len(DATA)
        assert read_lines("s3://commoncrawl/crawl-data/warc.paths.gz", FAST) == LISTING
        with pytest.raises(PermanentInputError):
            open_input("s3://commoncrawl/crawl-data/missing", FAST)
        with pytest.raises(PermanentInputError):
            input_size("s3://commoncrawl/crawl-data/missing", FAST)
    finally:
        set_s3_client_factory(None)
        server.stop()
