"""Deterministic export shards: which shard a document goes to, shard names, and byte-exact shard files.

Shard assignment must not depend on Spark partitioning or on the order rows arrive in (DESIGN.md principle 4),
and must not need a global sort or a running sum over the whole corpus (one task would see every row). So:

* the number of shards is ``ceil(total_bytes / target_bytes)`` (``total_bytes``: the sum of the documents'
  UTF-8 text bytes, one small aggregate);
* a document's shard is ``xxhash64(doc_id, seed 0) mod n_shards``: uniform, so each shard holds about
  ``target_bytes`` (a shard's size is a sum of many small documents; the relative spread is about
  ``1/sqrt(docs per shard)``);
* inside a shard, documents are ordered by ``(source, snapshot, doc_id)``.

The same documents and target give the same shard files, byte for byte: gzip members are written with
``mtime=0`` and no file name (:func:`gzip_bytes`), JSON keys in a fixed order, Parquet with a fixed schema and
row-group size. A removal changes only the shards that held a removed document, unless the shard count ``n``
changes (the total crossed a multiple of the target), which reassigns every document.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import xxhash


__all__ = ["gzip_bytes", "jsonl_bytes", "num_shards", "sha256_hex", "shard_name", "shard_of"]


def num_shards(total_bytes: int, target_bytes: int) -> int:
    """At least one shard; ``ceil(total / target)`` otherwise."""
    if target_bytes <= 0:
        raise ValueError("target_bytes must be positive")
    return max(1, math.ceil(total_bytes / target_bytes))


def shard_of(doc_id: str, n_shards: int) -> int:
    """The shard of a document: xxHash64 of its id (the same function as Spark's ``xxhash64`` is NOT used:
    Spark hashes with seed 42 over its own encoding; this one is computed in Python on the executors)."""
    return xxhash.xxh64_intdigest(doc_id.encode("utf-8")) % n_shards


def shard_name(prefix: str, index: int, total: int, ext: str) -> str:
    """``prefix-00003-of-00010.ext``."""
    return f"{prefix}-{index:05d}-of-{total:05d}.{ext}"


def jsonl_bytes(rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> bytes:
    """One JSON object per line, keys in ``fields`` order, UTF-8 (non-ASCII kept), ``\\n``-terminated."""
    out = io.StringIO()
    for row in rows:
        out.write(json.dumps({f: row.get(f) for f in fields}, ensure_ascii=False, default=str))
        out.write("\n")
    return out.getvalue().encode("utf-8")


def gzip_bytes(data: bytes, level: int = 6) -> bytes:
    """A gzip member with no file name and mtime 0, so equal data gives equal bytes."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=level, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
