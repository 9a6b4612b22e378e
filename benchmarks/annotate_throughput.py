"""Extract and annotate throughput per core: Spark against a tight loop (the limit), and datatrove side by side.

    .venv/bin/python benchmarks/annotate_throughput.py [--mb 40] [--cores 2] [--fixtures]

Generates a sample crawl of at least ``--mb`` MB of .warc.gz (once; reused afterwards; ``--fixtures`` adds
the real Common Crawl WARC fixtures of ``shared/data/warc/cc``), then measures in one run:

1. tight loop, one process (the limit): ``read_local_file`` over every file; ``extract_html`` on every
   HTML page with ``isolation='subprocess'`` (what the Spark job runs) and ``'inprocess'`` (reference);
   ``LanguageIdentifier.predict`` and ``compute_signals`` (language from LID) on every extracted text.
   Each step is timed on its own over all documents, with the job's own options (``conf/local.yaml``).
2. Spark ``local[--cores]``: ``ingest.run`` (timed on its own), then ``extract.run`` and ``annotate.run`` end
   to end including their Delta commits, on a fresh lake under ``--out`` (session start-up excluded).
   annotate does LID and signals together; it is compared with the tight loop's LID + signals.
3. datatrove's ``LocalPipelineExecutor`` (tasks = workers = ``--cores``) on the same files, the pipeline of
   its ``examples/fineweb.py``: WarcReader -> URLFilter -> extractor -> language filter -> Gopher repetition
   -> Gopher quality -> C4 quality (``filter_no_terminal_punct=False``) -> FineWeb quality -> JsonlWriter,
   once with Trafilatura (FineWeb's extractor) and once with resiliparse (crawlforge's extractor and
   options, in datatrove's extractor sandbox), timed end to end (pool start-up included).

Not like for like, and said so in the output: datatrove's ``LanguageFilter`` downloads ``lid.176.bin`` at run
time, which cannot work offline, so a small filter step calls ``lid.176.ftz`` (the model crawlforge ships)
with datatrove's convention (newlines -> spaces, all labels, keep ``en`` with score > 0.65). The URL filter
uses FineWeb's word lists without the domain/URL blocklist, as crawlforge's annotate does by default. A
datatrove pipeline drops a document at the first failing filter, so later filters see fewer documents;
crawlforge computes every signal of every document and decides later (``select``).

Rates are documents per second per core: HTML pages for reading, extraction and end to end, extracted
documents for LID and signals. Extra dependencies for the datatrove rows (benchmark only): ``pip install
trafilatura warcio faust-cchardet python-magic orjson`` (WarcReader needs warcio, faust-cchardet and
python-magic; JsonlWriter needs orjson); a missing one turns its rows into FAILED lines.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SNAPSHOT = "BENCH"


# ----------------------------------------------------------------------------------------------------------
# input
# ----------------------------------------------------------------------------------------------------------


def fixture_paths() -> list[Path]:
    """The real Common Crawl WARC fixtures (not WET/WAT) of shared/data, or [] when they are not there."""
    candidates = [os.environ.get("CRAWLFORGE_SHARED_DATA"), REPO.parent / "shared" / "data", "/work/shared/data"]
    for c in candidates:
        if c and (Path(c) / "warc" / "cc").is_dir():
            return sorted((Path(c) / "warc" / "cc").glob("*.warc.gz"))
    return []


def build_cfg(paths: list[Path], cores: int, lake: Path) -> Any:
    from crawlforge.lib.config import build_config

    return build_config(
        ["local"],
        [
            f"lake.root={lake}",
            f"spark.master=local[{cores}]",
            f"spark.shuffle_partitions={cores}",
            "spark.driver_memory=4g",
            "ingest.input.kind=paths",
            f"ingest.input.paths=[{','.join(str(p) for p in paths)}]",
            f"ingest.snapshot={SNAPSHOT}",
            "run.log_level=WARNING",
        ],
    )


# ----------------------------------------------------------------------------------------------------------
# 1. tight loop
# ----------------------------------------------------------------------------------------------------------


@dataclass
class TightLoop:
    html_pages: int = 0
    records_total: int = 0
    ok_docs: int = 0
    t_read: float = 0.0
    t_extract_sub: float = 0.0
    t_extract_inproc: float = 0.0
    t_lid: float = 0.0
    t_signals: float = 0.0
    english: int = 0  # LID label en with score > 0.65 (FineWeb's language filter)
    fineweb_kept: int = 0  # english and no FINEWEB_RULES rule fails
    statuses: dict[str, int] = field(default_factory=dict)
    pages_by_group: dict[str, int] = field(default_factory=dict)


def tight_loop(groups: dict[str, list[Path]], cfg: Any) -> TightLoop:
    from crawlforge.jobs import annotate, extract
    from crawlforge.lib.extract import extract_html, shutdown_workers
    from crawlforge.lib.heuristics.decisions import FINEWEB_RULES, decide
    from crawlforge.lib.heuristics.signals import SignalResources, compute_signals
    from crawlforge.lib.heuristics.url_filter import UrlFilterLists
    from crawlforge.lib.langid import LID_MODES, LanguageIdentifier
    from crawlforge.lib.warc_reader import read_local_file

    res = TightLoop()
    records = []
    t0 = time.perf_counter()
    for group, paths in groups.items():
        for p in paths:
            recs, summary = read_local_file(str(p), cfg.ingest.source)
            res.records_total += summary.records_total
            res.pages_by_group[group] = res.pages_by_group.get(group, 0) + summary.records_kept
            records.extend(r for r in recs if r.warc_type != "conversion")
    res.t_read = time.perf_counter() - t0
    res.html_pages = len(records)

    eopts = extract.task_options(cfg)
    kw: dict[str, Any] = {"max_bytes": eopts.max_bytes, "timeout_s": eopts.timeout_s, "options": eopts.options}
    extract_html(b"<html><body><p>warm up</p></body></html>", None, isolation="subprocess", **kw)  # child start
    t0 = time.perf_counter()
    results = [extract_html(r.payload, r.charset, isolation="subprocess", **kw) for r in records]
    res.t_extract_sub = time.perf_counter() - t0
    shutdown_workers()
    t0 = time.perf_counter()
    for r in records:
        extract_html(r.payload, r.charset, isolation="inprocess", **kw)
    res.t_extract_inproc = time.perf_counter() - t0
    for r in results:
        res.statuses[r.status] = res.statuses.get(r.status, 0) + 1
    docs = [(rec.url, r.text) for rec, r in zip(records, results, strict=True) if r.ok]
    res.ok_docs = len(docs)
    del records, results

    aopts = annotate.task_options(cfg)
    lid = LanguageIdentifier(aopts.lid_model, k=aopts.top_k, mode=aopts.lid_mode)  # type: ignore[arg-type]
    lid.predict("warm up the model")
    t0 = time.perf_counter()
    preds = [lid.predict(text) for _, text in docs]
    res.t_lid = time.perf_counter() - t0

    resources = SignalResources(url_lists=UrlFilterLists.fineweb(aopts.url_domain_files, aopts.url_url_files))
    compute_signals("Warm up. The word lists load here.", "https://example.com/", "en", resources)
    t0 = time.perf_counter()
    signals = [
        compute_signals(text, url, p.label or "und", resources) for (url, text), p in zip(docs, preds, strict=True)
    ]
    res.t_signals = time.perf_counter() - t0

    fineweb = LID_MODES["fineweb"]
    for p, s in zip(preds, signals, strict=True):
        if p.topk and any(lab == "en" and fineweb.passes(sc) for lab, sc in p.topk):
            res.english += 1
            res.fineweb_kept += decide(s, FINEWEB_RULES).keep
    return res


# ----------------------------------------------------------------------------------------------------------
# 2. Spark
# ----------------------------------------------------------------------------------------------------------


@dataclass
class SparkRun:
    ingest_docs: int = 0
    t_ingest: float = 0.0
    extract_docs: int = 0
    t_extract: float = 0.0
    annotate_docs: int = 0
    t_annotate: float = 0.0
    extract_ms_sum: float = 0.0  # the documents table's extract_ms, summed: time inside extract_html


def spark_runs(cfg: Any, lake: Path) -> SparkRun:
    from pyspark.sql import functions as F

    from crawlforge.jobs import annotate, delta_io, extract, ingest
    from crawlforge.jobs.spark_session import build_local_session
    from crawlforge.jobs.tables import DOCUMENTS

    shutil.rmtree(lake, ignore_errors=True)
    spark = build_local_session(cfg.spark, "crawlforge-bench-annotate")
    spark.range(1).count()  # JVM warm
    out = SparkRun()
    t0 = time.perf_counter()
    ing = ingest.run(spark, cfg)
    out.t_ingest, out.ingest_docs = time.perf_counter() - t0, ing.records_kept
    t0 = time.perf_counter()
    ext = extract.run(spark, cfg)
    out.t_extract, out.extract_docs = time.perf_counter() - t0, ext.docs_in
    t0 = time.perf_counter()
    ann = annotate.run(spark, cfg)
    out.t_annotate, out.annotate_docs = time.perf_counter() - t0, ann.docs_in
    docs = delta_io.read_table(spark, cfg.lake.root, DOCUMENTS.name)
    out.extract_ms_sum = float(docs.agg(F.sum("extract_ms")).first()[0] or 0.0)
    spark.stop()
    return out


# ----------------------------------------------------------------------------------------------------------
# 3. datatrove
# ----------------------------------------------------------------------------------------------------------


def _datatrove_steps() -> tuple[type, type]:
    """The two steps datatrove lacks here: offline fastText LID, and a resiliparse extractor."""
    from datatrove.pipeline.extractors.base import BaseExtractor
    from datatrove.pipeline.filters.base_filter import BaseFilter

    class LocalFastTextLanguageFilter(BaseFilter):
        """datatrove's LanguageFilter convention with a local model file (its own downloads lid.176.bin)."""

        name = "🌍 Language ID (lid.176.ftz, local)"

        def __init__(self, model_path: str, languages: tuple[str, ...] = ("en",), threshold: float = 0.65):
            super().__init__()
            self.model_path = model_path
            self.languages = languages
            self.threshold = threshold
            self._model = None

        def filter(self, doc: Any) -> bool:
            if self._model is None:
                import fasttext

                self._model = fasttext.load_model(self.model_path)
            labels, scores = self._model.predict(doc.text.replace("\n", " "), k=-1)
            pairs = {label.split("__")[2]: float(score) for label, score in zip(labels, scores, strict=True)}
            best = max(pairs.items(), key=lambda kv: kv[1])
            doc.metadata["language"], doc.metadata["language_score"] = best
            return any(pairs.get(lang, 0.0) > self.threshold for lang in self.languages)

    class ResiliparseMainContent(BaseExtractor):
        """crawlforge's resiliparse call (same switches, same short-text full-page fallback) as a datatrove step."""

        name = "⛏ Resiliparse"

        def __init__(self, kwargs: dict[str, Any], full_kwargs: dict[str, Any], fallback_min_chars: int, timeout=1.0):
            super().__init__(timeout)
            self.kwargs = kwargs
            self.full_kwargs = full_kwargs
            self.fallback_min_chars = fallback_min_chars

        def extract(self, text: str) -> str:
            from resiliparse.extract.html2text import extract_plain_text
            from resiliparse.parse.html import HTMLTree

            tree = HTMLTree.parse(text)
            out = extract_plain_text(tree, **self.kwargs).strip()
            if len(out) < self.fallback_min_chars:
                full = extract_plain_text(tree, **self.full_kwargs).strip()
                if len(full) > len(out):
                    out = full
            return out

    return LocalFastTextLanguageFilter, ResiliparseMainContent


def fineweb_url_filter(exclusion_writer: Any = None) -> Any:
    """datatrove's URLFilter with FineWeb's word lists, no domain/URL blocklist, the bundled public suffix list."""
    from datatrove.pipeline.filters import URLFilter
    from datatrove.utils._import_utils import ASSETS_PATH
    from tldextract import TLDExtract

    def words(file: str) -> list[str]:
        return Path(ASSETS_PATH, file).read_text(encoding="utf-8").splitlines()

    url_filter = URLFilter(
        banned_words=words("banned_words.txt"),
        banned_subwords=words("banned_subwords.txt"),
        soft_banned_words=words("soft_banned_words.txt"),
        use_integrated_lists=False,
        exclusion_writer=exclusion_writer,
    )
    url_filter.tldextractor = TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled suffix list, no network
    return url_filter


def resiliparse_step(cfg: Any) -> Any:
    """crawlforge's resiliparse extraction (its switches and short-text fallback) as a datatrove extractor step."""
    from crawlforge.jobs import extract as extract_job

    _, resiliparse_extractor = _datatrove_steps()
    opts = extract_job.task_options(cfg).options
    return resiliparse_extractor(
        opts.resiliparse_kwargs(),
        opts.resiliparse_kwargs(main_content=False),
        opts.fallback_min_chars if opts.main_content else 0,
        timeout=cfg.extract.timeout_s,
    )


@dataclass
class DatatroveRun:
    name: str
    docs: int = 0  # HTML documents the reader produced
    seconds: float = 0.0
    kept: int = 0
    steps: list[tuple[str, int, int, float]] = field(default_factory=list)  # name, in, out, seconds (all tasks)
    error: str | None = None


@contextlib.contextmanager
def stderr_to(path: Path) -> Iterator[None]:
    """Send fd 2 (datatrove's loguru output, also in its pool workers) to a file for the duration."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def datatrove_run(name: str, input_dir: Path, cores: int, out: Path, cfg: Any) -> DatatroveRun:
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.extractors import Trafilatura
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.writers import JsonlWriter

    from crawlforge.lib.langid import bundled_lid176_path

    lid_filter, _ = _datatrove_steps()
    work = out / "datatrove" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    url_filter = fineweb_url_filter()
    if name == "trafilatura":
        extractor = Trafilatura(favour_precision=True, timeout=cfg.extract.timeout_s)
    else:
        extractor = resiliparse_step(cfg)
    pipeline = [
        WarcReader(str(input_dir), glob_pattern="*.warc.gz"),
        url_filter,
        extractor,
        lid_filter(str(bundled_lid176_path())),
        GopherRepetitionFilter(),
        GopherQualityFilter(),
        C4QualityFilter(filter_no_terminal_punct=False),
        FineWebQualityFilter(),
        JsonlWriter(str(work / "output")),
    ]
    executor = LocalPipelineExecutor(
        pipeline=pipeline, tasks=cores, workers=cores, logging_dir=str(work / "logs"), skip_completed=False
    )
    result = DatatroveRun(name)
    t0 = time.perf_counter()
    try:
        with stderr_to(work / "stderr.log"):
            stats = executor.run()
    except Exception as exc:  # noqa: BLE001 -- report the failure in the table, keep the other rows
        result.error = f"{type(exc).__name__}: {exc}"[:200] + f" (log: {work / 'stderr.log'})"
        return result
    result.seconds = time.perf_counter() - t0

    def count(step: Any, key: str) -> int:
        return int(step.stats[key].total) if key in step.stats else 0

    for i, step in enumerate(stats.stats):
        if i == 0:
            n_in = n_out = count(step, "documents")
            result.docs = n_out
        else:
            n_in, n_out = count(step, "total"), count(step, "forwarded")
        result.steps.append((step.name, n_in, n_out, step.time_stats.total))
    if len(stats.stats) > 1:
        result.kept = count(stats.stats[-1], "total")  # documents the writer wrote
    return result


# ----------------------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "-"


def machine_facts(cores: int) -> str:
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(
        f"{d} {_version(d)}"
        for d in ("pyspark", "delta-spark", "resiliparse", "fasttext-predict", "datatrove", "trafilatura", "spacy")
    )
    load = os.getloadavg()[0]
    return (
        f"machine: {os.cpu_count()} cores ({cpu}), 1-min load average before the run {load:.2f}, --cores {cores}; "
        f"Python {platform.python_version()}; {versions}"
    )


def report(tl: TightLoop, sp: SparkRun | None, dt_runs: list[DatatroveRun], cores: int, out: Path) -> None:
    t_tight_all = tl.t_read + tl.t_extract_sub + tl.t_lid + tl.t_signals
    limit = {
        "read": tl.html_pages / tl.t_read,
        "extract": tl.html_pages / tl.t_extract_sub,
        "annotate": tl.ok_docs / (tl.t_lid + tl.t_signals),
        "all": tl.html_pages / t_tight_all,
    }
    rows: list[tuple[str, int | None, float | None, int, str | None, str | None]] = [
        ("tight loop, 1 process (the limit)", None, None, 1, None, None),
        ("  read WARC (read_local_file)", tl.html_pages, tl.t_read, 1, None, None),
        ("  extract, isolation=subprocess (as Spark)", tl.html_pages, tl.t_extract_sub, 1, None, None),
        ("  extract, isolation=inprocess (reference)", tl.html_pages, tl.t_extract_inproc, 1, None, None),
        ("  language ID (lid.176.ftz)", tl.ok_docs, tl.t_lid, 1, None, None),
        ("  signals (compute_signals)", tl.ok_docs, tl.t_signals, 1, None, None),
        ("  LID + signals", tl.ok_docs, tl.t_lid + tl.t_signals, 1, None, None),
        ("  all: read + extract + LID + signals", tl.html_pages, t_tight_all, 1, None, None),
    ]
    sp_all_rate = None
    if sp is not None:
        t_sp_all = sp.t_ingest + sp.t_extract + sp.t_annotate
        sp_all_rate = sp.ingest_docs / t_sp_all / cores
        rows += [
            (f"crawlforge, Spark local[{cores}] + Delta", None, None, cores, None, None),
            ("  ingest.run", sp.ingest_docs, sp.t_ingest, cores, "read", None),
            ("  extract.run", sp.extract_docs, sp.t_extract, cores, "extract", None),
            ("  annotate.run (LID + signals)", sp.annotate_docs, sp.t_annotate, cores, "annotate", None),
            ("  end to end: ingest + extract + annotate", sp.ingest_docs, t_sp_all, cores, "all", None),
        ]
    if dt_runs:
        rows.append(
            (f"datatrove LocalPipelineExecutor, {cores} tasks, {cores} workers", None, None, cores, None, None)
        )
        for r in dt_runs:
            label = f"  end to end, {r.name} extractor" + (" (FineWeb)" if r.name == "trafilatura" else "")
            rows.append((label, r.docs if not r.error else None, r.seconds or None, cores, None, r.name))

    print(f"\n{'step':<58} {'docs':>7} {'seconds':>8} {'docs/s/core':>12} {'vs tight loop':>14} {'cf/dt':>6}")
    for name, n, t, c, vs, dt_name in rows:
        if n is None or not t:
            err = next((r.error for r in dt_runs if r.name == dt_name and r.error), None)
            print(f"{name:<58}" + (f" FAILED: {err}" if err else ""))
            continue
        rate = n / t / c
        vs_s = f"{rate / limit[vs]:.3f}" if vs else ""
        cf_dt = f"{sp_all_rate / rate:.2f}" if dt_name and sp_all_rate else ""
        print(f"{name:<58} {n:>7} {t:>8.1f} {rate:>12.1f} {vs_s:>14} {cf_dt:>6}")

    print(
        "\nvs tight loop: Spark docs/s/core / the same work in the tight loop (ingest vs read, extract vs extract "
        "subprocess,\n  annotate vs LID + signals, end to end vs all). cf/dt: crawlforge Spark end to end docs/s/core"
        " / that datatrove row."
    )
    ms = 1000.0
    tight = (
        f"extract {tl.t_extract_sub / max(tl.html_pages, 1) * ms:.2f} ms (inprocess "
        f"{tl.t_extract_inproc / max(tl.html_pages, 1) * ms:.2f} ms), LID {tl.t_lid / max(tl.ok_docs, 1) * ms:.2f} "
        f"+ signals {tl.t_signals / max(tl.ok_docs, 1) * ms:.2f} = "
        f"{(tl.t_lid + tl.t_signals) / max(tl.ok_docs, 1) * ms:.2f} ms"
    )
    print(f"per document, tight loop: {tight}")
    if sp is not None:
        print(
            f"per document and core, Spark: extract {sp.t_extract * cores / max(sp.extract_docs, 1) * ms:.2f} ms, "
            f"annotate {sp.t_annotate * cores / max(sp.annotate_docs, 1) * ms:.2f} ms; inside extract.run, "
            f"extract_html took {sp.extract_ms_sum / ms:.1f} s of {sp.t_extract * cores:.1f} core-seconds "
            f"({sp.extract_ms_sum / ms / max(sp.t_extract * cores, 1e-9):.0%})"
        )
    print(
        f"crawlforge decisions (tight loop): {tl.english} docs en > 0.65, {tl.fineweb_kept} of them pass FINEWEB_RULES"
    )
    for r in dt_runs:
        if r.error:
            continue
        print(
            f"\ndatatrove {r.name}: {r.docs} HTML docs read, {r.kept} written; per step (seconds summed over tasks):"
        )
        print(f"  {'step':<40} {'in':>7} {'out':>7} {'seconds':>8} {'ms/doc':>8}")
        for raw_name, n_in, n_out, secs in r.steps:
            step = " ".join("".join(ch for ch in raw_name if ch.isascii()).replace(" - ", " ").split())
            print(f"  {step:<40} {n_in:>7} {n_out:>7} {secs:>8.1f} {secs / max(n_in, 1) * ms:>8.2f}")
    if dt_runs:
        notes = [
            "datatrove notes: its LanguageFilter downloads lid.176.bin at run time (no network here), so a custom",
            "  BaseFilter calls lid.176.ftz (crawlforge.lib.langid.bundled_lid176_path) with datatrove's convention:",
            "  newlines -> spaces, all labels (k=-1), keep en with score > 0.65.",
            "  URLFilter: FineWeb word lists, no domain/URL blocklist (as crawlforge annotate's default), bundled",
            "  public suffix list. Resiliparse extractor: crawlforge's switches and short-text fallback, run in",
            "  datatrove's ExtractorSandbox (datatrove 0.10.1 has no resiliparse step). HTML is decoded by",
            "  datatrove's WarcReader (UTF-8, else cchardet), which keeps HTML responses of any HTTP status",
            "  (crawlforge: 200 only) and whose time excludes warcio's decompression. A datatrove filter after a",
            "  drop sees fewer documents; crawlforge computes every signal of every document and decides later.",
            f"  Logs and stats: {out / 'datatrove'}/<extractor>/",
        ]
        print("\n" + "\n".join(notes))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=int, default=40, help="size of the generated crawl in MB of .warc.gz")
    ap.add_argument("--cores", type=int, default=2, help="Spark local[N] and datatrove tasks = workers = N")
    ap.add_argument("--files", type=int, default=8, help="files of the generated crawl")
    ap.add_argument("--fixtures", action="store_true", help="add the real CC WARC fixtures of shared/data")
    ap.add_argument("--no-datatrove", action="store_true", help="skip the datatrove rows")
    ap.add_argument("--no-spark", action="store_true", help="skip the Spark rows")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "out"))
    args = ap.parse_args()
    os.environ.setdefault("CRAWLFORGE_IVY_DIR", str(REPO / ".cache" / "ivy"))

    from crawlforge.lib.sample_crawl import generate_to_size

    out = Path(args.out)
    cores = args.cores
    t0 = time.perf_counter()
    generated = sorted(generate_to_size(out / f"crawl-{args.mb}mb", args.mb * 1_000_000, files=args.files))
    groups = {"generated": generated}
    if args.fixtures:
        groups["CC fixtures"] = fixture_paths()
        if not groups["CC fixtures"]:
            print("note: --fixtures given but shared/data/warc/cc was not found; generated crawl only")
    paths = [p for ps in groups.values() for p in ps]
    mb = sum(p.stat().st_size for p in paths) / 1e6
    print(f"input: {len(paths)} files, {mb:.1f} MB .warc.gz (generated or reused in {time.perf_counter() - t0:.1f}s)")
    print(machine_facts(cores), flush=True)
    cfg = build_cfg(paths, cores, out / "lake-annotate")

    print("1/3 tight loop ...", flush=True)
    tl = tight_loop(groups, cfg)
    print(
        f"    HTML pages (HTTP 200 text/html): {tl.html_pages} of {tl.records_total} records ("
        + ", ".join(f"{g} {n}" for g, n in tl.pages_by_group.items())
        + f"); extracted ok: {tl.ok_docs} ("
        + ", ".join(f"{s} {n}" for s, n in sorted(tl.statuses.items()))
        + ")",
        flush=True,
    )

    dt_runs: list[DatatroveRun] = []
    if not args.no_datatrove:
        print("2/3 datatrove ...", flush=True)
        input_dir = out / "datatrove" / "input"
        shutil.rmtree(input_dir, ignore_errors=True)
        input_dir.mkdir(parents=True)
        for i, p in enumerate(paths):  # one folder for datatrove's reader, same files
            (input_dir / f"{i:03d}-{p.name}").symlink_to(p.resolve())
        for name in ("resiliparse", "trafilatura"):
            try:
                dt_runs.append(datatrove_run(name, input_dir, cores, out, cfg))
            except ImportError as exc:
                dt_runs.append(DatatroveRun(name, error=f"not installed: {exc}"))

    sp: SparkRun | None = None
    if not args.no_spark:
        print("3/3 Spark ...", flush=True)
        sp = spark_runs(cfg, out / "lake-annotate")
        if sp.ingest_docs != tl.html_pages:
            print(f"note: Spark ingest kept {sp.ingest_docs} records, the tight loop read {tl.html_pages} HTML pages")
    report(tl, sp, dt_runs, cores, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
