"""HTML -> main-content text with resiliparse, with a hard per-document time limit.

Why resiliparse: it is the extractor of DCLM-Pool and one of Dolma's "linearizers" (anchors.md A1), and on
this project's ground-truth sets it is 10-20x faster than trafilatura (FineWeb's choice) at similar quality
once tuned (numbers in ``benchmarks/extraction_quality.py`` and below).

Defaults were chosen by measurement (bag-of-words F1 against ground truth, SOURCES.md section 2; scrapinghub
article-extraction-benchmark 181 pages, WCXB dev sample 344 pages with non-empty ground truth):

============================================  ===========  ======  =====================
configuration                                 scrapinghub  WCXB    notes
============================================  ===========  ======  =====================
resiliparse ``main_content=True`` (0.x dflt)  0.898        0.722   reproduces SOURCES.md
+ ``alt_texts=False``                         0.915        0.735   image alt text is noise
+ full-page fallback below 200 chars          0.915        0.760   **default**
trafilatura 2.3 default                       0.942        0.760   ~10x slower
trafilatura ``favor_precision`` (FineWeb)     0.959        0.644   fails on non-articles
============================================  ===========  ======  =====================

Other switches were measured and left at resiliparse's defaults: ``comments=False`` helps news (0.913) but
costs forums 0.08 F1; ``links``/``form_fields``/``noscript``/``hidden_elements``/``post_meta`` change
F1 by < 0.01 or lower it. A trafilatura second pass for short outputs gave the same gain as the cheap
full-page fallback (0.759 vs 0.760) at about 2x the total cost, so trafilatura is not a dependency.
``preserve_formatting=True`` does not change F1 but keeps paragraph breaks, which CCNet's line dedup and the
Gopher/C4/FineWeb line statistics need.

Time limit. resiliparse 2.0's extractor is native code that holds the GIL, and its ``main_content``
heuristic is quadratic in DOM depth (a 16k-deep ``<div>`` nest, 80 KB, takes ~5 s; 200k deep takes many
minutes). Measured on 2.0.1: ``resiliparse.process_guard.time_guard`` with exceptions only fires *after*
the native call returns, and with signals it sends SIGINT/SIGTERM to the whole process, which would kill a
Spark Python worker. A thread cannot be abandoned either because the GIL stays held. So the only way to cut
off a pathological page is a separate process: :class:`ExtractionWorker` keeps one persistent child
process per Python worker process, talks to it over pipes with a deadline covering send + extract +
receive, and on timeout SIGKILLs it and starts a fresh one (the respawn is not charged to the next page).
This is the same design as datatrove's ``ExtractorSandbox`` used by FineWeb (anchors.md B2), which also
contains extractor memory leaks (trafilatura#216) and crashes in the native parser. Measured cost of the
isolation on one core: 1.7 -> 2.1 ms per scrapinghub page and 5.4 -> 5.8 ms per WCXB page (0.35-0.45 ms of
pipe + pickle round trip, i.e. +8-20%); a round trip with an empty page costs ~0.1 ms.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import importlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from .charset import decode_html


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_OPTIONS",
    "DEFAULT_TIMEOUT_S",
    "ExtractOptions",
    "ExtractResult",
    "ExtractStatus",
    "ExtractionWorker",
    "extract_batch",
    "extract_html",
    "extract_in_process",
    "shutdown_workers",
]

#: Drop reasons a query can count; ``ok`` means kept.
ExtractStatus = Literal["ok", "too_large", "binary", "empty", "timeout", "parse_error", "crashed"]
Isolation = Literal["subprocess", "inprocess"]

#: Common Crawl truncates payloads at 1 MiB; the largest page of the WCXB sample is 5.3 MB and extracts in
#: 50 ms. 8 MiB keeps every real page and rejects multi-hundred-MB "HTML" dumps before they are decoded.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
#: FineWeb's per-document limit (datatrove Trafilatura ``timeout=1``). resiliparse's slowest benchmark page
#: (of 525) took 0.15 s and the median 3 ms, so 1 s only cuts off pathological pages.
DEFAULT_TIMEOUT_S = 1.0

_BINARY_MAGIC = (
    b"%PDF-",
    b"\x1f\x8b",  # gzip: content-encoding was not undone
    b"PK\x03\x04",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"RIFF",
    b"OggS",
    b"ID3",
    b"wOFF",
    b"wOF2",
    b"\x7fELF",
    b"\x00\x00\x01\x00",
    b"(\xb5/\xfd",  # zstd
    b"BZh",
)
# C0 controls other than TAB/LF/VT/FF/CR and ESC (ISO-2022 uses ESC), plus U+FFFD from undecodable bytes.
_JUNK_CHARS = {c: None for c in [*range(0, 9), *range(14, 27), *range(28, 32), 0xFFFD]}
_BINARY_SAMPLE_CHARS = 8192


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    """How to turn a page into text; every field maps to a measured choice (module docstring).

    The resiliparse switches are passed straight to ``extract_plain_text`` (resiliparse 2.0.1 signature).
    ``fallback_min_chars``: when main-content extraction keeps fewer characters than this, the whole visible
    page text is used instead (``method='full_page_fallback'``); 0 disables. ``max_junk_ratio`` is the
    share of control characters / U+FFFD in the first 8k decoded characters above which a payload is
    ``binary`` rather than HTML.
    """

    main_content: bool = True
    preserve_formatting: bool = True
    alt_texts: bool = False
    list_bullets: bool = True
    links: bool = False
    form_fields: bool = False
    noscript: bool = False
    comments: bool = True
    post_meta: bool = True
    hidden_elements: bool = False
    skip_elements: tuple[str, ...] = ()
    fallback_min_chars: int = 200
    meta_scan_bytes: int = 4096
    utf8_override: bool = True
    max_junk_ratio: float = 0.05

    def resiliparse_kwargs(self, main_content: bool | None = None) -> dict[str, object]:
        """Keyword arguments for ``resiliparse.extract.html2text.extract_plain_text``."""
        return {
            "preserve_formatting": self.preserve_formatting,
            "main_content": self.main_content if main_content is None else main_content,
            "list_bullets": self.list_bullets,
            "alt_texts": self.alt_texts,
            "links": self.links,
            "form_fields": self.form_fields,
            "noscript": self.noscript,
            "comments": self.comments,
            "post_meta": self.post_meta,
            "hidden_elements": self.hidden_elements,
            "skip_elements": list(self.skip_elements) or None,
        }


DEFAULT_OPTIONS = ExtractOptions()


@dataclass(frozen=True, slots=True)
class ExtractResult:
    """Outcome of one page. ``status != 'ok'`` is a drop reason; ``text`` is then empty.

    ``method`` says which text was kept: ``main_content``, ``full_page`` (main_content disabled) or
    ``full_page_fallback``. ``elapsed_ms`` is the caller's wall time for the page, including the
    inter-process round trip in subprocess mode. ``payload_bytes`` is the raw size, ``html_chars`` the decoded
    size, ``text_chars`` the extracted size. ``error`` carries the exception text for ``parse_error`` and the
    exit code for ``crashed``.
    """

    status: ExtractStatus
    text: str = ""
    title: str | None = None
    charset: str | None = None
    charset_source: str | None = None
    method: str | None = None
    payload_bytes: int = 0
    html_chars: int = 0
    text_chars: int = 0
    elapsed_ms: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the page was kept."""
        return self.status == "ok"


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = " ".join(title.split())
    return title or None


def _looks_binary(payload: bytes, html: str, max_junk_ratio: float) -> bool:
    if payload.startswith(_BINARY_MAGIC):
        return True
    sample = html[:_BINARY_SAMPLE_CHARS]
    if not sample:
        return False
    junk = len(sample) - len(sample.translate(_JUNK_CHARS))
    return junk > max_junk_ratio * len(sample)


def extract_in_process(
    payload: bytes, http_charset: str | None = None, options: ExtractOptions = DEFAULT_OPTIONS
) -> ExtractResult:
    """Decode and extract one page in the calling process, with no time limit.

    This is the work the child process does; call it directly only where a stall is acceptable (benchmarks,
    trusted input). It never raises: parser exceptions become ``parse_error``.
    """
    t0 = time.perf_counter()
    n = len(payload)

    def done(status: ExtractStatus, **kw: object) -> ExtractResult:
        return ExtractResult(status, payload_bytes=n, elapsed_ms=(time.perf_counter() - t0) * 1000.0, **kw)  # type: ignore[arg-type]

    if not payload or payload.isspace():
        return done("empty")
    try:
        text_html, charset, source = decode_html(
            payload, http_charset, meta_scan_bytes=options.meta_scan_bytes, utf8_override=options.utf8_override
        )
    except Exception as exc:  # noqa: BLE001 -- decode_html should not raise; a bad page must never kill the job
        return done("parse_error", error=f"decode: {exc!r}"[:500])
    meta: dict[str, object] = {"charset": charset, "charset_source": source, "html_chars": len(text_html)}
    if _looks_binary(payload, text_html, options.max_junk_ratio):
        return done("binary", **meta)
    try:
        tree = HTMLTree.parse(text_html)
        title = _clean_title(tree.title)
        text = extract_plain_text(tree, **options.resiliparse_kwargs()).strip()  # type: ignore[arg-type]
        method = "main_content" if options.main_content else "full_page"
        if options.main_content and options.fallback_min_chars > 0 and len(text) < options.fallback_min_chars:
            full = extract_plain_text(tree, **options.resiliparse_kwargs(main_content=False)).strip()  # type: ignore[arg-type]
            if len(full) > len(text):
                text, method = full, "full_page_fallback"
    except Exception as exc:  # noqa: BLE001 -- any parser failure is a per-page drop reason, not a job failure
        return done("parse_error", error=f"{type(exc).__name__}: {exc}"[:500], **meta)
    if not text:
        return done("empty", title=title, method=method, **meta)
    return done("ok", text=text, title=title, method=method, text_chars=len(text), **meta)


# ----------------------------------------------------------------------------------------------------------
# Isolation: one persistent child process per (parent process, target)
# ----------------------------------------------------------------------------------------------------------

_HEADER = struct.Struct("!Q")  # reply: body length
_REQUEST = struct.Struct("!QQ")  # request: pickled (http_charset, options) length, raw payload length
_READY = b"crawlforge-extract-ready"
_DEFAULT_TARGET = f"{__name__}:extract_in_process"
_PR_SET_PDEATHSIG = 1
_PIPE_SIZE = 1 << 20


def _resolve(target: str) -> Callable[..., ExtractResult]:
    module, _, qualname = target.partition(":")
    obj: object = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[return-value]


def _child_main(target: str, max_memory_mb: int | None) -> None:
    """Serve extraction requests on stdin/stdout until stdin closes (the parent went away)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C / Spark task interrupts are the parent's business
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):  # die with the parent even if we are stuck in native code
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if max_memory_mb:
        import resource

        limit = max_memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    fn = _resolve(target)
    rfile = sys.stdin.buffer
    wfile = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # a stray print() from a library must not corrupt the protocol
    wfile.write(_HEADER.pack(len(_READY)) + _READY)
    while True:
        header = rfile.read(_REQUEST.size)
        if len(header) < _REQUEST.size:
            return
        meta_len, payload_len = _REQUEST.unpack(header)
        http_charset, options = pickle.loads(rfile.read(meta_len))
        payload = rfile.read(payload_len)
        try:
            result = fn(payload, http_charset, options)
        except Exception as exc:  # noqa: BLE001 -- keep serving; the page is reported as parse_error
            result = ExtractResult("parse_error", payload_bytes=len(payload), error=repr(exc)[:500])
        out = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        wfile.write(_HEADER.pack(len(out)) + out)


class _DeadlineError(Exception):
    pass


class _WorkerDiedError(Exception):
    pass


class ExtractionWorker:
    """A persistent child process that extracts pages, killed and replaced when a page overruns its limit.

    Process model: the child is started lazily with ``sys.executable`` (so it uses the same environment as
    the Spark Python worker) and ``PYTHONPATH`` set to the parent's ``sys.path`` (so packages shipped with
    ``--py-files`` / ``addPyFile`` are importable). It imports resiliparse once and then serves requests
    forever; a Spark Python worker that is reused across tasks (``spark.python.worker.reuse``, the default)
    keeps one child for its whole life. The child dies with its parent (``PR_SET_PDEATHSIG`` on Linux, EOF
    on stdin elsewhere). Requests are strictly one at a time, so the per-page deadline is exact and a
    timeout is charged to the page that caused it. After a timeout or crash a replacement child is started
    at once in the background; its start-up (~0.1-0.3 s) is waited for at the next call but not counted
    against that page's limit. The death signal is tied to the *thread* that started the child, so a child
    started from a short-lived thread is replaced transparently after that thread ends (a page is never lost:
    a send to a dead child is retried once on a fresh one). If a child cannot start at all (broken
    environment, not bad input) :meth:`extract` raises ``RuntimeError`` so the task fails loudly.

    :param target: ``"module:function"`` run in the child with ``(payload, http_charset, options)``; the
        default is :func:`extract_in_process`. Tests use it to inject a slow extractor.
    :param max_memory_mb: optional ``RLIMIT_AS`` for the child; an allocation failure then ends the child and
        the page is reported as ``crashed`` instead of the executor being OOM-killed.
    :param startup_timeout_s: how long a starting child may take to import its dependencies.
    """

    def __init__(
        self,
        target: str = _DEFAULT_TARGET,
        *,
        max_memory_mb: int | None = None,
        startup_timeout_s: float = 60.0,
    ) -> None:
        self.target = target
        self.max_memory_mb = max_memory_mb
        self.startup_timeout_s = startup_timeout_s
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._pid = os.getpid()
        self._lock = threading.Lock()
        #: counters for logs and stage stats
        self.spawns = 0
        self.timeouts = 0
        self.crashes = 0

    # -- process management -------------------------------------------------------------------------------
    def _spawn(self) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        env.setdefault("PYTHONHASHSEED", "0")
        boot = f"from {__name__} import _child_main; _child_main({self.target!r}, {self.max_memory_mb!r})"
        self._proc = subprocess.Popen(
            [sys.executable, "-u", "-c", boot],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        assert self._proc.stdout is not None and self._proc.stdin is not None
        os.set_blocking(self._proc.stdin.fileno(), False)
        for pipe in (self._proc.stdin, self._proc.stdout):
            # 1 MiB pipes (Linux default cap) move a typical page in one write instead of ~10 64 KiB wake-ups
            with contextlib.suppress(AttributeError, OSError):
                fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
        self._ready = False
        self.spawns += 1

    def _ensure_ready(self) -> subprocess.Popen[bytes]:
        if self._pid != os.getpid():  # we were forked: that child process belongs to our parent
            self._proc, self._pid = None, os.getpid()
        if self._proc is not None and self._proc.poll() is not None:
            self._discard()
        if self._proc is None:
            self._spawn()
        proc = self._proc
        assert proc is not None
        if not self._ready:
            deadline = time.monotonic() + self.startup_timeout_s
            try:
                msg = self._recv(proc, deadline)
            except (_DeadlineError, _WorkerDiedError) as exc:
                self._discard()
                raise RuntimeError(f"extraction worker failed to start ({type(exc).__name__})") from exc
            if msg != _READY:
                self._discard()
                raise RuntimeError("extraction worker sent an unexpected greeting")
            self._ready = True
        return proc

    def _discard(self, respawn: bool = False) -> None:
        proc, self._proc, self._ready = self._proc, None, False
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(Exception):
                proc.wait(timeout=5)
            for f in (proc.stdin, proc.stdout):
                with contextlib.suppress(Exception):
                    f.close()  # type: ignore[union-attr]
        if respawn:
            with contextlib.suppress(Exception):
                self._spawn()

    def close(self) -> None:
        """Stop the child process (it also stops by itself when this process exits)."""
        with self._lock:
            if self._pid == os.getpid():
                self._discard()
            self._proc = None

    # -- framing with deadlines -----------------------------------------------------------------------------
    @staticmethod
    def _send(proc: subprocess.Popen[bytes], parts: Sequence[bytes], deadline: float) -> None:
        """Write ``parts`` to the child without concatenating them (payloads can be megabytes)."""
        assert proc.stdin is not None
        fd = proc.stdin.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        for part in parts:
            view = memoryview(part)
            while view:
                try:
                    written = os.write(fd, view)
                except BlockingIOError:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or not poller.poll(remaining * 1000.0):
                        raise _DeadlineError from None
                    continue
                except OSError as exc:  # BrokenPipeError: the child is gone
                    raise _WorkerDiedError from exc
                view = view[written:]

    @staticmethod
    def _recv(proc: subprocess.Popen[bytes], deadline: float) -> bytes:
        """Read one reply frame. The child writes exactly one frame per request, so large reads cannot overshoot."""
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        buf = bytearray()
        need = _HEADER.size
        while len(buf) < need:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000.0):
                raise _DeadlineError
            chunk = os.read(fd, max(need - len(buf), _PIPE_SIZE))
            if not chunk:
                raise _WorkerDiedError
            buf += chunk
            if need == _HEADER.size and len(buf) >= _HEADER.size:
                need = _HEADER.size + _HEADER.unpack_from(buf)[0]
        return bytes(buf[_HEADER.size :])

    # -- public API -----------------------------------------------------------------------------------------
    def extract(
        self,
        payload: bytes,
        http_charset: str | None = None,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        options: ExtractOptions = DEFAULT_OPTIONS,
    ) -> ExtractResult:
        """Extract one page in the child; returns within ``timeout_s`` (plus the kill) once the child is up."""
        t_call = time.perf_counter()
        with self._lock:
            meta = pickle.dumps((http_charset, options), protocol=pickle.HIGHEST_PROTOCOL)
            parts = (_REQUEST.pack(len(meta), len(payload)) + meta, payload)
            for attempt in (0, 1):
                proc = self._ensure_ready()
                deadline = time.monotonic() + timeout_s
                try:
                    self._send(proc, parts, deadline)
                except _WorkerDiedError:
                    # the child died *before* it saw this page (e.g. killed from outside): retry once
                    self._discard()
                    if attempt == 0:
                        continue
                    self.crashes += 1
                    return self._fail(payload, t_call, "crashed", "worker pipe closed before the page was sent")
                except _DeadlineError:
                    self.timeouts += 1
                    self._discard(respawn=True)
                    return self._fail(payload, t_call, "timeout", None)
                try:
                    reply = self._recv(proc, deadline)
                except _DeadlineError:
                    self.timeouts += 1
                    self._discard(respawn=True)
                    return self._fail(payload, t_call, "timeout", None)
                except _WorkerDiedError:
                    self.crashes += 1
                    try:
                        code: int | None = proc.wait(timeout=1.0)  # EOF can arrive before the exit is reaped
                    except subprocess.TimeoutExpired:
                        code = None
                    self._discard(respawn=True)
                    return self._fail(payload, t_call, "crashed", f"worker exited with code {code}")
                result: ExtractResult = pickle.loads(reply)
                return _with_elapsed(result, t_call)
            raise AssertionError("unreachable")

    @staticmethod
    def _fail(payload: bytes, t_call: float, status: ExtractStatus, error: str | None) -> ExtractResult:
        return ExtractResult(
            status, payload_bytes=len(payload), elapsed_ms=(time.perf_counter() - t_call) * 1000.0, error=error
        )


def _with_elapsed(result: ExtractResult, t_call: float) -> ExtractResult:
    return ExtractResult(
        result.status,
        text=result.text,
        title=result.title,
        charset=result.charset,
        charset_source=result.charset_source,
        method=result.method,
        payload_bytes=result.payload_bytes,
        html_chars=result.html_chars,
        text_chars=result.text_chars,
        elapsed_ms=(time.perf_counter() - t_call) * 1000.0,
        error=result.error,
    )


_WORKERS: dict[tuple[int, str, int | None], ExtractionWorker] = {}
_WORKERS_LOCK = threading.Lock()


def _worker(target: str = _DEFAULT_TARGET, max_memory_mb: int | None = None) -> ExtractionWorker:
    key = (os.getpid(), target, max_memory_mb)
    with _WORKERS_LOCK:
        w = _WORKERS.get(key)
        if w is None:
            w = _WORKERS[key] = ExtractionWorker(target, max_memory_mb=max_memory_mb)
        return w


def shutdown_workers() -> None:
    """Stop this process's extraction children (registered with ``atexit``)."""
    with _WORKERS_LOCK:
        workers = [w for (pid, _, _), w in _WORKERS.items() if pid == os.getpid()]
        _WORKERS.clear()
    for w in workers:
        w.close()


atexit.register(shutdown_workers)


def extract_html(
    payload: bytes,
    http_charset: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    options: ExtractOptions = DEFAULT_OPTIONS,
    isolation: Isolation = "subprocess",
    max_memory_mb: int | None = None,
) -> ExtractResult:
    """Extract title and main text from one HTML payload; never raises, never stalls past ``timeout_s``.

    :param payload: the HTTP body bytes (``None`` is treated as empty).
    :param http_charset: charset from the HTTP ``Content-Type`` header (bare label or the whole header value).
    :param max_bytes: larger payloads are dropped as ``too_large`` without being decoded or parsed.
    :param timeout_s: per-page wall-clock limit; enforced only with ``isolation='subprocess'``.
    :param options: extraction switches (defaults chosen by measurement, see the module docstring).
    :param isolation: ``'subprocess'`` (default, hard limit, see :class:`ExtractionWorker`) or ``'inprocess'``
        (no limit: a pathological page blocks the caller; for benchmarks and trusted input).
    :param max_memory_mb: address-space cap for the child in subprocess mode.
    """
    t0 = time.perf_counter()
    payload = payload or b""
    if len(payload) > max_bytes:
        return ExtractResult("too_large", payload_bytes=len(payload), elapsed_ms=(time.perf_counter() - t0) * 1000)
    if payload.isspace():
        return ExtractResult("empty", payload_bytes=len(payload), elapsed_ms=(time.perf_counter() - t0) * 1000)
    if isolation == "inprocess":
        return extract_in_process(payload, http_charset, options)
    if isolation != "subprocess":
        raise ValueError(f"isolation must be 'subprocess' or 'inprocess', not {isolation!r}")
    return _worker(max_memory_mb=max_memory_mb).extract(payload, http_charset, timeout_s=timeout_s, options=options)


def extract_batch(
    payloads: Sequence[bytes | None],
    http_charsets: Sequence[str | None] | None = None,
    **kwargs: object,
) -> list[ExtractResult]:
    """:func:`extract_html` over a batch (the shape a pandas UDF sees); one result per input, same order."""
    charsets = http_charsets if http_charsets is not None else [None] * len(payloads)
    if len(charsets) != len(payloads):
        raise ValueError("payloads and http_charsets must have the same length")
    return [extract_html(p or b"", c, **kwargs) for p, c in zip(payloads, charsets, strict=True)]  # type: ignore[arg-type]
