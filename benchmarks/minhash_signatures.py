"""MinHash signature throughput per core: the shingle-hashing limit, crawlforge's signatures, datatrove's step.

    .venv/bin/python benchmarks/minhash_signatures.py [--docs 3000] [--batch 1000] [--repeat 3]
                                                     [--datatrove-docs 600] [--json out.json]

Corpora (both built from the shared fixtures, so no download):

* ``mixed``: ``--docs`` documents of 3-5 KB, each a random run of paragraphs of the WikiText-2 test articles, the
  CCNet head documents and the Common Crawl WET records of ``shared/data`` (the ~4 KB / ~700-word pages of the
  research notes' 700 docs/s/core measurement). Paragraphs recur across documents, so the word cache (one entry
  per distinct whitespace-delimited chunk) warms up quickly, like on a long-running worker;
* ``real``: the fixture documents themselves, each once (WikiText articles, CCNet, WET records), with the word
  cache emptied before every run: the cold-start worst case, most chunks seen for the first time.

Rows, each single-threaded in this process: docs/s and MB/s of UTF-8 input per core, from the CPU time of the
process (``time.process_time``), best of ``--repeat`` runs taken round-robin over the rows:

1. limit: text -> 64-bit shingle hashes (normalise, split words, hash every 5-gram): everything a MinHash over
   these shingles must do before permuting. Split into (1a) normalise + words and (1b) hashing the shingles
   (vectorised XXH64; a Python ``xxhash`` call per shingle is shown for reference).
2. ``crawlforge.lib.minhash.signatures``: the limit plus 112 permutations and the minima; (2a) the permutations
   alone.
3. datatrove 0.10.1 ``MinhashDedupSignature``: ``get_shingles`` + ``get_signature`` per document (its ``run``
   minus the file writes), on the first ``--datatrove-docs`` documents; (3a) ``get_signature`` alone. Its module
   is loaded from its file (``datatrove.pipeline.dedup``'s ``__init__`` needs ``tokenizers``) and its xxhash call
   gets UTF-8 bytes (xxhash >= 4 refuses ``str``; 3.x encoded it the same way). Test-only dependency: rows
   skipped when it is missing.

The output of (2) is checked bit for bit against (3) on the documents both ran.
"""

from __future__ import annotations

import argparse
import gc
import glob
import importlib.util
import json
import os
import platform
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import xxhash  # noqa: E402

from crawlforge.lib import minhash as mh  # noqa: E402


def shared_data() -> Path:
    for c in (os.environ.get("CRAWLFORGE_SHARED_DATA"), REPO.parent / "shared" / "data", "/work/shared/data"):
        if c and Path(c, "text").is_dir():
            return Path(c)
    raise SystemExit("shared/data fixtures not found (set CRAWLFORGE_SHARED_DATA)")


def fixture_texts(data: Path) -> list[str]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    texts: list[str] = []
    wiki = (data / "text" / "wikitext-2-raw-v1.test.txt").read_text(encoding="utf-8")
    texts += [part for part in re.split(r"(?m)^ = (?!=)[^\n]*= \n", wiki) if part.strip()]
    with open(data / "text" / "ccnet-cc_en_head-0091.jsonl", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    for path in sorted(glob.glob(str(data / "warc" / "cc" / "*.wet.gz"))):
        with open(path, "rb") as stream:
            for rec in ArchiveIterator(stream, parse_http=False):
                if rec.record_type == WarcRecordType.conversion:
                    texts.append(rec.reader.read().decode("utf-8", "replace"))
    return texts


def mixed_docs(texts: list[str], n: int, seed: int = 1) -> list[str]:
    paragraphs = [p.strip() for t in texts for p in t.split("\n") if len(p.strip()) > 40]
    rng = random.Random(seed)
    docs = []
    while len(docs) < n:
        target, size, parts = rng.randint(3000, 5000), 0, []
        while size < target:
            p = rng.choice(paragraphs)
            parts.append(p)
            size += len(p) + 1
        docs.append("\n".join(parts))
    return docs


@dataclass
class Task:
    label: str
    fn: Callable[[], Any]
    docs: int
    mb: float
    before: Callable[[], None] | None = None
    rounds: int | None = None  # at most this many timed runs (slow rows)
    note: Callable[[float], str] = field(default=lambda seconds: "")
    times: list[float] = field(default_factory=list)


def run_interleaved(tasks: list[Task], repeat: int) -> None:
    """Round-robin over the tasks ``repeat`` times, timing CPU seconds of this process (robust to other load on a
    shared machine, and what "per core" means); each task keeps its best run."""
    for r in range(repeat):
        for task in tasks:
            if task.rounds is not None and r >= task.rounds:
                continue
            if task.before:
                task.before()
            gc.collect()
            t0 = time.process_time()
            task.fn()
            task.times.append(time.process_time() - t0)


def batches(docs: list[str], size: int) -> list[list[str]]:
    return [docs[i : i + size] for i in range(0, len(docs), size)]


def datatrove_signer(folder: str) -> Any:
    try:
        import datatrove
        import spacy  # noqa: F401
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(datatrove.__file__), "pipeline", "dedup", "minhash.py")
    spec = importlib.util.spec_from_file_location("_datatrove_minhash_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    signer = module.MinhashDedupSignature(output_folder=folder)  # get_shingles / get_signature never write
    signer._hash_func = lambda text: xxhash.xxh64_intdigest(text.encode("utf-8"))
    signer.word_tokenizer.word_tokenize("warm up the spaCy tokenizer")
    return signer


def pkg(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def measure(name: str, docs: list[str], args: argparse.Namespace, signer: Any, cold: bool) -> list[dict[str, Any]]:
    params = mh.MinHashParams()
    n = len(docs)
    mb = sum(len(d.encode("utf-8", "surrogatepass")) for d in docs) / 1e6
    parts = batches(docs, args.batch)
    clear = mh._CHUNK_WORDS.clear if cold else None
    if not cold:  # warm the word cache once, as a long-running worker has it
        for b in parts:
            mh._batch_words(b)
    # the inputs of the partial rows, computed once outside the timings
    spans = [mh._spans(b, params.ngram) for b in parts]
    sh_parts = [mh._shingles(b, params) for b in parts]
    n_sh = sum(len(s.hashes) for s in sh_parts)
    hash_inputs = [(s.data, s.starts, s.lengths) for s in spans]

    def python_hash() -> None:
        for data, s, ln in hash_inputs:
            slices = map(slice, s.tolist(), (s + ln).tolist())
            np.fromiter(map(xxhash.xxh64_intdigest, map(data.__getitem__, slices)), np.uint64, len(s))

    def per_shingle(seconds: float) -> str:
        return f"{seconds / n_sh * 1e9:.0f} ns/shingle"

    tasks = [
        Task("(1) limit: text -> shingle hashes", lambda: [mh._shingles(b, params) for b in parts], n, mb, clear,
             note=lambda _: f"{n_sh / n:.0f} shingles/doc"),
        Task("  (1a) normalise + words", lambda: [mh._batch_words(b) for b in parts], n, mb, clear),
        Task("  (1b) hash shingles, vectorised XXH64", lambda: [mh._xxh64_slices(*h) for h in hash_inputs], n, mb,
             note=per_shingle),
        Task("  (1b') same, one xxhash call per shingle", python_hash, n, mb, note=per_shingle),
        Task("(2) crawlforge signatures", lambda: [mh.signatures(b, params) for b in parts], n, mb, clear),
        Task("  (2a) 112 permutations + minima", lambda: [mh._minhash(s.hashes, s.offsets, params) for s in sh_parts],
             n, mb, note=lambda t: f"{t / n_sh / params.num_perm * 1e9:.2f} ns/value"),
    ]  # fmt: skip
    if signer is not None and args.datatrove_docs:
        sub = docs[: args.datatrove_docs]
        sub_mb = sum(len(d.encode("utf-8", "surrogatepass")) for d in sub) / 1e6
        shingles = [signer.get_shingles(d) for d in sub]

        def dt_step() -> None:
            for d in sub:
                s = signer.get_shingles(d)
                if s.size:
                    signer.get_signature(s)

        def dt_sig() -> None:
            for s in shingles:
                if s.size:
                    signer.get_signature(s)

        ours = mh.signatures(sub, params)
        for i, s in enumerate(shingles):
            theirs = np.array(signer.get_signature(s), dtype=np.uint64).ravel() if s.size else None
            same = not mh.has_signature(ours[i : i + 1])[0] if theirs is None else np.array_equal(theirs, ours[i])
            if not same:
                raise SystemExit(f"signature mismatch with datatrove on document {i} of {name}")
        tasks += [
            Task("(3) datatrove get_shingles + get_signature", dt_step, len(sub), sub_mb, rounds=2,
                 note=lambda _: f"first {len(sub)} docs; bit-identical to (2) on them"),
            Task("  (3a) datatrove get_signature only", dt_sig, len(sub), sub_mb),
        ]  # fmt: skip
    run_interleaved(tasks, args.repeat)
    rows = []
    for t in tasks:
        seconds = min(t.times)
        rows.append({"corpus": name, "row": t.label, "docs": t.docs, "cpu_seconds": seconds,
                     "docs_per_s": t.docs / seconds, "mb_per_s": t.mb / seconds, "note": t.note(seconds)})  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=3000, help="documents of the mixed corpus (3-5 KB each)")
    ap.add_argument("--batch", type=int, default=1000, help="documents per signatures() call (an Arrow batch)")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per row; the best one is reported")
    ap.add_argument("--datatrove-docs", type=int, default=600, help="documents datatrove runs on (0: skip)")
    ap.add_argument("--json", type=Path, default=None, help="also write the rows as JSON here")
    args = ap.parse_args(argv)

    data = shared_data()
    texts = fixture_texts(data)
    corpora = {"mixed": (mixed_docs(texts, args.docs), False), "real": (texts, True)}
    scratch = tempfile.TemporaryDirectory(prefix="minhash-bench-")
    signer = datatrove_signer(scratch.name) if args.datatrove_docs else None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()}, numpy {np.__version__}, xxhash {xxhash.VERSION}, datatrove "
          f"{pkg('datatrove')}, {platform.machine()}, {os.cpu_count()} CPUs, load average {load:.1f}")  # fmt: skip
    if signer is None and args.datatrove_docs:
        print("datatrove (or spaCy) not installed: rows (3) skipped")
    all_rows: list[dict[str, Any]] = []
    for name, (docs, cold) in corpora.items():
        mb = sum(len(d.encode("utf-8", "surrogatepass")) for d in docs) / 1e6
        cache = "cold (emptied before every run)" if cold else "warm"
        print(f"\ncorpus {name}: {len(docs)} docs, {mb:.1f} MB, {mb * 1e3 / len(docs):.1f} KB/doc, "
              f"word cache {cache}, batches of {args.batch}")  # fmt: skip
        rows = measure(name, docs, args, signer, cold)
        all_rows += rows
        limit = rows[0]["docs_per_s"]
        sig = next(r for r in rows if r["row"].startswith("(2)"))["docs_per_s"]
        dt = next((r for r in rows if r["row"].startswith("(3)")), None)
        print(f"{'':44}{'docs/s':>9}{'MB/s':>8}{'x limit':>9}{'x datatrove':>13}  note")
        for r in rows:
            vs_dt = f"{r['docs_per_s'] / dt['docs_per_s']:.1f}" if dt and r["row"][2:3] != "3" else ""
            print(f"{r['row']:<44}{r['docs_per_s']:9,.0f}{r['mb_per_s']:8.2f}{r['docs_per_s'] / limit:9.2f}"
                  f"{vs_dt:>13}  {r['note']}")  # fmt: skip
        print(
            f"-> signatures run at {sig / limit:.0%} of the shingle-hashing limit"
            + (f", {sig / dt['docs_per_s']:.0f}x datatrove's signature step" if dt else "")
        )
    if args.json:
        args.json.write_text(json.dumps(all_rows, indent=2))
    scratch.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
