"""A generated corpus with planted duplicates at known word-5-gram Jaccard levels (tests and the benchmark).

Pure Python, deterministic for a seed. Documents are Zipf-distributed pseudo-words (so frequent words and
5-grams recur across unrelated documents, as in real text) and a share of them carries a common boilerplate
footer (the content that makes MLlib's OR-only LSH blow up, minhash-spark.md §1.4). Planted families:

* ``near``: an original and 1-3 copies, each with a fraction ``f`` of its words replaced, ``f`` chosen so the
  expected Jaccard hits a target: with both copies of equal length and replacements spread at random, a shingle
  survives with probability ``s = (1 - f)^n``, and ``J = s / (2 - s)``, so ``f = 1 - (2J / (1 + J))^(1/n)``.
  The exact Jaccard of every pair is measured afterwards (:func:`shingle_jaccard`), never assumed.
* ``exact``: the same text with other case and whitespace (rule ``exact_text``).
* ``url``: another text fetched under the same URL (rule ``url``).
* ``short``: fewer than 5 words (no shingle: exact dedup only).

``family`` names the planted group of a document; documents of different families are unrelated by
construction (their shared content is the boilerplate footer and chance n-grams).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations

from crawlforge.lib.minhash import shingle_words


__all__ = ["SynthDoc", "generate", "planted_pairs", "shingle_jaccard"]

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class SynthDoc:
    doc_id: str
    url: str
    text: str
    family: str
    kind: str  # original | near | exact | url | short | single
    warc_date: datetime


def _vocab(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_LETTERS) for _ in range(rng.randint(2, 9))))
    return sorted(words)


def shingle_jaccard(a: str, b: str, n: int = 5) -> float:
    """Exact Jaccard of the two texts' word n-gram sets, on the words MinHash shingles (datatrove normalised)."""
    wa, wb = shingle_words(a), shingle_words(b)
    sa = {tuple(wa[i : i + n]) for i in range(len(wa) - n + 1)}
    sb = {tuple(wb[i : i + n]) for i in range(len(wb) - n + 1)}
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def generate(
    families: int,
    seed: int = 7,
    *,
    words: tuple[int, int] = (150, 400),
    targets: Sequence[float] = (0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.5, 0.3),
    boilerplate_share: float = 0.3,
    vocab: int = 20_000,
) -> list[SynthDoc]:
    """About ``1.9 * families`` documents: 35% single documents, 45% near-duplicate families, 10% exact,
    5% URL and 5% short families. Deterministic for ``seed``."""
    rng = random.Random(seed)
    vocabulary = _vocab(rng, vocab)
    weights = [1.0 / (r + 1) ** 1.05 for r in range(len(vocabulary))]
    footer = " ".join(rng.choices(vocabulary, weights, k=40))
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    docs: list[SynthDoc] = []

    def body() -> list[str]:
        return rng.choices(vocabulary, weights, k=rng.randint(*words))

    def add(family: str, kind: str, ws: list[str] | str, url: str | None = None, footer_on: bool = False) -> None:
        i = len(docs)
        text = ws if isinstance(ws, str) else " ".join(ws)
        if footer_on:
            text = f"{text}\n{footer}"
        date = t0 + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        docs.append(SynthDoc(f"d{i:07d}", url or f"https://site{i % 97}.example/p/{i}", text, family, kind, date))

    for f in range(families):
        fam = f"f{f:06d}"
        r = rng.random()
        footer_on = rng.random() < boilerplate_share
        base = body()
        if r < 0.35:
            add(fam, "single", base, footer_on=footer_on)
        elif r < 0.80:
            add(fam, "original", base, footer_on=footer_on)
            for _ in range(rng.randint(1, 3)):
                target = rng.choice(list(targets))
                frac = 1.0 - (2 * target / (1 + target)) ** (1 / 5)
                copy = [rng.choice(vocabulary) if rng.random() < frac else w for w in base]
                add(fam, "near", copy, footer_on=footer_on)
        elif r < 0.90:
            text = " ".join(base)
            add(fam, "original", text, footer_on=footer_on)
            add(fam, "exact", "  " + text.upper().replace(" ", " \n\t "), footer_on=footer_on)
        elif r < 0.95:
            url = f"https://dup{f}.example/Page?id={f}"
            add(fam, "original", base, url=url, footer_on=footer_on)
            add(fam, "url", body(), url=url.replace("https://dup", "HTTPS://DUP") + "#top", footer_on=footer_on)
        else:
            short = " ".join(rng.choices(vocabulary, k=3))
            add(fam, "original", short)
            add(fam, "exact", short.upper())
    return docs


def planted_pairs(docs: Sequence[SynthDoc]) -> list[tuple[str, str, float]]:
    """(doc_id, doc_id, exact Jaccard) of every pair inside a ``near`` family (original and copies)."""
    by: dict[str, list[SynthDoc]] = {}
    for d in docs:
        if d.kind in ("original", "near"):
            by.setdefault(d.family, []).append(d)
    out = []
    for members in by.values():
        if not any(m.kind == "near" for m in members):
            continue
        for a, b in combinations(members, 2):
            out.append((a.doc_id, b.doc_id, shingle_jaccard(a.text, b.text)))
    return out
