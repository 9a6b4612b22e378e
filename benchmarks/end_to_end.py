"""End-to-end benchmark: the whole pipeline per stage, the limit, datatrove side by side, scaling and cost.

    .venv/bin/python benchmarks/end_to_end.py [--input both|generated|real] [--pages 20000] [--small 5000]
                                              [--real-pages 12000] [--real-small 3000] [--cores 2]
                                              [--no-datatrove] [--no-local1] [--results benchmarks/RESULTS.md]

One command, one run, every number from that run (issues #9 and #13). ``--input`` picks the crawl: ``generated``
(``crawlforge.lib.sample_crawl``, 3-5 KB pages, ``--pages``/``--small``), ``real`` (``crawlforge.lib.real_crawl``:
the shared extraction benchmarks' pages and the shared crawl files' HTML at their real sizes, ~300 KB a page,
1,500 per file, ``--real-pages``/``--real-small``) or ``both`` (the default; one section each in RESULTS.md). On the
real crawl datatrove runs twice: its actual FineWeb recipe (``Trafilatura(favour_precision=True)``, as in
datatrove's ``examples/fineweb.py``) and, separately, with crawlforge's resiliparse extraction (framework only).
For each input:

1. **crawlforge**: the ``pipeline`` job's stages (``crawlforge.jobs.pipeline.STAGES``: ingest through dedup and
   publish) in Spark ``local[--cores]`` on a generated crawl of ``--pages`` HTML pages, each stage timed on its
   own, in a fresh Python + JVM per run (a subprocess), with the peak resident memory of the JVM and of the
   Python workers sampled from ``/proc`` every 0.2 s. Documents per second per core = the stage's input
   documents / seconds / cores. Training steps (LM, classifier) are timed but kept out of the per-page rate:
   they run once per model, not per snapshot.
2. **datatrove** ``LocalPipelineExecutor`` (tasks = workers = ``--cores``) on the same WARC files doing the same
   work: WarcReader -> URLFilter -> resiliparse extraction with crawlforge's switches -> fastText language
   filter -> Gopher repetition -> Gopher quality -> C4 quality -> FineWeb quality -> MinHash dedup (signature,
   buckets, cluster, filter; FineWeb's 14 x 8, 5-grams). The reader is datatrove's ``process_record``, logging
   what it read (``_datatrove_reader_steps``); the documents only one side read are counted with the reason
   (HTTP status, charset). Every filter writes its exclusions,
   so among the documents both sides read, the documents each filter dropped are compared, by URL, with the
   documents whose first failing rule in crawlforge's ``decisions`` is in that filter; differences are listed.
3. **The limit**: the per-document cost of every library crawlforge calls (FastWARC reading, resiliparse,
   fastText lid.176, the heuristic signals, MinHash signatures, PII detection), each timed over all documents in
   one tight process, summed: the best a 1-core pipeline could do. crawlforge's end-to-end rate as a fraction of
   it is what Spark, Delta and our code add.
4. **Scaling**: the same pipeline on ``--small`` pages (at least 4x fewer) gives the growth exponent of time,
   log(t_big / t_small) / log(n_big / n_small); ``local[1]`` against ``local[--cores]`` on the small crawl gives
   per-core scaling.
5. **Cost**: core-hours and memory per core for one Common Crawl snapshot (about 3 billion pages in about
   90,000 WARC files) from the measured per-core rate, with the assumptions printed; the whole report is
   written to ``--results`` (benchmarks/RESULTS.md) with the machine and versions.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

SNAPSHOT = "BENCH-E2E"
SNAPSHOT_PAGES = 3_000_000_000
SNAPSHOT_FILES = 90_000
# Stages that train a model once: timed, reported, never part of the per-page rate.
TRAINING_STAGES = ("train-lm", "train_lm", "cutoffs", "train-classifier", "train_classifier")
# The crawlforge recipe stage -> the datatrove filter it matches (first failing rule prefix -> datatrove step).
FILTER_STAGES = (
    ("url_filter", "url_filter"),
    ("extract", "extractor"),
    ("lid", "language"),
    ("gopher_rep", "gopher_rep"),
    ("gopher_qual", "gopher_qual"),
    ("c4_quality", "c4_quality"),
    ("fineweb_qual", "fineweb_qual"),
)


# ----------------------------------------------------------------------------------------------------------
# memory sampling from /proc (no psutil)
# ----------------------------------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError), open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(x) for x in f.read().split())
    return out


def _rss_and_name(pid: int) -> tuple[int, str]:
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        return int(fields.get("VmRSS", "0 kB").split()[0]) * 1024, cmd
    except (OSError, ValueError):
        return 0, ""


def _pss(pid: int) -> int:
    """Proportional set size: each page shared by n processes counts 1/n in each (``smaps_rollup``, Linux 4.14+).

    Summed over processes it counts every page once, as a container's memory limit does; summed RSS counts the
    pages a forked Python worker shares with ``pyspark.daemon`` (its imports, lid.176) once per worker.
    """
    with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    return 0


class MemorySampler:
    """Peak RSS of the JVM and of the Python workers under this process (the driver is reported apart).

    A java process whose parent is the JVM is the JVM forking a helper process before the exec: it reports the
    parent's pages as its own for a moment, and counting it doubled the JVM's peak now and then (5.4 GB for a
    2.7 GB JVM), so it is left out. :meth:`stage_peaks` gives the peaks since its last call (one per stage).

    Two measures: the peaks of summed RSS, JVM and Python apart (what ``ps`` shows; they may peak at different
    moments, and shared pages count once per process), and the JVM's and the workers' PSS summed at the moment
    their summed RSS peaked (``peak_total_pss``): every page once, what a container running the executor is
    charged.
    """

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak_jvm = 0
        self.peak_python_workers = 0
        self.peak_python_worker = 0
        self.peak_driver = 0
        self.peak_total_pss = 0
        # JVM, Python workers together, largest worker, JVM + workers' PSS at one moment, since the last stage_peaks()
        self._stage = [0, 0, 0, 0]
        self._stage_rss = 0  # the highest JVM + workers RSS at one moment since the last stage_peaks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def stage_peaks(self) -> tuple[float, float, float, float]:
        """(JVM, Python workers together, largest worker, total PSS) peak MB since the last call."""
        out, self._stage, self._stage_rss = self._stage, [0, 0, 0, 0], 0
        return tuple(v / 2**20 for v in out)  # type: ignore[return-value]

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            self.peak_driver = max(self.peak_driver, _rss_and_name(me)[0])
            jvm = workers = biggest = 0
            procs: list[int] = []
            # (pid, whether its parent is a JVM): the walk goes from parents to children
            stack: list[tuple[int, bool]] = [(c, False) for c in _children(me)]
            seen: set[int] = set()
            while stack:
                pid, parent_is_jvm = stack.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                rss, cmd = _rss_and_name(pid)
                is_jvm = "java" in cmd.split(" ", 1)[0]
                stack.extend((c, is_jvm) for c in _children(pid))
                if is_jvm:
                    if parent_is_jvm:
                        continue  # the JVM's fork before exec
                    jvm += rss
                    procs.append(pid)
                elif "python" in cmd:
                    workers += rss
                    biggest = max(biggest, rss)
                    procs.append(pid)
            self.peak_jvm = max(self.peak_jvm, jvm)
            self.peak_python_workers = max(self.peak_python_workers, workers)
            self.peak_python_worker = max(self.peak_python_worker, biggest)
            # PSS costs the kernel a page-table walk (~15 ms per GB of JVM, under the process's mmap lock): read it
            # only when the summed RSS reaches a new high for the stage (by 1 %), not every tick
            pss = 0
            if jvm + workers > self._stage_rss * 1.01:
                self._stage_rss = jvm + workers
                pss = sum(_pss(pid) for pid in procs)
            self.peak_total_pss = max(self.peak_total_pss, pss)
            self._stage = [max(a, b) for a, b in zip(self._stage, (jvm, workers, biggest, pss), strict=True)]
            self._stop.wait(self.interval)


# ----------------------------------------------------------------------------------------------------------
# input
# ----------------------------------------------------------------------------------------------------------


def generate(out: Path, pages: int, files: int) -> list[Path]:
    from crawlforge.lib.sample_crawl import SampleSpec, generate_crawl

    return sorted(generate_crawl(out / f"crawl-{pages}", SampleSpec(pages=pages, files=files, snapshot=SNAPSHOT)))


SHARED_DATA = REPO.parent / "shared" / "data"
#: real pages per WARC file of the real crawl (issue #13's trial: 8 files of 1,500 real pages)
REAL_PER_FILE = 1500


def real_crawl(out: Path, pages: int) -> list[Path]:
    """WARC files of real pages: the shared extraction benchmarks' HTML and the HTML responses of the shared Common
    Crawl and other crawl files, at their real sizes, repeated under new URLs with a unique WikiText paragraph each
    (``crawlforge.lib.real_crawl``)."""
    from crawlforge.lib.real_crawl import RealCrawlSpec, build_real_crawl, load_pages, load_warc_pages

    ex = SHARED_DATA / "extraction"
    pages_ = load_pages([ex / "scrapinghub-aeb", ex / "wcxb-dev-sample"])
    pages_ += load_warc_pages(sorted((SHARED_DATA / "warc").glob("*/*.warc.gz")))
    wiki = (SHARED_DATA / "text" / "wikitext-2-raw-v1.test.txt").read_text(encoding="utf-8").splitlines()
    filler = [line.strip() for line in wiki if len(line.strip()) > 80 and not line.strip().startswith("=")]
    per_file = min(REAL_PER_FILE, pages)
    spec = RealCrawlSpec(files=math.ceil(pages / per_file), records_per_file=per_file, snapshot=SNAPSHOT)
    return build_real_crawl(out / f"real-{pages}", pages_, spec, filler)


def files_for(pages: int) -> int:
    """About 1,000 pages per file (real CC files hold ~30k), at least 4 so every core has several files."""
    return max(4, pages // 1000)


# ----------------------------------------------------------------------------------------------------------
# 1. crawlforge, one subprocess per run
# ----------------------------------------------------------------------------------------------------------


@dataclass
class StageTiming:
    name: str
    seconds: float
    docs_in: int | None = None
    docs_out: int | None = None
    training: bool = False
    peak_jvm_mb: float = 0.0
    peak_python_workers_mb: float = 0.0
    peak_python_worker_mb: float = 0.0
    peak_total_pss_mb: float = 0.0


@dataclass
class SparkRun:
    pages: int
    cores: int
    html_pages: int = 0
    stages: list[StageTiming] = field(default_factory=list)
    peak_jvm_mb: float = 0.0
    peak_python_workers_mb: float = 0.0
    peak_python_worker_mb: float = 0.0
    peak_driver_mb: float = 0.0
    peak_total_pss_mb: float = 0.0
    session_start_s: float = 0.0
    error: str | None = None

    @property
    def per_page_seconds(self) -> float:
        return sum(s.seconds for s in self.stages if not s.training)

    def rate(self) -> float:
        """End-to-end HTML pages per second per core (training stages excluded)."""
        return self.html_pages / max(self.per_page_seconds, 1e-9) / self.cores


def _table_count(spark: Any, root: str, name: str, where: str | None = None) -> int | None:
    from crawlforge.jobs import delta_io

    if not delta_io.table_exists(spark, root, name):
        return None
    df = delta_io.read_table(spark, root, name)
    return int((df.where(where) if where else df).count())


# stage name -> (table, predicate) whose row count is the stage's output
STAGE_OUTPUT: dict[str, tuple[str, str | None]] = {
    "ingest": ("raw", None),
    "extract": ("documents", "extract_status = 'ok'"),
    "annotate": ("signals", None),
    "ccnet": ("signals_ccnet", None),
    "quality": ("signals_quality", None),
    "decontaminate": ("signals_decontam", None),
    "decontam": ("signals_decontam", None),
    "select": ("decisions", "keep"),
    "dedup": ("duplicates", "NOT is_survivor"),  # removed; docs out = docs in - removed
    "publish": ("corpus", None),
}
# Stages whose output count above is what they removed, not what they kept.
REMOVAL_COUNTED = ("dedup",)
# The benchmark set the decontam stage checks against when the shared fixtures are beside the repo (the demo
# config has none, and a stage with nothing to do would show a meaningless rate).
GSM8K = REPO.parent / "shared" / "data" / "decontamination" / "gsm8k.test.jsonl"


def default_sets() -> list[str]:
    if GSM8K.is_file():
        return [f"decontam.benchmarks=[{{name: gsm8k, path: '{GSM8K}', text_fields: [question]}}]"]
    return []


# stage name -> (table, predicate) whose row count is the stage's input (counted before the stage runs)
STAGE_INPUT: dict[str, tuple[str, str | None]] = {
    "extract": ("raw", None),
    **{s: ("documents", "extract_status = 'ok'") for s in ("annotate", "ccnet", "quality", "decontam", "select")},
    "dedup": ("decisions", "keep"),
    "publish": ("decisions", "keep"),
    "export": ("corpus", None),
    "report": ("corpus", None),
}


def spark_worker(args: argparse.Namespace) -> int:
    """Run inside a fresh subprocess: the pipeline's stages one by one, timed, with memory sampling."""
    from crawlforge.jobs import pipeline
    from crawlforge.jobs.spark_session import build_local_session
    from crawlforge.lib.config import build_config

    paths = [Path(p) for p in args.paths.split(",")]
    lake = Path(args.lake)
    shutil.rmtree(lake, ignore_errors=True)
    overrides = [
        f"lake.root={lake}",
        f"spark.master=local[{args.cores}]",
        f"spark.shuffle_partitions={max(2, 2 * args.cores)}",
        # the shipped heap (spark.driver_memory 1536m for local[2]): the memory model is what is measured
        "ingest.input.kind=paths",
        f"ingest.input.paths=[{','.join(str(p) for p in paths)}]",
        f"ingest.snapshot={SNAPSHOT}",
        "run.log_level=WARNING",
        *args.set,
    ]
    cfg = build_config(["local"], overrides)
    run = SparkRun(pages=args.pages, cores=args.cores)
    with MemorySampler() as mem:
        t0 = time.perf_counter()
        spark = build_local_session(cfg.spark, f"crawlforge-bench-e2e-{args.pages}-{args.cores}")
        spark.range(1).count()
        run.session_start_s = time.perf_counter() - t0
        mem.stage_peaks()  # session start-up is not a stage
        stages = dict(pipeline.STAGES)
        try:
            for name in cfg.pipeline.stages:
                training = name in TRAINING_STAGES
                if pipeline.skip_reason(spark, cfg, name):
                    continue
                table, where = STAGE_INPUT.get(name, (None, None))
                docs_in = _table_count(spark, str(lake), table, where) if table and not training else None
                t0 = time.perf_counter()
                stages[name](spark, cfg, f"bench-{args.pages}-{args.cores}")
                seconds = time.perf_counter() - t0
                table, where = STAGE_OUTPUT.get(name, (None, None))
                out = _table_count(spark, str(lake), table, where) if table else None
                if name in REMOVAL_COUNTED and out is not None and docs_in is not None:
                    out = docs_in - out
                run.stages.append(StageTiming(name, seconds, docs_in, out, training, *mem.stage_peaks()))
                if name == "ingest":
                    run.html_pages = int(out or 0)
                    run.stages[-1].docs_in = run.html_pages
                print(f"    {name}: {seconds:.1f}s in={docs_in} out={out}", file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001 - the table reports the failure, the harness goes on
            run.error = f"{type(exc).__name__}: {exc}"[:300]
        spark.stop()
    run.peak_jvm_mb = mem.peak_jvm / 2**20
    run.peak_python_workers_mb = mem.peak_python_workers / 2**20
    run.peak_python_worker_mb = mem.peak_python_worker / 2**20
    run.peak_driver_mb = mem.peak_driver / 2**20
    run.peak_total_pss_mb = mem.peak_total_pss / 2**20
    Path(args.json).write_text(json.dumps(asdict(run)))
    return 0


def spark_run(paths: list[Path], pages: int, cores: int, out: Path, sets: list[str]) -> SparkRun:
    target = out / f"spark-{pages}-{cores}.json"
    target.unlink(missing_ok=True)
    cmd = [
        sys.executable, __file__, "--worker", "--pages", str(pages), "--cores", str(cores),
        "--paths", ",".join(str(p) for p in paths), "--lake", str(out / f"lake-{pages}-{cores}"),
        "--json", str(target), *[a for s in sets for a in ("--set", s)],
    ]  # fmt: skip
    log = out / f"spark-{pages}-{cores}.log"
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0 or not target.exists():
        return SparkRun(pages, cores, error=f"exit {proc.returncode}; log {log}")
    data = json.loads(target.read_text())
    data["stages"] = [StageTiming(**s) for s in data["stages"]]
    return SparkRun(**data)


def crawlforge_dropped_by_stage(lake: Path) -> dict[str, set[str]]:
    """URL sets per datatrove-equivalent stage: documents whose first failing rule is in that stage."""
    from pyspark.sql import functions as F

    from crawlforge.jobs import delta_io
    from crawlforge.jobs.spark_session import build_local_session
    from crawlforge.lib.config import build_config

    cfg = build_config(["local"], [f"lake.root={lake}", "spark.master=local[2]", "run.log_level=WARNING"])
    spark = build_local_session(cfg.spark, "crawlforge-bench-e2e-compare")
    dec = delta_io.read_table(spark, str(lake), "decisions")
    docs = delta_io.read_table(spark, str(lake), "documents").select("doc_id", "url")
    stage = F.split(F.col("first_failing_rule"), "/").getItem(0)
    rows = dec.join(docs, "doc_id").select(F.coalesce(stage, F.lit("kept")).alias("stage"), "url")
    # a benchmark report over ~20k URLs, never a job: fine on the driver
    out: dict[str, set[str]] = {}
    for r in rows.toLocalIterator():
        out.setdefault(r["stage"], set()).add(r["url"])
    spark.stop()
    return out


# ----------------------------------------------------------------------------------------------------------
# 2. datatrove
# ----------------------------------------------------------------------------------------------------------


@dataclass
class DatatroveResult:
    seconds: float = 0.0
    seconds_by_phase: dict[str, float] = field(default_factory=dict)
    html_docs: int = 0
    kept_after_filters: int = 0
    kept_after_dedup: int = 0
    dropped_urls: dict[str, set[str]] = field(default_factory=dict)
    steps: list[tuple[str, int, int, float]] = field(default_factory=list)
    #: URL -> HTTP status of every document datatrove's reader produced
    read_urls: dict[str, int | None] = field(default_factory=dict)
    #: URL -> why datatrove's reader (as run) produced no document for that response record
    skipped: dict[str, str] = field(default_factory=dict)
    error: str | None = None


#: the payload types datatrove 0.10.1's ``process_record`` keeps for a response record, and crawlforge's ingest too
#: (``crawlforge.lib.warc_reader.ReadOptions.keep_mime_types``)
HTML_TYPES = ("text/html", "application/xhtml+xml")


def _datatrove_reader_steps() -> tuple[type, type]:
    """datatrove's WarcReader recording what it read, and a step that logs the URLs passing through.

    The reader is datatrove's own: each record goes through its ``process_record`` unchanged (record types, the
    ``WARC-Identified-Payload-Type`` test, UTF-8 then cchardet decoding, metadata). It also records each
    document's HTTP status and, for a response record that gave no document, why, so the comparison can count the
    documents only one side read instead of charging them to a filter.
    """
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.readers import WarcReader
    from datatrove.pipeline.readers.warc import process_record

    class LoggingWarcReader(WarcReader):
        name = "🕷 Warc (logging what it read)"

        def __init__(self, data_folder: str, skipped_folder: str, **kwargs: Any) -> None:
            super().__init__(data_folder, **kwargs)
            self.skipped_folder = skipped_folder

        def read_file(self, filepath: str) -> Any:
            from warcio.archiveiterator import ArchiveIterator

            skipped: list[dict[str, str]] = []
            with self.data_folder.open(filepath, "rb", compression=self.compression) as f:
                for ri, record in enumerate(ArchiveIterator(f)):
                    with self.track_time():
                        mime = record.rec_headers.get_header("WARC-Identified-Payload-Type")
                        data = process_record(record)
                        if not data:
                            if record.rec_type == "response":
                                reason = (
                                    f"not HTML (payload type {mime or 'guessed by libmagic'})"
                                    if mime not in HTML_TYPES
                                    else "undecodable: not UTF-8, and cchardet's guess fails or is none"
                                )
                                skipped.append(
                                    {"url": record.rec_headers.get_header("WARC-Target-URI"), "why": reason}
                                )
                                self.stat_update("skipped")
                            continue
                        headers = getattr(record, "http_headers", None)
                        data["http_status"] = int(headers.get_statuscode()) if headers is not None else None
                        document = self.get_document_from_dict(data, filepath, ri)
                        if not document:
                            continue
                    yield document
            if skipped:
                folder = Path(self.skipped_folder)
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{Path(filepath).name}.jsonl").write_text("".join(json.dumps(s) + "\n" for s in skipped))

    class UrlLog(PipelineStep):
        """Passes documents through, writing each one's URL (and HTTP status) to ``folder/<rank>.jsonl``."""

        name = "🔗 URL log"
        type = "benchmark"

        def __init__(self, folder: str) -> None:
            super().__init__()
            self.folder = folder

        def run(self, data: Any, rank: int = 0, world_size: int = 1) -> Any:
            Path(self.folder).mkdir(parents=True, exist_ok=True)
            with open(Path(self.folder) / f"{rank:05d}.jsonl", "w", encoding="utf-8") as fh:
                for doc in data:
                    self.stat_update("total", "forwarded")
                    meta = doc.metadata
                    fh.write(json.dumps({"url": meta.get("url"), "status": meta.get("http_status")}) + "\n")
                    yield doc

    return LoggingWarcReader, UrlLog


def _read_jsonl(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for f in sorted(folder.glob("*.jsonl")):
        rows.extend(json.loads(line) for line in f.read_text(encoding="utf-8").splitlines() if line)
    return rows


def _read_excluded(folder: Path) -> set[str]:
    import gzip

    urls: set[str] = set()
    for f in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                meta = json.loads(line).get("metadata", {})
                urls.add(meta.get("url", ""))
    return urls


def _xxh64_utf8(text: str) -> int:
    import xxhash

    return xxhash.xxh64_intdigest(text.encode("utf-8"))


#: datatrove extractor variants: FineWeb's own recipe (examples/fineweb.py: Trafilatura(favour_precision=True)), and
#: crawlforge's resiliparse extraction inside datatrove (the same documents, so a framework-only comparison)
DATATROVE_EXTRACTORS = {
    "trafilatura": "FineWeb recipe: Trafilatura(favour_precision=True)",
    "resiliparse": "resiliparse with crawlforge's switches (framework only)",
}


def datatrove_pipeline(
    input_dir: Path, cores: int, out: Path, cfg: Any, extractor_kind: str = "resiliparse"
) -> DatatroveResult:
    from annotate_throughput import _datatrove_steps, fineweb_url_filter, resiliparse_step, stderr_to
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupBuckets, MinhashDedupCluster, MinhashDedupFilter
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    from crawlforge.lib.langid import bundled_lid176_path

    lid_filter, _ = _datatrove_steps()
    reader_cls, url_log = _datatrove_reader_steps()
    work = out / f"datatrove-e2e-{extractor_kind}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    def excl(name: str) -> JsonlWriter:
        return JsonlWriter(str(work / "excluded" / name))

    url_filter = fineweb_url_filter(exclusion_writer=excl("url_filter"))
    if extractor_kind == "trafilatura":
        from datatrove.pipeline.extractors import Trafilatura

        extractor = Trafilatura(favour_precision=True)
    else:
        extractor = resiliparse_step(cfg)
    lid = lid_filter(str(bundled_lid176_path()))
    lid.exclusion_writer = excl("language")
    minhash = MinhashConfig(hash_config=HashConfig(precision=64), num_buckets=14, hashes_per_bucket=8, n_grams=5)

    class Signature(MinhashDedupSignature):
        """datatrove 0.10.1's 64-bit shingle hash passes str to xxhash, which the installed xxhash refuses
        ("Strings must be encoded before hashing"); the same hash of the UTF-8 bytes, as
        benchmarks/minhash_signatures.py and lib/minhash.py do."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._hash_func = _xxh64_utf8

    phases: list[tuple[str, list[Any], int]] = [
        (
            "read + extract + filters",
            [
                reader_cls(str(input_dir), str(work / "skipped"), glob_pattern="*.warc.gz"),
                url_log(str(work / "read")),
                url_filter,
                extractor,
                url_log(str(work / "extracted")),
                lid,
                GopherRepetitionFilter(exclusion_writer=excl("gopher_rep")),
                GopherQualityFilter(exclusion_writer=excl("gopher_qual")),
                C4QualityFilter(filter_no_terminal_punct=False, exclusion_writer=excl("c4_quality")),
                FineWebQualityFilter(exclusion_writer=excl("fineweb_qual")),
                JsonlWriter(str(work / "filtered")),
            ],
            cores,
        ),
        (
            "minhash signatures",
            [JsonlReader(str(work / "filtered")), Signature(str(work / "sigs"), config=minhash)],
            cores,
        ),
        ("minhash buckets", [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=minhash)], 14),
        ("minhash cluster", [MinhashDedupCluster(str(work / "buckets"), str(work / "remove"), config=minhash)], 1),
        (
            "minhash filter",
            [
                JsonlReader(str(work / "filtered")),
                MinhashDedupFilter(str(work / "remove"), exclusion_writer=excl("minhash")),
                JsonlWriter(str(work / "final")),
            ],
            cores,
        ),
    ]
    result = DatatroveResult()

    def count(step: Any, key: str) -> int:
        return int(step.stats[key].total) if key in step.stats else 0

    for i, (phase, steps, tasks) in enumerate(phases):
        executor = LocalPipelineExecutor(
            pipeline=steps, tasks=tasks, workers=min(tasks, cores), logging_dir=str(work / "logs" / str(i)),
            skip_completed=False,
        )  # fmt: skip
        t0 = time.perf_counter()
        try:
            with stderr_to(work / "stderr.log"):
                stats = executor.run()
        except Exception as exc:  # noqa: BLE001 - reported in the table
            result.error = f"{phase}: {type(exc).__name__}: {exc}"[:300] + f" (log {work / 'stderr.log'})"
            return result
        result.seconds_by_phase[phase] = time.perf_counter() - t0
        for j, step in enumerate(stats.stats):
            n_in = count(step, "documents") if j == 0 else count(step, "total")
            n_out = count(step, "documents") if j == 0 else count(step, "forwarded")
            result.steps.append((step.name, n_in, n_out, step.time_stats.total))
            if i == 0 and j == 0:
                result.html_docs = n_in
        if i == 0:
            result.kept_after_filters = count(stats.stats[-1], "total")
        if i == len(phases) - 1:
            result.kept_after_dedup = count(stats.stats[-1], "total")
    result.seconds = sum(result.seconds_by_phase.values())
    for name in ("url_filter", "language", "gopher_rep", "gopher_qual", "c4_quality", "fineweb_qual", "minhash"):
        result.dropped_urls[name] = _read_excluded(work / "excluded" / name)
    result.read_urls = {r["url"]: r["status"] for r in _read_jsonl(work / "read")}
    result.skipped = {r["url"]: r["why"] for r in _read_jsonl(work / "skipped")}
    # the extractor step drops empty output, timeouts and errors without an exclusion writer: what entered it (read,
    # not URL-filtered) and did not come out
    extracted = {r["url"] for r in _read_jsonl(work / "extracted")}
    result.dropped_urls["extractor"] = set(result.read_urls) - result.dropped_urls["url_filter"] - extracted
    return result


def _reasons(why: dict[str, str]) -> str:
    """``n`` URLs' reasons as 'reason: count; ...', most frequent first."""
    from collections import Counter

    return "; ".join(f"{reason}: {n}" for reason, n in Counter(why.values()).most_common())


def comparison_lines(cf_dropped: dict[str, set[str]], dt: DatatroveResult, samples: int = 3) -> list[str]:
    """The documents each side read, and the per-filter drop table over the documents both read (by URL).

    ``cf_dropped``: crawlforge's URLs by the stage of their first failing rule (``kept`` for kept ones), i.e.
    every document of its ``documents`` table; ``dt``: datatrove's run, with the URLs its reader produced.
    """
    cf_read = set().union(*cf_dropped.values()) if cf_dropped else set()
    dt_read = set(dt.read_urls)
    common = cf_read & dt_read
    only_cf = {
        u: dt.skipped.get(u, "datatrove's reader gave no document (no reason recorded)") for u in cf_read - dt_read
    }
    only_dt = {
        u: f"HTTP status {s} (crawlforge's ingest keeps 200 only)"
        if s not in (None, 200)
        else "not in crawlforge's documents"
        for u, s in ((u, dt.read_urls[u]) for u in dt_read - cf_read)
    }
    out = [
        f"Documents read (by URL): crawlforge {len(cf_read)} (its `documents` table), datatrove {len(dt_read)} (its "
        f"reader's documents); **both {len(common)}**.\n",
        f"- read only by crawlforge: **{len(only_cf)}**" + (f" ({_reasons(only_cf)})" if only_cf else ""),
        f"- read only by datatrove: **{len(only_dt)}**" + (f" ({_reasons(only_dt)})" if only_dt else ""),
    ]
    out += [
        "",
        f"Documents dropped per filter stage, among the {len(common)} documents both read (by URL; a document "
        "leaves at its first failing filter; datatrove's extractor step drops empty output, timeouts and errors "
        "without an exclusion file, so its drops are what entered it and did not come out):\n",
        "| stage | crawlforge | datatrove | only crawlforge | only datatrove |",
        "|---|---:|---:|---:|---:|",
    ]
    for cf_name, dt_name in FILTER_STAGES:
        a = cf_dropped.get(cf_name, set()) & common
        b = dt.dropped_urls.get(dt_name, set()) & common
        label = "extract (failed/empty)" if cf_name == "extract" else cf_name
        out.append(f"| {label} | {len(a)} | {len(b)} | {len(a - b)} | {len(b - a)} |")
        out += [f"|  only crawlforge: `{u}` | | | | |" for u in sorted(a - b)[:samples]]
        out += [f"|  only datatrove: `{u}` | | | | |" for u in sorted(b - a)[:samples]]
    out.append("")
    return out


# ----------------------------------------------------------------------------------------------------------
# 3. the limit: library costs in one tight process
# ----------------------------------------------------------------------------------------------------------


@dataclass
class Limit:
    html_pages: int = 0
    ok_docs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # step -> seconds over its documents
    docs: dict[str, int] = field(default_factory=dict)

    def ms_per_page(self) -> dict[str, float]:
        """Each step's cost per HTML page (steps on extracted documents scaled by ok_docs / html_pages)."""
        return {k: 1000.0 * v / max(self.html_pages, 1) for k, v in self.seconds.items()}

    def rate(self) -> float:
        return self.html_pages / max(sum(self.seconds.values()), 1e-9)


def tight_limit(paths: list[Path], cfg: Any, max_pages: int = 0) -> Limit:
    from crawlforge.jobs import annotate, extract
    from crawlforge.lib import minhash, pii
    from crawlforge.lib.extract import extract_html
    from crawlforge.lib.heuristics.signals import SignalResources, compute_signals
    from crawlforge.lib.heuristics.url_filter import UrlFilterLists
    from crawlforge.lib.langid import LanguageIdentifier
    from crawlforge.lib.warc_reader import read_local_file

    lim = Limit()
    t0 = time.perf_counter()
    records = []
    for p in paths:
        recs, _ = read_local_file(str(p), cfg.ingest.source)
        records.extend(r for r in recs if r.warc_type != "conversion")
        if max_pages and len(records) >= max_pages:
            break  # whole files only: the per-page cost is what is measured
    lim.seconds["read (FastWARC)"] = time.perf_counter() - t0
    lim.html_pages = len(records)

    eopts = extract.task_options(cfg)
    kw: dict[str, Any] = {"max_bytes": eopts.max_bytes, "timeout_s": eopts.timeout_s, "options": eopts.options}
    t0 = time.perf_counter()
    results = [extract_html(r.payload, r.charset, isolation="inprocess", **kw) for r in records]
    lim.seconds["extract (resiliparse)"] = time.perf_counter() - t0
    docs = [(rec.url, r.text) for rec, r in zip(records, results, strict=True) if r.ok]
    lim.ok_docs = len(docs)
    del records, results

    aopts = annotate.task_options(cfg)
    lid = LanguageIdentifier(aopts.lid_model, k=aopts.top_k, mode=aopts.lid_mode)  # type: ignore[arg-type]
    lid.predict("warm up")
    t0 = time.perf_counter()
    preds = [lid.predict(text) for _, text in docs]
    lim.seconds["language ID (fastText lid.176)"] = time.perf_counter() - t0

    resources = SignalResources(url_lists=UrlFilterLists.fineweb(aopts.url_domain_files, aopts.url_url_files))
    compute_signals("Warm up.", "https://example.com/", "en", resources)
    t0 = time.perf_counter()
    for (url, text), p in zip(docs, preds, strict=True):
        compute_signals(text, url, p.label or "und", resources)
    lim.seconds["heuristic signals (Gopher/C4/FineWeb/RPv2)"] = time.perf_counter() - t0

    texts = [t for _, t in docs]
    minhash.signatures(texts[:64])
    t0 = time.perf_counter()
    for i in range(0, len(texts), 512):
        minhash.signatures(texts[i : i + 512])
    lim.seconds["MinHash signatures (112 perm)"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    for t in texts:
        pii.find_pii(t)
    lim.seconds["PII detection"] = time.perf_counter() - t0
    lim.docs = {k: (lim.html_pages if k.startswith(("read", "extract")) else lim.ok_docs) for k in lim.seconds}
    return lim


# ----------------------------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------------------------


def machine_facts() -> str:
    from annotate_throughput import machine_facts as facts

    return facts(0).replace(", --cores 0", "")


def _exponent(t_small: float, t_big: float, n_small: int, n_big: int) -> float:
    return math.log(t_big / t_small) / math.log(n_big / n_small)


def fixed_and_marginal(t_small: float, t_big: float, n_small: int, n_big: int) -> tuple[float, float]:
    """(fixed seconds, marginal seconds per page) of the line t = fixed + marginal * n through the two runs.

    The fixed part is what a run costs whatever its size (session, table set-up, Delta commits, run records,
    small Spark jobs); the marginal part is what each further page costs, the rate that counts at a snapshot's
    size. Two points give the line exactly; it is a model, not a third measurement.
    """
    marginal = (t_big - t_small) / (n_big - n_small)
    return t_big - marginal * n_big, marginal


#: below this growth exponent between the two sizes the fixed + marginal line is not trusted (see at_scale)
MIN_EXPONENT = 0.2


def at_scale(runs: dict[tuple[int, int], SparkRun], args: argparse.Namespace) -> tuple[float, float] | None:
    """(fixed seconds per run, marginal pages/s/core) of the whole pipeline from the two sizes, if both ran."""
    big, small = runs.get((args.pages, args.cores)), runs.get((args.small, args.cores))
    if big is None or small is None or big.error or small.error or small.html_pages >= big.html_pages:
        return None
    if _exponent(small.per_page_seconds, big.per_page_seconds, small.html_pages, big.html_pages) < MIN_EXPONENT:
        # the small run took about as long as the big one (a loaded machine, or all fixed cost): a line through
        # the two points would give a near-zero marginal cost and an absurd rate, so no at-scale figure is given
        return None
    fixed, marginal = fixed_and_marginal(
        small.per_page_seconds, big.per_page_seconds, small.html_pages, big.html_pages
    )
    return fixed, 1 / (marginal * big.cores)


INPUTS = {
    "generated": (
        "Generated crawl",
        "generated crawl (`crawlforge.lib.sample_crawl`), about 1,000 pages per file, 3-5 KB of HTML a page",
    ),
    "real": (
        "Real pages",
        "real pages (`crawlforge.lib.real_crawl`: the shared extraction benchmarks' 531 HTML pages and the shared "
        "crawl files' HTML responses at their real sizes, mean ~300 KB, repeated under new URLs with a unique "
        f"WikiText paragraph each), {REAL_PER_FILE:,} pages per file",
    ),
}


def render_header(args: argparse.Namespace) -> str:
    lines = [
        "# crawlforge end-to-end benchmark\n",
        f"Generated by `benchmarks/end_to_end.py --input {args.input}` on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; every number below comes from this one run.\n",
        f"- {machine_facts()}",
    ]
    extra = [*default_sets(), *args.set]
    if extra:
        lines.append(f"- config overrides of the Spark runs (besides lake, master, input): `{'`, `'.join(extra)}`")
    lines.append(
        "- `dedup` docs out = its input minus the documents it marked as duplicates; decontam scores, drops nothing"
    )
    return "\n".join(lines) + "\n\n"


def render(
    args: argparse.Namespace,
    kind: str,
    runs: dict[tuple[int, int], SparkRun],
    limit: Limit | None,
    dts: dict[str, DatatroveResult],
    cf_dropped: dict[str, set[str]] | None,
) -> str:
    """One input's section: per stage, datatrove side by side, the limit, scaling, cost."""
    big = runs.get((args.pages, args.cores))
    scale = at_scale(runs, args)
    lines: list[str] = []
    w = lines.append
    title, what = INPUTS[kind]
    w(f"# {title}\n")
    w(f"Input: {what}; {args.pages} and {args.small} pages; Spark `local[{args.cores}]` unless noted.\n")
    if big is not None:
        w(f"## 1. crawlforge per stage ({args.pages} pages, local[{args.cores}])\n")
        if big.error:
            w(f"**run failed**: {big.error}\n")
        small = runs.get((args.small, args.cores))
        small_s = {st.name: st.seconds for st in small.stages} if scale is not None and small is not None else {}
        w("| stage | docs in | docs out | seconds | docs/s/core | fixed s | marginal core-ms/page |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for st in big.stages:
            rate = "" if st.training or not st.docs_in else f"{st.docs_in / st.seconds / big.cores:.1f}"
            label = st.name + (" (training, once per model)" if st.training else "")
            fixed = marginal = ""
            if st.name in small_s:
                f_s, m_s = fixed_and_marginal(small_s[st.name], st.seconds, small.html_pages, big.html_pages)
                fixed, marginal = f"{f_s:.1f}", f"{m_s * 1000 * big.cores:.2f}"
            w(f"| {label} | {st.docs_in if st.docs_in is not None else ''} | "
              f"{st.docs_out if st.docs_out is not None else ''} | {st.seconds:.1f} | {rate} | {fixed} | "
              f"{marginal} |")  # fmt: skip
        end_fixed = end_marginal = ""
        if scale is not None:
            end_fixed, end_marginal = f"{scale[0]:.1f}", f"**{1000 / scale[1]:.2f}**"
        w(f"| **end to end** (per-page stages) | {big.html_pages} | | {big.per_page_seconds:.1f} | "
          f"**{big.rate():.1f}** | {end_fixed} | {end_marginal} |")  # fmt: skip
        w("")
        if scale is not None:
            w(f"`fixed s` and `marginal core-ms/page`: the line through this run and the {args.small}-page run "
              "(t = fixed + marginal x pages): what a run costs whatever its size, and what one more page costs "
              "in core-milliseconds. Per-page rate at scale = 1000 / marginal.\n")  # fmt: skip
        w(f"Peak resident memory: JVM (driver = executor in local mode) {big.peak_jvm_mb:.0f} MB, Python "
          f"workers together {big.peak_python_workers_mb:.0f} MB (largest one {big.peak_python_worker_mb:.0f} MB), "
          f"benchmark driver process {big.peak_driver_mb:.0f} MB; per executor core: "
          f"{(big.peak_jvm_mb + big.peak_python_workers_mb) / big.cores:.0f} MB summed RSS, "
          f"**{big.peak_total_pss_mb / big.cores:.0f} MB** PSS (JVM + Python workers at one moment, every page "
          f"counted once, as a container's limit counts it). "
          f"Session start-up {big.session_start_s:.1f} s (excluded).\n")  # fmt: skip
        if any(st.peak_jvm_mb for st in big.stages):
            w("Peak resident memory per stage (MB; sampled every 0.2 s while the stage ran):\n")
            w("| stage | JVM RSS | Python workers RSS | largest worker RSS | per core, RSS | per core, PSS |")
            w("|---|---:|---:|---:|---:|---:|")
            for st in big.stages:
                per_core = (st.peak_jvm_mb + st.peak_python_workers_mb) / big.cores
                w(
                    f"| {st.name} | {st.peak_jvm_mb:.0f} | {st.peak_python_workers_mb:.0f} | "
                    f"{st.peak_python_worker_mb:.0f} | {per_core:.0f} | {st.peak_total_pss_mb / big.cores:.0f} |"
                )
            w("")
    for dt_kind, dt in dts.items():
        w(f"## 2. datatrove side by side: {DATATROVE_EXTRACTORS[dt_kind]} (same WARC files, same run)\n")
        if dt.error:
            w(f"**datatrove failed**: {dt.error}\n")
        else:
            dt_rate = dt.html_docs / dt.seconds / args.cores
            w("| phase | seconds |")
            w("|---|---:|")
            for phase, sec in dt.seconds_by_phase.items():
                w(f"| {phase} | {sec:.1f} |")
            w(f"| **total** ({dt.html_docs} HTML docs read) | {dt.seconds:.1f} |\n")
            w(f"datatrove: **{dt_rate:.1f}** docs/s/core end to end; kept {dt.kept_after_filters} after the "
              f"filters, {dt.kept_after_dedup} after MinHash dedup.")  # fmt: skip
            if big is not None and not big.error:
                w(
                    f"crawlforge / datatrove throughput: **{big.rate() / dt_rate:.2f}x** (crawlforge also writes "
                    "every table to Delta, keeps every signal of every document, and runs exact and URL dedup).\n"
                )
                if scale is not None:
                    w(
                        f"At scale, crawlforge's marginal rate ({scale[1]:.1f} pages/s/core, "
                        f"section 1) against datatrove's measured one: **{scale[1] / dt_rate:.2f}x**"
                        " (datatrove's own fixed cost, loading models in each task, is not taken out: this favours "
                        "crawlforge slightly).\n"
                    )
            if cf_dropped is not None:
                lines.extend(comparison_lines(cf_dropped, dt))
            w(
                "Not like for like, on purpose and stated: datatrove's LanguageFilter downloads lid.176.bin at run "
                "time (no network here), so a custom filter calls lid.176.ftz with datatrove's convention; MinHash is "
                "datatrove's own (FineWeb's 14 x 8, 5-grams, 64-bit). Both crawls' records carry "
                "`WARC-Identified-Payload-Type`, as Common Crawl's do (without it datatrove's WarcReader asks "
                "libmagic, which calls many real HTML pages with inline scripts `application/javascript`). What "
                "differs in reading is datatrove's: it keeps HTML of any HTTP status (crawlforge: 200 only) and skips "
                "a payload that is neither UTF-8 nor decodable as cchardet's guess (crawlforge decodes by BOM, HTTP "
                "header, `<meta>`, then detection, and never drops a page for its charset). Such documents are "
                "counted as read by one side only, with the reason, and the drop table covers only the documents "
                "both read.\n"
            )
    if limit is not None:
        w("## 3. The limit: library costs in one tight process\n")
        w(f"Measured on {limit.html_pages} pages ({limit.ok_docs} extracted) of the main crawl.\n")
        w("| step | ms per HTML page |")
        w("|---|---:|")
        for k, v in limit.ms_per_page().items():
            w(f"| {k} | {v:.2f} |")
        total = sum(limit.ms_per_page().values())
        w(f"| **sum** | **{total:.2f}** ({limit.rate():.1f} pages/s on one core) |\n")
        if big is not None and not big.error:
            w(f"crawlforge end to end = **{big.rate() / limit.rate():.2f}** of the limit: the rest is Spark, "
              "Arrow transfer, Delta writes, joins and our code.\n")  # fmt: skip
            if scale is not None:
                w(f"At scale (marginal rate, section 1): **{scale[1] / limit.rate():.2f}** of the limit.\n")
    small = runs.get((args.small, args.cores))
    one = runs.get((args.small, 1))
    if big is not None and small is not None and not big.error and not small.error:
        w("## 4. Scaling\n")
        e = _exponent(small.per_page_seconds, big.per_page_seconds, small.html_pages, big.html_pages)
        w(f"- {small.html_pages} -> {big.html_pages} pages: {small.per_page_seconds:.1f} s -> "
          f"{big.per_page_seconds:.1f} s, time grows as n^**{e:.2f}** (1.0 = linear; fixed per-run costs "
          "such as Delta commits push it below 1 at small sizes).")  # fmt: skip
        if one is not None and not one.error:
            speedup = one.per_page_seconds / small.per_page_seconds
            w(f"- local[1] -> local[{args.cores}] on {args.small} pages: {one.per_page_seconds:.1f} s -> "
              f"{small.per_page_seconds:.1f} s, speed-up **{speedup:.2f}x** on {args.cores} cores "
              f"(per-core efficiency {speedup / args.cores:.2f}).")  # fmt: skip
        w("")
    if big is not None and not big.error:
        w("## 5. Cost of one Common Crawl snapshot\n")
        rate = big.rate()
        core_hours = SNAPSHOT_PAGES / rate / 3600
        mem_core = max(big.peak_jvm_mb + big.peak_python_workers_mb, big.peak_total_pss_mb) / big.cores
        w(f"- measured: {rate:.1f} pages/s/core end to end ({big.html_pages} pages, local[{big.cores}])")
        w(f"- one snapshot: {SNAPSHOT_PAGES:,} pages in about {SNAPSHOT_FILES:,} WARC files -> "
          f"**{core_hours:,.0f} core-hours** at the measured rate (fixed costs included, as if every "
          f"{big.html_pages} pages were a run of their own); on 1,000 cores about "
          f"{core_hours / 1000:,.1f} hours")  # fmt: skip
        if scale is not None:
            fixed, rate_at_scale = scale
            w(
                f"- at scale (the fixed {fixed:.0f} s per pipeline run amortised, from the two sizes above): "
                f"{rate_at_scale:.1f} pages/s/core -> **{SNAPSHOT_PAGES / rate_at_scale / 3600:,.0f} core-hours** "
                f"per snapshot, on 1,000 cores about {SNAPSHOT_PAGES / rate_at_scale / 3600 / 1000:,.1f} hours; this "
                "assumes runs big enough that the fixed part is negligible (e.g. one run per 1,000 WARC files, "
                "about 33 million pages) and that per-page cost stays linear beyond the sizes run (two sizes "
                "cannot test that)"
            )
        w(f"- memory: {mem_core:.0f} MB peak per core measured here -> provision about "
          f"{max(2.0, math.ceil(mem_core / 512) / 2):.1f} GB per core")  # fmt: skip
        pages_note = (
            "generated pages are smaller and cleaner than real Common Crawl pages (real pages average ~100 KB of "
            "HTML; the generator's ~3-5 KB), so extraction and signals cost more per real page"
            if kind == "generated"
            else "these real pages average ~300 KB of HTML, about 3x Common Crawl's mean, so extraction costs "
            "more per page than on a real snapshot"
        )
        w(f"- assumptions: {pages_note}; per-run fixed costs (session, Delta commits) amortise better at scale; "
          "reading from S3 adds network time that overlaps with CPU; the rate is per core of this machine's CPU. "
          "Take the figure as a lower bound on cost, within a factor of a few.")  # fmt: skip
    return "\n".join(lines) + "\n"


def bench_input(args: argparse.Namespace, kind: str, out: Path) -> str:
    """Every measurement of one input (sections 1-5), in ``out``; returns its section of RESULTS.md."""
    from crawlforge.lib.config import build_config

    out.mkdir(parents=True, exist_ok=True)
    if kind == "real":
        crawls = {n: real_crawl(out, n) for n in (args.pages, args.small)}
    else:
        crawls = {n: generate(out, n, files_for(n)) for n in (args.pages, args.small)}
    runs: dict[tuple[int, int], SparkRun] = {}
    plan = [(args.pages, args.cores), (args.small, args.cores)] + ([] if args.no_local1 else [(args.small, 1)])
    for pages, cores in plan:
        print(f"crawlforge pipeline ({kind}): {pages} pages, local[{cores}] ...", flush=True)
        t0 = time.perf_counter()
        runs[(pages, cores)] = r = spark_run(crawls[pages], pages, cores, out, [*default_sets(), *args.set])
        print(f"    {time.perf_counter() - t0:.0f}s wall; {r.error or f'{r.rate():.1f} pages/s/core'}", flush=True)
    cfg = build_config(["local"], [f"lake.root={out / 'lake-limit'}"])
    limit = None
    if not args.no_limit:
        print(f"tight-loop limit ({kind}) ...", flush=True)
        limit = tight_limit(crawls[args.pages], cfg, args.limit_pages)
    dts: dict[str, DatatroveResult] = {}
    cf_dropped = None
    if not args.no_datatrove:
        input_dir = out / "datatrove-input"
        shutil.rmtree(input_dir, ignore_errors=True)
        input_dir.mkdir(parents=True)
        for i, p in enumerate(crawls[args.pages]):
            (input_dir / f"{i:03d}-{p.name}").symlink_to(p.resolve())
        # on real pages FineWeb's own extractor first (the recipe), then resiliparse (framework only)
        for extractor in ("trafilatura", "resiliparse") if kind == "real" else ("resiliparse",):
            print(f"datatrove ({kind}, {extractor}) ...", flush=True)
            try:
                dts[extractor] = datatrove_pipeline(input_dir, args.cores, out, cfg, extractor)
            except ImportError as exc:
                dts[extractor] = DatatroveResult(error=f"not installed: {exc} (make bench installs the bench extra)")
        big = runs[(args.pages, args.cores)]
        if not big.error:
            cf_dropped = crawlforge_dropped_by_stage(out / f"lake-{args.pages}-{args.cores}")
    return render(args, kind, runs, limit, dts, cf_dropped)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20000, help="pages of the main run (default 20,000)")
    ap.add_argument("--small", type=int, default=5000, help="pages of the scaling run (at least 4x fewer)")
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument(
        "--input",
        choices=("generated", "real", "both"),
        default="both",
        help="the generated crawl, a crawl of real pages at their real sizes (crawlforge.lib.real_crawl), or both",
    )
    ap.add_argument("--real-pages", type=int, default=12000, help="pages of the main real-page run (default 12,000)")
    ap.add_argument("--real-small", type=int, default=3000, help="pages of the real-page scaling run")
    ap.add_argument("--no-datatrove", action="store_true")
    ap.add_argument("--no-local1", action="store_true", help="skip the local[1] run")
    ap.add_argument("--no-limit", action="store_true", help="skip the tight-loop limit")
    ap.add_argument(
        "--limit-pages", type=int, default=5000, help="pages (whole files) the tight loop measures; 0 = all"
    )
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "out" / "e2e"))
    ap.add_argument("--results", default=str(REPO / "benchmarks" / "RESULTS.md"))
    ap.add_argument("--set", action="append", default=[], help="extra config override for the Spark runs")
    # internal: one Spark run in a fresh process
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--paths", help=argparse.SUPPRESS)
    ap.add_argument("--lake", help=argparse.SUPPRESS)
    ap.add_argument("--json", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("CRAWLFORGE_IVY_DIR", str(REPO / ".cache" / "ivy"))
    if args.worker:
        return spark_worker(args)
    if args.pages < 4 * args.small:
        print(f"note: --pages {args.pages} is less than 4x --small {args.small}; the exponent is less reliable")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(machine_facts(), flush=True)
    kinds = ["generated", "real"] if args.input == "both" else [args.input]
    sections = []
    for kind in kinds:
        sizes = argparse.Namespace(**vars(args))
        if kind == "real":
            sizes.pages, sizes.small = args.real_pages, args.real_small
        sections.append(bench_input(sizes, kind, out / kind))
    text = render_header(args) + "\n".join(sections)
    print("\n" + text)
    Path(args.results).write_text(text)
    print(f"written: {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
