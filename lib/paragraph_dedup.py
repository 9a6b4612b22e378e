"""CCNet paragraph deduplication, the per-document part: line hashes and which lines of a document survive.

CCNet (facebookresearch/cc_net@bda555bd, ``cc_net/dedup.py``) deduplicates *paragraphs*, i.e. the lines of a
document split on ``"\\n"``, across a group of shards. The key of a line is the first 8 bytes of the SHA1 of
its UTF-8 :func:`~crawlforge.lib.ccnet_text.normalize_for_dedup` form (``compute_hashes``; CCNet reinterprets
the 8 bytes as a native, i.e. little-endian, ``uint64``). Empty and whitespace-only lines are hashed like any
other (they all normalise to ``""``), so on any real corpus they are duplicates and disappear.

This module is the pure, per-document half. The distributed half (Spark) computes, from every line of every
document in the dedup scope, the container of hashes a document must lose, then calls :func:`dedup_lines` (or
:func:`dedup_text`) once per document. Two policies, both reduced to the same per-document rule:

``remove_every_copy`` (CCNet's ``mine`` pipeline: ``HashesCollector`` then ``DuplicatesRemover``; also
``deduplicate_two_pass``, "what is done in the paper")
    ``duplicates`` = every hash that occurs **two or more times** among all lines of all documents of the scope,
    repeats inside one document included (``FlatHashSet.add`` marks a key on its second insertion, whichever
    document it comes from). Every copy is removed, the first one too (``tests/test_dedup.py
    ::test_dedup_from_hashes``). In Spark: explode ``(doc_id, line_hash)`` for all lines, ``groupBy(hash)``,
    keep hashes with ``count >= 2``, semi-join back per document.

``keep_first`` (CCNet's in-memory ``deduplicate``: ``DuplicatesRemover(collect=True)``, first occurrence kept)
    ``duplicates`` = the hashes of this document whose **first occurrence is in another document** under a
    total, deterministic order of documents (CCNet's order is file order; ours must not depend on the
    partitioning, e.g. ``(snapshot, doc_id)``). In Spark: ``groupBy(hash).agg(min(order_key))`` -> the owner
    document of each hash; a document's container is its hashes whose owner is another document.
    Repeats inside the owner document are then handled by the intra-document rule below, which keeps the
    first of them, exactly as CCNet's ``collect`` path does (its membership test runs on the whole document
    before the document's hashes are inserted).

The per-document rule (``DuplicatesRemover.do`` + ``finalize_doc``): a line is dropped when its hash is in
``duplicates``; of the remaining lines, a line is dropped when an earlier line of the same document had the
same hash (whether or not that earlier line was kept); a document left with no line is dropped (CCNet returns
``None``; here ``DedupResult.nlines == 0``). An empty text is dropped before hashing (``if not content``).
CCNet also treats a hash of eight zero bytes as "removed" (its ``h != 0`` test on zeroed hashes); that is
reproduced, for a probability of 2**-64 per line.

The container may be any object supporting ``in`` on 8-byte ``bytes`` (a ``set``, a ``frozenset``, a Bloom
filter wrapper); :func:`hash_to_int64` converts keys for Spark ``LongType`` columns if the caller prefers
integers, and :func:`int64_to_hash` converts back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Container, Sequence
from dataclasses import dataclass

from crawlforge.lib.ccnet_text import normalize_for_dedup


__all__ = [
    "HASH_SIZE",
    "ZERO_HASH",
    "DedupResult",
    "apply_removed_lines",
    "dedup_lines",
    "dedup_text",
    "hash_to_int64",
    "hash_to_uint64",
    "int64_to_hash",
    "keep_first",
    "line_hash",
    "line_hashes",
    "remove_every_copy",
    "removed_line_ids",
    "split_lines",
]

#: Bytes of the SHA1 digest kept as the paragraph key (CCNet ``HASH_SIZE = np.uint64(0).nbytes``).
HASH_SIZE = 8
#: CCNet zeroes the hash of a removed line and later skips zero hashes, so this key always counts as removed.
ZERO_HASH = bytes(HASH_SIZE)


def split_lines(text: str) -> list[str]:
    """Split a document into paragraphs exactly as CCNet does: ``text.split("\\n")`` (not ``splitlines``)."""
    return text.split("\n")


def line_hash(line: str) -> bytes:
    """First 8 bytes of ``sha1(normalize_for_dedup(line).encode("utf-8"))`` (CCNet ``compute_hashes``).

    Lone surrogates (possible in text decoded from JSON) are encoded with ``surrogatepass`` instead of raising;
    CCNet would crash on them, so no CCNet output depends on the choice.
    """
    data = normalize_for_dedup(line).encode("utf-8", "surrogatepass")
    return hashlib.sha1(data).digest()[:HASH_SIZE]


def line_hashes(lines: Sequence[str]) -> list[bytes]:
    """:func:`line_hash` of each line, in order."""
    return [line_hash(line) for line in lines]


def hash_to_uint64(key: bytes) -> int:
    """The key as CCNet stores it: the 8 bytes read as a little-endian unsigned 64-bit integer (``_b2i``)."""
    return int.from_bytes(key, "little", signed=False)


def hash_to_int64(key: bytes) -> int:
    """The key as a signed little-endian 64-bit integer, for Spark ``LongType`` columns (same bits as CCNet)."""
    return int.from_bytes(key, "little", signed=True)


def int64_to_hash(value: int) -> bytes:
    """Inverse of :func:`hash_to_int64` (also accepts the unsigned form of :func:`hash_to_uint64`)."""
    return (value & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(HASH_SIZE, "little")


@dataclass(frozen=True, slots=True)
class DedupResult:
    """What is left of one document after paragraph dedup, with CCNet's bookkeeping fields.

    ``line_ids`` are the indices of the kept lines in the original document (CCNet ``line_ids``);
    ``original_nlines``/``original_length`` are the line and character counts before dedup, ``nlines``/``length``
    after (``length == len(text)``, ``"\\n"`` separators included, as CCNet's ``len(content)``).
    ``nlines == 0`` means CCNet drops the whole document.
    """

    lines: tuple[str, ...]
    line_ids: tuple[int, ...]
    original_nlines: int
    original_length: int

    @property
    def text(self) -> str:
        """The kept lines joined with ``"\\n"`` (CCNet writes this back into ``raw_content``)."""
        return "\n".join(self.lines)

    @property
    def nlines(self) -> int:
        """Number of kept lines."""
        return len(self.lines)

    @property
    def length(self) -> int:
        """Characters in :attr:`text`."""
        return sum(len(line) for line in self.lines) + max(len(self.lines) - 1, 0)

    @property
    def dropped(self) -> bool:
        """True when no line survives: CCNet removes the document."""
        return not self.lines

    @property
    def removed_lines(self) -> int:
        """``original_nlines - nlines``."""
        return self.original_nlines - len(self.lines)

    @property
    def removed_chars(self) -> int:
        """``original_length - length``."""
        return self.original_length - self.length


def dedup_lines(
    lines: Sequence[str], duplicates: Container[bytes], hashes: Sequence[bytes] | None = None
) -> DedupResult:
    """Apply CCNet's per-document rule (see the module docstring) to a document's lines.

    ``duplicates`` holds the keys this document must lose (what it holds decides the policy: see
    :func:`remove_every_copy` and :func:`keep_first`). ``hashes`` may pass precomputed :func:`line_hash` values
    (one per line, e.g. from the Spark side) to avoid hashing twice.
    """
    if hashes is None:
        hashes = line_hashes(lines)
    elif len(hashes) != len(lines):
        raise ValueError(f"{len(hashes)} hashes for {len(lines)} lines")
    original_length = sum(len(line) for line in lines) + max(len(lines) - 1, 0)
    seen: set[bytes] = set()
    kept: list[str] = []
    kept_ids: list[int] = []
    for idx, (line, key) in enumerate(zip(lines, hashes, strict=True)):
        # finalize_doc: a line survives if its (zeroed-when-duplicate) hash is non-zero and new in the document;
        # the document's set of seen hashes is updated with every line, kept or not.
        zeroed = ZERO_HASH if key in duplicates else key
        if zeroed != ZERO_HASH and zeroed not in seen:
            kept.append(line)
            kept_ids.append(idx)
        seen.add(zeroed)
    return DedupResult(tuple(kept), tuple(kept_ids), len(lines), original_length)


def dedup_text(text: str, duplicates: Container[bytes]) -> DedupResult:
    """:func:`dedup_lines` on ``text.split("\\n")``; an empty text is dropped with all counts 0 (CCNet skips it)."""
    if not text:
        return DedupResult((), (), 0, 0)
    return dedup_lines(split_lines(text), duplicates)


def remove_every_copy(text: str, duplicates: Container[bytes]) -> DedupResult:
    """CCNet ``mine`` semantics: ``duplicates`` = hashes seen >= 2 times in the scope; every copy goes.

    Contract for the caller: count :func:`line_hash` over **every** line of every document in the scope
    (repeats inside a document count), and pass the keys with a count of two or more.
    """
    return dedup_text(text, duplicates)


def keep_first(text: str, seen_elsewhere: Container[bytes]) -> DedupResult:
    """First-occurrence semantics: ``seen_elsewhere`` = this document's hashes first seen in another document.

    Contract for the caller: fix a total order of documents that does not depend on partitioning; for each hash,
    its owner is the first document in that order containing it; pass the hashes of this document whose owner
    is another document. Within the owner, the first line with the hash is kept and later repeats are dropped.
    """
    return dedup_text(text, seen_elsewhere)


def removed_line_ids(result: DedupResult) -> list[int]:
    """Indices (into ``text.split("\\n")``) of the lines paragraph dedup removed, ascending.

    The complement of ``result.line_ids``; this is what the ``signals_ccnet`` table stores
    (``ccnet_removed_lines``), because on real data most lines survive and the list of removals is short.
    """
    kept = set(result.line_ids)
    return [i for i in range(result.original_nlines) if i not in kept]


def apply_removed_lines(text: str | None, removed: Sequence[int] | None) -> str:
    """The CCNet-deduplicated text: ``text.split("\\n")`` without the lines at the ``removed`` indices, rejoined.

    This is how a consumer (the publish job, a notebook) rebuilds CCNet's ``raw_content`` after dedup from
    ``documents.text`` and ``signals_ccnet.ccnet_removed_lines`` without re-running dedup; for any
    :class:`DedupResult` ``r`` of ``text``, ``apply_removed_lines(text, removed_line_ids(r)) == r.text``.
    ``None`` or empty ``removed`` returns ``text`` unchanged; indices out of range are an error (they mean the
    signals row does not belong to this text).
    """
    if text is None:
        return ""
    if not removed:
        return text
    lines = split_lines(text)
    drop = set(removed)
    if min(drop) < 0 or max(drop) >= len(lines):
        raise ValueError(f"removed line index out of range for a text of {len(lines)} lines: {sorted(drop)[:5]}...")
    return "\n".join(line for i, line in enumerate(lines) if i not in drop)
