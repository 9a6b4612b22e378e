"""Arrow wrappers over :mod:`crawlforge.lib.decontam`: n-gram hashes of documents and of benchmark items.

Documents (``mapInArrow``): one output row per document with its distinct hashes as ``array<bigint>``; the job
explodes them in the JVM. One row per n-gram from Python (four key strings per hash) made the decontam worker the
largest process of a real-page run and cost ~5 core-ms a page (issue #13); a list of int64 is 8 bytes a hash.
Benchmark items (``mapInPandas``): one row per (item, distinct hash); benchmarks are small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd
import pyarrow as pa

from crawlforge.lib.decontam import item_hashes, ngram_hashes


KEYS = ("source", "snapshot", "doc_id", "file_id")
DOC_HASHES_DDL = "source string, snapshot string, doc_id string, file_id string, ngram_hashes array<bigint>"
ITEM_HASHES_DDL = "item string, ngram_hash bigint"
_HASHES = pa.list_(pa.int64())


def make_doc_hashes_fn(n: int) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """Rows (KEYS, text) -> rows (KEYS, ngram_hashes): each document's distinct n-gram hashes, sorted."""

    def fn(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            texts = batch.column("text").to_pylist()
            hashes = [sorted(ngram_hashes(t if isinstance(t, str) else None, n)) for t in texts]
            yield pa.RecordBatch.from_arrays(
                [*(batch.column(k) for k in KEYS), pa.array(hashes, type=_HASHES)], names=[*KEYS, "ngram_hashes"]
            )

    return fn


def make_item_hashes_fn(n: int) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """Rows (item, texts: list of field texts) -> rows (item, ngram_hash); fields are hashed separately."""

    def fn(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            items: list[str] = []
            hashes: list[int] = []
            for item, texts in zip(pdf["item"], pdf["texts"], strict=True):
                fields = [t for t in (texts if texts is not None else []) if isinstance(t, str)]
                for h in sorted(item_hashes(fields, n)):
                    items.append(str(item))
                    hashes.append(h)
            yield pd.DataFrame({"item": items, "ngram_hash": pd.Series(hashes, dtype="int64")})

    return fn
