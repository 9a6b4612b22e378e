"""The real-page crawl builder: WARC files that crawlforge's reader reads back record for record."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from crawlforge.lib.real_crawl import RealCrawlSpec, RealPage, build_real_crawl, load_pages, load_warc_pages
from crawlforge.lib.warc_reader import read_local_file


PAGES = [
    RealPage("a/1", b"<html><body><p>First page.</p></body></html>"),
    RealPage("a/2", b"<html><body><p>Second page.</p></body></html>"),
    RealPage("b/3", b"<html><p>No closing body tag."),
]


def test_every_record_is_read_back_with_its_own_url_and_id(tmp_path: Path) -> None:
    spec = RealCrawlSpec(files=2, records_per_file=5, hosts=3, filler_lines_per_record=2)
    paths = build_real_crawl(tmp_path, PAGES, spec, filler=["Line one.", "Line two.", "Line three."])
    records = [r for p in paths for r in read_local_file(str(p), "test")[0]]
    assert len(records) == 10
    assert len({r.url for r in records}) == 10 and len({r.warc_record_id for r in records}) == 10
    assert {r.host for r in records} == {"h0000.real-pages.test", "h0001.real-pages.test", "h0002.real-pages.test"}
    for r in records:
        assert r.http_status == 200 and r.content_type == "text/html"
        # the unique paragraph goes before </body> (or at the end when there is none)
        assert b"<p>Line" in r.payload
        assert r.payload.endswith((b"</p></body></html>", b"</p>"))


def test_response_records_carry_the_identified_payload_type_as_common_crawl_writes_it(tmp_path: Path) -> None:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    (path,) = build_real_crawl(tmp_path, PAGES, RealCrawlSpec(files=1, records_per_file=3, hosts=1))
    with open(path, "rb") as fh:
        types = [
            r.headers.get("WARC-Identified-Payload-Type")
            for r in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=False)
        ]
    assert types == ["text/html"] * 3


def test_the_same_spec_gives_the_same_bytes_and_reuses_a_finished_folder(tmp_path: Path) -> None:
    spec = RealCrawlSpec(files=1, records_per_file=4, large_pages=(5000,))
    (a,) = build_real_crawl(tmp_path / "a", PAGES, spec)
    (b,) = build_real_crawl(tmp_path / "b", PAGES, spec)
    assert a.read_bytes() == b.read_bytes()
    mtime = a.stat().st_mtime_ns
    assert build_real_crawl(tmp_path / "a", PAGES, spec) == [a] and a.stat().st_mtime_ns == mtime


def test_giant_pages_have_exactly_the_asked_size(tmp_path: Path) -> None:
    spec = RealCrawlSpec(files=1, records_per_file=6, large_pages=(20_000, 50_000), filler_lines_per_record=0)
    (path,) = build_real_crawl(tmp_path, PAGES, spec)
    sizes = sorted(len(r.payload) for r in read_local_file(str(path), "test")[0])
    assert sizes[-2:] == [20_000, 50_000]
    assert sum(r.url.endswith("giant-20000") for r in read_local_file(str(path), "test")[0]) == 1


def test_pages_load_from_gzip_and_plain_files_with_a_size_cap(tmp_path: Path) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "x.html.gz").write_bytes(gzip.compress(b"<html>" + b"x" * 100 + b"</html>"))
    (tmp_path / "html" / "y.html").write_bytes(b"<html>small</html>")
    assert [p.name for p in load_pages([tmp_path])] == [f"{tmp_path.name}/x", f"{tmp_path.name}/y"]
    assert [p.name for p in load_pages([tmp_path], max_bytes=50)] == [f"{tmp_path.name}/y"]
    with pytest.raises(ValueError, match="no HTML pages"):
        load_pages([tmp_path / "html"], max_bytes=1)


def test_html_responses_of_the_shared_common_crawl_files_are_pages(shared_data: Path) -> None:
    pages = load_warc_pages(sorted((shared_data / "warc" / "cc").glob("*.warc.gz")))
    # the 2020-34 excerpt has 8 HTML captures, whirlwind, the 2022-05 mini and jwarc's 2019 file one each
    assert len(pages) >= 10
    assert all(b"<" in p.html for p in pages)
