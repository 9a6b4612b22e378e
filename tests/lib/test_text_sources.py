"""Records of text sources (lib/text_sources.py): splits, JSONL/Parquet fields, and every bad record accounted for."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from crawlforge.lib.text_sources import read_records, split_plain_text


def _read(data: bytes, fmt: str, **kw: object) -> list:
    return list(read_records(io.BytesIO(data), "f.txt", fmt, **kw))  # type: ignore[arg-type]


def test_plain_text_splits() -> None:
    text = "\n = Alpha = \n\n First para . \n\n = = Sub = = \n\n Second para \n = Beta = \n\n Only one \n"
    assert list(split_plain_text(text, "heading")) == [
        ("Alpha", "First para .\n= = Sub = =\nSecond para"),
        ("Beta", "Only one"),
    ]
    assert [t for _, t in split_plain_text("a\n\n  \nb\nc\n\n\nd", "blank_line")] == ["a", "b\nc", "d"]
    assert [t for _, t in split_plain_text("a\n\n b\n", "line")] == ["a", " b"]
    assert list(split_plain_text("a\nb", "file")) == [(None, "a\nb")]
    with pytest.raises(ValueError, match="text_split"):
        list(split_plain_text("a", "words"))  # type: ignore[arg-type]


def test_text_records_have_stable_keys_and_crlf_is_normalised() -> None:
    recs = _read(b"a\r\n\r\nb\r\n", "text", text_split="blank_line")
    assert [(r.key, r.number, r.text, r.status) for r in recs] == [
        ("f.txt#0", 0, "a", "ok"),
        ("f.txt#1", 1, "b", "ok"),
    ]


def test_jsonl_fields_and_every_bad_line_is_a_record() -> None:
    lines = [
        json.dumps({"id": "w1", "text": "Hello world", "url": "https://en.wikipedia.org/wiki/A", "title": "A"}),
        "",  # blank lines are not records
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"id": "w4", "text": 42}),
        json.dumps({"id": "w5", "text": "  "}),
        json.dumps({"text": "no id"}),
    ]
    recs = _read("\n".join(lines).encode(), "jsonl", id_field="id", url_field="url", title_field="title")
    assert [(r.key, r.status) for r in recs] == [
        ("w1", "ok"),
        ("f.txt#1", "parse_error"),
        ("f.txt#2", "parse_error"),
        ("w4", "parse_error"),
        ("w5", "empty"),
        ("f.txt#5", "ok"),
    ]
    assert (recs[0].url, recs[0].title, recs[0].text) == ("https://en.wikipedia.org/wiki/A", "A", "Hello world")
    assert "not JSON" in (recs[1].error or "") and "int" in (recs[3].error or "")


def test_a_file_that_breaks_off_ends_with_a_read_error_record() -> None:
    import gzip

    data = gzip.compress(b'{"text": "one"}\n{"text": "two"}\n' * 50)[:-30]  # clipped gzip stream
    recs = list(read_records(gzip.GzipFile(fileobj=io.BytesIO(data)), "f.jsonl.gz", "jsonl"))  # type: ignore[arg-type]
    assert recs[-1].status == "read_error" and recs[-1].key == "f.jsonl.gz#error"
    assert all(r.status == "ok" for r in recs[:-1]) and len(recs) > 1


def test_parquet_records() -> None:
    table = pa.table({"doc": ["x", None, "z"], "rid": ["r1", "r2", "r3"], "other": [1, 2, 3]})
    buf = io.BytesIO()
    pq.write_table(table, buf, row_group_size=2)
    recs = _read(buf.getvalue(), "parquet", text_field="doc", id_field="rid")
    assert [(r.key, r.number, r.text, r.status) for r in recs] == [
        ("r1", 0, "x", "ok"),
        ("r2", 1, None, "empty"),
        ("r3", 2, "z", "ok"),
    ]
    missing = _read(buf.getvalue(), "parquet", text_field="body")
    assert [r.status for r in missing] == ["read_error"] and "body" in (missing[0].error or "")
