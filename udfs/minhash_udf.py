"""``mapInArrow`` function of the dedup job: (doc_key, text) batches in, signatures and band keys out.

A thin Arrow wrapper over :func:`crawlforge.lib.minhash.signatures` and :func:`crawlforge.lib.minhash.band_keys`
(the vectorised, datatrove-identical signature family, minhash-spark.md §4.2 option B). Arrow in, Arrow out:
the ``uint64[n, num_perm]`` matrix becomes an ``array<bigint>`` column by reinterpreting its bytes as ``int64``
and wrapping them in one ``ListArray`` (no per-row Python objects), so the wrapper costs next to nothing beside
the hashing. Viewed as Spark ``bigint`` the "no signature" sentinels (``EMPTY_VALUE``, ``NO_KEY``) are ``-1``;
such rows get ``has_signature = false`` and the job never buckets them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

import numpy as np
import pyarrow as pa

from crawlforge.lib.minhash import MinHashParams, band_keys, has_signature, signatures


#: Spark DDL of the rows the function yields.
OUTPUT_DDL: Final[str] = "doc_key bigint, has_signature boolean, signature array<bigint>, band_keys array<bigint>"


def _list_column(matrix: np.ndarray) -> pa.ListArray:
    n, width = matrix.shape
    flat = pa.array(np.ascontiguousarray(matrix).view(np.int64).reshape(-1), type=pa.int64())
    offsets = pa.array(np.arange(0, (n + 1) * width, width, dtype=np.int32), type=pa.int32())
    return pa.ListArray.from_arrays(offsets, flat)


def signature_batch(doc_keys: pa.Array, texts: pa.Array, params: MinHashParams) -> pa.RecordBatch:
    """Signatures and band keys of one batch, as a record batch with the columns of :data:`OUTPUT_DDL`."""
    sig = signatures(texts.to_pylist(), params)
    keys = band_keys(sig, params)
    return pa.RecordBatch.from_arrays(
        [doc_keys, pa.array(has_signature(sig)), _list_column(sig), _list_column(keys)],
        names=["doc_key", "has_signature", "signature", "band_keys"],
    )


def make_signature_fn(params: MinHashParams) -> Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]:
    """The function for ``df.select("doc_key", "text").mapInArrow(fn, OUTPUT_DDL)``."""
    settings = params.to_dict()  # a plain dict pickles small and rebuilds the (cached) coefficients per worker

    def fn(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        p = MinHashParams(**settings)
        for batch in batches:
            yield signature_batch(batch.column("doc_key"), batch.column("text"), p)

    return fn
