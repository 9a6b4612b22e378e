"""Read one WARC/WET/WAT file into kept records plus a per-file account of everything else.

This is the unit of work of the ingest job: one input file. The reader streams the file with
FastWARC and gives every record exactly one outcome: kept (a ``RawRecord``), or dropped with a reason
counted in the file's ``FileSummary``. It never raises on bad bytes:

- a corrupt region (bit flips, a gzip member that does not decompress, garbage between records) is
  skipped by scanning forward to the next gzip member (``1f 8b 08``) or, for uncompressed files, the
  next ``WARC/1.`` line, and reading resumes there, so a readable record after the damage is not lost;
- a record whose block is shorter than its Content-Length (a clipped download) is dropped as
  ``truncated``;
- a record larger than the cap is skipped without reading its body (``too_large``).

The file ends ``done`` (read cleanly to the end), ``partial`` (some damage, everything readable kept)
or ``failed`` (nothing readable, or the input could not be opened); ``error`` says why.

Offsets and lengths are those of the record in the *stored* file (the gzip member), so a record can
be fetched again with a range request, as Common Crawl's index does.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO
from urllib.parse import urlsplit

from fastwarc.warc import ArchiveIterator, WarcRecordType

from crawlforge.lib.http_message import parse_http_response


GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/1."
SCAN_CHUNK = 1 << 20
TAIL_CHECK_MAX = 64 << 20  # re-inflate at most this much of the last gzip member to check the file's end

# Reason codes for dropped records (stable names: they are counted in ingest_files and stage_stats).
DROP_RECORD_TYPE = "record_type"  # warcinfo, request, metadata, revisit, resource, ...
DROP_HTTP_STATUS = "http_status"  # a status not in keep_status (redirects, 404, 5xx)
DROP_MIME_TYPE = "mime_type"  # a Content-Type not in keep_mime_types (images, PDF, robots.txt)
DROP_TOO_LARGE = "too_large"  # block above max_record_bytes
DROP_TRUNCATED = "truncated"  # block shorter than its Content-Length
DROP_BAD_HTTP = "bad_http"  # response block that is not a parseable HTTP response
DROP_NO_URL = "no_url"  # no WARC-Target-URI
DROP_EMPTY = "empty_payload"  # nothing after the HTTP headers / empty conversion record
DROP_CORRUPT = "corrupt"  # the block could not be decompressed or read

STATUS_DONE = "done"
STATUS_PARTIAL = "partial"
STATUS_FAILED = "failed"


@dataclass(frozen=True)
class ReadOptions:
    keep_mime_types: frozenset[str] = frozenset({"text/html", "application/xhtml+xml"})
    keep_status: frozenset[int] = frozenset({200})
    max_record_bytes: int = 16 * 1024 * 1024
    resync: bool = True
    max_resyncs: int = 10_000
    keep_headers: frozenset[str] = frozenset({"x-robots-tag", "tdm-reservation", "tdm-policy", "link"})
    """HTTP response headers (lower case) kept in ``RawRecord.http_headers`` (licence and opt-out evidence)."""


@dataclass(slots=True)
class RawRecord:
    doc_id: str
    url: str
    host: str | None
    warc_record_id: str | None
    warc_type: str
    warc_date: datetime | None
    refers_to: str | None
    offset: int
    length: int | None
    payload_digest: str | None
    http_status: int | None
    content_type: str | None
    charset: str | None
    identified_language: str | None
    payload: bytes
    http_headers: dict[str, str] | None = None  # the ReadOptions.keep_headers present in the response


@dataclass
class FileSummary:
    status: str = STATUS_DONE
    error: str | None = None
    error_kind: str | None = None  # corrupt | transient | permanent
    records_total: int = 0
    records_kept: int = 0
    records_dropped: int = 0
    counts_by_type: Counter[str] = field(default_factory=Counter)
    drops_by_reason: Counter[str] = field(default_factory=Counter)
    http_status_counts: Counter[str] = field(default_factory=Counter)
    corrupt_regions: int = 0
    bytes_skipped: int = 0
    retries: int = 0

    def add_error(self, message: str, kind: str) -> None:
        self.error = message if self.error is None else f"{self.error}; {message}"
        if self.error_kind != "transient":  # transient wins: it means "worth retrying"
            self.error_kind = kind


def make_doc_id(source: str, record_key: str) -> str:
    """Deterministic 128-bit id: the same record gives the same id on every run and cluster."""
    return hashlib.blake2b(f"{source}\x00{record_key}".encode(), digest_size=16).hexdigest()


def file_id_of(path: str) -> str:
    """Short stable id of an input file (its raw rows are found by it; Delta stats on it are exact)."""
    return hashlib.blake2b(path.encode(), digest_size=8).hexdigest()


def host_of(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _strip_brackets(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    return value or None


class _CountingReader(io.RawIOBase):
    """Counts bytes FastWARC pulls from the source, to know where the stream ended."""

    def __init__(self, inner: BinaryIO) -> None:
        self._inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """FastWARC 2.0 asks for the position with seek(0, SEEK_CUR); forward seeks are reads."""
        target = offset if whence == io.SEEK_SET else self.count + offset if whence == io.SEEK_CUR else None
        if target is None or target < self.count:
            raise io.UnsupportedOperation(f"cannot seek to {offset} (whence={whence}) in a streamed input")
        while self.count < target:
            if not self.read(min(1 << 20, target - self.count)):
                break
        return self.count

    def readinto(self, buf: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buf))
        n = len(data)
        buf[:n] = data
        self.count += n
        return n

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self.count += len(data)
        return data

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


class WarcFileReader:
    """Iterate the kept records of one file; ``summary`` is complete when iteration ends.

    ``open_at(offset)`` returns a binary stream of the stored file from ``offset`` (a local file
    seeked there, or an HTTP/S3 range request), so the reader can resume after a corrupt region.
    ``source`` goes into ``doc_id``.
    """

    def __init__(self, open_at: Callable[[int], BinaryIO], source: str, options: ReadOptions) -> None:
        self._open_at = open_at
        self._source = source
        self._opt = options
        self.summary = FileSummary()
        self._emitted: set[tuple[int, int]] = set()
        self._last_start = -1
        self._last_truncated = False

    # -- public -----------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[RawRecord]:
        s = self.summary
        try:
            head = self._read_head()
        except Exception as exc:  # noqa: BLE001 - any failure to open is recorded, never raised
            self._fail_open(exc)
            return
        if not head:
            s.status = STATUS_FAILED
            s.add_error("empty input file (0 bytes)", "corrupt")
            return
        compressed = head.startswith(b"\x1f\x8b")
        magic = GZIP_MAGIC if compressed else WARC_MAGIC
        pos = 0
        resyncs = 0
        while True:
            outcome = yield from self._read_from(pos)
            if outcome is None:  # clean end of the stream: make sure no truncated member was ignored
                if compressed and self._last_start >= 0:
                    outcome = self._check_tail(self._last_start)
                if outcome is None:
                    break
            failed_at, message, kind = outcome
            if kind == "transient" or not self._opt.resync or resyncs >= self._opt.max_resyncs:
                s.add_error(message, kind)
                break
            try:
                nxt = self._scan_for(magic, failed_at + 1)
            except Exception as exc:  # noqa: BLE001
                s.add_error(f"{message}; resync read failed: {exc}", _kind_of(exc))
                break
            s.corrupt_regions += 1
            if nxt is None:
                s.add_error(f"{message} (no readable record after offset {failed_at})", kind)
                break
            s.bytes_skipped += nxt - failed_at
            if s.corrupt_regions <= 3:
                s.add_error(f"{message}; resumed at offset {nxt}", kind)
            resyncs += 1
            pos = nxt
        self._finish()

    # -- internals --------------------------------------------------------------------------------

    def _read_head(self) -> bytes:
        stream = self._open_at(0)
        try:
            return stream.read(16)
        finally:
            self._add_retries(stream)
            stream.close()

    def _add_retries(self, stream: object) -> None:
        self.summary.retries += int(getattr(stream, "retries_used", 0) or 0)

    def _fail_open(self, exc: BaseException) -> None:
        self.summary.status = STATUS_FAILED
        self.summary.add_error(f"cannot open input: {type(exc).__name__}: {exc}", _kind_of(exc, default="permanent"))

    def _finish(self) -> None:
        s = self.summary
        s.records_dropped = s.records_total - s.records_kept
        if s.error is None and s.drops_by_reason.get(DROP_TRUNCATED, 0) == 0:
            s.status = STATUS_DONE
        elif s.records_total == 0:
            s.status = STATUS_FAILED
            if s.error is None:
                s.add_error("no WARC record could be read", "corrupt")
        else:
            s.status = STATUS_PARTIAL
            if s.error is None:
                s.add_error("a record is truncated (block shorter than its Content-Length)", "corrupt")

    def _read_from(self, base: int) -> Iterator[RawRecord]:
        """Read records from stored offset ``base``; returns None at a clean end, else (offset, error, kind)."""
        try:
            raw = self._open_at(base)
        except Exception as exc:  # noqa: BLE001
            return base, f"cannot open input at offset {base}: {type(exc).__name__}: {exc}", _kind_of(exc)
        counter = _CountingReader(raw)
        last_start = -1
        pending: RawRecord | None = None
        try:
            iterator = ArchiveIterator(
                counter,
                parse_http=False,
                stream_detect=True,
            )
            ordinal = 0
            for rec in iterator:
                start = base + rec.stream_pos
                # Records that share one gzip member (a file compressed as a single stream) share its
                # offset; (offset, ordinal) still names each record uniquely.
                ordinal = ordinal + 1 if start == last_start else 0
                if pending is not None:
                    pending.length = (start - pending.offset) or None
                    yield pending
                    pending = None
                last_start = start
                key = (start, ordinal)
                if key in self._emitted:  # already accounted for before a resync
                    continue
                kept = self._process(rec, key)
                self._emitted.add(key)
                if kept is not None:
                    pending = kept
        except Exception as exc:  # noqa: BLE001 - FastWARC raises OSError on corrupt input
            if pending is not None:
                yield pending  # fully read before the failure; its stored length is unknown
            self._add_retries(raw)
            raw.close()
            return max(last_start, base), f"{type(exc).__name__}: {exc}", _kind_of(exc, default="corrupt")
        if pending is not None:
            pending.length = (base + counter.count - pending.offset) or None
            yield pending
        self._last_start = max(self._last_start, last_start)
        self._add_retries(raw)
        raw.close()
        return None

    def _process(self, rec: object, key: tuple[int, int]) -> RawRecord | None:
        s = self.summary
        s.records_total += 1
        self._last_truncated = False
        rtype = str(rec.record_type)  # type: ignore[attr-defined]
        s.counts_by_type[rtype] += 1
        rt = rec.record_type  # type: ignore[attr-defined]
        if rt not in (WarcRecordType.response, WarcRecordType.conversion):
            s.drops_by_reason[DROP_RECORD_TYPE] += 1
            return None
        declared = rec.content_length  # type: ignore[attr-defined]
        if declared > self._opt.max_record_bytes:
            s.drops_by_reason[DROP_TOO_LARGE] += 1
            return None
        try:
            block = rec.reader.read()  # type: ignore[attr-defined]
        except Exception:
            s.drops_by_reason[DROP_CORRUPT] += 1
            self._emitted.add(key)
            raise
        if len(block) < declared:
            s.drops_by_reason[DROP_TRUNCATED] += 1
            self._last_truncated = True
            return None
        headers = rec.headers  # type: ignore[attr-defined]
        url = _strip_brackets(headers.get("WARC-Target-URI"))
        if not url:
            s.drops_by_reason[DROP_NO_URL] += 1
            return None
        record_id = _strip_brackets(headers.get("WARC-Record-ID"))
        try:
            date: datetime | None = rec.record_date  # type: ignore[attr-defined]
            if date is not None and date.tzinfo is None:
                date = date.replace(tzinfo=UTC)
        except Exception:  # noqa: BLE001 - a malformed WARC-Date is not a reason to drop the page
            date = None
        refers_to = _strip_brackets(headers.get("WARC-Refers-To"))
        identified = headers.get("WARC-Identified-Content-Language")
        if rt == WarcRecordType.conversion:
            if not block.strip():
                s.drops_by_reason[DROP_EMPTY] += 1
                return None
            status, mime, charset, payload = None, "text/plain", "utf-8", block
            kept_headers = None
        else:
            http = parse_http_response(block, self._opt.max_record_bytes)
            if not http.ok:
                s.drops_by_reason[DROP_BAD_HTTP] += 1
                return None
            s.http_status_counts[str(http.status)] += 1
            if http.status not in self._opt.keep_status:
                s.drops_by_reason[DROP_HTTP_STATUS] += 1
                return None
            if http.mime_type not in self._opt.keep_mime_types:
                s.drops_by_reason[DROP_MIME_TYPE] += 1
                return None
            if not http.body.strip():
                s.drops_by_reason[DROP_EMPTY] += 1
                return None
            status, mime, charset, payload = http.status, http.mime_type, http.charset, http.body
            kept_headers = {k: v for k, v in http.headers.items() if k in self._opt.keep_headers}
        start = key[0]
        identity = record_id or f"{url}\x00{date.isoformat() if date else ''}\x00{start}\x00{key[1]}"
        s.records_kept += 1
        return RawRecord(
            doc_id=make_doc_id(self._source, identity),
            url=url,
            host=host_of(url),
            warc_record_id=record_id,
            warc_type=rtype,
            warc_date=date,
            refers_to=refers_to,
            offset=start,
            length=None,
            payload_digest=headers.get("WARC-Payload-Digest"),
            http_status=status,
            content_type=mime,
            charset=charset,
            identified_language=identified,
            payload=payload,
            http_headers=kept_headers,
        )

    def _check_tail(self, last_start: int) -> tuple[int, str, str] | None:
        """Inflate the last gzip member again; bytes after its end mean a member FastWARC ignored.

        FastWARC ends quietly when the file stops inside a gzip member's header, so a download cut
        there would otherwise look complete. Returns a failure tuple like ``_read_from``.
        """
        stream = self._open_at(last_start)
        try:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            seen = 0
            while not inflater.eof:
                chunk = stream.read(SCAN_CHUNK)
                if seen > TAIL_CHECK_MAX:
                    return None
                if not chunk:  # the last member itself is cut short
                    # seen == 0: a one-stream file (nothing after); _last_truncated: already counted
                    if seen == 0 or self._last_truncated:
                        return None
                    return last_start, f"the last record (offset {last_start}) is cut short", "corrupt"
                seen += len(chunk)
                try:
                    inflater.decompress(chunk, 1 << 16)
                    while inflater.unconsumed_tail and not inflater.eof:
                        inflater.decompress(inflater.unconsumed_tail, 1 << 16)
                except zlib.error:
                    return None
            trailing = inflater.unused_data + stream.read(64)
        finally:
            self._add_retries(stream)
            stream.close()
        if not trailing.strip(b"\x00\r\n "):
            return None
        self.summary.drops_by_reason[DROP_TRUNCATED] += 1
        self.summary.records_total += 1
        end = last_start + seen - len(inflater.unused_data)
        return end, f"unreadable bytes after the last record at offset {end} (truncated file?)", "corrupt"

    def _scan_for(self, magic: bytes, offset: int) -> int | None:
        """Stored offset of the next ``magic`` at or after ``offset`` that is not already read."""
        stream = self._open_at(offset)
        try:
            pos = offset
            tail = b""
            while True:
                chunk = stream.read(SCAN_CHUNK)
                if not chunk:
                    return None
                data = tail + chunk
                base = pos - len(tail)
                i = data.find(magic)
                while i >= 0:
                    cand = base + i
                    at_line = magic != WARC_MAGIC or _at_line_start(data, i)
                    if cand >= offset and (cand, 0) not in self._emitted and at_line:
                        return cand
                    i = data.find(magic, i + 1)
                tail = data[-(len(magic) - 1) :]
                pos += len(chunk)
        finally:
            self._add_retries(stream)
            stream.close()


def _at_line_start(data: bytes, i: int) -> bool:
    return i == 0 or data[i - 1 : i] == b"\n"


def _kind_of(exc: BaseException, default: str = "corrupt") -> str:
    transient = getattr(exc, "transient", None)
    if transient is True:
        return "transient"
    if transient is False:
        return "permanent"
    if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
        return "permanent"
    if isinstance(exc, TimeoutError | ConnectionError):
        return "transient"
    return default


def open_local_at(path: str) -> Callable[[int], BinaryIO]:
    """``open_at`` for a local file."""

    def open_at(offset: int) -> BinaryIO:
        fh = open(path, "rb")  # noqa: SIM115 - the reader closes it
        if offset:
            fh.seek(offset)
        return fh

    return open_at


def read_local_file(path: str, source: str, options: ReadOptions | None = None) -> tuple[list[RawRecord], FileSummary]:
    """Convenience for tests and tools: read a whole local file into memory."""
    reader = WarcFileReader(open_local_at(path), source, options or ReadOptions())
    records = list(reader)
    return records, reader.summary
