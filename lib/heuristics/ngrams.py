"""Exact word n-gram statistics for the Gopher and RedPajama-v2 repetition signals, on integer ids with numpy.

Both recipes count word n-grams for n = 2..10 (Gopher: Rae et al. 2021, App. A, Table A1; RedPajama-v2:
``rps_doc_frac_chars_top_{2,3,4}gram`` / ``dupe_{5..10}grams``). Counting them with a Python ``Counter`` of
tuples or joined strings costs one tuple / string and one dict update per word and per n, which made these
signals the dominant cost of ``compute_signals`` on real pages. :class:`WordNgrams` does the per-word Python
work once (a dict gives each word an integer id) and everything per n in numpy:

* Only repeated n-grams are tracked. An n-gram that occurs twice starts with an (n-1)-gram that occurs twice,
  so the repeated n-grams are found among the positions of the repeated (n-1)-grams: the key of the n-gram at
  ``i`` is (group of its (n-1)-gram, id of word ``i + n - 1``), one integer, and equal keys are grouped by one
  sort. On web text a few percent of the positions hold a repeated 5-gram, so the work shrinks fast with n.
* Every grouping compares exact integer keys, so counts are exact, not hashed.

datatrove's duplicate n-gram scan keys n-grams by their words concatenated *without* a separator, so
``("ab", "c")`` and ``("a", "bc")`` are the same key. :meth:`WordNgrams.joined_dup_chars` keeps that: a polynomial
hash of the concatenated characters (wrapping uint64) proves that keys and n-grams fall into the same classes
(the usual case), or else picks the positions whose key may occur twice, whose keys are then compared as strings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np


__all__ = ["WordNgrams"]

# Odd multiplier of the character hash: multiplying by its powers is a bijection modulo 2**64.
_HASH_BASE = 0x9E3779B97F4A7C15
# (key, position) pairs are sorted as one int64 ``key * size + position`` while that fits; else with lexsort.
_PACK_LIMIT = 1 << 63


@dataclass(frozen=True, slots=True)
class _Repeats:
    """The n-grams of one size that occur more than once, as groups of equal n-grams.

    Attributes:
        starts: start position of every occurrence (no particular order).
        group: group number (``0 .. len(counts) - 1``) of each entry of ``starts``.
        counts: occurrences per group (each >= 2).
        first: first (smallest) start of each group.
    """

    starts: np.ndarray
    group: np.ndarray
    counts: np.ndarray
    first: np.ndarray


_EMPTY = np.zeros(0, dtype=np.int64)
_NO_REPEATS = _Repeats(_EMPTY, _EMPTY, _EMPTY, _EMPTY)


def _repeats(keys: np.ndarray, starts: np.ndarray, key_bound: int, size: int) -> _Repeats:
    """Group equal ``keys`` (int64 in ``[0, key_bound)``, one per distinct start in ``[0, size)``); keep groups
    of two or more. (Few numpy calls on small arrays: their fixed cost is most of the time here.)"""
    if len(keys) < 2:
        return _NO_REPEATS
    if key_bound * size < _PACK_LIMIT:
        packed = keys * size + starts
        packed.sort()
        keys, starts = np.divmod(packed, size)
    else:  # a giant document: same order, slower sort
        order = np.lexsort((starts, keys))
        keys, starts = keys[order], starts[order]
    same = keys[1:] == keys[:-1]
    if not same.any():
        return _NO_REPEATS
    new = np.empty(len(keys), dtype=bool)
    new[0] = True
    np.logical_not(same, out=new[1:])
    heads = np.flatnonzero(new)
    counts = np.empty(len(heads), dtype=np.int64)
    np.subtract(heads[1:], heads[:-1], out=counts[:-1])
    counts[-1] = len(keys) - heads[-1]
    repeated = counts > 1
    member = np.repeat(repeated, counts)
    group = np.repeat(np.cumsum(repeated) - 1, counts)
    return _Repeats(starts[member], group[member], counts[repeated], starts[heads[repeated]])


def _skip_scan(starts: Sequence[int], keys: Sequence[object], lengths: Sequence[int], n: int) -> int:
    """datatrove's ``find_all_duplicate`` scan over the n-grams whose key occurs more than once (``starts``
    ascending): a key seen before adds its length and the scan jumps past its n-gram, so overlapping repeats are
    not double counted. The other n-grams can never be "seen before", so leaving them out changes nothing."""
    seen: set[object] = set()
    repeated = 0
    resume = 0
    for start, key, length in zip(starts, keys, lengths, strict=True):
        if start < resume:
            continue
        if key in seen:
            repeated += length
            resume = start + n
        else:
            seen.add(key)
    return repeated


class WordNgrams:
    """The repeated word n-grams of one word list, per n (built on demand from the (n-1)-grams, cached).

    Args:
        words: the document's words, in order.

    Attributes:
        words: the words as given.
        ids: the word id of every word (int64 array).
        vocabulary: the distinct words, in order of first occurrence (word id = index in this list), as the keys
            of ``Counter(words)``.
        word_counts: occurrences of each vocabulary word (int64 array), as the values of ``Counter(words)``.
    """

    def __init__(self, words: Sequence[str]) -> None:
        self.words = words
        index: dict[str, int] = {}
        setdefault = index.setdefault
        self.ids = np.array([setdefault(w, len(index)) for w in words], dtype=np.int64)
        self.vocabulary: list[str] = list(index)
        self._vocab = len(index)
        self.word_counts = np.bincount(self.ids, minlength=self._vocab)
        self._levels: dict[int, _Repeats] = {}
        self._char_arrays: tuple[str, np.ndarray, np.ndarray, np.ndarray] | None = None

    @cached_property
    def word_chars(self) -> np.ndarray:
        """Length of every word (int64 array), measured once per distinct word."""
        return np.fromiter(map(len, self.vocabulary), dtype=np.int64, count=self._vocab)[self.ids]

    def _level(self, n: int) -> _Repeats:
        """The repeated n-grams (``n >= 1``); empty when the words hold fewer than two n-grams."""
        got = self._levels.get(n)
        if got is not None:
            return got
        size = len(self.words)
        if n == 1:  # the groups are the repeated words: no sort needed
            repeated = self.word_counts > 1
            starts = np.flatnonzero(repeated[self.ids])
            rank = np.cumsum(repeated) - 1
            # ids count up from 0 in order of first occurrence: the first occurrences are where the maximum grows
            seen = np.maximum.accumulate(self.ids)
            first = np.flatnonzero(np.diff(seen, prepend=-1))
            got = _Repeats(starts, rank[self.ids[starts]], self.word_counts[repeated], first[repeated])
        else:
            prev = self._level(n - 1)
            fits = prev.starts <= size - n
            starts = prev.starts[fits]
            keys = prev.group[fits] * self._vocab + self.ids[starts + (n - 1)]
            got = _repeats(keys, starts, len(prev.counts) * self._vocab, size)
        self._levels[n] = got
        return got

    def has_repeats(self, n: int) -> bool:
        """Some n-gram occurs more than once (an n-gram repeat contains an (n-1)-gram repeat, so a size without
        repeats ends the search for every larger size)."""
        return len(self.words) >= n and len(self._level(n).counts) > 0

    def most_common(self, n: int) -> tuple[int, int] | None:
        """(start of the most frequent n-gram, its count), ``None`` with fewer than n words.

        Ties go to the n-gram seen first, as ``Counter(ngrams).most_common(1)`` (insertion order): the start
        returned is that n-gram's first occurrence. With no repeat, that is the first n-gram, once.
        """
        if len(self.words) < n:
            return None
        level = self._level(n)
        if not len(level.counts):
            return 0, 1
        top = level.counts.max()
        return int(level.first[level.counts == top].min()), int(top)

    def repeated_starts(self, n: int) -> np.ndarray:
        """Start positions of the n-grams that occur more than once, each once, in no particular order."""
        if len(self.words) < n:
            return np.zeros(0, dtype=np.int64)
        return self._level(n).starts

    def _chars(self) -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
        """(words concatenated, offset of every word start in it plus its length, hash prefix and hash scale at
        each of those offsets).

        With ``prefix[k]`` the sum of ``char[m] * B**m`` over the first ``k`` characters, the hash of
        ``joined[a:b]`` is ``(prefix[b] - prefix[a]) * B**(len(joined) - a)``: ``B**len(joined)`` times the hash
        of the string alone, so equal strings get equal hashes wherever they start.
        """
        if self._char_arrays is None:
            joined = "".join(self.words)
            offsets = np.zeros(len(self.words) + 1, dtype=np.int64)
            np.cumsum(self.word_chars, out=offsets[1:])
            codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
            powers = np.full(len(codes) + 1, _HASH_BASE, dtype=np.uint64)
            powers[0] = 1
            np.multiply.accumulate(powers, out=powers)
            prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
            np.cumsum(codes * powers[:-1], out=prefix[1:])
            self._char_arrays = (joined, offsets, prefix[offsets], powers[len(joined) - offsets])
        return self._char_arrays

    def joined_dup_chars(self, n: int) -> int:
        """Characters in repeated n-grams keyed by ``"".join(ngram)``, datatrove's ``find_all_duplicate``
        (see :func:`_skip_scan`).

        Equal n-grams have equal keys; different n-grams may too (a concatenation collision). Equal keys have
        equal hashes, so when the hashes split the n-grams into as many classes as there are distinct n-grams,
        keys and n-grams form the same classes and the scan runs on the groups of repeated n-grams. Otherwise
        (a concatenation or a hash collision) the keys of the positions whose hash repeats are compared as
        strings.
        """
        if len(self.words) < n:
            return 0
        joined, offsets, prefix, scale = self._chars()
        hashes = (prefix[n:] - prefix[:-n]) * scale[:-n]  # of the key of every n-gram (see _chars)
        by_hash = np.sort(hashes)
        level = self._level(n)
        n_grams = len(hashes) - len(level.starts) + len(level.counts)  # distinct n-grams
        if len(hashes) - int(np.count_nonzero(by_hash[1:] == by_hash[:-1])) == n_grams:
            if not len(level.counts):
                return 0
            by_start = np.argsort(level.starts)
            first = level.starts[by_start]
            return _skip_scan(
                first.tolist(), level.group[by_start].tolist(), (offsets[first + n] - offsets[first]).tolist(), n
            )
        order = np.argsort(hashes)
        same = hashes[order[1:]] == hashes[order[:-1]]
        shared = np.zeros(len(hashes), dtype=bool)
        shared[1:] = same
        shared[:-1] |= same
        candidates = np.sort(order[shared]).tolist()
        bounds = zip(offsets[candidates].tolist(), offsets[np.add(candidates, n)].tolist(), strict=True)
        keys = [joined[a:b] for a, b in bounds]
        key_counts = Counter(keys)
        repeated = [i for i, key in enumerate(keys) if key_counts[key] > 1]
        return _skip_scan(
            [candidates[i] for i in repeated], [keys[i] for i in repeated], [len(keys[i]) for i in repeated], n
        )
