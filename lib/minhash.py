"""MinHash signatures and LSH band keys for near-duplicate detection, vectorised over a batch of documents.

This is the signature step of the near-dedup job (``shared/reference/minhash-spark.md`` §4.2 step 2, option B):
a pandas UDF hands it one Arrow batch of texts and gets back one ``uint64`` row of ``num_perm`` MinHash values per
document, plus ``bands`` 64-bit band keys per document for the bucketing step. Pure Python + numpy; no Spark.

What a signature is (the FineWeb recipe, bit for bit)
-----------------------------------------------------
The defaults reproduce ``huggingface/datatrove`` 0.10.1 ``MinhashDedupSignature`` with its default
``MinhashConfig`` (``src/datatrove/pipeline/dedup/minhash.py``): the FineWeb / FineWeb-2 near-dedup step.

1. **Normalisation** (``datatrove.utils.text.simplify_text`` with the default ``TextNormConfig``): lower-case;
   every number (``\\p{Nd}+`` optionally followed by one of ``.,،٫⎖⎗⎘`` and more digits) becomes ``0``; the 129
   characters of datatrove's ``PUNCTUATION`` become spaces; whitespace runs collapse to one space; NFD, then every
   combining mark (category ``Mn``) is dropped. Weekday and month names are not normalised (off by default).
   :func:`normalize_text` re-implements it with the standard library (no ``regex`` module at run time).
2. **Words**: datatrove's English word tokenizer, ``spacy.blank("en")``'s rule-based tokenizer, re-implemented
   without spaCy by :func:`crawlforge.lib.text_split.words_datatrove`. On normalised text it rarely does more
   than split on spaces: the contraction special cases (``dont -> do nt``, ``cannot -> can not``), units after a
   digit (``0km -> 0 km``) and the few punctuation and symbol characters that ``PUNCTUATION`` does not remove
   (``'‘'``, ``'•'``, currency signs, emoji) are peeled off.
3. **Shingles**: word 5-grams (``n_grams=5``), each hashed as the UTF-8 bytes of the 5 words joined by single
   spaces with 64-bit ``xxh64`` (seed 0) (``HashConfig(precision=64, hash_fc="xxhash")``, FineWeb-2), or the first
   8 bytes of SHA-1 read little-endian (``hash_fc="sha1"``, the FineWeb release). A document with fewer than 5
   words has no shingle; datatrove skips it; here it gets :data:`EMPTY_VALUE` in every position (see below).
4. **Permutations**: ``num_perm = 112 = 14 bands x 8 rows`` hash functions ``h -> (a*h + b) mod p`` with
   ``p = 2^61 - 1`` and ``a`` in ``[1, p)``, ``b`` in ``[0, p)`` drawn by ``numpy.random.RandomState(seed)`` exactly
   as datatrove draws them (seed 1). The signature is the minimum over the document's shingles.

``tests/lib/test_minhash.py`` checks steps 1-4 value for value against datatrove 0.10.1 on the shared fixtures
(WikiText, CCNet, Common Crawl WET) and on adversarial texts. One incompatibility is datatrove's, not ours:
datatrove passes ``str`` to ``xxhash.xxh64_intdigest``, which xxhash >= 4 rejects (``TypeError: Strings must be
encoded before hashing``; xxhash 3.x hashed the UTF-8 bytes, which is what we hash), so datatrove's default
xxhash configuration only runs with xxhash < 4.

The arithmetic, exactly
-----------------------
datatrove computes ``(shingles * a + b) % p`` on ``uint64`` numpy arrays, so the product and the sum wrap modulo
``2^64`` *before* the reduction: each value is ``((a*h + b) mod 2^64) mod (2^61 - 1)``, not the textbook
Carter-Wegman ``(a*h + b) mod p`` (which would need a 125-bit product). We reproduce the wrapped form bit for bit.
It is still a good MinHash family for this use: ``h`` is itself a 64-bit pseudo-random hash, so each
``h -> a*h + b (mod 2^64)`` is a different pseudo-random 64-bit mix; the tests check the Jaccard estimates and the
banding probabilities against theory.

The modulo is a Mersenne fold rather than numpy's (slow) integer ``%``: for ``y < 2^64`` write ``y = k*2^61 + l``
(``k = y >> 61 < 8``, ``l = y & p``); then ``t = l + k`` is congruent to ``y`` modulo ``p`` and ``t <= p + 7``, so
``y mod p = t - p`` if ``t >= p`` else ``t``. Instead of the branch we take the minimum of ``g = t - p (mod 2^64)``,
which maps ``t in [p, p+7]`` to ``0..7`` and ``t < p`` to ``t + 2^64 - p``, i.e. preserves the order of
``y mod p`` exactly; ``g = (y | 0xE000000000000000) + k + 1`` costs one OR, one shift and two adds. After the
minimum, ``g < 8`` means the value is ``g``; otherwise it is ``g + p (mod 2^64)``.

Vectorisation (where the time goes)
-----------------------------------
1. Words: every normalisation step and every word rule acts inside one ASCII-whitespace-delimited chunk of the
   lower-cased text, so each distinct chunk (``"word,"``, ``"(2024)"``) is normalised and split once, all misses of
   a batch in one pass of each regex, and cached (:data:`_CHUNK_WORDS`). A document then costs a ``lower``, a bytes
   ``split``, one dict lookup per chunk and a ``join``, all C loops.
2. Shingle hashes: the documents' words are joined into one UTF-8 buffer, so every shingle is a byte slice of it
   (bounds from the positions of the space bytes), and XXH64 runs vectorised over all slices of the batch
   (:func:`_xxh64_slices`, bit-identical to ``xxhash.xxh64_intdigest``) instead of one Python call per shingle.
3. Permutations: blocks of ``_PERM_ROWS`` permutations x ``_PERM_CHUNK`` shingles (1 MiB per buffer), six
   in-place ufunc passes (multiply, add, shift, or, add, add; no integer division), then ``np.minimum.reduceat``
   along the concatenated shingle axis takes every document's minima at once.
4. A call is cut into runs of about ``_BATCH_CHARS`` characters, so memory stays bounded (~25 bytes per character
   of a run) whatever the Arrow batch size.

``benchmarks/minhash_signatures.py`` measures each step against the shingle-hashing limit (steps 1-2) and
against datatrove's signature step, per core.

Documents without a shingle
---------------------------
Texts with fewer than ``ngram`` words (empty, ``None``, punctuation only) get :data:`EMPTY_VALUE` (``2^64 - 1``)
in every position. Real values are ``< 2^61 - 1``, so it is unambiguous; :func:`has_signature` tells them apart,
:func:`estimate_jaccard` gives 0 for them, and :func:`band_keys` gives them :data:`NO_KEY` in every band, which the
bucketing step must drop (``docs < 5 tokens: exact dedup only``, minhash-spark.md §4.5). Viewed as Spark ``long``
values both sentinels are ``-1``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from itertools import compress, count, repeat
from operator import is_
from typing import Any, Final, Literal

import numpy as np

from crawlforge.lib.text_split import words_datatrove


__all__ = [
    "DEFAULT_NORMALISATION",
    "EMPTY_VALUE",
    "MERSENNE_PRIME",
    "NORMALISATIONS",
    "NO_KEY",
    "MinHashParams",
    "band_keys",
    "candidate_probability",
    "estimate_jaccard",
    "has_signature",
    "normalize_text",
    "shingle_hashes",
    "shingle_words",
    "signatures",
]

MERSENNE_PRIME: Final[int] = (1 << 61) - 1
"""The modulus of the permutations, ``2^61 - 1`` (datatrove ``_mersenne_prime``)."""

EMPTY_VALUE: Final[np.uint64] = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
"""Every position of the signature of a document with no shingle (never produced by a real permutation)."""

NO_KEY: Final[np.uint64] = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
"""Every band key of a document with no shingle; a real band key equal to it is mapped to ``NO_KEY - 1``."""

DEFAULT_NORMALISATION: Final[str] = "datatrove-simplify_text+spacy-en-words"
NORMALISATIONS: Final[Mapping[str, tuple[int, ...]]] = {DEFAULT_NORMALISATION: (1,)}
"""Known normalisation names and their versions. Version 1: datatrove 0.10.1 ``simplify_text`` (default
``TextNormConfig``) then the ``spacy.blank("en")`` word rules of :func:`crawlforge.lib.text_split.words_datatrove`.
Any change to either that can change a word sequence must bump the version."""

_MANIFEST_VERSION: Final[int] = 1
# Permutations run on blocks of _PERM_ROWS permutations x _PERM_CHUNK shingles (1 MiB per buffer): long inner
# loops for numpy, a working set that stays in cache. Measured best of 1k-64k x 2-112 on a 1 MiB-L2 core.
_PERM_CHUNK: Final[int] = 8192
_PERM_ROWS: Final[int] = 16
# Characters per internal run of signatures(): bounds working memory (~18 MB measured) and keeps it in cache;
# measured best of 256k-16M characters.
_BATCH_CHARS: Final[int] = 1 << 20
_U64_MASK: Final[int] = (1 << 64) - 1


# ---------------------------------------------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinHashParams:
    """Everything that determines a signature; two signature sets are comparable only if their manifests match.

    Every default is datatrove 0.10.1's ``MinhashConfig`` default, which is also what FineWeb-2 ran; FineWeb
    (2024) differs only in ``hash_function="sha1"`` (see :meth:`fineweb`).

    Attributes:
        ngram: words per shingle. datatrove ``n_grams=5``; FineWeb and FineWeb-2 (anchors.md, datatrove MinHash).
        num_perm: permutations per signature, ``bands * rows``. datatrove ``num_buckets * hashes_per_bucket``
            = 14 x 8 = 112 (FineWeb).
        bands: LSH bands. datatrove ``num_buckets=14``; candidate threshold ``(1/14)^(1/8) ~ 0.72``.
        rows: signature values per band. datatrove ``hashes_per_bucket=8``.
        seed: seed of ``numpy.random.RandomState`` drawing the permutation coefficients. datatrove ``seed=1``.
        hash_bits: width of shingle hashes and signature values. datatrove ``HashConfig(precision=64)``; only 64
            is implemented (datatrove's 32-bit variant uses ``xxh32`` and truncates the values).
        hash_function: shingle hash. ``"xxh64"`` is datatrove's ``hash_fc="xxhash"`` (default, FineWeb-2);
            ``"sha1"`` is ``hash_fc="sha1"`` (first 8 bytes little-endian; the 2024 FineWeb run).
        normalisation: name of the text normalisation and word splitting (:data:`NORMALISATIONS`).
        normalisation_version: its version; bumped whenever it can split a text differently.
    """

    ngram: int = 5
    num_perm: int = 112
    bands: int = 14
    rows: int = 8
    seed: int = 1
    hash_bits: int = 64
    hash_function: Literal["xxh64", "sha1"] = "xxh64"
    normalisation: str = DEFAULT_NORMALISATION
    normalisation_version: int = 1

    def __post_init__(self) -> None:
        for name in ("ngram", "num_perm", "bands", "rows", "seed", "hash_bits", "normalisation_version"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise TypeError(f"MinHashParams.{name} must be an int, got {value!r}")
            object.__setattr__(self, name, int(value))  # numpy integers become plain ints (JSON-able manifest)
        if self.ngram < 1:
            raise ValueError(f"ngram must be >= 1, got {self.ngram}")
        if self.bands < 1 or self.rows < 1:
            raise ValueError(f"bands and rows must be >= 1, got bands={self.bands} rows={self.rows}")
        if self.bands * self.rows != self.num_perm:
            raise ValueError(
                f"bands * rows must equal num_perm: {self.bands} * {self.rows} = {self.bands * self.rows}"
                f" != {self.num_perm}"
            )
        if not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be in [0, 2^32) (numpy RandomState), got {self.seed}")
        if self.hash_bits != 64:
            raise ValueError(f"only 64-bit hashing is implemented (datatrove precision=64), got {self.hash_bits}")
        if self.hash_function not in ("xxh64", "sha1"):
            raise ValueError(f"hash_function must be 'xxh64' or 'sha1', got {self.hash_function!r}")
        versions = NORMALISATIONS.get(self.normalisation)
        if versions is None:
            raise ValueError(f"unknown normalisation {self.normalisation!r}; known: {sorted(NORMALISATIONS)}")
        if self.normalisation_version not in versions:
            raise ValueError(
                f"unknown version {self.normalisation_version} of {self.normalisation!r}; known: {list(versions)}"
            )

    @classmethod
    def fineweb(cls) -> MinHashParams:
        """The 2024 FineWeb run: ``MinhashConfig(hash_config=HashConfig(hash_fc="sha1", precision=64))``, 5-grams,
        14 x 8, seed 1 (datatrove ``examples/fineweb.py``)."""
        return cls(hash_function="sha1")

    @property
    def coefficients(self) -> tuple[np.ndarray, np.ndarray]:
        """``(a, b)``, each ``uint64[num_perm]`` (read-only), drawn as datatrove draws them."""
        return _coefficients(self.seed, self.num_perm)

    def coefficients_digest(self) -> str:
        """SHA-256 (hex) of ``a`` then ``b`` as little-endian ``uint64`` bytes."""
        a, b = self.coefficients
        return hashlib.sha256(a.astype("<u8").tobytes() + b.astype("<u8").tobytes()).hexdigest()

    def manifest(self) -> dict[str, Any]:
        """A JSON-able description of the signature function, to store next to signatures and band keys.

        Two signature sets (or band-key indexes) may be compared only if their manifests are equal; check with
        :meth:`check_manifest` before reusing a stored set.
        """
        return {
            "manifest_version": _MANIFEST_VERSION,
            "normalisation": self.normalisation,
            "normalisation_version": self.normalisation_version,
            "shingle": f"word {self.ngram}-grams joined by one space, UTF-8",
            "n": self.ngram,
            "permutations": self.num_perm,
            "bands": self.bands,
            "rows": self.rows,
            "seed": self.seed,
            "hash_bits": self.hash_bits,
            "hash_function": ("xxh64(seed=0)" if self.hash_function == "xxh64" else "sha1[:8] little-endian"),
            "permutation": "((a*h + b) mod 2^64) mod (2^61-1); a, b from numpy RandomState(seed).randint",
            "coefficients_sha256": self.coefficients_digest(),
            "band_key": "xxh64(seed=band index) of the band's rows as little-endian uint64 bytes",
            "empty_signature": int(EMPTY_VALUE),
        }

    def params_id(self) -> str:
        """Short stable id of :meth:`manifest` (first 16 hex digits of the SHA-256 of its canonical JSON)."""
        canonical = json.dumps(self.manifest(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def check_manifest(self, stored: Mapping[str, Any]) -> None:
        """Raise ``ValueError`` naming every field where ``stored`` differs from this function's manifest."""
        mine = self.manifest()
        diff = {
            k: (stored.get(k), mine.get(k)) for k in sorted(set(mine) | set(stored)) if stored.get(k) != mine.get(k)
        }
        if diff:
            detail = "; ".join(f"{k}: stored {s!r} != current {m!r}" for k, (s, m) in diff.items())
            raise ValueError(f"MinHash manifest mismatch, the stored signatures cannot be reused: {detail}")

    @classmethod
    def from_manifest(cls, stored: Mapping[str, Any]) -> MinHashParams:
        """Rebuild the parameters of a stored manifest and verify it (coefficient digest included)."""
        hash_function = "xxh64" if str(stored.get("hash_function", "")).startswith("xxh64") else "sha1"
        params = cls(
            ngram=int(stored["n"]),
            num_perm=int(stored["permutations"]),
            bands=int(stored["bands"]),
            rows=int(stored["rows"]),
            seed=int(stored["seed"]),
            hash_bits=int(stored["hash_bits"]),
            hash_function=hash_function,
            normalisation=str(stored["normalisation"]),
            normalisation_version=int(stored["normalisation_version"]),
        )
        params.check_manifest(stored)
        return params

    def to_dict(self) -> dict[str, Any]:
        """The constructor arguments."""
        return asdict(self)


@lru_cache(maxsize=32)
def _coefficients(seed: int, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    # Same generator, bounds, dtype, shape and order of calls as datatrove's MinhashDedupSignature.parameters.
    gen = np.random.RandomState(seed)
    p = np.uint64(MERSENNE_PRIME)
    a = gen.randint(1, p, dtype=np.uint64, size=(1, num_perm)).reshape(num_perm)
    b = gen.randint(0, p, dtype=np.uint64, size=(1, num_perm)).reshape(num_perm)
    a.flags.writeable = False
    b.flags.writeable = False
    return a, b


def candidate_probability(jaccard: float | np.ndarray, bands: int, rows: int) -> float | np.ndarray:
    """P(two documents share at least one band key) at Jaccard similarity ``s``: ``1 - (1 - s^rows)^bands``."""
    s = np.asarray(jaccard, dtype=np.float64)
    out = 1.0 - (1.0 - s**rows) ** bands
    return float(out) if out.ndim == 0 else out


# ---------------------------------------------------------------------------------------------------------------
# normalisation (datatrove simplify_text) and words
# ---------------------------------------------------------------------------------------------------------------


def _ranges_class(ranges: Sequence[tuple[int, int]]) -> str:
    return "".join(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}" for lo, hi in ranges)


def _category_class(category: str, lo: int, hi: int) -> str:
    """Regex class body of the code points in ``[lo, hi)`` whose Unicode category is ``category``."""
    parts: list[str] = []
    start = -1
    for cp in range(lo, hi + 1):
        ok = cp < hi and unicodedata.category(chr(cp)) == category
        if ok and start < 0:
            start = cp
        elif not ok and start >= 0:
            parts.append(f"{re.escape(chr(start))}-{re.escape(chr(cp - 1))}")
            start = -1
    return "".join(parts)


# datatrove's PUNCTUATION (utils/text.py): all ASCII punctuation, the C0 controls except \t \n, DEL and the C1
# controls, and 38 others. Each becomes a space (str.translate in datatrove; a regex here, same result, faster).
_PUNCTUATION: Final[str] = (
    "".join(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0D, 0x20), *range(0x7F, 0xA0)]))
    + "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
    + "\u00ab\u00b4\u00bb\u2013\u2014\u2019\u201c\u201d\u201e\u2026\u2236\u2501\u25ba"
    + "\u3001\u3002\u3008\u3009\u300a\u300b\u300c\u300d\u3010\u3011"
    + "\uff01\uff05\uff08\uff09\uff0c\uff0e\uff11\uff1a\uff1b\uff1f\uff5e"
)
_PUNCT_RE = re.compile(f"[{re.escape(_PUNCTUATION)}]")
# datatrove matches numbers with the third-party ``regex`` module: \p{Nd}+([.,،٫⎖⎗⎘]{1}\p{Nd}+)?. Its Unicode
# tables (16.0) know these decimal digits that Python 3.11's (14.0) do not; they are added explicitly, with a
# slower pattern that only runs on texts containing supplementary-plane characters (where all of them live).
_NEWER_DIGITS: Final[tuple[tuple[int, int], ...]] = (
    (0x10D40, 0x10D49), (0x116D0, 0x116E3), (0x11BF0, 0x11BF9), (0x11DE0, 0x11DE9), (0x11F50, 0x11F59),
    (0x16130, 0x16139), (0x16D70, 0x16D79), (0x1CCF0, 0x1CCF9), (0x1E4F0, 0x1E4F9), (0x1E5F1, 0x1E5FA),
)  # fmt: skip
_NUM_SEPARATORS = "[.,\u060c\u066b\u2396\u2397\u2398]"
_NUMBER_RE = re.compile(rf"\d+(?:{_NUM_SEPARATORS}\d+)?")  # str \d is Unicode category Nd
_DIGIT_WIDE = rf"[\d{_ranges_class(_NEWER_DIGITS)}]"
_NUMBER_WIDE_RE = re.compile(rf"{_DIGIT_WIDE}+(?:{_NUM_SEPARATORS}{_DIGIT_WIDE}+)?")
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
# Combining marks (Mn), split by plane: a BMP-only class compiles to a bitmap, a class with supplementary-plane
# ranges to a slow range list, so the second one only runs when the text has such characters.
_MN_BMP_RE = re.compile(f"[{_category_class('Mn', 0, 0x10000)}]+")
_MN_ASTRAL_RE = re.compile(f"[{_category_class('Mn', 0x10000, 0x110000)}]+")


def _normalized_pieces(lowered: str) -> list[str]:
    """The space-separated pieces of ``simplify_text`` of an already lower-cased text."""
    astral = _ASTRAL_RE.search(lowered) is not None
    text = (_NUMBER_WIDE_RE if astral else _NUMBER_RE).sub("0", lowered)
    text = _PUNCT_RE.sub(" ", text)
    if not text.isascii():
        # NFD and the removal of combining marks commute with splitting on whitespace (whitespace characters
        # are starters, and NFD maps no other character to whitespace), so they can run before the split.
        text = unicodedata.normalize("NFD", text)
        text = _MN_BMP_RE.sub("", text)
        if astral:
            text = _MN_ASTRAL_RE.sub("", text)
    return text.split()  # == re.sub(r"\s+", " ", text.strip()).split(" "): the same whitespace definition


def normalize_text(text: str | None) -> str:
    """datatrove's ``simplify_text(text)`` with the default ``TextNormConfig``: lower-case, numbers -> ``0``,
    punctuation -> space, whitespace collapsed, NFD without combining marks.

    Equal to datatrove's output except where a combining mark stands alone between two spaces: datatrove keeps
    a double space there, this gives one (the words are the same).
    """
    return " ".join(_normalized_pieces(text.lower())) if isinstance(text, str) else ""


# The fast path. Every step of the normalisation and of the word rules acts within an ASCII-whitespace-delimited
# chunk of the lower-cased text (numbers, punctuation and affixes never span whitespace; NFD never reorders across
# it), so the words of a text are the concatenation of the words of its chunks. Chunks are Zipf-distributed, so
# each distinct chunk (UTF-8 bytes) is normalised and split once and its words (joined by single spaces, UTF-8) are
# cached; a document is then a bytes split, one dict lookup per chunk and a join, all in C. Misses of a whole batch
# are normalised together. Bounded: cleared when it holds _CACHE_LIMIT chunks.
_CHUNK_WORDS: dict[bytes, bytes] = {}
_CACHE_LIMIT: Final[int] = 300_000  # ~45 MB
_SEP: Final[str] = "\n"  # never inside a chunk, untouched by every normalisation step
_MISS: Final[bytes] = b"\x00missing\x00"  # never a cached value: NUL is punctuation


def _learn_chunks(missing: set[bytes]) -> dict[bytes, bytes]:
    """Normalise and split ``missing`` chunks (all in one pass of each regex), cache and return their words."""
    if len(_CHUNK_WORDS) + len(missing) > _CACHE_LIMIT:
        _CHUNK_WORDS.clear()
    chunks = list(missing)
    texts = [c.decode("utf-8", "surrogatepass") for c in chunks]
    joined = _SEP.join(texts)
    wide: list[int] = []
    if _ASTRAL_RE.search(joined) is not None:  # the few chunks with supplementary-plane characters: one by one
        wide = [i for i, t in enumerate(texts) if _ASTRAL_RE.search(t) is not None]
        skip = set(wide)
        joined = _SEP.join("" if i in skip else t for i, t in enumerate(texts))
    joined = _NUMBER_RE.sub("0", joined)
    joined = _PUNCT_RE.sub(" ", joined)
    if not joined.isascii():
        joined = _MN_BMP_RE.sub("", unicodedata.normalize("NFD", joined))
    parts = joined.split(_SEP)
    if len(parts) != len(chunks):  # cannot happen (a chunk has no "\n" and none is created); stay correct anyway
        parts = [" ".join(_normalized_pieces(t)) for t in texts]
    for i in wide:
        parts[i] = " ".join(_normalized_pieces(texts[i]))
    learned = {
        chunk: " ".join(words_datatrove(part)).encode("utf-8", "surrogatepass")
        for chunk, part in zip(chunks, parts, strict=True)
    }
    _CHUNK_WORDS.update(learned)
    return learned


def _batch_words(texts: Sequence[str | None]) -> list[bytes]:
    """For each text, its words (normalised, split by the spaCy rules) joined by single spaces, UTF-8.

    Anything that is not a non-empty ``str`` (``None``, ``pd.NA``, NaN) has no words.
    """
    get = _CHUNK_WORDS.get
    miss = repeat(_MISS)
    chunked: list[list[bytes]] = []
    found: list[list[bytes]] = []
    missing: set[bytes] = set()
    for text in texts:
        chunks = text.lower().encode("utf-8", "surrogatepass").split() if isinstance(text, str) else []
        words = list(map(get, chunks, miss))
        if _MISS in words:  # a bytes sentinel: list.__contains__ compares bytes with bytes, which is fast
            missing.update(compress(chunks, map(is_, words, miss)))
        chunked.append(chunks)
        found.append(words)
    if missing:
        learned = _learn_chunks(missing)
        for chunks, words in zip(chunked, found, strict=True):
            if _MISS in words:
                for i in compress(count(), map(is_, words, miss)):
                    words[i] = learned[chunks[i]]
    return [b" ".join(filter(None, words)) for words in found]


def shingle_words(text: str | None) -> list[str]:
    """The words that shingles are made of: datatrove's ``word_tokenize(simplify_text(text))`` for English."""
    joined = _batch_words([text])[0]
    return joined.decode("utf-8", "surrogatepass").split(" ") if joined else []


# ---------------------------------------------------------------------------------------------------------------
# XXH64 in numpy (xxHash ``doc/xxhash_spec.md``), vectorised over many inputs
# ---------------------------------------------------------------------------------------------------------------

_P1: Final[int] = 0x9E3779B185EBCA87
_P2: Final[int] = 0xC2B2AE3D27D4EB4F
_P3: Final[int] = 0x165667B19E3779F9
_P4: Final[int] = 0x85EBCA77C2B2AE63
_P5: Final[int] = 0x27D4EB2F165667C5
_U1, _U2, _U3, _U4, _U5 = (np.uint64(v) for v in (_P1, _P2, _P3, _P4, _P5))
_LOW32: Final[np.uint64] = np.uint64(0xFFFF_FFFF)
_LOW8: Final[np.uint64] = np.uint64(0xFF)
_SLICE_CHUNK: Final[int] = 65_536  # shingles hashed per block (their working arrays stay in cache)


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


def _xxh64_round(acc: np.ndarray, lane: np.ndarray) -> np.ndarray:
    return _rotl(acc + lane * _U2, 31) * _U1


def _xxh64_lanes(lanes: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """XXH64 of inputs of ``8 * L`` bytes given as ``uint64[..., L]`` little-endian lanes, one seed each."""
    n_lanes = lanes.shape[-1]
    seeds = np.asarray(seeds, dtype=np.uint64)
    pos = 0
    if n_lanes >= 4:
        v1 = seeds + np.uint64((_P1 + _P2) & _U64_MASK)
        v2 = seeds + _U2
        v3 = seeds.copy()
        v4 = seeds - _U1
        while pos + 4 <= n_lanes:
            v1 = _xxh64_round(v1, lanes[..., pos])
            v2 = _xxh64_round(v2, lanes[..., pos + 1])
            v3 = _xxh64_round(v3, lanes[..., pos + 2])
            v4 = _xxh64_round(v4, lanes[..., pos + 3])
            pos += 4
        h = _rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)
        for v in (v1, v2, v3, v4):
            h = (h ^ _xxh64_round(np.zeros_like(v), v)) * _U1 + _U4
    else:
        h = seeds + _U5
    h = h + np.uint64(8 * n_lanes)
    while pos < n_lanes:
        h = _rotl(h ^ _xxh64_round(np.zeros_like(h), lanes[..., pos]), 27) * _U1 + _U4
        pos += 1
    return _avalanche(h)


def _avalanche(h: np.ndarray) -> np.ndarray:
    h = (h ^ (h >> np.uint64(33))) * _U2
    h = (h ^ (h >> np.uint64(29))) * _U3
    return h ^ (h >> np.uint64(32))


def _rotl_inplace(x: np.ndarray, r: int, tmp: np.ndarray) -> None:
    np.left_shift(x, np.uint64(r), out=tmp)
    np.right_shift(x, np.uint64(64 - r), out=x)
    np.bitwise_or(x, tmp, out=x)


def _round0_inplace(lane: np.ndarray, tmp: np.ndarray) -> None:
    """``lane <- round(0, lane)``."""
    np.multiply(lane, _U2, out=lane)
    _rotl_inplace(lane, 31, tmp)
    np.multiply(lane, _U1, out=lane)


class _LaneTable:
    """Unaligned little-endian 8-byte loads from a byte string, as aligned gathers.

    Row ``k`` of an ``(8, m)`` table holds the data shifted by ``k`` bytes, so the lane at byte ``o`` is
    ``flat[(o & 7) * m + (o >> 3)]`` (zero-padded past the end).
    """

    def __init__(self, data: bytes) -> None:
        self.m = len(data) // 8 + 2
        src = np.frombuffer(data, dtype=np.uint8)
        table = np.zeros((8, self.m), dtype=np.uint64)
        as_bytes = table.view(np.uint8).reshape(8, 8 * self.m)
        for k in range(8):
            as_bytes[k, : len(data) - k] = src[k:]
        self.flat = table.reshape(-1)

    def load(self, pos: np.ndarray, out: np.ndarray) -> None:
        np.take(self.flat, (pos & 7) * self.m + (pos >> 3), out=out, mode="wrap")


def _xxh64_slices(data: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``xxhash.xxh64_intdigest(data[s:s + n])`` (seed 0) for every ``(s, n)``, vectorised.

    ``starts`` must be non-decreasing (shingles in document order): each block of ``_SLICE_CHUNK`` slices then
    covers a short byte range, and only that range is expanded into a lane table (8 bytes per byte of data).
    """
    out = np.empty(len(starts), dtype=np.uint64)
    for c0 in range(0, len(starts), _SLICE_CHUNK):
        c1 = min(c0 + _SLICE_CHUNK, len(starts))
        lo = int(starts[c0])
        hi = int((starts[c0:c1] + lengths[c0:c1]).max())
        table = _LaneTable(data[lo:hi])
        _xxh64_block(table, starts[c0:c1] - lo, lengths[c0:c1], out[c0:c1])
    return out


def _xxh64_block(table: _LaneTable, starts: np.ndarray, lengths: np.ndarray, out: np.ndarray) -> None:
    n = len(starts)
    # Sort by the length of the tail after the 32-byte stripes (r = length mod 32), longest first: every step of
    # the tail (three 8-byte lanes, one 4-byte word, three single bytes) then applies to a few contiguous runs.
    rem = (lengths & 31).astype(np.uint8)
    order = np.argsort(31 - rem, kind="stable")
    pos = starts[order]
    length = lengths[order]
    rem = rem[order]
    h = np.empty(n, np.uint64)
    h.fill(_U5)
    tmp = np.empty(n, np.uint64)
    lane = np.empty(n, np.uint64)
    stripes = length >> 5
    _xxh64_stripes(table, pos, stripes, h)
    h += length.astype(np.uint64)
    pos = pos + (stripes << 5)
    ge = np.concatenate([np.cumsum(np.bincount(rem, minlength=32)[::-1])[::-1], [0]])

    def run(hi: int, lo: int) -> slice:  # the items with lo <= rem <= hi (ge[v]: how many have rem >= v)
        return slice(int(ge[hi + 1]), int(ge[lo]))

    for j in range(3):  # 8-byte lanes
        sl = run(31, 8 * (j + 1))
        if sl.start == sl.stop:
            break
        x, t, hh = lane[sl], tmp[sl], h[sl]
        table.load(pos[sl] + 8 * j, x)
        _round0_inplace(x, t)
        hh ^= x
        _rotl_inplace(hh, 27, t)
        hh *= _U1
        hh += _U4
    pos += (rem & 24).astype(np.int64)
    for c in range(4):  # a 4-byte word
        sl = run(8 * c + 7, 8 * c + 4)
        if sl.start == sl.stop:
            continue
        x, t, hh = lane[sl], tmp[sl], h[sl]
        table.load(pos[sl], x)
        x &= _LOW32
        x *= _U1
        hh ^= x
        _rotl_inplace(hh, 23, t)
        hh *= _U2
        hh += _U3
    pos += (rem & 4).astype(np.int64)
    for j in range(3):  # single bytes
        for c in range(8):
            sl = run(4 * c + 3, 4 * c + j + 1)
            if sl.start == sl.stop:
                continue
            x, t, hh = lane[sl], tmp[sl], h[sl]
            table.load(pos[sl] + j, x)
            x &= _LOW8
            x *= _U5
            hh ^= x
            _rotl_inplace(hh, 11, t)
            hh *= _U1
    out[order] = _avalanche(h)


def _xxh64_stripes(table: _LaneTable, pos: np.ndarray, stripes: np.ndarray, h: np.ndarray) -> None:
    """The 32-byte stripe loop and merge of the inputs of 32 bytes or more (seed 0); writes their ``h``."""
    idx = np.flatnonzero(stripes)
    if not len(idx):
        return
    p = pos[idx]
    s = stripes[idx]
    m = len(idx)
    acc = [np.empty(m, np.uint64) for _ in range(4)]
    for v, init in zip(acc, ((_P1 + _P2) & _U64_MASK, _P2, 0, (-_P1) & _U64_MASK), strict=True):
        v.fill(np.uint64(init))
    active = np.arange(m)
    for k in range(int(s.max())):
        if k:
            active = active[s[active] > k]
        base = p[active] + 32 * k
        x = np.empty(len(active), np.uint64)
        t = np.empty(len(active), np.uint64)
        for i, v in enumerate(acc):
            table.load(base + 8 * i, x)
            x *= _U2
            x += v[active]
            _rotl_inplace(x, 31, t)
            x *= _U1
            v[active] = x
    t = np.empty(m, np.uint64)
    merged = np.zeros(m, np.uint64)
    for v, r in zip(acc, (1, 7, 12, 18), strict=True):
        x = v.copy()
        _rotl_inplace(x, r, t)
        merged += x
    for v in acc:
        _round0_inplace(v, t)
        merged ^= v
        merged *= _U1
        merged += _U4
    h[idx] = merged


# ---------------------------------------------------------------------------------------------------------------
# shingle hashes
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spans:
    data: bytes  # the words of all documents with at least one shingle, space-separated, UTF-8
    starts: np.ndarray  # int64, byte offset of every shingle in data (documents in order)
    lengths: np.ndarray  # int64, byte length of every shingle
    offsets: np.ndarray  # int64[m + 1], document j's shingles are [offsets[j], offsets[j + 1])
    docs: np.ndarray  # int64[m], index (in the input) of each document with shingles


@dataclass(frozen=True, slots=True)
class _Shingles:
    hashes: np.ndarray  # uint64, the shingle hashes of all documents with at least one shingle, concatenated
    offsets: np.ndarray  # int64[m + 1], document j's hashes are hashes[offsets[j]:offsets[j + 1]]
    docs: np.ndarray  # int64[m], index (in the input) of each document with shingles


def _spans(texts: Sequence[str | None], n: int) -> _Spans:
    """Every word n-gram of the batch as a byte range of one buffer, exactly the bytes datatrove hashes
    (``" ".join(ngram)`` in UTF-8): from the start of its first word to the end of its last."""
    parts: list[bytes] = []
    counts: list[int] = []
    docs: list[int] = []
    for i, joined in enumerate(_batch_words(texts)):
        words = joined.count(b" ") + 1 if joined else 0
        if words >= n:
            parts.append(joined)
            counts.append(words)
            docs.append(i)
    empty = np.empty(0, np.int64)
    if not parts:
        return _Spans(b"", empty, empty, np.zeros(1, np.int64), empty)
    data = b" ".join(parts)
    spaces = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x20)
    n_words = len(spaces) + 1
    word_start = np.empty(n_words, np.int64)
    word_start[0] = 0
    word_start[1:] = spaces + 1
    word_end = np.empty(n_words, np.int64)
    word_end[:-1] = spaces
    word_end[-1] = len(data)
    count_ = np.asarray(counts, dtype=np.int64)
    valid = np.ones(n_words, dtype=bool)
    if n > 1:  # a shingle starts at every word but the last n - 1 of its document
        doc_end = np.cumsum(count_)
        valid[(doc_end[:, None] - np.arange(1, n, dtype=np.int64)[None, :]).ravel()] = False
    first = np.flatnonzero(valid)
    starts = word_start[first]
    offsets = np.zeros(len(count_) + 1, np.int64)
    np.cumsum(count_ - (n - 1), out=offsets[1:])
    return _Spans(data, starts, word_end[first + (n - 1)] - starts, offsets, np.asarray(docs, dtype=np.int64))


def _hash_spans(spans: _Spans, params: MinHashParams) -> np.ndarray:
    if params.hash_function == "xxh64":
        return _xxh64_slices(spans.data, spans.starts, spans.lengths)
    sha1 = hashlib.sha1
    view = memoryview(spans.data)
    return np.fromiter(
        (
            int.from_bytes(sha1(view[s : s + ln]).digest()[:8], "little")
            for s, ln in zip(spans.starts.tolist(), spans.lengths.tolist(), strict=True)
        ),
        dtype=np.uint64,
        count=len(spans.starts),
    )


def _shingles(texts: Sequence[str | None], params: MinHashParams) -> _Shingles:
    spans = _spans(texts, params.ngram)
    return _Shingles(_hash_spans(spans, params), spans.offsets, spans.docs)


def shingle_hashes(texts: Sequence[str | None], params: MinHashParams | None = None) -> list[np.ndarray]:
    """The 64-bit hash of every shingle of every text, in order (datatrove ``get_shingles``, flattened).

    A text with fewer than ``params.ngram`` words gets an empty array.
    """
    params = params or MinHashParams()
    out = [np.empty(0, np.uint64) for _ in texts]
    for lo, hi in _sub_batches(texts):
        sh = _shingles(texts[lo:hi], params)
        for j, d in enumerate(sh.docs.tolist()):
            out[lo + d] = sh.hashes[sh.offsets[j] : sh.offsets[j + 1]]
    return out


# ---------------------------------------------------------------------------------------------------------------
# signatures
# ---------------------------------------------------------------------------------------------------------------

_HIGH3: Final[np.uint64] = np.uint64(0xE000_0000_0000_0000)
_SHIFT61: Final[np.uint64] = np.uint64(61)
_ONE: Final[np.uint64] = np.uint64(1)


def _minhash(hashes: np.ndarray, offsets: np.ndarray, params: MinHashParams) -> np.ndarray:
    """``uint64[m, num_perm]``: the per-document minimum of every permutation (see the module doc)."""
    a, b = params.coefficients
    perms = params.num_perm
    total = len(hashes)
    best = np.full((perms, len(offsets) - 1), EMPTY_VALUE, dtype=np.uint64)  # minima of g, transposed
    rows = min(_PERM_ROWS, perms)
    width_max = min(_PERM_CHUNK, max(total, 1))
    y = np.empty((rows, width_max), dtype=np.uint64)
    k = np.empty_like(y)
    for c0 in range(0, total, _PERM_CHUNK):
        c1 = min(c0 + _PERM_CHUNK, total)
        width = c1 - c0
        h = hashes[c0:c1].reshape(1, width)
        d0 = int(np.searchsorted(offsets, c0, side="right")) - 1  # documents d0 .. d1-1 overlap [c0, c1)
        d1 = int(np.searchsorted(offsets, c1, side="left"))
        seg = np.maximum(offsets[d0:d1], c0) - c0
        for p0 in range(0, perms, rows):
            p1 = min(p0 + rows, perms)
            yy = y[: p1 - p0, :width]
            kk = k[: p1 - p0, :width]
            np.multiply(h, a[p0:p1, None], out=yy)  # a*h mod 2^64 (numpy uint64 wraps, as in datatrove)
            np.add(yy, b[p0:p1, None], out=yy)  # y = a*h + b mod 2^64
            np.right_shift(yy, _SHIFT61, out=kk)  # k = y >> 61
            np.bitwise_or(yy, _HIGH3, out=yy)  # (y & p) + 2^64 - 2^61
            np.add(yy, kk, out=yy)
            np.add(yy, _ONE, out=yy)  # g = (y mod p) - p  (mod 2^64): the order of y mod p
            mins = np.minimum.reduceat(yy, seg, axis=1)
            np.minimum(best[p0:p1, d0:d1], mins, out=best[p0:p1, d0:d1])
    # back from g to y mod p: g < 8 is the value itself, otherwise the value is g + p (mod 2^64)
    small = best < np.uint64(8)
    best += np.uint64(MERSENNE_PRIME)
    best[small] -= np.uint64(MERSENNE_PRIME)
    return np.ascontiguousarray(best.T)


def _sub_batches(texts: Sequence[str | None]) -> list[tuple[int, int]]:
    """Index ranges of consecutive texts holding about ``_BATCH_CHARS`` characters each (at least one text)."""
    ranges = []
    start = size = 0
    for i, text in enumerate(texts):
        size += len(text) if isinstance(text, str) else 0
        if size >= _BATCH_CHARS:
            ranges.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(texts):
        ranges.append((start, len(texts)))
    return ranges


def signatures(texts: Sequence[str | None], params: MinHashParams | None = None) -> np.ndarray:
    """MinHash signatures of a batch of texts: ``uint64[len(texts), params.num_perm]``.

    Row ``i`` equals datatrove's ``MinhashDedupSignature.get_signature(get_shingles(texts[i]))`` (flattened) for
    the same parameters. A text with no shingle (``None``, empty, fewer than ``ngram`` words, anything that is not
    a ``str``) gets :data:`EMPTY_VALUE` everywhere. Never raises on such inputs.

    The batch is processed in runs of about ``_BATCH_CHARS`` characters, so working memory stays around
    ``25 * _BATCH_CHARS`` bytes (plus about 25 bytes per character of a longer single document) whatever the
    batch size.
    """
    params = params or MinHashParams()
    out = np.full((len(texts), params.num_perm), EMPTY_VALUE, dtype=np.uint64)
    for lo, hi in _sub_batches(texts):
        sh = _shingles(texts[lo:hi], params)
        if len(sh.docs):
            out[lo + sh.docs] = _minhash(sh.hashes, sh.offsets, params)
    return out


def has_signature(signature_matrix: np.ndarray) -> np.ndarray:
    """``bool[n]``: which rows are real signatures (the others are :data:`EMPTY_VALUE` rows, ``-1`` as int64)."""
    sig = np.asarray(signature_matrix, dtype=np.uint64)
    return sig[..., 0] != EMPTY_VALUE


# ---------------------------------------------------------------------------------------------------------------
# band keys
# ---------------------------------------------------------------------------------------------------------------


def band_keys(signature_matrix: np.ndarray, params: MinHashParams | None = None) -> np.ndarray:
    """``uint64[n, bands]``: key of band ``j`` = XXH64 with seed ``j`` of the band's ``rows`` signature values
    (little-endian bytes).

    Two documents are LSH candidates when they share a key in the same band. Seeding with the band index makes
    equal values in different bands give different keys, so a flat index of keys needs no band column (keeping
    one is still cheaper to shuffle by). Rows without a signature get :data:`NO_KEY` in every band; drop them
    before grouping. Equals ``xxhash.xxh64_intdigest(sig[i, j*rows:(j+1)*rows].astype('<u8').tobytes(), j)``.
    """
    params = params or MinHashParams()
    sig = np.asarray(signature_matrix, dtype=np.uint64)
    if sig.ndim != 2 or sig.shape[1] != params.num_perm:
        raise ValueError(f"expected a (n, {params.num_perm}) signature matrix, got shape {sig.shape}")
    lanes = sig.reshape(sig.shape[0], params.bands, params.rows)
    seeds = np.broadcast_to(np.arange(params.bands, dtype=np.uint64), (sig.shape[0], params.bands))
    keys = _xxh64_lanes(lanes, seeds)
    np.minimum(keys, NO_KEY - np.uint64(1), out=keys)
    keys[~has_signature(sig)] = NO_KEY
    return keys


# ---------------------------------------------------------------------------------------------------------------
# Jaccard estimate
# ---------------------------------------------------------------------------------------------------------------


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float | np.ndarray:
    """Estimated Jaccard similarity of the shingle sets: the fraction of positions where the signatures agree.

    Works on two signatures (returns a float) or row-wise on two ``(n, num_perm)`` matrices (returns
    ``float64[n]``). A document without a signature is similar to nothing: the estimate is 0.
    """
    a = np.asarray(sig_a, dtype=np.uint64)
    b = np.asarray(sig_b, dtype=np.uint64)
    if a.shape != b.shape:
        raise ValueError(f"signature shapes differ: {a.shape} != {b.shape}")
    est = np.mean(a == b, axis=-1)
    est = np.where(has_signature(a) & has_signature(b), est, 0.0)
    return float(est) if est.ndim == 0 else est
