"""Heuristic-signal throughput on real pages: ``compute_signals`` and each signal family, ms per page, one process.

    .venv/bin/python benchmarks/signals_throughput.py [--pages 3000] [--repeat 1] [--cache /tmp/signals_corpus.pkl]

Corpus (built from ``../shared/data``, as the end-to-end benchmark's real crawl and tight loop do): the HTML of the
shared extraction benchmarks (``load_pages``) and the HTML responses of the shared WARC files, extracted in-process
with resiliparse (``extract_html``), plus the text records of the shared WET files; language from fastText lid.176
(``LanguageIdentifier``). The unique pages (~600) are repeated, each copy with one WikiText-2 paragraph appended
(as ``lib/real_crawl`` makes its pages unique), up to ``--pages`` documents. ``--cache`` keeps the corpus in a pickle.

Families are timed as ``compute_signals`` runs them; a family's own splitting of the text is timed with it, the
datatrove word split shared by Gopher and FineWeb is its own row. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import pickle
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"

Doc = tuple[str, str | None, str]  # (text, url, language)


def _unique_docs() -> list[Doc]:
    """(text, url, LID language) of every real page and WET text record in ``../shared/data``."""
    import json

    from crawlforge.lib.extract import extract_html
    from crawlforge.lib.langid import LanguageIdentifier
    from crawlforge.lib.real_crawl import load_pages
    from crawlforge.lib.warc_reader import read_local_file

    ex = SHARED / "extraction"
    urls: dict[str, str] = {}
    for folder in ex.iterdir():
        meta = folder / "metadata.json"
        if meta.is_file():
            files = json.loads(meta.read_text(encoding="utf-8")).get("files", {})
            urls.update({f"{folder.name}/{k}": v["url"] for k, v in files.items() if "url" in v})
    pages: list[tuple[str | None, bytes, str | None]] = [
        (urls.get(p.name, f"https://{p.name.replace('/', '.example/')}"), p.html, None)
        for p in load_pages([ex / "scrapinghub-aeb", ex / "wcxb-dev-sample"])
    ]
    texts: list[tuple[str | None, str]] = []
    for path in sorted((SHARED / "warc").glob("*/*.warc*.gz")):
        records, _ = read_local_file(str(path), "bench-signals")
        for r in records:
            if r.warc_type == "conversion" and r.payload:
                texts.append((r.url, r.payload.decode("utf-8", "replace")))
            elif r.payload:
                pages.append((r.url, r.payload, r.charset))
    for url, html, charset in pages:
        res = extract_html(html, charset, isolation="inprocess")
        if res.ok and res.text:
            texts.append((url, res.text))
    lid = LanguageIdentifier()
    return [(text, url, lid.predict(text).label or "und") for url, text in texts]


def build_corpus(pages: int) -> list[Doc]:
    """``pages`` documents: the unique real documents, then copies each with one WikiText-2 paragraph appended."""
    docs = _unique_docs()
    wiki = (SHARED / "text" / "wikitext-2-raw-v1.test.txt").read_text(encoding="utf-8").splitlines()
    filler = [line.strip() for line in wiki if len(line.strip()) > 80 and not line.strip().startswith("=")]
    out = docs[:pages]
    i = 0
    while len(out) < pages:
        text, url, lang = docs[i % len(docs)]
        out.append((f"{text}\n\n{filler[i % len(filler)]}", f"{url}?copy={i}" if url else None, lang))
        i += 1
    return out


def load_corpus(pages: int, cache: Path | None) -> list[Doc]:
    if cache is not None and cache.is_file():
        docs: list[Doc] = pickle.loads(cache.read_bytes())
        if len(docs) >= pages:
            return docs[:pages]
    docs = build_corpus(pages)
    if cache is not None:
        cache.write_bytes(pickle.dumps(docs))
    return docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=1, help="timing passes; the fastest is reported")
    ap.add_argument("--cache", type=Path, default=None, help="corpus pickle (read if present, else written)")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    docs = load_corpus(args.pages, args.cache)
    build_s = time.perf_counter() - t0
    rows = time_families(docs, args.repeat)
    chars = sum(len(t) for t, _, _ in docs)
    print(f"signals throughput: {len(docs)} docs, {chars / len(docs):,.0f} chars/doc on average")
    print(f"python {platform.python_version()}, {platform.machine()}; corpus ready in {build_s:.1f} s\n")
    print(f"{'family':<44} {'ms/page':>9}")
    for name, seconds in rows:
        print(f"{name:<44} {1000 * seconds / len(docs):>9.3f}")
    return 0


def _best(fn: Callable[[], None], repeat: int) -> float:
    """Fewest CPU seconds of the process over ``repeat`` runs of ``fn`` (CPU time, not wall time, so that other
    work on a shared machine does not count)."""
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


# (row label, attribute of crawlforge.lib.heuristics.signals that compute_signals calls for that family)
FAMILIES = (
    ("url (FineWeb URL filter)", "url_signals"),
    ("word n-gram index (Gopher words)", "WordNgrams"),
    ("gopher repetition", "gopher_repetition_signals"),
    ("gopher quality", "gopher_quality_signals"),
    ("c4 quality (line filter)", "c4_quality"),
    ("c4 bad words", "c4_badwords_signals"),
    ("fineweb quality", "fineweb_quality_signals"),
    ("redpajama-v2 (rps_doc_*)", "redpajama_signals"),
)


def time_families(docs: list[Doc], repeat: int) -> list[tuple[str, float]]:
    """Seconds over ``docs``: ``compute_signals`` as is, then each family, timed by wrapping the functions that
    ``compute_signals`` calls (the wrappers add well under a microsecond per call); what is left of the total is
    splitting the text into lines and words and assembling the row."""
    from crawlforge.lib.heuristics import signals

    res = signals.SignalResources()
    signals.compute_signals("Warm up.", "https://example.com/", "en", res)

    def run() -> None:
        for text, url, lang in docs:
            signals.compute_signals(text, url, lang, res)

    total = _best(run, repeat)
    spent = dict.fromkeys([name for name, _ in FAMILIES], 0.0)

    def timed(name: str, fn: Callable[..., object]) -> Callable[..., object]:
        def wrapper(*args: object, **kwargs: object) -> object:
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] += time.process_time() - t0

        return wrapper

    originals = {attr: getattr(signals, attr) for _, attr in FAMILIES}
    try:
        for name, attr in FAMILIES:
            setattr(signals, attr, timed(name, originals[attr]))
        wrapped_total = _best(run, 1)
    finally:
        for attr, fn in originals.items():
            setattr(signals, attr, fn)
    rows = [(name, spent[name]) for name, _ in FAMILIES]
    rows.append(("split into lines and words, assemble", max(0.0, wrapped_total - sum(spent.values()))))
    rows.append(("compute_signals (total, unwrapped)", total))
    return rows


if __name__ == "__main__":
    sys.exit(main())
