"""A Common-Crawl-sized crawl built from real HTML pages: WARC files of real pages, repeated under new URLs.

Why this exists: the generated sample (:mod:`crawlforge.lib.sample_crawl`) has pages of 3-5 KB, about 20x
smaller than Common Crawl's (~100 KB of HTML a record, 35-45k records a file). Memory and speed problems
that scale with page size (a Parquet reader batch of 4,096 payloads of 190 KB is 780 MB; issue #13) never
show on it. This module writes WARC files whose records are real third-party pages as they are (the
extraction benchmarks in ``../shared/data/extraction``), so a test or benchmark sees real page sizes,
real markup and real extraction cost, at any record count.

What a crawl contains:

- ``files`` WARC files of ``records_per_file`` HTTP-200 ``text/html`` response records each (plus one
  ``warcinfo`` record per file), one gzip member per record as Common Crawl writes them. The pages cycle
  through the given real pages in a seeded order; every record has its own URL (one of ``hosts`` synthetic
  hosts, path from the page's name) and its own ``WARC-Record-ID``, so every record is its own document.
- Optionally a unique paragraph per record (``filler`` lines, e.g. WikiText, placed before ``</body>``):
  without it, repeated pages are exact duplicates and dedup would see only the distinct pages; with it
  they are near-duplicates, as templated pages in a real crawl are.
- ``burst_records``: a stretch of the first file made of other pages (e.g. the largest real pages, back
  to back), so that consecutive rows of the ``raw`` table are all large, as they are in a crawl of one big site.
- ``large_pages``: pages of the given byte sizes, made by concatenating real pages' bodies into one
  document, placed at seeded positions of the first file. Use sizes around ``ingest.max_record_bytes``
  and ``extract.max_bytes`` to check that giant pages are dropped with a reason and do not move memory.

Everything is deterministic for the same pages, spec and zlib. Speed: about 100 MB/s of HTML on one core
(gzip level 1 dominates), i.e. ~40 s for a 4 GB file of 40,000 records.
"""

from __future__ import annotations

import gzip
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawlforge.lib.sample_crawl import _digest, _gzip_member, _uuid, _warc_date, _warc_record


__all__ = ["RealCrawlSpec", "RealPage", "build_real_crawl", "load_pages", "load_warc_pages"]


@dataclass(frozen=True)
class RealPage:
    name: str
    html: bytes


@dataclass(frozen=True)
class RealCrawlSpec:
    files: int = 1
    records_per_file: int = 1500
    seed: int = 20261202
    snapshot: str = "REAL-PAGES"
    hosts: int = 500
    #: byte sizes of extra giant pages (concatenated real pages), placed in the first file
    large_pages: tuple[int, ...] = ()
    #: records of the first file, one contiguous stretch, that cycle through the ``burst`` pages instead (the
    #: largest real pages back to back: what one reader batch of a row-count-sized reader would hold at once)
    burst_records: int = 0
    #: how many filler lines make a record's unique paragraph (0: pages repeat byte for byte)
    filler_lines_per_record: int = 3
    base_time: datetime = field(default_factory=lambda: datetime(2026, 11, 2, tzinfo=UTC))


def load_pages(folders: Iterable[Path], max_bytes: int | None = None) -> list[RealPage]:
    """Real pages (``*.html.gz`` or ``*.html``, under ``folder/html`` or ``folder``), sorted by name.

    ``max_bytes`` leaves out larger pages, to set the crawl's mean page size (the shared extraction pages
    average 318 KB; capped at 200 KB they average 95 KB, Common Crawl's mean).
    """
    pages: list[RealPage] = []
    for folder in folders:
        base = folder / "html" if (folder / "html").is_dir() else folder
        for path in sorted([*base.glob("*.html.gz"), *base.glob("*.html")]):
            data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            if data and (max_bytes is None or len(data) <= max_bytes):
                pages.append(RealPage(f"{folder.name}/{path.name.split('.')[0]}", data))
    if not pages:
        raise ValueError(f"no HTML pages under {[str(f) for f in folders]}")
    return pages


def load_warc_pages(paths: Iterable[Path]) -> list[RealPage]:
    """The HTTP-200 HTML responses of WARC files (the shared Common Crawl captures), read with crawlforge's reader."""
    from crawlforge.lib.warc_reader import read_local_file

    pages: list[RealPage] = []
    for path in paths:
        records, _ = read_local_file(str(path), "real-pages")
        pages += [RealPage(f"{path.name}/{r.warc_record_id}", r.payload) for r in records if r.payload]
    return pages


def _giant_page(pages: Sequence[RealPage], size: int, rng: random.Random) -> bytes:
    """One HTML document of exactly ``size`` bytes made of real pages' markup."""
    parts = [b"<!DOCTYPE html><html><head><title>giant page</title></head><body>"]
    total = len(parts[0])
    while total < size:
        body = rng.choice(pages).html
        parts.append(body)
        total += len(body)
    data = b"".join(parts)[: max(0, size - len(b"</body></html>"))] + b"</body></html>"
    return data[:size]


def _with_filler(html: bytes, lines: Sequence[str]) -> bytes:
    if not lines:
        return html
    para = ("<p>" + " ".join(lines) + "</p>").encode("utf-8")
    at = html.rfind(b"</body>")
    return html + para if at < 0 else html[:at] + para + html[at:]


def _response(url: str, record_id: str, info_id: str, date: datetime, body: bytes) -> bytes:
    http = (
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1") + body
    fields = [
        ("WARC-Type", "response"),
        ("WARC-Date", _warc_date(date)),
        ("WARC-Record-ID", f"<{record_id}>"),
        ("Content-Length", str(len(http))),
        ("Content-Type", "application/http; msgtype=response"),
        ("WARC-Warcinfo-ID", f"<{info_id}>"),
        ("WARC-Target-URI", url),
        ("WARC-Payload-Digest", _digest(body)),
        ("WARC-Block-Digest", _digest(http)),
        # as Common Crawl's WARC files carry it (its detected type of the payload); readers that lack it guess
        # from the payload (datatrove's WarcReader asks libmagic, which calls many pages with inline scripts
        # application/javascript)
        ("WARC-Identified-Payload-Type", "text/html"),
    ]
    return _gzip_member(_warc_record(fields, http))


def build_real_crawl(
    out_dir: Path,
    pages: Sequence[RealPage],
    spec: RealCrawlSpec,
    filler: Sequence[str] = (),
    burst: Sequence[RealPage] = (),
) -> list[Path]:
    """Write the crawl's WARC files into ``out_dir`` (see the module docstring); returns their paths.

    A folder that already holds the same crawl (same spec and pages: ``_spec.txt``) is reused as is.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    names = [f"{spec.snapshot}-{f:05d}.warc.gz" for f in range(spec.files)]
    key = hashlib.sha256(
        repr((spec, [p.name for p in pages], [p.name for p in burst], len(filler))).encode()
    ).hexdigest()
    marker = out_dir / "_spec.txt"
    if marker.is_file() and marker.read_text() == key and all((out_dir / n).is_file() for n in names):
        return [out_dir / n for n in names]
    marker.unlink(missing_ok=True)
    rng = random.Random(spec.seed)
    order = list(range(len(pages)))
    rng.shuffle(order)
    giant_at = {rng.randrange(spec.records_per_file): size for size in spec.large_pages}
    if spec.burst_records and not burst:
        raise ValueError("burst_records needs burst pages")
    burst_start = rng.randrange(max(1, spec.records_per_file - spec.burst_records))
    n = 0
    for f, name in enumerate(names):
        info_id = _uuid(rng)
        info = f"isPartOf: {spec.snapshot}\r\nsoftware: crawlforge.lib.real_crawl\r\n".encode()
        now = spec.base_time + timedelta(hours=f)
        with open(out_dir / name, "wb") as fh:
            fh.write(
                _gzip_member(
                    _warc_record(
                        [
                            ("WARC-Type", "warcinfo"),
                            ("WARC-Date", _warc_date(now)),
                            ("WARC-Record-ID", f"<{info_id}>"),
                            ("Content-Length", str(len(info))),
                            ("Content-Type", "application/warc-fields"),
                            ("WARC-Filename", name),
                        ],
                        info,
                    )
                )
            )
            for i in range(spec.records_per_file):
                page = pages[order[n % len(order)]]
                if f == 0 and 0 <= i - burst_start < spec.burst_records:
                    page = burst[(i - burst_start) % len(burst)]
                picks = range(spec.filler_lines_per_record) if filler else range(0)
                body = _with_filler(page.html, [filler[(n * 7919 + j * 104729) % len(filler)] for j in picks])
                slug = page.name.replace("/", "-")
                if f == 0 and i in giant_at:
                    body, slug = _giant_page(pages, giant_at[i], rng), f"giant-{giant_at[i]}"
                url = f"https://h{n % spec.hosts:04d}.real-pages.test/{f}/{i}/{slug}"
                fh.write(_response(url, _uuid(rng), info_id, now + timedelta(seconds=i), body))
                n += 1
    marker.write_text(key)
    return [out_dir / n for n in names]
