"""lib/shards.py, lib/tokens.py, lib/report_html.py and udfs/pii_udf.py on plain Python values."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections import Counter

import pandas as pd
import pytest
import xxhash

from crawlforge.lib import shards
from crawlforge.lib.pii import redact
from crawlforge.lib.report_html import Image, ReportData, render_datacard, render_html
from crawlforge.lib.tokens import DEFAULT_TOKENIZER, count_unicode_words, get_counter
from crawlforge.udfs.pii_udf import PiiTaskOptions, apply_removed_lines, make_publish_fn


def test_num_shards_and_assignment():
    assert shards.num_shards(0, 100) == 1
    assert shards.num_shards(100, 100) == 1 and shards.num_shards(101, 100) == 2
    with pytest.raises(ValueError):
        shards.num_shards(1, 0)
    ids = [f"doc-{i}" for i in range(4000)]
    counts = Counter(shards.shard_of(d, 8) for d in ids)
    assert set(counts) == set(range(8))
    assert all(400 < c < 600 for c in counts.values())  # uniform: 500 expected, sd ~21
    assert shards.shard_of("doc-1", 8) == xxhash.xxh64_intdigest(b"doc-1") % 8
    assert shards.shard_name("corpus", 3, 10, "jsonl.gz") == "corpus-00003-of-00010.jsonl.gz"


def test_jsonl_and_gzip_are_deterministic():
    rows = [{"b": 1, "a": "é"}, {"a": None}]
    data = shards.jsonl_bytes(rows, ["a", "b"])
    assert data == '{"a": "é", "b": 1}\n{"a": null, "b": null}\n'.encode()
    gz1, gz2 = shards.gzip_bytes(data), shards.gzip_bytes(data)
    assert gz1 == gz2 and gzip.decompress(gz1) == data
    assert gz1[4:8] == b"\x00\x00\x00\x00"  # mtime 0
    assert shards.sha256_hex(gz1) == hashlib.sha256(gz1).hexdigest()


def test_token_counter():
    assert count_unicode_words("Hello, world! Größe 42.") == 7  # Hello , world ! Größe 42 .
    assert count_unicode_words("") == 0 and count_unicode_words(None) == 0
    assert get_counter().name == DEFAULT_TOKENIZER
    with pytest.raises(ValueError, match="unknown tokenizer"):
        get_counter("gpt2")
    with pytest.raises(ValueError, match="no SentencePiece model"):
        get_counter("sentencepiece:/nonexistent.model")


def test_publish_udf_redacts_counts_and_removes_lines():
    text = "line one\nmail me: jane@example.com\nline three +44 20 7946 0958"
    pdf = pd.DataFrame({"doc_id": ["a", "b"], "text": [text, None], "ccnet_removed_lines": [[0], None]})
    out = next(make_publish_fn(PiiTaskOptions())(iter([pdf])))
    kept = "mail me: jane@example.com\nline three +44 20 7946 0958"
    assert apply_removed_lines(text, [0]) == kept
    assert out["text"][0] == redact(kept).text == "mail me: <EMAIL>\nline three <PHONE>"
    assert (out["pii_email"][0], out["pii_phone"][0], out["pii_ipv4"][0]) == (1, 1, 0)
    assert out["text_sha256"][0] == hashlib.sha256(out["text"][0].encode()).hexdigest()
    assert out["text"][1] is None and out["text_chars"][1] == 0
    assert "ccnet_removed_lines" not in out.columns
    off = next(make_publish_fn(PiiTaskOptions(mode="off"))(iter([pdf])))
    assert off["text"][0] == kept and off["pii_email"][0] == 1
    fw = next(make_publish_fn(PiiTaskOptions(mode="fineweb"))(iter([pdf])))
    assert "email@example.com" in fw["text"][0]


def test_report_html_escapes_and_lists_images():
    data = ReportData(title="T <x>", generated_at="now", lake="/l", license="L", scope="s/n")
    data.funnel = [("raw", 10), ("published", 4)]
    data.samples = {"rule/a": [{"doc_id": "d", "url": "https://e/x?a=1&b=2", "text": "<b>bold</b>"}]}
    data.images = [Image("img/funnel.png", "Funnel", "funnel")]
    data.recipe = {"name": "fineweb", "version": "1", "hash": "h", "origin": "o", "rules": [("r", "1", "c gt 1", "")]}
    page = render_html(data)
    assert "<title>T &lt;x&gt;</title>" in page and "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold" not in page
    assert page.count("<img ") == 1 and 'src="img/funnel.png"' in page
    card = render_datacard(data)
    assert "| published | 4 |" in card and "### Recipe: fineweb v1 (hash h)" in card
    assert json.dumps(card)  # plain text
