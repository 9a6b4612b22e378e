"""Extraction quality and speed: bag-of-words F1 of ``crawlforge.lib.extract`` against ground truth.

Data (SOURCES.md section 2): ``extraction/scrapinghub-aeb`` (181 news/blog pages, ``articleBody``) and
``extraction/wcxb-dev-sample`` (350 pages of 7 page types; the 6 with empty ``main_content`` are skipped,
leaving 344). Metric: per page, lower-cased ``\\w+`` tokens of the prediction and of the ground truth as
multisets; precision = overlap / predicted tokens, recall = overlap / true tokens, F1 their harmonic mean (0
when the prediction is empty); the table reports the mean over pages. With resiliparse's own defaults plus
``main_content=True`` this reproduces the SOURCES.md sanity values (0.898 and 0.722).

Usage::

    python benchmarks/extraction_quality.py                  # chosen defaults vs the 0.x-style baseline
    python benchmarks/extraction_quality.py --sweep          # every option we tried
    python benchmarks/extraction_quality.py --trafilatura    # also trafilatura (if installed) as a reference
    python benchmarks/extraction_quality.py --isolation both --repeat 3  # in-process vs subprocess speed

docs/s is single-threaded wall time for decode + parse + extract (+ IPC in subprocess mode) over the pages
of one dataset, after one warm-up page (fastest of ``--repeat`` passes).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from crawlforge.lib.extract import DEFAULT_OPTIONS, ExtractOptions, extract_html, shutdown_workers


DEFAULT_DATA = Path(os.environ.get("CRAWLFORGE_SHARED_DATA", "/work/shared/data")) / "extraction"
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Page:
    """One benchmark page: raw bytes and the reference main text."""

    dataset: str
    page_id: str
    page_type: str
    html: bytes
    truth: str


def bow_scores(predicted: str, truth: str) -> tuple[float, float, float]:
    """Bag-of-words (multiset) precision, recall and F1 of lower-cased ``\\w+`` tokens."""
    pred, gold = Counter(_TOKEN.findall(predicted.lower())), Counter(_TOKEN.findall(truth.lower()))
    overlap = sum((pred & gold).values())
    n_pred, n_gold = sum(pred.values()), sum(gold.values())
    precision = overlap / n_pred if n_pred else 0.0
    recall = overlap / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load_scrapinghub(root: Path = DEFAULT_DATA, limit: int | None = None) -> list[Page]:
    """The scrapinghub article-extraction-benchmark pages, sorted by id."""
    base = root / "scrapinghub-aeb"
    truth = json.loads((base / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        html = gzip.decompress((base / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(Page("scrapinghub", page_id, "article", html, truth[page_id]["articleBody"]))
    return pages


def load_wcxb(root: Path = DEFAULT_DATA, limit_per_type: int | None = None) -> list[Page]:
    """The WCXB dev sample, sorted by id, skipping pages whose ``main_content`` is null or empty."""
    base = root / "wcxb-dev-sample"
    meta = json.loads((base / "metadata.json").read_text(encoding="utf-8"))["files"]
    pages, per_type = [], Counter[str]()
    for page_id in sorted(meta):
        record = json.loads((base / "ground-truth" / f"{page_id}.json").read_text(encoding="utf-8"))
        truth = (record.get("ground_truth") or {}).get("main_content")
        page_type = meta[page_id]["page_type"]
        if not truth or (limit_per_type is not None and per_type[page_type] >= limit_per_type):
            continue
        per_type[page_type] += 1
        html = gzip.decompress((base / "html" / f"{page_id}.html.gz").read_bytes())
        pages.append(Page("wcxb", page_id, page_type, html, truth))
    return pages


@dataclass(slots=True)
class Score:
    """Mean P/R/F1 over pages plus throughput."""

    n: int
    f1: float
    precision: float
    recall: float
    docs_per_s: float


def evaluate(
    pages: list[Page], extract: Callable[[bytes], str], repeat: int = 1
) -> tuple[dict[str, Score], list[float]]:
    """Score ``extract`` on ``pages``; returns scores per dataset and per ``wcxb:<type>``, and per-page F1.

    With ``repeat > 1`` every page is extracted that many times and the fastest pass per dataset is used for
    docs/s (less noise on a shared machine); scores come from the first pass.
    """
    if pages:
        extract(pages[0].html)  # warm-up: child start, lazy initialisation
    groups: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    seconds: dict[str, float] = {}
    per_page = []
    for attempt in range(max(1, repeat)):
        elapsed: dict[str, float] = defaultdict(float)
        for page in pages:
            t0 = time.perf_counter()
            text = extract(page.html)
            elapsed[page.dataset] += time.perf_counter() - t0
            if attempt:
                continue
            prf = bow_scores(text, page.truth)
            per_page.append(prf[2])
            groups[page.dataset].append(prf)
            if page.dataset == "wcxb":
                groups[f"wcxb:{page.page_type}"].append(prf)
        for ds, sec in elapsed.items():
            seconds[ds] = min(seconds.get(ds, sec), sec)
    out = {}
    for name, rows in groups.items():
        ds = name.split(":")[0]
        n_ds = len(groups[ds])
        out[name] = Score(
            len(rows),
            statistics.fmean(r[2] for r in rows),
            statistics.fmean(r[0] for r in rows),
            statistics.fmean(r[1] for r in rows),
            n_ds / seconds[ds] if seconds.get(ds) else float("nan"),
        )
    return out, per_page


def crawlforge_extractor(options: ExtractOptions, isolation: str = "inprocess") -> Callable[[bytes], str]:
    """Our pipeline function (charset decoding included) as a ``bytes -> text`` callable."""

    def run(html: bytes) -> str:
        return extract_html(html, None, options=options, isolation=isolation, timeout_s=30.0).text  # type: ignore[arg-type]

    return run


def trafilatura_extractor(**kwargs: object) -> Callable[[bytes], str] | None:
    """trafilatura on the same decoded HTML (reference only; not a project dependency)."""
    try:
        import logging

        import trafilatura
    except ImportError:
        return None
    from crawlforge.lib.charset import decode_html

    logging.getLogger("trafilatura").setLevel(logging.ERROR)

    def run(html: bytes) -> str:
        return trafilatura.extract(decode_html(html).text, include_comments=False, deduplicate=True, **kwargs) or ""

    return run


BASELINE = dataclasses.replace(DEFAULT_OPTIONS, alt_texts=True, fallback_min_chars=0)
SWEEP: dict[str, ExtractOptions] = {
    "resiliparse main_content (0.x defaults)": BASELINE,
    "  + alt_texts=False": dataclasses.replace(BASELINE, alt_texts=False),
    "  + alt_texts=False, comments=False": dataclasses.replace(BASELINE, alt_texts=False, comments=False),
    "  + alt_texts=False, post_meta=False": dataclasses.replace(BASELINE, alt_texts=False, post_meta=False),
    "  + links=True": dataclasses.replace(BASELINE, links=True),
    "  + noscript=True": dataclasses.replace(BASELINE, noscript=True),
    "  + hidden_elements=True": dataclasses.replace(BASELINE, hidden_elements=True),
    "  + form_fields=True": dataclasses.replace(BASELINE, form_fields=True),
    "  + list_bullets=False": dataclasses.replace(BASELINE, list_bullets=False),
    "  + preserve_formatting=False": dataclasses.replace(BASELINE, preserve_formatting=False),
    "default, fallback below 100 chars": dataclasses.replace(DEFAULT_OPTIONS, fallback_min_chars=100),
    "default, fallback below 500 chars": dataclasses.replace(DEFAULT_OPTIONS, fallback_min_chars=500),
    "default, fallback below 1000 chars": dataclasses.replace(DEFAULT_OPTIONS, fallback_min_chars=1000),
    "full page (main_content=False)": dataclasses.replace(DEFAULT_OPTIONS, main_content=False),
}


def _table(rows: Iterable[tuple[str, dict[str, Score]]], columns: list[str]) -> str:
    head = f"{'configuration':<44} " + " ".join(f"{c:>22}" for c in columns)
    lines = [head, "-" * len(head)]
    for name, scores in rows:
        cells = []
        for c in columns:
            s = scores.get(c)
            cells.append(f"{s.f1:.3f} {s.precision:.3f} {s.recall:.3f} {s.docs_per_s:5.0f}" if s else " " * 22)
        lines.append(f"{name:<44} " + " ".join(f"{c:>22}" for c in cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print F1 / precision / recall / docs/s tables."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sweep", action="store_true", help="every option combination we tried")
    ap.add_argument("--trafilatura", action="store_true", help="add trafilatura (if installed) as a reference")
    ap.add_argument("--isolation", choices=["inprocess", "subprocess", "both"], default="inprocess")
    ap.add_argument("--repeat", type=int, default=1, help="passes per configuration; docs/s from the fastest")
    args = ap.parse_args(argv)

    pages = load_scrapinghub(args.data) + load_wcxb(args.data)
    isolations = ["inprocess", "subprocess"] if args.isolation == "both" else [args.isolation]
    configs: dict[str, Callable[[bytes], str]] = {}
    chosen = {"resiliparse main_content (0.x defaults)": BASELINE} if not args.sweep else SWEEP
    for name, opts in chosen.items():
        configs[name] = crawlforge_extractor(opts)
    for iso in isolations:
        configs[f"crawlforge default [{iso}]"] = crawlforge_extractor(DEFAULT_OPTIONS, iso)
    if args.trafilatura:
        variants: dict[str, dict[str, object]] = {
            "trafilatura default": {},
            "trafilatura favor_precision (FineWeb)": {"favor_precision": True},
        }
        for name, kw in variants.items():
            fn = trafilatura_extractor(**kw)
            if fn is None:
                print("trafilatura is not installed; skipping it", file=sys.stderr)
                break
            configs[name] = fn

    results = []
    for name, fn in configs.items():
        scores, _ = evaluate(pages, fn, args.repeat)
        results.append((name, scores))
        print(f"done: {name}", file=sys.stderr, flush=True)
    shutdown_workers()

    n_sh = sum(p.dataset == "scrapinghub" for p in pages)
    n_wc = sum(p.dataset == "wcxb" for p in pages)
    print(f"\nbag-of-words F1 / precision / recall / docs/s  (scrapinghub n={n_sh}, wcxb n={n_wc})\n")
    print(_table(results, ["scrapinghub", "wcxb"]))
    types = sorted(k for k in results[0][1] if k.startswith("wcxb:"))
    print("\nWCXB by page type: F1 / precision / recall / docs/s (docs/s is the whole WCXB set)\n")
    for chunk in (types[:4], types[4:]):
        print(_table(results, chunk))
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
