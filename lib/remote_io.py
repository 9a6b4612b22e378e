"""Open crawl inputs (local paths, file://, http(s)://, s3://) as streaming byte readers that survive throttling.

Common Crawl serves its WARC files from ``https://data.commoncrawl.org/`` and ``s3://commoncrawl/``. Under load it
answers ``503 SlowDown`` (and sometimes 429, other 5xx, connection resets, read timeouts or bodies cut short), and a
single 1 GB WARC download can hit several of these. Failing the whole Spark task on the first hiccup would waste the
work done so far and hammer the service with task-level retries, so this module retries inside the stream instead:

* opening is retried with capped exponential backoff and full jitter (and ``Retry-After`` when the server sends it);
* if a body breaks off mid-stream, the rest is re-requested with ``Range: bytes=<pos>-`` and the reply is checked
  (206 + matching ``Content-Range``, same size and ETag), so the caller sees one continuous byte stream;
* the retry budget counts *consecutive* failures without progress: any new byte resets it, so a long download that
  survives ten separate resets is not failed, while a server that never delivers fails after ``retries`` retries;
* permanent failures (404, 403, 400, missing local file, unknown scheme) are never retried.

boto3 is an optional extra: it is imported only when an ``s3://`` input is first opened.
"""

from __future__ import annotations

import email.utils
import errno
import gzip
import http.client
import io
import logging
import os
import random
import re
import stat
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol, TypeVar, cast
from urllib.parse import unquote, urlsplit

import requests
import urllib3


if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


__all__ = [
    "USER_AGENT",
    "InputError",
    "PermanentInputError",
    "RemoteStream",
    "RetryPolicy",
    "TransientInputError",
    "input_size",
    "join_uri",
    "open_input",
    "read_lines",
    "retries_used",
    "set_s3_client_factory",
]

logger = logging.getLogger(__name__)

USER_AGENT = "crawlforge/0.1 (+https://github.com/crawlforge)"

# Bodies are read in pieces of at most this size so that a read(-1) does not ask urllib3 for one huge buffer and
# so that progress (which resets the retry budget) is noticed often.
_CHUNK = 1 << 20
# Reads that wait for a full buffer lose what they had gathered when the connection breaks; keep those small.
_SMALL_READ = 256 << 10
_GZIP_MAGIC = b"\x1f\x8b"
_TRANSIENT_STATUS = frozenset({408, 425, 429})
_S3_TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "ServiceUnavailable",
        "RequestLimitExceeded",
        "TooManyRequestsException",
    }
)
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_CONTENT_RANGE_RE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)
_UNSATISFIED_RANGE_RE = re.compile(r"^\s*bytes\s+\*/(\d+)\s*$", re.IGNORECASE)

T = TypeVar("T")


# --------------------------------------------------------------------------------------------------- policy, errors


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on an input; frozen so one instance can be shared by every task.

    ``retries`` counts retries after the first try, and the budget applies to *consecutive* failures without new
    bytes (see the module docstring). ``seed`` makes the jitter reproducible; leave it ``None`` in production,
    because identical seeds make all workers back off in lock-step, which is what jitter exists to prevent.
    """

    retries: int = 8
    backoff_base_s: float = 0.5
    backoff_max_s: float = 60.0
    timeout_s: float = 60.0
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ValueError(f"retries must be >= 0, got {self.retries}")
        if self.backoff_base_s < 0 or self.backoff_max_s < 0:
            raise ValueError("backoff_base_s and backoff_max_s must be >= 0")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s}")

    def backoff_s(self, attempt: int, rng: random.Random, retry_after_s: float | None = None) -> float:
        """Seconds to sleep before retry number ``attempt`` (0-based).

        Full jitter (uniform between 0 and the capped exponential) spreads the retries of many workers that were
        throttled at the same moment. A server's ``Retry-After`` is obeyed instead, capped by ``backoff_max_s`` so
        a hostile or confused header cannot park a task for hours.
        """
        if retry_after_s is not None:
            return max(0.0, min(retry_after_s, self.backoff_max_s))
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** min(attempt, 62))
        return rng.uniform(0.0, ceiling)


class InputError(OSError):
    """An input could not be read. ``transient`` says whether trying again later may help (the job can record it).

    Subclasses OSError so code that already handles I/O failures keeps working.
    """

    transient: bool = False

    def __init__(self, message: str, *, uri: str, status: int | None = None, retries_used: int = 0) -> None:
        super().__init__(message)
        self.uri = uri
        self.status = status
        self.retries_used = retries_used

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments break the default exception pickling, and Spark pickles exceptions that cross
        # from Python workers.
        return (_rebuild_error, (type(self), str(self), self.uri, self.status, self.retries_used))


class TransientInputError(InputError):
    """The retry budget ran out on failures that are usually temporary (5xx, 429, reset, timeout, short body)."""

    transient = True


class PermanentInputError(InputError):
    """The input cannot be read as asked (404, 403, 400, missing file, bad scheme, changed meanwhile); not retried."""

    transient = False


def _rebuild_error(cls: type[InputError], message: str, uri: str, status: int | None, retries_used: int) -> InputError:
    return cls(message, uri=uri, status=status, retries_used=retries_used)


class _TransientError(Exception):
    """Internal signal: this attempt failed in a way worth retrying."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after_s = retry_after_s


class _RangeNotSatisfiableError(Exception):
    """Internal signal: the requested start is at or past the end (HTTP 416, S3 InvalidRange)."""

    def __init__(self, total: int | None) -> None:
        super().__init__(f"range not satisfiable (size {total})")
        self.total = total


# ------------------------------------------------------------------------------------------------------ retry state

# Tests replace this to observe the sleeps without waiting.
_sleep: Callable[[float], None] = time.sleep

_rng = random.Random()
# Forked Spark Python workers would otherwise inherit one RNG state and back off in lock-step.
os.register_at_fork(after_in_child=_rng.seed)


def _rng_for(policy: RetryPolicy) -> random.Random:
    return random.Random(policy.seed) if policy.seed is not None else _rng


class _Retrier:
    """Counts retries for one input, sleeps between them, and raises TransientInputError when the budget is spent."""

    def __init__(self, uri: str, policy: RetryPolicy) -> None:
        self.uri = uri
        self.policy = policy
        self.rng = _rng_for(policy)
        self.used = 0
        self.consecutive = 0

    def progress(self) -> None:
        self.consecutive = 0

    def retry(
        self,
        reason: str,
        *,
        status: int | None = None,
        retry_after_s: float | None = None,
        pos: int | None = None,
        cause: BaseException | None = None,
    ) -> None:
        if self.consecutive >= self.policy.retries:
            err = TransientInputError(
                f"{self.uri}: giving up after {self.consecutive} consecutive retries ({self.used} in total): {reason}",
                uri=self.uri,
                status=status,
                retries_used=self.used,
            )
            err.__cause__ = cause
            raise err
        delay = self.policy.backoff_s(self.consecutive, self.rng, retry_after_s)
        self.consecutive += 1
        self.used += 1
        logger.warning(
            "retry %d/%d for %s%s after %s; sleeping %.3fs",
            self.consecutive,
            self.policy.retries,
            self.uri,
            "" if pos is None else f" at byte {pos}",
            reason,
            delay,
        )
        _sleep(delay)

    def run(self, attempt: Callable[[], T]) -> T:
        """Call ``attempt`` until it returns, retrying on _TransientError."""
        while True:
            try:
                return attempt()
            except _TransientError as exc:
                self.retry(exc.reason, status=exc.status, retry_after_s=exc.retry_after_s, cause=exc.__cause__)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _is_transient_status(status: int) -> bool:
    return status >= 500 or status in _TRANSIENT_STATUS


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _is_transient_io_error(exc: BaseException) -> bool:
    """Errors raised while talking to a server or reading a body that a new request may not hit again."""
    if isinstance(exc, InputError):
        return exc.transient
    if isinstance(exc, OSError | urllib3.exceptions.HTTPError | http.client.HTTPException):
        return True
    try:
        from botocore import exceptions as bce
    except ImportError:
        return False
    return isinstance(exc, bce.ConnectionError | bce.HTTPClientError | bce.IncompleteReadError)


# ---------------------------------------------------------------------------------------------------- the stream


class _Body(Protocol):
    def read(self, n: int) -> bytes: ...

    def close(self) -> None: ...


@dataclass
class _Opened:
    """One successful response: its body and what it claims about the bytes it carries."""

    body: _Body
    start: int  # file offset of the body's first byte
    body_end: int | None  # file offset just past the body's last byte, when announced
    total: int | None  # size of the whole file, when known
    etag: str | None


class _Source(Protocol):
    def open(self, pos: int) -> _Opened: ...

    def is_transient(self, exc: BaseException) -> bool: ...

    def close(self) -> None: ...


def _opened_from_reply(
    body: _Body, *, status: int, pos: int, content_length: int | None, content_range: str | None, etag: str | None
) -> _Opened:
    """Interpret a 200/206 reply to a request for bytes from ``pos`` on; raises _TransientError if it does not fit."""
    if status == 206:
        match = _CONTENT_RANGE_RE.match(content_range or "")
        if match is None:
            body.close()
            raise _TransientError(f"206 with unreadable Content-Range {content_range!r}")
        first, last, total_s = int(match[1]), int(match[2]), match[3]
        if first != pos:
            body.close()
            raise _TransientError(f"asked for bytes from {pos}, got Content-Range {content_range!r}")
        total = None if total_s == "*" else int(total_s)
        return _Opened(body, start=first, body_end=last + 1, total=total, etag=etag)
    # 200: the whole file, whatever Range said; the stream skips up to pos.
    return _Opened(body, start=0, body_end=content_length, total=content_length, etag=etag)


class RemoteStream(io.BufferedIOBase):
    """A read-only, non-seekable byte stream over an http(s) or s3 object that resumes itself after failures.

    ``read(n)`` returns exactly ``n`` bytes unless the input ends first (BufferedIOBase semantics), ``read1`` one
    underlying read. ``tell()`` is the absolute file offset (the ``offset`` passed to open_input plus bytes read).
    ``retries_used`` counts every retry this stream needed, including during opening. Not thread-safe: use one
    stream per thread, like any file object.
    """

    def __init__(self, uri: str, source: _Source, policy: RetryPolicy, offset: int) -> None:
        super().__init__()
        self.name = uri
        self._uri = uri
        self._source = source
        self._retrier = _Retrier(uri, policy)
        self._pos = offset
        self._body: _Body | None = None
        self._resp_start = 0
        self._resp_pos = 0
        self._body_end: int | None = None
        self._total: int | None = None
        self._etag: str | None = None
        self._eof = False
        try:
            # Opening eagerly makes a 404 or a bad offset fail in open_input, not on the first read.
            self._ensure_body()
        except BaseException:
            self.close()
            raise

    @property
    def retries_used(self) -> int:
        return self._retrier.used

    @property
    def size(self) -> int | None:
        """Size of the whole input when a reply announced it."""
        return self._total

    def readable(self) -> bool:
        self._checkClosed()  # type: ignore[attr-defined]
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        self._checkClosed()  # type: ignore[attr-defined]
        return self._pos

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            parts = []
            while chunk := self._read_some(_CHUNK):
                parts.append(chunk)
            return b"".join(parts)
        first = self._read_some(size)
        if len(first) == size or not first:
            return first
        buf = bytearray(first)
        while len(buf) < size and (chunk := self._read_some(size - len(buf))):
            buf += chunk
        return bytes(buf)

    def read1(self, size: int = -1, /) -> bytes:
        return self._read_some(_CHUNK if size < 0 else size)

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view) and (chunk := self._read_some(len(view) - filled)):
            view[filled : filled + len(chunk)] = chunk
            filled += len(chunk)
        return filled

    def readinto1(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer).cast("B")
        chunk = self._read_some(len(view))
        view[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        if not self.closed:
            try:
                self._drop_body()
                self._source.close()
            finally:
                super().close()

    # -- internals

    def _drop_body(self) -> None:
        body, self._body = self._body, None
        if body is not None:
            try:
                body.close()
            except Exception:  # closing a broken connection may itself fail; nothing is lost
                logger.debug("closing body of %s failed", self._uri, exc_info=True)

    def _ensure_body(self) -> None:
        while self._body is None and not self._eof:
            try:
                opened = self._source.open(self._pos)
            except _RangeNotSatisfiableError as exc:
                total = exc.total if exc.total is not None else self._total
                if total is not None and self._pos > total:
                    raise PermanentInputError(
                        f"{self._uri}: offset {self._pos} is past the end of the {total}-byte input",
                        uri=self._uri,
                        status=416,
                        retries_used=self.retries_used,
                    ) from None
                self._eof = True
                return
            except _TransientError as exc:
                self._retrier.retry(
                    exc.reason, status=exc.status, retry_after_s=exc.retry_after_s, pos=self._pos, cause=exc.__cause__
                )
                continue
            try:
                self._adopt(opened)
            except _TransientError as exc:
                self._retrier.retry(exc.reason, pos=self._pos)

    def _adopt(self, opened: _Opened) -> None:
        """Take a new reply, refusing one that describes a different file than the bytes already read."""
        changed = None
        if opened.total is not None and self._total is not None and opened.total != self._total:
            changed = f"size changed from {self._total} to {opened.total}"
        elif (
            opened.etag
            and self._etag
            and opened.etag != self._etag
            and not opened.etag.startswith("W/")
            and not self._etag.startswith("W/")
        ):
            changed = f"ETag changed from {self._etag} to {opened.etag}"
        if changed is not None:
            opened.body.close()
            raise PermanentInputError(
                f"{self._uri}: input changed while being read ({changed})",
                uri=self._uri,
                retries_used=self.retries_used,
            )
        if opened.start > self._pos:
            opened.body.close()
            raise _TransientError(f"reply starts at byte {opened.start}, after the wanted {self._pos}")
        if opened.total is not None:
            self._total = opened.total
        self._etag = opened.etag or self._etag
        if opened.start < self._pos:
            logger.warning("%s: server ignored Range; skipping %d bytes of a full reply", self._uri, self._pos)
        self._body = opened.body
        self._resp_start = self._resp_pos = opened.start
        self._body_end = opened.body_end

    def _read_some(self, n: int) -> bytes:
        """Return 1..n new bytes, or b"" at the true end; hides every retryable failure behind resume + backoff."""
        self._checkClosed()  # type: ignore[attr-defined]
        if n <= 0:
            return b""
        while True:
            if self._total is not None and self._pos >= self._total:
                self._eof = True  # do not wait for a connection that may break right after the last byte
            if self._eof:
                self._drop_body()
                return b""
            self._ensure_body()
            body = self._body
            if body is None:
                continue  # _ensure_body reached the end
            skip = self._pos - self._resp_pos
            try:
                chunk = body.read(min(n if skip == 0 else skip, _CHUNK))
            except Exception as exc:
                if not self._source.is_transient(exc):
                    raise
                self._drop_body()
                self._retrier.retry(_describe(exc), pos=self._pos, cause=exc)
                continue
            if chunk:
                self._resp_pos += len(chunk)
                if skip:
                    # Bytes already delivered, re-sent by a server that ignored Range: not progress.
                    continue
                self._pos += len(chunk)
                self._retrier.progress()
                return chunk
            self._drop_body()
            if self._body_end is not None and self._resp_pos < self._body_end:
                self._retrier.retry(f"body ended early at byte {self._resp_pos} of {self._body_end}", pos=self._pos)
            elif self._total is not None and self._pos < self._total:
                # A reply that covered only part of the rest (allowed for ranges): ask for more. Count it only if
                # it carried nothing, so a server answering empty ranges cannot loop forever.
                if self._resp_pos == self._resp_start:
                    self._retrier.retry(f"empty reply at byte {self._pos} of {self._total}", pos=self._pos)
            else:
                self._eof = True


# ----------------------------------------------------------------------------------------------------------- http


def _new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


_PERMANENT_REQUEST_ERRORS = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
    requests.exceptions.TooManyRedirects,
)


def _request_failure(uri: str, exc: requests.RequestException) -> Exception:
    """Classify an exception from sending a request (no reply yet)."""
    if isinstance(exc, _PERMANENT_REQUEST_ERRORS) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return PermanentInputError(f"{uri}: {_describe(exc)}", uri=uri)
    return _TransientError(_describe(exc))


def _status_failure(uri: str, response: requests.Response) -> Exception:
    """Classify a reply whose status is not 200/206/416; closes it."""
    status = response.status_code
    retry_after = _parse_retry_after(response.headers.get("Retry-After"))
    response.close()
    if _is_transient_status(status):
        return _TransientError(f"HTTP {status}", status=status, retry_after_s=retry_after)
    return PermanentInputError(f"{uri}: HTTP {status} {response.reason}", uri=uri, status=status)


class _HttpBody:
    def __init__(self, response: requests.Response) -> None:
        self._response = response

    def read(self, n: int) -> bytes:
        # read1 returns what has arrived instead of waiting for all n bytes, so when the connection breaks the bytes
        # received before are already ours and the resume starts after them. urllib3 1.x has no read1: bound the
        # loss instead. decode_content=False: Range offsets refer to the bytes as stored, whatever the
        # Content-Encoding.
        raw = self._response.raw
        read1 = getattr(raw, "read1", None)
        if read1 is not None:
            return cast(bytes | None, read1(n, decode_content=False)) or b""
        return cast(bytes, raw.read(min(n, _SMALL_READ), decode_content=False))

    def close(self) -> None:
        self._response.close()


class _HttpSource:
    """GETs from ``pos`` on, one session per stream (requests sessions are not documented as thread-safe)."""

    def __init__(self, uri: str, policy: RetryPolicy) -> None:
        self._uri = uri
        self._timeout = (policy.timeout_s, policy.timeout_s)
        self._session = _new_session()

    def open(self, pos: int) -> _Opened:
        headers = {"Accept-Encoding": "identity"}
        if pos:
            headers["Range"] = f"bytes={pos}-"
        try:
            response = self._session.get(self._uri, headers=headers, stream=True, timeout=self._timeout)
        except requests.RequestException as exc:
            raise _request_failure(self._uri, exc) from exc
        if response.status_code in (200, 206):
            length = response.headers.get("Content-Length")
            return _opened_from_reply(
                _HttpBody(response),
                status=response.status_code,
                pos=pos,
                content_length=int(length) if length and length.isdigit() else None,
                content_range=response.headers.get("Content-Range"),
                etag=response.headers.get("ETag"),
            )
        if response.status_code == 416:
            match = _UNSATISFIED_RANGE_RE.match(response.headers.get("Content-Range", ""))
            response.close()
            raise _RangeNotSatisfiableError(int(match[1]) if match else None)
        raise _status_failure(self._uri, response)

    def is_transient(self, exc: BaseException) -> bool:
        return _is_transient_io_error(exc)

    def close(self) -> None:
        self._session.close()


def _http_size(uri: str, policy: RetryPolicy) -> int | None:
    def attempt() -> int | None:
        with _new_session() as session:
            try:
                response = session.head(
                    uri,
                    headers={"Accept-Encoding": "identity"},
                    allow_redirects=True,
                    timeout=(policy.timeout_s, policy.timeout_s),
                )
            except requests.RequestException as exc:
                raise _request_failure(uri, exc) from exc
            if response.status_code in (405, 501):  # HEAD not supported: size unknown, not an error
                response.close()
                return None
            if response.status_code != 200:
                raise _status_failure(uri, response)
            length = response.headers.get("Content-Length")
            response.close()
            return int(length) if length and length.isdigit() else None

    return _Retrier(uri, policy).run(attempt)


# ------------------------------------------------------------------------------------------------------------- s3

S3ClientFactory = Callable[[RetryPolicy], Any]
_s3_factory: S3ClientFactory | None = None
_s3_clients: dict[tuple[int, float], Any] = {}
_s3_lock = threading.Lock()


def set_s3_client_factory(factory: S3ClientFactory | None) -> None:
    """Use ``factory(policy)`` to build the boto3 S3 client (custom endpoint, credentials, unsigned access...).

    ``None`` restores the default: ``boto3.client("s3")`` with the policy's timeouts and botocore's own retries
    switched off (this module does the retrying; two layers would multiply the attempts). Clients are cached per
    process, since building one is slow and boto3 clients are thread-safe.
    """
    global _s3_factory  # noqa: PLW0603 - a process-wide hook is the point
    with _s3_lock:
        _s3_factory = factory
        _s3_clients.clear()


def _default_s3_client(policy: RetryPolicy) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=policy.timeout_s,
        read_timeout=policy.timeout_s,
        retries={"max_attempts": 0, "mode": "standard"},
        user_agent_extra=USER_AGENT,
    )
    return boto3.session.Session().client("s3", config=config)


def _s3_client(uri: str, policy: RetryPolicy) -> Any:
    key = (os.getpid(), policy.timeout_s)
    with _s3_lock:
        client = _s3_clients.get(key)
        if client is None:
            try:
                client = (_s3_factory or _default_s3_client)(policy)
            except ImportError as exc:
                raise PermanentInputError(
                    f"{uri}: s3:// inputs need boto3 (pip install 'crawlforge[s3]'): {exc}", uri=uri
                ) from exc
            _s3_clients[key] = client
    return client


def _s3_failure(uri: str, exc: Exception) -> Exception:
    """Classify an exception from an S3 call, duck-typing botocore's ClientError (``.response``)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and ("Error" in response or "ResponseMetadata" in response):
        error = response.get("Error") or {}
        meta = response.get("ResponseMetadata") or {}
        code = str(error.get("Code", ""))
        status = meta.get("HTTPStatusCode")
        status = int(status) if isinstance(status, int | str) and str(status).isdigit() else None
        if status == 416 or code == "InvalidRange":
            size = str(error.get("ActualObjectSize", ""))
            return _RangeNotSatisfiableError(int(size) if size.isdigit() else None)
        if code in _S3_TRANSIENT_CODES or (status is not None and _is_transient_status(status)):
            headers = meta.get("HTTPHeaders") or {}
            return _TransientError(
                f"S3 {code or status}", status=status, retry_after_s=_parse_retry_after(headers.get("retry-after"))
            )
        message = error.get("Message") or ""
        return PermanentInputError(f"{uri}: S3 {code} (HTTP {status}) {message}".rstrip(), uri=uri, status=status)
    if _is_transient_io_error(exc):
        return _TransientError(_describe(exc))
    return PermanentInputError(f"{uri}: {_describe(exc)}", uri=uri)


class _S3Body:
    """botocore's StreamingBody waits for all n bytes (and checks the length at the end); keep its reads small."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def read(self, n: int) -> bytes:
        return cast(bytes, self._body.read(min(n, _SMALL_READ)))

    def close(self) -> None:
        self._body.close()


class _S3Source:
    def __init__(self, uri: str, bucket: str, key: str, policy: RetryPolicy) -> None:
        self._uri = uri
        self._bucket = bucket
        self._key = key
        self._client = _s3_client(uri, policy)

    def open(self, pos: int) -> _Opened:
        kwargs: dict[str, Any] = {"Bucket": self._bucket, "Key": self._key}
        if pos:
            kwargs["Range"] = f"bytes={pos}-"
        try:
            reply = self._client.get_object(**kwargs)
        except Exception as exc:
            raise _s3_failure(self._uri, exc) from exc
        status = int((reply.get("ResponseMetadata") or {}).get("HTTPStatusCode") or (206 if pos else 200))
        length = reply.get("ContentLength")
        return _opened_from_reply(
            _S3Body(reply["Body"]),
            status=status,
            pos=pos,
            content_length=int(length) if length is not None else None,
            content_range=reply.get("ContentRange"),
            etag=reply.get("ETag"),
        )

    def is_transient(self, exc: BaseException) -> bool:
        return _is_transient_io_error(exc)

    def close(self) -> None:
        pass  # the client is shared and cached


def _s3_size(uri: str, bucket: str, key: str, policy: RetryPolicy) -> int | None:
    client = _s3_client(uri, policy)

    def attempt() -> int | None:
        try:
            reply = client.head_object(Bucket=bucket, Key=key)
        except Exception as exc:
            failure = _s3_failure(uri, exc)
            if isinstance(failure, _RangeNotSatisfiableError):  # cannot happen without Range; be safe
                failure = PermanentInputError(f"{uri}: {_describe(exc)}", uri=uri)
            raise failure from exc
        length = reply.get("ContentLength")
        return int(length) if length is not None else None

    return _Retrier(uri, policy).run(attempt)


# ---------------------------------------------------------------------------------------------------------- local


def _local_attempt(uri: str, path: str, action: Callable[[str], T]) -> T:
    """Run ``action(path)``; errors that will not go away become PermanentInputError, others retryable."""
    try:
        return action(path)
    except InputError:
        raise
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        raise PermanentInputError(f"{uri}: {exc.strerror or exc}", uri=uri) from exc
    except OSError as exc:  # EIO, ESTALE... on network and FUSE mounts (e.g. /dbfs)
        raise _TransientError(_describe(exc)) from exc


def _regular_file_size(path: str) -> int:
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    return info.st_size


def _open_local(uri: str, path: str, policy: RetryPolicy, offset: int) -> BinaryIO:
    retrier = _Retrier(uri, policy)

    def attempt(p: str) -> BinaryIO:
        f = open(p, "rb")  # noqa: SIM115 - returned to the caller
        try:
            if offset:
                size = os.fstat(f.fileno()).st_size
                if offset > size:
                    raise PermanentInputError(
                        f"{uri}: offset {offset} is past the end of the {size}-byte input", uri=uri
                    )
                f.seek(offset)
        except BaseException:
            f.close()
            raise
        return f

    f = retrier.run(lambda: _local_attempt(uri, path, attempt))
    # Plain files keep their speed and seekability; the attribute keeps the interface uniform.
    f.retries_used = retrier.used  # type: ignore[attr-defined]
    return f


# ------------------------------------------------------------------------------------------------------ public API


def _parse_uri(uri: str) -> tuple[str, str, str]:
    """Return ``(kind, a, b)``: ("local", path, ""), ("http", url, ""), ("s3", bucket, key)."""
    if not uri:
        raise PermanentInputError("empty input URI", uri=uri)
    match = _SCHEME_RE.match(uri)
    scheme = match[1].lower() if match else ("file" if uri[:5].lower() == "file:" else "")
    if not scheme:
        return "local", uri, ""
    if scheme in ("http", "https"):
        return "http", uri, ""
    if scheme in ("s3", "s3a", "s3n"):
        bucket, _, key = uri[match.end() if match else 0 :].partition("/")
        if not bucket or not key:
            raise PermanentInputError(f"{uri}: an s3 URI needs s3://bucket/key", uri=uri)
        return "s3", bucket, key
    if scheme == "file":
        parts = urlsplit(uri)
        if parts.netloc not in ("", "localhost"):
            raise PermanentInputError(f"{uri}: file:// URIs must name a local path", uri=uri)
        return "local", unquote(parts.path), ""
    raise PermanentInputError(f"{uri}: unsupported scheme {scheme!r} (use a path, file, http, https or s3)", uri=uri)


def open_input(uri: str, policy: RetryPolicy = RetryPolicy(), offset: int = 0) -> BinaryIO:
    """Open ``uri`` for reading from byte ``offset``, retrying and resuming transient failures per ``policy``.

    Local paths and file:// URIs give a plain (seekable) file object; http(s):// and s3:// give a RemoteStream that
    resumes broken bodies with Range requests. Every returned object has ``retries_used``. Raises
    PermanentInputError at once for inputs that cannot be read (404, 403, missing file, unknown scheme, offset past
    the end) and TransientInputError when the retry budget runs out.
    """
    if offset < 0:
        raise ValueError(f"offset must be >= 0, got {offset}")
    kind, a, b = _parse_uri(uri)
    if kind == "local":
        return _open_local(uri, a, policy, offset)
    source: _Source = _HttpSource(a, policy) if kind == "http" else _S3Source(uri, a, b, policy)
    return cast(BinaryIO, RemoteStream(uri, source, policy, offset))


def input_size(uri: str, policy: RetryPolicy = RetryPolicy()) -> int | None:
    """Size in bytes (HEAD / stat / head_object), or None when an http server does not say. Retries like open_input."""
    kind, a, b = _parse_uri(uri)
    if kind == "local":
        return _Retrier(uri, policy).run(lambda: _local_attempt(uri, a, _regular_file_size))
    if kind == "http":
        return _http_size(a, policy)
    return _s3_size(uri, a, b, policy)


def read_lines(uri: str, policy: RetryPolicy = RetryPolicy()) -> list[str]:
    """Non-blank, stripped lines of a small text file such as Common Crawl's ``warc.paths.gz``.

    Gunzips when the name ends in ``.gz`` or the bytes start with the gzip magic (some mirrors rename files).
    Corrupt gzip or non-UTF-8 text is a PermanentInputError: the transport already checked the length, so
    fetching again would give the same bytes.
    """
    with open_input(uri, policy) as f:
        data = f.read()
    path = uri.split("?", 1)[0].split("#", 1)[0] if _SCHEME_RE.match(uri) else uri
    try:
        if data[:2] == _GZIP_MAGIC or (path.lower().endswith(".gz") and data):
            data = gzip.decompress(data)
        text = data.decode("utf-8-sig")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise PermanentInputError(f"{uri}: cannot decode listing: {_describe(exc)}", uri=uri) from exc
    return [stripped for line in text.splitlines() if (stripped := line.strip())]


def join_uri(base: str, path: str) -> str:
    """Join a listing entry to its prefix: ``join_uri("https://data.commoncrawl.org/", "crawl-data/...")``.

    Plain concatenation with exactly one ``/`` between, not urljoin: urljoin would drop the last segment of a base
    without a trailing slash and treat a leading ``/`` as the host root, which silently changes the bucket prefix.
    A ``path`` that is already a URI (``scheme://``) is returned unchanged, so listings may mix both forms; a
    leading ``/`` in ``path`` is always treated as relative to ``base``.
    """
    if _SCHEME_RE.match(path) or not base:
        return path
    if not path:
        return base
    return (base if base.endswith("/") else base + "/") + path.lstrip("/")


def retries_used(stream: BinaryIO) -> int:
    """Retries an opened input needed (0 for objects that did not come from open_input)."""
    return int(getattr(stream, "retries_used", 0))
