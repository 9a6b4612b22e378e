"""MinHash signatures and band keys (crawlforge.lib.minhash).

Three layers:

* self-contained: parameters and manifest, determinism, degenerate and Unicode inputs, the vectorised XXH64
  against ``xxhash``, the vectorised permutations against a naive per-document reference written with numpy's
  ``%`` (datatrove's formula), and the statistics (Jaccard estimates of planted pairs, P(candidate) per band)
  against theory;
* exactness against datatrove 0.10.1 (the FineWeb code) on the shared fixtures: the same normalised text, words,
  shingle hashes and signature values, bit for bit. Skips when datatrove is not installed (test-only dependency).
"""

from __future__ import annotations

import dataclasses
import glob
import importlib.util
import json
import os
import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xxhash

from crawlforge.lib import minhash as mh
from crawlforge.lib.minhash import (
    EMPTY_VALUE,
    MERSENNE_PRIME,
    NO_KEY,
    MinHashParams,
    band_keys,
    candidate_probability,
    estimate_jaccard,
    has_signature,
    normalize_text,
    shingle_hashes,
    shingle_words,
    signatures,
)


SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")


# ---------------------------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------------------------


def _vocabulary(n: int, seed: int) -> list[str]:
    """Pseudo-words of 5 to 9 letters (never an English contraction, so every word is one token)."""
    rng = random.Random(seed)
    return ["".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(rng.randint(3, 4)))
            for _ in range(n)]  # fmt: skip


def _planted_pairs(n_pairs: int, n_words: int, fraction: float, seed: int) -> list[tuple[str, str]]:
    """Text pairs: a random text and a copy with ``fraction`` of its words replaced by fresh words."""
    rng = random.Random(seed)
    vocab = _vocabulary(20_000, seed + 1)
    pairs = []
    for _ in range(n_pairs):
        words = [rng.choice(vocab) for _ in range(n_words)]
        copy = list(words)
        for i in rng.sample(range(n_words), round(fraction * n_words)):
            copy[i] = rng.choice(vocab) + "x"  # a word that never occurs in the original
        pairs.append((" ".join(words), " ".join(copy)))
    return pairs


def _true_jaccard(a: str, b: str, params: MinHashParams | None = None) -> float:
    ha, hb = (set(h.tolist()) for h in shingle_hashes([a, b], params))
    return len(ha & hb) / len(ha | hb) if ha | hb else 0.0


def _reference_signature(hashes: np.ndarray, params: MinHashParams) -> np.ndarray:
    """datatrove's ``get_signature``: ``(shingles * a + b) % p`` on uint64 (wrapping), minimum per permutation."""
    if hashes.size == 0:
        return np.full(params.num_perm, EMPTY_VALUE, dtype=np.uint64)
    a, b = params.coefficients
    phv = (hashes.reshape(-1, 1) * a.reshape(1, -1) + b.reshape(1, -1)) % np.uint64(MERSENNE_PRIME)
    return phv.min(axis=0)


def _reference_hashes(text: str, params: MinHashParams) -> np.ndarray:
    """One ``xxhash`` call per shingle, as datatrove's ``get_shingles`` does."""
    words = shingle_words(text)
    n = params.ngram
    grams = [" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)]
    return np.array([xxhash.xxh64_intdigest(g) for g in grams], dtype=np.uint64)


# ---------------------------------------------------------------------------------------------------------------
# parameters and manifest
# ---------------------------------------------------------------------------------------------------------------


def test_defaults_are_datatrove_and_fineweb() -> None:
    p = MinHashParams()
    assert (p.ngram, p.num_perm, p.bands, p.rows, p.seed, p.hash_bits) == (5, 112, 14, 8, 1, 64)
    assert p.hash_function == "xxh64"
    assert MinHashParams.fineweb().hash_function == "sha1"
    a, b = p.coefficients
    assert a.dtype == b.dtype == np.uint64 and a.shape == b.shape == (112,)
    assert ((a >= 1) & (a < MERSENNE_PRIME)).all() and (b < MERSENNE_PRIME).all()
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"bands": 14, "rows": 7}, "bands \\* rows must equal num_perm"),
        ({"num_perm": 128}, "bands \\* rows must equal num_perm"),
        ({"bands": 0, "rows": 0, "num_perm": 0}, "bands and rows must be >= 1"),
        ({"ngram": 0}, "ngram must be >= 1"),
        ({"hash_bits": 32}, "only 64-bit"),
        ({"hash_function": "md5"}, "hash_function"),
        ({"seed": -1}, "seed must be in"),
        ({"seed": 2**32}, "seed must be in"),
        ({"normalisation": "nfkc"}, "unknown normalisation"),
        ({"normalisation_version": 2}, "unknown version"),
    ],
)
def test_params_validation(kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        MinHashParams(**kwargs)


def test_params_types_and_frozen() -> None:
    with pytest.raises(TypeError):
        MinHashParams(ngram=5.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        MinHashParams(seed=True)
    p = MinHashParams(num_perm=128, bands=16, rows=8, seed=42)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.seed = 2  # type: ignore[misc]
    assert MinHashParams(**p.to_dict()) == p


def test_manifest() -> None:
    p = MinHashParams()
    m = p.manifest()
    assert json.loads(json.dumps(m)) == m
    for key in ("normalisation", "normalisation_version", "n", "permutations", "bands", "rows", "hash_function",
                "coefficients_sha256", "seed", "band_key", "empty_signature"):  # fmt: skip
        assert key in m
    assert (m["n"], m["permutations"], m["bands"], m["rows"]) == (5, 112, 14, 8)
    assert m == MinHashParams().manifest() and p.params_id() == MinHashParams().params_id()
    assert len(p.params_id()) == 16
    p.check_manifest(m)
    assert MinHashParams.from_manifest(m) == p
    assert MinHashParams.from_manifest(MinHashParams.fineweb().manifest()) == MinHashParams.fineweb()

    other = MinHashParams(seed=2)
    assert other.coefficients_digest() != p.coefficients_digest()
    assert other.params_id() != p.params_id()
    with pytest.raises(ValueError, match="coefficients_sha256") as err:
        other.check_manifest(m)
    assert "seed" in str(err.value)
    with pytest.raises(ValueError, match="bands"):
        MinHashParams(num_perm=112, bands=28, rows=4).check_manifest(m)
    tampered = dict(m, coefficients_sha256="0" * 64)
    with pytest.raises(ValueError, match="coefficients_sha256"):
        MinHashParams.from_manifest(tampered)


def test_candidate_probability_matches_the_anchor_numbers() -> None:
    # datatrove's source comment and anchors.md: P(0.8) = 0.924; recomputed 0.56 / 0.77 / 0.988 at 0.7 / 0.75 / 0.85
    for s, expected in ((0.7, 0.565), (0.75, 0.772), (0.8, 0.924), (0.85, 0.988), (0.5, 0.053)):
        assert candidate_probability(s, 14, 8) == pytest.approx(expected, abs=0.001)
    assert candidate_probability(np.array([0.0, 1.0]), 14, 8).tolist() == [0.0, 1.0]


# ---------------------------------------------------------------------------------------------------------------
# signatures: shape, determinism, degenerate inputs, Unicode
# ---------------------------------------------------------------------------------------------------------------

TEXTS = [
    "The quick brown fox jumps over the lazy dog and keeps running far away from the farm.",
    "Le cœur a ses raisons que la raison ne connaît point; on le sait en mille choses.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю, сказал он в 1999 году.",
    "我们的 3.5 版本 非常 好用 而且 免费 下载 欢迎 大家 来 试用 这个 软件",
    "I don't think they'll come, cannot say; gonna wait 10km away at 5pm — OK? 😀 ‘yes’ • © 2024",
]


def test_signatures_shape_dtype_and_range() -> None:
    sig = signatures(TEXTS)
    assert sig.shape == (len(TEXTS), 112) and sig.dtype == np.uint64
    assert has_signature(sig).all()
    assert (sig < MERSENNE_PRIME).all()
    assert band_keys(sig).shape == (len(TEXTS), 14)


def test_signatures_are_deterministic_across_batches_and_cache_states(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = TEXTS + [t.upper() for t in TEXTS] + [" ".join(reversed(t.split())) for t in TEXTS]
    whole = signatures(texts)
    assert np.array_equal(whole, signatures(texts))
    one_by_one = np.vstack([signatures([t]) for t in texts])
    assert np.array_equal(whole, one_by_one)
    assert np.array_equal(whole[::-1], signatures(texts[::-1]))
    mh._CHUNK_WORDS.clear()
    assert np.array_equal(whole, signatures(texts))
    monkeypatch.setattr(mh, "_CACHE_LIMIT", 5)  # the word cache is cleared over and over during the batch
    assert np.array_equal(whole, signatures(texts))


def test_vectorised_path_equals_naive_reference_across_block_boundaries() -> None:
    # A document much longer than one permutation block, between short ones: minima are combined across blocks.
    params = MinHashParams()
    vocab = _vocabulary(3000, 5)
    rng = random.Random(11)
    long_doc = " ".join(rng.choice(vocab) for _ in range(mh._PERM_CHUNK * 2 + 77))
    texts = [TEXTS[0], long_doc, "a b c d", TEXTS[4], "x y z w v", long_doc[: mh._PERM_CHUNK * 5], TEXTS[2]]
    sig = signatures(texts, params)
    for i, text in enumerate(texts):
        ref_hashes = _reference_hashes(text, params)
        assert np.array_equal(shingle_hashes([text], params)[0], ref_hashes)
        assert np.array_equal(sig[i], _reference_signature(ref_hashes, params))


def test_other_parameters_equal_naive_reference() -> None:
    for params in (MinHashParams(ngram=3, num_perm=128, bands=16, rows=8, seed=42), MinHashParams(ngram=1),
                   MinHashParams(num_perm=9, bands=3, rows=3, seed=7)):  # fmt: skip
        sig = signatures(TEXTS, params)
        assert sig.shape == (len(TEXTS), params.num_perm)
        for i, text in enumerate(TEXTS):
            assert np.array_equal(sig[i], _reference_signature(_reference_hashes(text, params), params))


def test_sha1_shingle_hash_is_datatrove_sha1_hash64() -> None:
    params = MinHashParams.fineweb()
    words = shingle_words(TEXTS[0])
    grams = [" ".join(words[i : i + 5]) for i in range(len(words) - 4)]
    import hashlib
    import struct

    expected = [struct.unpack("<Q", hashlib.sha1(g.encode("utf-8")).digest()[:8])[0] for g in grams]
    assert shingle_hashes([TEXTS[0]], params)[0].tolist() == expected
    sig = signatures([TEXTS[0]], params)[0]
    assert np.array_equal(sig, _reference_signature(np.array(expected, dtype=np.uint64), params))


@pytest.mark.parametrize(
    "text",
    [None, "", " ", "\n\t \u00a0", "!!! ... ???", "one two three four", "1.5 2,5 3 4", "— – … « »", "\ud800",
     float("nan")],
)  # fmt: skip
def test_documents_without_shingles(text: Any) -> None:
    sig = signatures([text, TEXTS[0]])
    assert not has_signature(sig)[0] and has_signature(sig)[1]
    assert (sig[0] == EMPTY_VALUE).all()
    keys = band_keys(sig)
    assert (keys[0] == NO_KEY).all() and (keys[1] != NO_KEY).all()
    assert estimate_jaccard(sig[0], sig[0]) == 0.0
    assert estimate_jaccard(sig[0], sig[1]) == 0.0
    assert shingle_hashes([text])[0].size == 0


def test_short_documents_get_exactly_one_shingle() -> None:
    sig = signatures(["one two three four five", "one two three four five", "one two three four six"])
    assert has_signature(sig).all()
    assert estimate_jaccard(sig[0], sig[1]) == 1.0
    assert estimate_jaccard(sig[0], sig[2]) < 0.1
    assert [len(h) for h in shingle_hashes(["a b c d e", "a b c d e f", "a b c d"])] == [1, 2, 0]


def test_empty_batch() -> None:
    assert signatures([]).shape == (0, 112)
    assert band_keys(signatures([])).shape == (0, 14)


def test_normalisation_invariances() -> None:
    base = "The Café served 3 naïve customers, each paying $12.50 — “quite” cheap!"
    same = [
        "the cafe served 7 naive customers each paying 0 quite cheap",
        "THE CAFÉ SERVED 42 NAÏVE CUSTOMERS; EACH PAYING $9.99 -- quite... CHEAP",
        "The  Cafe\u0301\tserved ٣ nai\u0308ve\ncustomers, each paying 1,000 “quite” cheap!!!",
    ]
    sig = signatures([base, *same])
    for i in range(1, len(same) + 1):
        assert np.array_equal(sig[0], sig[i]), same[i - 1]
    assert normalize_text(base) == "the cafe served 0 naive customers each paying 0 quite cheap"
    assert shingle_words("I don't know; they cannot come at 10km.") == [
        "i", "don", "t", "know", "they", "can", "not", "come", "at", "0", "km"
    ]  # fmt: skip


def test_unicode_inputs_never_raise() -> None:
    texts = [
        "emoji 😀😀 a😀b 🇫🇷 flags and ‍ zero width joiners \u200d\u200b in the text here",
        "astral digits 𑽐𑽑 and marks 𑄀 with \U0001d7ce math 𝟎 plus 𝐀𝐁𝐂 letters and more",
        "lone surrogate \udc80 in the middle of some words that follow here",
        "right to left مرحبا بالعالم هذا نص عربي طويل بما فيه الكفاية",
        "हिन्दी में लिखा गया एक वाक्य जो काफी लंबा है",
        "mixed\x00control\x01chars\x7fand\x85more words follow here now",
        "Ǆemo ǅ ǆ İstanbul ΣΊΣΥΦΟΣ ß ẞ ﬁ ligature words are fine here",
        "\u0301\u0301 \u0301 leading marks then words one two three four",
    ]
    sig = signatures(texts)
    assert has_signature(sig).all()
    for text, row in zip(texts, sig, strict=True):
        assert np.array_equal(row, _reference_signature(_reference_hashes_lenient(text), MinHashParams()))


def _reference_hashes_lenient(text: str) -> np.ndarray:
    words = shingle_words(text)
    grams = [" ".join(words[i : i + 5]).encode("utf-8", "surrogatepass") for i in range(len(words) - 4)]
    return np.array([xxhash.xxh64_intdigest(g) for g in grams], dtype=np.uint64)


# ---------------------------------------------------------------------------------------------------------------
# building blocks: XXH64 and band keys
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("block", [mh._SLICE_CHUNK, 997])
def test_vectorised_xxh64_equals_xxhash(block: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mh, "_SLICE_CHUNK", block)
    rng = random.Random(3)
    data = bytes(rng.randrange(256) for _ in range(20_000))
    lengths_pool = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 28, 31, 32, 33, 40, 63, 64, 65, 96, 100, 257, 1000]
    spans = []
    for _ in range(5000):
        ln = rng.choice(lengths_pool)
        spans.append((rng.randrange(0, len(data) - ln + 1), ln))
    # slices that touch the end of the buffer, the whole buffer, an empty slice at the very end
    spans += [(len(data) - 1, 1), (len(data) - 8, 8), (len(data) - 33, 33), (0, len(data)), (len(data), 0)]
    spans.sort(key=lambda span: span[0])  # shingles come in document order
    starts = np.array([s for s, _ in spans], np.int64)
    lengths = np.array([n for _, n in spans], np.int64)
    got = mh._xxh64_slices(data, starts, lengths)
    assert got.tolist() == [xxhash.xxh64_intdigest(data[s : s + n]) for s, n in spans]


@pytest.mark.parametrize(("bands", "rows"), [(14, 8), (16, 8), (20, 5), (1, 3), (112, 1), (4, 28)])
def test_band_keys_are_seeded_xxh64_of_the_rows(bands: int, rows: int) -> None:
    params = MinHashParams(num_perm=bands * rows, bands=bands, rows=rows)
    sig = np.random.default_rng(bands).integers(0, MERSENNE_PRIME, (20, bands * rows), dtype=np.uint64)
    keys = band_keys(sig, params)
    for i in range(20):
        for j in range(bands):
            row = sig[i, j * rows : (j + 1) * rows].astype("<u8").tobytes()
            assert int(keys[i, j]) == xxhash.xxh64_intdigest(row, j)


def test_spark_long_views_give_the_same_keys_and_estimates() -> None:
    # Spark has no unsigned long: the UDF stores sig.view(np.int64); sentinels become -1
    sig = signatures([TEXTS[0], None, TEXTS[1]])
    as_long = sig.view(np.int64)
    assert as_long[1, 0] == -1 and (as_long[[0, 2]] >= 0).all()
    assert has_signature(as_long).tolist() == [True, False, True]
    assert np.array_equal(band_keys(as_long), band_keys(sig))
    assert band_keys(sig).view(np.int64)[1, 0] == -1
    assert np.array_equal(estimate_jaccard(as_long, as_long[::-1]), estimate_jaccard(sig, sig[::-1]))
    assert MinHashParams(seed=np.int64(3)).manifest()["seed"] == 3


def test_band_keys_differ_across_bands_for_equal_rows() -> None:
    sig = np.tile(np.arange(8, dtype=np.uint64), (3, 14))  # every band holds the same 8 values
    keys = band_keys(sig)
    assert len(set(keys[0].tolist())) == 14
    assert np.array_equal(keys[0], keys[1])
    with pytest.raises(ValueError, match="signature matrix"):
        band_keys(sig[:, :100])


def test_estimate_jaccard_shapes() -> None:
    sig = signatures(TEXTS)
    assert estimate_jaccard(sig[0], sig[0]) == 1.0
    row_wise = estimate_jaccard(sig, sig[::-1])
    assert row_wise.shape == (len(TEXTS),)
    assert row_wise[2] == 1.0 and row_wise[0] < 0.2
    with pytest.raises(ValueError, match="shapes differ"):
        estimate_jaccard(sig[0], sig[0][:10])


# ---------------------------------------------------------------------------------------------------------------
# statistics: Jaccard estimates and LSH candidate probabilities against theory
# ---------------------------------------------------------------------------------------------------------------

FRACTIONS = (0.005, 0.015, 0.03, 0.05, 0.1, 0.3)  # replaced words -> Jaccard ~0.95 .. ~0.1


@pytest.fixture(scope="module")
def planted() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(true Jaccard, signatures of the originals, signatures of the copies) for 6 x 250 planted pairs."""
    pairs = [p for i, f in enumerate(FRACTIONS) for p in _planted_pairs(250, 300, f, seed=100 + i)]
    true = np.array([_true_jaccard(a, b) for a, b in pairs])
    sig = signatures([t for pair in pairs for t in pair])
    return true, sig[0::2], sig[1::2]


def test_jaccard_estimates_of_planted_pairs(planted: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    true, sig_a, sig_b = planted
    est = estimate_jaccard(sig_a, sig_b)
    err = est - true
    sigma = np.sqrt(true * (1 - true) / 112)  # binomial standard error of 112 independent permutations
    assert np.abs(err).max() <= 4.5 * sigma.max()
    assert (np.abs(err) <= 4 * sigma + 1e-9).mean() >= 0.995
    for i in range(len(FRACTIONS)):
        block = slice(250 * i, 250 * (i + 1))
        mean_sigma = np.sqrt(np.mean(sigma[block] ** 2) / 250)
        assert abs(err[block].mean()) <= 4 * mean_sigma + 0.002, (FRACTIONS[i], err[block].mean())


def test_candidate_probability_per_band_and_overall(planted: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    true, sig_a, sig_b = planted
    params = MinHashParams()
    match = band_keys(sig_a, params) == band_keys(sig_b, params)  # (pairs, bands)
    # one band: P(all 8 rows agree) = J^8
    per_band = true**params.rows
    observed = match.sum(axis=1)
    expected = params.bands * per_band
    var = params.bands * per_band * (1 - per_band)
    assert abs(observed.sum() - expected.sum()) <= 4 * np.sqrt(var.sum()) + 2
    # candidates: P(at least one band agrees) = 1 - (1 - J^8)^14
    p = candidate_probability(true, params.bands, params.rows)
    cand = match.any(axis=1)
    for i, f in enumerate(FRACTIONS):
        block = slice(250 * i, 250 * (i + 1))
        e = p[block].sum()
        sd = np.sqrt((p[block] * (1 - p[block])).sum())
        assert abs(cand[block].sum() - e) <= 4 * sd + 3, (f, true[block].mean(), cand[block].sum(), e)
    assert cand[true >= 0.9].mean() >= 0.99
    assert not cand[true <= 0.2].any()  # P(candidate | J = 0.2) = 3.6e-5


def test_unrelated_documents_share_no_band() -> None:
    vocab = _vocabulary(5000, 9)
    rng = random.Random(4)
    texts = [" ".join(rng.choice(vocab) for _ in range(200)) for _ in range(400)]
    keys = band_keys(signatures(texts))
    for j in range(14):
        assert len(set(keys[:, j].tolist())) == 400


# ---------------------------------------------------------------------------------------------------------------
# exactness against datatrove 0.10.1 (test-only oracle)
# ---------------------------------------------------------------------------------------------------------------


def _datatrove_missing() -> str | None:
    try:
        import datatrove  # noqa: F401
        import regex  # noqa: F401
        import spacy  # noqa: F401
    except ImportError as exc:
        return f"datatrove oracle not installed ({exc}); pip install datatrove==0.10.1 spacy regex"
    if not SHARED.is_dir():
        return f"shared fixtures not found at {SHARED}"
    return None


DATATROVE_MISSING = _datatrove_missing()
needs_datatrove = pytest.mark.skipif(DATATROVE_MISSING is not None, reason=DATATROVE_MISSING or "")


def _datatrove_signer(params: MinHashParams, folder: Path) -> Any:
    """datatrove's ``MinhashDedupSignature`` for ``params``.

    Two work-arounds, neither of which changes a value:
    * ``datatrove.pipeline.dedup``'s ``__init__`` imports ``exact_substrings``, which needs ``tokenizers``; the
      ``minhash`` module is therefore loaded straight from its file.
    * datatrove 0.10.1 hashes ``str`` with ``xxhash.xxh64_intdigest``; xxhash >= 4 only takes bytes (3.x encoded
      ``str`` as UTF-8 itself, checked with xxhash 3.5), so the hash function gets the UTF-8 bytes.
    """
    import datatrove
    from datatrove.utils.hashing import HashConfig

    path = os.path.join(os.path.dirname(datatrove.__file__), "pipeline", "dedup", "minhash.py")
    spec = importlib.util.spec_from_file_location("_datatrove_minhash_oracle", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    config = module.MinhashConfig(
        n_grams=params.ngram,
        num_buckets=params.bands,
        hashes_per_bucket=params.rows,
        seed=params.seed,
        hash_config=HashConfig(precision=64, hash_fc="xxhash" if params.hash_function == "xxh64" else "sha1"),
    )
    signer = module.MinhashDedupSignature(output_folder=str(folder), config=config)  # never written to here
    if params.hash_function == "xxh64":
        signer._hash_func = lambda text: xxhash.xxh64_intdigest(text.encode("utf-8"))
    return signer


def _fixture_texts() -> list[str]:
    """WikiText articles, the CCNet head docs and every WET conversion record of shared/data/warc/cc."""
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    texts: list[str] = []
    wiki = (SHARED / "text" / "wikitext-2-raw-v1.test.txt").read_text(encoding="utf-8")
    texts += [part for part in re.split(r"(?m)^ = (?!=)[^\n]*= \n", wiki) if part.strip()]
    with open(SHARED / "text" / "ccnet-cc_en_head-0091.jsonl", encoding="utf-8") as f:
        texts += [json.loads(line)["text"] for line in f]
    for path in sorted(glob.glob(str(SHARED / "warc" / "cc" / "*.wet.gz"))):
        with open(path, "rb") as stream:
            for rec in ArchiveIterator(stream, parse_http=False):
                if rec.record_type == WarcRecordType.conversion:
                    texts.append(rec.reader.read().decode("utf-8", "replace"))
    return texts


def _edge_texts(real: list[str]) -> list[str]:
    """Short, odd and adversarial texts: contractions, units, numbers in many scripts, marks, symbols, emoji."""
    rng = random.Random(17)
    pieces = [
        "dont", "cant", "Im", "youre", "cannot", "gonna", "gotta", "wont", "isnt", "theyve", "10km", "3.5kg", "5pm",
        "1,000,000", "١٢٣", "٣٫٥", "𑽐𑽑", "é", "e\u0301", "\u0301", "naïve", "Ｆｕｌｌ", "ﬁ", "😀", "🇫🇷", "©", "•",
        "‘quoted’", "«x»", "¿qué?", "№5", "²", "½", "\u00a0", "\u2002", "\t", "\n", "\r\n", "\x0b", "\x1c",
        "Привет", "日本語", "ΑΒΓ", "ß", "İstanbul", "ǅ", "ΣΑΣ", "x²", "0.5", "€5", "$10", "US$5", "50%", "°C.",
        "a.m.", "e.g.", "http://x.org/a?b=1", "www.example.com", "user@mail.com", "a😀b", "ʼ", "क्षि", "ก็",
        "\u200b", "\u200d", "\ufeff", "𝟎", "⁵", "ⅷ", "〇", "hello", "world", "the", "of", ":)", "<3", "y'all",
    ]  # fmt: skip
    out = ["".join(rng.choice(pieces) + rng.choice([" ", " ", "", "\n", "  "]) for _ in range(rng.randint(0, 40)))
           for _ in range(400)]  # fmt: skip
    sentences = [s for t in real for s in re.split(r"(?<=[.!?])\s+", t) if 20 < len(s) < 200][:2000]
    for k in range(1, 60):  # short real snippets around the 5-word minimum
        words = " ".join(rng.choice(sentences) for _ in range(3)).split()
        out.append(" ".join(words[: k % 12]))
    return out


@pytest.fixture(scope="module")
def oracle_texts() -> list[str]:
    real = _fixture_texts()
    return real + _edge_texts(real)


@needs_datatrove
def test_normalisation_and_words_match_datatrove(oracle_texts: list[str], tmp_path: Path) -> None:
    from datatrove.utils.text import PUNCTUATION, simplify_text

    assert set(mh._PUNCTUATION) == set(PUNCTUATION)
    signer = _datatrove_signer(MinHashParams(), tmp_path)
    bad = []
    for text in oracle_texts:
        theirs = simplify_text(text)
        if normalize_text(text) != " ".join(theirs.split()):
            bad.append(("normalize_text", text[:60]))
        if shingle_words(text) != signer.word_tokenizer.word_tokenize(theirs):
            bad.append(("words", text[:60]))
    assert not bad, bad[:20]


@needs_datatrove
def test_signatures_match_datatrove_bit_for_bit(oracle_texts: list[str], tmp_path: Path) -> None:
    params = MinHashParams()
    signer = _datatrove_signer(params, tmp_path)
    a, b = signer.parameters
    assert np.array_equal(a.ravel(), params.coefficients[0]) and np.array_equal(b.ravel(), params.coefficients[1])
    ours = signatures(oracle_texts, params)
    hashes = shingle_hashes(oracle_texts, params)
    n_real = n_empty = 0
    for i, text in enumerate(oracle_texts):
        shingles = signer.get_shingles(text)
        assert np.array_equal(shingles.ravel(), hashes[i]), text[:80]
        if shingles.size == 0:  # datatrove writes no signature for such a document
            assert not has_signature(ours[i : i + 1])[0]
            n_empty += 1
            continue
        theirs = np.array(signer.get_signature(shingles), dtype=np.uint64).ravel()
        assert np.array_equal(ours[i], theirs), text[:80]
        n_real += 1
    assert n_real >= 300 and n_empty >= 50


@needs_datatrove
@pytest.mark.parametrize(
    "params",
    [MinHashParams.fineweb(), MinHashParams(ngram=3, num_perm=128, bands=16, rows=8, seed=42),
     MinHashParams(num_perm=260, bands=20, rows=13, seed=7)],
    ids=["fineweb-sha1", "3gram-16x8-seed42", "20x13"],
)  # fmt: skip
def test_other_configurations_match_datatrove(params: MinHashParams, oracle_texts: list[str], tmp_path: Path) -> None:
    signer = _datatrove_signer(params, tmp_path)
    texts = oracle_texts[:: max(1, len(oracle_texts) // 150)]
    ours = signatures(texts, params)
    for i, text in enumerate(texts):
        shingles = signer.get_shingles(text)
        if shingles.size == 0:
            assert not has_signature(ours[i : i + 1])[0]
            continue
        assert np.array_equal(ours[i], np.array(signer.get_signature(shingles), dtype=np.uint64).ravel())
