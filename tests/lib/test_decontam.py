"""lib/decontam.py: normalisation, n-grams, and matching GSM8K items planted in text (near misses must not match)."""

from __future__ import annotations

import json

from crawlforge.lib.decontam import hash_ngram, item_hashes, ngram_hashes, ngrams, normalize_words


def _gsm8k(shared_data, index: int) -> dict:
    with open(shared_data / "decontamination" / "gsm8k.test.jsonl", encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i == index:
                return json.loads(line)
    raise IndexError(index)


def test_normalisation_drops_case_punctuation_and_symbols_keeps_digits():
    assert normalize_words("Janet’s ducks lay 16 eggs per day. She sells them for $2!") == [
        "janet", "s", "ducks", "lay", "16", "eggs", "per", "day", "she", "sells", "them", "for", "2",
    ]  # fmt: skip
    assert normalize_words("ＦＵＬＬ－width １２") == ["full", "width", "12"]  # NFKC
    assert normalize_words("re-sell\tthe\n\nhouse") == ["re", "sell", "the", "house"]
    assert normalize_words(None) == [] and normalize_words("") == []


def test_ngrams_and_hashes():
    words = [str(i) for i in range(15)]
    grams = list(ngrams(words, 13))
    assert len(grams) == 3 and grams[0] == " ".join(words[:13])
    assert list(ngrams(words[:12], 13)) == []
    h = hash_ngram("a b c")
    assert -(2**63) <= h < 2**63 and h == hash_ngram("a b c") and h != hash_ngram("a b d")
    assert ngram_hashes("A, b; c", 3) == {hash_ngram("a b c")}


def test_planted_gsm8k_question_matches_and_near_misses_do_not(shared_data):
    item = _gsm8k(shared_data, 7)
    bench = item_hashes([item["question"], item["answer"]], 13)
    assert bench
    question = item["question"]
    planted = "Homework help forum. " + question.upper().replace(",", " ,") + " Thanks in advance!!"
    assert ngram_hashes(planted, 13) & bench

    words = question.split()
    # every 12th word changed: no 13 consecutive words survive
    near = " ".join("zzz" if k % 12 == 11 else w for k, w in enumerate(words))
    assert not ngram_hashes(near, 13) & bench
    # only 12 consecutive words quoted
    assert not ngram_hashes(" ".join(words[:12]), 13) & bench
    # another item of the same benchmark shares no 13-gram with this one
    other = _gsm8k(shared_data, 8)
    assert not ngram_hashes(other["question"], 13) & item_hashes([question], 13)


def test_fields_are_hashed_separately():
    a = " ".join(f"a{i}" for i in range(7))
    b = " ".join(f"b{i}" for i in range(7))
    # 14 words across the boundary of two fields: no 13-gram spans them
    assert item_hashes([a, b], 13) == set()
    assert item_hashes([a + " " + b], 13)
