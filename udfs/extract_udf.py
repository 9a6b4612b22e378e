"""``mapInPandas`` function for the extract job: raw records in, ``documents`` rows out.

HTML goes through :func:`crawlforge.lib.extract.extract_html` in its subprocess isolation mode: each
Python worker keeps one extraction child, so a page that exceeds the time limit is cut off (status
``timeout``) and the task goes on. WET ``conversion`` records are already text (Common Crawl's own
extraction) and are passed through with ``extract_method='wet'``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.metadata import version

import pandas as pd

from crawlforge.lib.extract import ExtractOptions, extract_html


OUTPUT_DDL = (
    "source string, snapshot string, doc_id string, file_id string, url string, host string, "
    "warc_date timestamp, title string, text string, extract_status string, extract_error string, "
    "extract_method string, charset string, charset_source string, payload_length long, text_chars long, "
    "text_lines long, extract_ms double, extractor string"
)
OUTPUT_COLUMNS = [c.split()[0] for c in OUTPUT_DDL.split(", ")]
INPUT_COLUMNS = [
    "source",
    "snapshot",
    "doc_id",
    "file_id",
    "url",
    "host",
    "warc_date",
    "warc_type",
    "charset",
    "payload_length",
    "payload",
]


@dataclass(frozen=True)
class ExtractTaskOptions:
    max_bytes: int
    timeout_s: float
    options: ExtractOptions


def extractor_name(opts: ExtractTaskOptions) -> str:
    mode = "main_content" if opts.options.main_content else "full_page"
    return f"resiliparse {version('resiliparse')} {mode} fallback<{opts.options.fallback_min_chars}"


def _lines(text: str) -> int:
    return text.count("\n") + 1 if text else 0


def make_extract_fn(opts: ExtractTaskOptions) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    name = extractor_name(opts)

    def extract_pages(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            out: dict[str, list] = {k: [] for k in OUTPUT_COLUMNS}
            for row in pdf.itertuples(index=False):
                payload = bytes(row.payload) if row.payload is not None else b""
                length = int(row.payload_length) if row.payload_length is not None else len(payload)
                if row.payload is None and length > opts.max_bytes:
                    # the job leaves a page over the limit behind in the JVM (see jobs/extract.py)
                    text, status, res_title, res_charset, res_source, method, error, ms = (
                        "",
                        "too_large",
                        None,
                        None,
                        None,
                        None,
                        None,
                        0.0,
                    )
                elif row.warc_type == "conversion":
                    text = payload.decode("utf-8", errors="replace").strip()
                    status = "ok" if text else "empty"
                    res_title, res_charset, res_source, method, error, ms = None, "utf-8", "wet", "wet", None, 0.0
                else:
                    r = extract_html(
                        payload, row.charset, max_bytes=opts.max_bytes, timeout_s=opts.timeout_s, options=opts.options
                    )
                    text, status, res_title, res_charset = r.text, r.status, r.title, r.charset
                    res_source, method, error, ms = r.charset_source, r.method, r.error, r.elapsed_ms
                ok = status == "ok"
                out["source"].append(row.source)
                out["snapshot"].append(row.snapshot)
                out["doc_id"].append(row.doc_id)
                out["file_id"].append(row.file_id)
                out["url"].append(row.url)
                out["host"].append(row.host)
                out["warc_date"].append(row.warc_date)
                out["title"].append(res_title)
                out["text"].append(text if ok else None)
                out["extract_status"].append(status)
                out["extract_error"].append(error)
                out["extract_method"].append(method)
                out["charset"].append(res_charset)
                out["charset_source"].append(res_source)
                out["payload_length"].append(length)
                out["text_chars"].append(len(text) if ok else 0)
                out["text_lines"].append(_lines(text) if ok else 0)
                out["extract_ms"].append(float(ms or 0.0))
                out["extractor"].append(name)
            yield pd.DataFrame(out)

    return extract_pages
