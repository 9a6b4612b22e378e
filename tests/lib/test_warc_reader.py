"""The WARC reader on real Common Crawl files and on damaged copies of them (no Spark)."""

from __future__ import annotations

import gzip
import io
import random
from pathlib import Path

import pytest
from fastwarc.warc import ArchiveIterator

from crawlforge.lib.warc_reader import (
    STATUS_DONE,
    STATUS_FAILED,
    STATUS_PARTIAL,
    ReadOptions,
    WarcFileReader,
    make_doc_id,
    read_local_file,
)


WARC = Path(__file__).resolve().parents[3] / "shared" / "data" / "warc"
PART1 = WARC / "cc" / "CC-MAIN-20200808165417-20200808195417-00395.part1.warc.gz"
EDGE = WARC / "cc-edge-cases"

# file -> (status, records seen, records kept, drops by reason)
EXPECTED = {
    "cc/CC-MAIN-20200808165417-20200808195417-00395.part1.warc.gz": ("done", 25, 8, {"record_type": 17}),
    "cc/whirlwind.CC-MAIN-2024-22.warc.gz": ("done", 4, 1, {"record_type": 3}),
    "cc/whirlwind.CC-MAIN-2024-22.warc.wat.gz": ("done", 2, 0, {"record_type": 2}),
    "cc/whirlwind.CC-MAIN-2024-22.warc.wet.gz": ("done", 2, 1, {"record_type": 1}),
    "cc/CC-MAIN-20220123045449-20220123075449-00355.mini.warc.gz": ("done", 3, 1, {"record_type": 2}),
    "cc/jwarc-commoncrawl-org-2019.warc.gz": ("done", 1, 1, {}),
    # The 16th conversion record of the head16 file is clipped (block 3,483 of 7,758 bytes).
    "cc/CC-MAIN-20161202170900-00009.head16.warc.wet.gz": ("partial", 17, 15, {"record_type": 1, "truncated": 1}),
    "cc-edge-cases/CC-MAIN-2016-50.fragment3.single-gzip-member.wet.gz": ("done", 6, 5, {"record_type": 1}),
    "cc-edge-cases/CC-MAIN-2016-50.truncated-gzip-eof.wet.gz": ("partial", 17, 15, {"record_type": 1, "truncated": 1}),
    "cc-edge-cases/resiliparse-clipped-record.warc.gz": ("partial", 1, 0, {"truncated": 1}),
    "non-cc/dolma-wget-sample-0000.warc.gz": ("done", 48, 22, {"record_type": 26}),
    "non-cc/ia-web-commons-IAH-urls-wget.warc.gz": (
        "done",
        36,
        2,
        {"record_type": 20, "http_status": 9, "mime_type": 5},
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_files_every_record_accounted(name: str) -> None:
    records, summary = read_local_file(str(WARC / name), "cc")
    status, total, kept, drops = EXPECTED[name]
    assert (summary.status, summary.records_total, summary.records_kept) == (status, total, kept)
    assert dict(summary.drops_by_reason) == drops
    assert summary.records_kept + sum(summary.drops_by_reason.values()) == summary.records_total
    assert len(records) == kept
    assert len({r.doc_id for r in records}) == kept


def test_response_fields_match_the_warc_headers() -> None:
    records, _ = read_local_file(str(WARC / "cc/jwarc-commoncrawl-org-2019.warc.gz"), "cc")
    (r,) = records
    assert r.url == "http://commoncrawl.org/"
    assert r.host == "commoncrawl.org"
    assert r.warc_record_id == "urn:uuid:ececb7b0-ed4d-4d27-9ae8-2676df51cf7d"
    assert r.payload_digest == "sha1:CIBK2YFSVPNDFLXUHSKZG2SPN7UNN65W"
    assert (r.http_status, r.content_type, r.charset) == (200, "text/html", "utf-8")
    assert r.warc_date is not None and r.warc_date.isoformat() == "2019-12-10T10:00:01+00:00"
    assert r.payload.lstrip().lower().startswith(b"<!doctype html")
    assert r.doc_id == make_doc_id("cc", "urn:uuid:ececb7b0-ed4d-4d27-9ae8-2676df51cf7d")


def test_wet_conversion_records_carry_language_and_refers_to() -> None:
    records, _ = read_local_file(str(WARC / "cc/whirlwind.CC-MAIN-2024-22.warc.wet.gz"), "cc")
    (r,) = records
    assert r.warc_type == "conversion" and r.content_type == "text/plain"
    assert r.identified_language == "spa"
    assert r.refers_to and r.refers_to.startswith("urn:uuid:")
    assert "Escopete" in r.payload.decode("utf-8")


def test_offset_and_length_fetch_the_same_record_again() -> None:
    data = PART1.read_bytes()
    records, _ = read_local_file(str(PART1), "cc")
    for r in records:
        assert r.length is not None
        member = data[r.offset : r.offset + r.length]
        (again,) = list(ArchiveIterator(io.BytesIO(member), parse_http=False))
        assert again.headers.get("WARC-Target-URI") == r.url


def _member_starts(data: bytes) -> list[int]:
    return [rec.stream_pos for rec in ArchiveIterator(io.BytesIO(data), parse_http=False)]


def _read_bytes(data: bytes, options: ReadOptions | None = None) -> tuple[list, object]:
    def open_at(offset: int) -> io.BytesIO:
        return io.BytesIO(data[offset:])

    reader = WarcFileReader(open_at, "cc", options or ReadOptions())
    return list(reader), reader.summary


def test_bit_flips_lose_only_the_damaged_records() -> None:
    data = bytearray(PART1.read_bytes())
    clean, _ = read_local_file(str(PART1), "cc")
    starts = _member_starts(bytes(data))
    # damage the middle of the 6th and the 14th member (both response records' neighbours)
    for k in (5, 13):
        mid = (starts[k] + starts[k + 1]) // 2
        data[mid] ^= 0x40
        data[mid + 7] ^= 0x11
    records, summary = _read_bytes(bytes(data))
    assert summary.status == STATUS_PARTIAL
    assert summary.corrupt_regions >= 2
    assert "resumed at offset" in (summary.error or "")
    damaged = {starts[5], starts[13]}
    expected = [r for r in clean if r.offset not in damaged]
    assert [r.doc_id for r in records] == [r.doc_id for r in expected]
    assert summary.records_kept == len(expected)


def test_random_bit_flips_never_raise_and_never_invent_records() -> None:
    clean_ids = {r.doc_id for r in read_local_file(str(PART1), "cc")[0]}
    rng = random.Random(7)
    base = PART1.read_bytes()
    for _ in range(25):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        records, summary = _read_bytes(bytes(data))
        assert summary.status in (STATUS_DONE, STATUS_PARTIAL, STATUS_FAILED)
        assert summary.records_kept == len(records)
        # a flip inside a WARC header can change a record's id; it can never add records
        assert len(records) <= len(clean_ids)
        assert len({r.doc_id for r in records} & clean_ids) >= len(records) - 6


def test_truncation_mid_record_keeps_everything_before() -> None:
    data = PART1.read_bytes()
    starts = _member_starts(data)
    cut = starts[10] + 300  # inside the 11th record
    records, summary = _read_bytes(data[:cut])
    clean, _ = read_local_file(str(PART1), "cc")
    assert [r.doc_id for r in records] == [r.doc_id for r in clean if r.offset < starts[10]]
    assert summary.status == STATUS_PARTIAL
    assert summary.error


def test_uncompressed_warc_and_truncated_uncompressed() -> None:
    raw = gzip.decompress(PART1.read_bytes())
    records, summary = _read_bytes(raw)
    assert summary.status == STATUS_DONE and len(records) == 8
    records, summary = _read_bytes(raw[: len(raw) * 3 // 4])
    assert summary.status == STATUS_PARTIAL and 0 < len(records) < 8
    assert summary.drops_by_reason["truncated"] == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty input file"),
        (b"this is a plain text file, not a WARC\n" * 50, "no readable record"),
        (gzip.compress(b"<html><body>hello</body></html>\n" * 200), "no readable record"),
        (bytes(random.Random(3).randrange(256) for _ in range(20000)), "no"),
    ],
    ids=["empty", "plain-text", "gzip-non-warc", "random-bytes"],
)
def test_unreadable_files_fail_with_an_error(data: bytes, message: str) -> None:
    records, summary = _read_bytes(data)
    assert records == []
    assert summary.status == STATUS_FAILED
    assert summary.error and message in summary.error
    assert summary.error_kind == "corrupt"


def test_record_over_the_cap_is_dropped_without_reading() -> None:
    opts = ReadOptions(max_record_bytes=10_000)
    records, summary = read_local_file(str(PART1), "cc", opts)
    assert summary.drops_by_reason["too_large"] > 0
    assert all(len(r.payload) <= 10_000 for r in records)
    assert summary.records_kept + sum(summary.drops_by_reason.values()) == summary.records_total


def test_missing_file_is_a_permanent_failure(tmp_path: Path) -> None:
    records, summary = read_local_file(str(tmp_path / "nope.warc.gz"), "cc")
    assert records == [] and summary.status == STATUS_FAILED
    assert summary.error_kind == "permanent" and "cannot open input" in (summary.error or "")


def test_mime_and_status_filters_are_configurable() -> None:
    name = WARC / "non-cc/ia-web-commons-IAH-urls-wget.warc.gz"
    opts = ReadOptions(keep_mime_types=frozenset({"text/html", "text/plain"}), keep_status=frozenset({200, 404}))
    records, _ = read_local_file(str(name), "x", opts)
    default, _ = read_local_file(str(name), "x")
    assert len(records) > len(default)
    assert {r.content_type for r in records} <= {"text/html", "text/plain"}
