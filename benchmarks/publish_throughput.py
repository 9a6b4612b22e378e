"""Per-core throughput of the publish-side Python work, on the shared fixture texts (no Spark).

What one executor core does per document in each job: decontam (normalise + 13-gram hashes), publish (the pandas
UDF: CCNet line removal, PII redaction, sha256), export (token count + JSONL + gzip + sha256 of a shard, and the
Parquet shard). Texts: WikiText-2 test articles, the CCNet documents and the scrapinghub article bodies (the same
set as ``pii_quality.py``). Prints docs/s and MB/s (UTF-8 bytes), best of ``--repeat`` passes.

    python benchmarks/publish_throughput.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from pii_quality import fixture_texts

from crawlforge.jobs.export import FIELDS, _parquet_bytes
from crawlforge.lib import shards
from crawlforge.lib.decontam import ngram_hashes
from crawlforge.lib.tokens import count_unicode_words
from crawlforge.udfs.pii_udf import PiiTaskOptions, make_publish_fn


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    texts = fixture_texts()
    mb = sum(len(t.encode()) for t in texts) / 1e6
    pdf = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    rows = [
        {"id": f"d{i}", "text": t, "url": "https://x/", "source": "s", "snapshot": "n", "language": "en",
         "bucket": "all", "warc_record_id": None, "warc_date": None, "file_path": None, "offset": 0,
         "language_score": 0.9, "perplexity": None, "quality_bucket": None, "token_count": count_unicode_words(t)}
        for i, t in enumerate(texts)
    ]  # fmt: skip

    def jsonl() -> bytes:
        return shards.jsonl_bytes(rows, FIELDS)

    cases: list[tuple[str, Callable[[], object]]] = [
        ("decontam: 13-gram hashes", lambda: [ngram_hashes(t, 13) for t in texts]),
        ("publish UDF: placeholder", lambda: list(make_publish_fn(PiiTaskOptions())(iter([pdf])))),
        ("publish UDF: fineweb", lambda: list(make_publish_fn(PiiTaskOptions(mode="fineweb"))(iter([pdf])))),
        ("export: token count", lambda: [count_unicode_words(t) for t in texts]),
        ("export: jsonl.gz shard + sha256", lambda: shards.sha256_hex(shards.gzip_bytes(jsonl()))),
        ("export: parquet shard + sha256", lambda: shards.sha256_hex(_parquet_bytes(pd.DataFrame(rows)))),
    ]
    print(f"{len(texts)} fixture texts, {mb:.2f} MB; single thread, best of {args.repeat}\n")
    print(f"{'step':<36}{'docs/s':>10}{'MB/s':>9}")
    for name, fn in cases:
        t = best(fn, args.repeat)
        print(f"{name:<36}{len(texts) / t:>10.0f}{mb / t:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
