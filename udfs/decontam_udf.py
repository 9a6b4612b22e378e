"""Arrow (``mapInPandas``) wrappers over :mod:`crawlforge.lib.decontam`: n-gram hashes of documents and of
benchmark items, one output row per distinct hash (the rows Spark joins on ``ngram_hash``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pandas as pd

from crawlforge.lib.decontam import item_hashes, ngram_hashes


KEYS = ("source", "snapshot", "doc_id", "file_id")
DOC_HASHES_DDL = "source string, snapshot string, doc_id string, file_id string, ngram_hash bigint"
ITEM_HASHES_DDL = "item string, ngram_hash bigint"


def make_doc_hashes_fn(n: int) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """Rows (KEYS, text) -> rows (KEYS, ngram_hash), one per distinct n-gram of each document."""

    def fn(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            out: dict[str, list] = {k: [] for k in (*KEYS, "ngram_hash")}
            for row in pdf.itertuples(index=False):
                text = row.text if isinstance(row.text, str) else None
                hashes = ngram_hashes(text, n)
                for h in sorted(hashes):
                    out["source"].append(row.source)
                    out["snapshot"].append(row.snapshot)
                    out["doc_id"].append(row.doc_id)
                    out["file_id"].append(row.file_id)
                    out["ngram_hash"].append(h)
            yield pd.DataFrame({**out, "ngram_hash": pd.Series(out["ngram_hash"], dtype="int64")})

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
