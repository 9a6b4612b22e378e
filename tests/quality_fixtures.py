"""Training and scoring text for the quality-classifier tests.

Positives: real reference text from ``../shared/data/text/`` (WikiText-2 test-split paragraphs and CCNet's
``cc_en_head`` documents). Negatives: the sample generator's ``spam`` pages (keyword stuffing) and its boilerplate-
heavy ``list`` and ``short`` pages, generated here and extracted with the project's own extractor (resiliparse), so
they look like ``documents.text``; the ground truth says which page is which.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastwarc.warc import ArchiveIterator, WarcRecordType

from crawlforge.lib.extract import ExtractOptions, extract_in_process
from crawlforge.lib.sample_crawl import GROUND_TRUTH_FILE, SampleSpec, generate_crawl


NEGATIVE_KINDS = ("spam", "list", "short")


def wikitext_paragraphs(shared_data: Path, min_words: int = 40) -> list[str]:
    """Non-heading lines of the WikiText-2 raw test split with at least ``min_words`` words, in file order."""
    out = []
    for line in (shared_data / "text" / "wikitext-2-raw-v1.test.txt").read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if s and not s.startswith("=") and len(s.split()) >= min_words:
            out.append(s)
    return out


def ccnet_documents(shared_data: Path) -> list[str]:
    rows = (shared_data / "text" / "ccnet-cc_en_head-0091.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(r)["text"] for r in rows if r.strip()]


@cache
def sample_pages(out_dir: str, pages: int = 1500, seed: int = 7) -> tuple[tuple[str, str, str], ...]:
    """(kind, language, extracted text) of every HTML page of a generated crawl, in ground-truth order."""
    files = generate_crawl(out_dir, SampleSpec(pages=pages, files=2, seed=seed, snapshot="QUALITY-TEST"))
    truth = {}
    for line in (Path(out_dir) / GROUND_TRUTH_FILE).read_text().splitlines():
        row = json.loads(line)
        truth[row["warc_record_id"]] = row
    out = []
    for f in files:
        with open(f, "rb") as fh:
            for rec in ArchiveIterator(fh, record_types=WarcRecordType.response, parse_http=True):
                row = truth.get(rec.record_id.strip("<>"))
                if row is None or row.get("http_status") != 200 or row.get("content_type") != "text/html":
                    continue
                res = extract_in_process(rec.reader.read(), None, ExtractOptions())
                if res.ok and res.text.strip():
                    out.append((row["kind"], row["language"], res.text))
    return tuple(out)
