"""Fidelity of crawlforge's heuristic signals + FineWeb decision rules against datatrove 0.10.1 (the FineWeb code).

For every FineWeb filter, on every corpus document, datatrove's keep / drop and drop reason must match ours on at
least 99% of the documents; every disagreement is printed with both sides. Skips when datatrove is not installed
(it is a test-only dependency).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from crawlforge.lib.heuristics import FINEWEB_RULES, compute_signals, decide
from crawlforge.lib.heuristics.c4 import c4_quality
from crawlforge.lib.heuristics.url_filter import UrlFilterLists
from crawlforge.lib.heuristics.wordlists import wordlist_path
from crawlforge.lib.text_split import count_sentences_datatrove, words_datatrove
from tests.lib import oracle_datatrove as oracle


MISSING = oracle.datatrove_missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

MIN_AGREEMENT = 0.99
TEXT_FILTERS = ("gopher_rep", "gopher_qual", "c4_quality", "fineweb_qual")


@pytest.fixture(scope="module")
def corpus() -> list[oracle.OracleDoc]:
    return oracle.corpus_documents()


@pytest.fixture(scope="module")
def ours(corpus: list[oracle.OracleDoc]) -> dict[str, dict[str, Any]]:
    return {d.doc_id: compute_signals(d.text, None, "en") for d in corpus}


@pytest.fixture(scope="module")
def theirs(corpus: list[oracle.OracleDoc]) -> dict[str, dict[str, Any]]:
    items = [(d.doc_id, d.text, c4_quality(d.text).text) for d in corpus]
    return oracle.run_text_oracle(items)


def _our_verdict(signals: dict[str, Any], filter_name: str) -> tuple[bool, str | None]:
    rules = [r for r in FINEWEB_RULES if r.filter == filter_name]
    decision = decide(signals, rules)
    reason = decision.first_failing_rule.split("/", 1)[1] if decision.first_failing_rule else None
    return decision.keep, reason


def _report(name: str, rows: list[tuple[str, Any, Any, str]], total: int) -> float:
    agreement = 1 - len(rows) / total if total else 1.0
    print(f"\n{name}: {total - len(rows)}/{total} agree ({agreement:.4%})")
    for doc_id, dt, cf, detail in rows:
        print(f"  DISAGREE {doc_id}: datatrove={dt} crawlforge={cf} {detail}")
    return agreement


@pytest.mark.parametrize("filter_name", TEXT_FILTERS)
def test_filter_verdicts_match_datatrove(
    filter_name: str, corpus: list[oracle.OracleDoc], ours: dict[str, dict[str, Any]], theirs: dict[str, Any]
) -> None:
    rows = []
    kinds: Counter[str] = Counter()
    for doc in corpus:
        dt = tuple(theirs[doc.doc_id][filter_name])
        cf = _our_verdict(ours[doc.doc_id], filter_name)
        kinds["drop" if not dt[0] else "keep"] += 1
        if dt[1] == "ZeroDivisionError":  # datatrove crashes on this input; we must drop it for another reason
            if cf[0]:
                rows.append((doc.doc_id, dt, cf, "datatrove raises, crawlforge keeps"))
            continue
        if dt != cf:
            rows.append((doc.doc_id, dt, cf, repr(doc.text[:80])))
    agreement = _report(f"{filter_name} (datatrove keeps {kinds['keep']}, drops {kinds['drop']})", rows, len(corpus))
    assert kinds["drop"] >= 20 and kinds["keep"] >= 20, f"corpus does not exercise {filter_name}: {kinds}"
    assert agreement >= MIN_AGREEMENT


def test_c4_rewrites_text_like_datatrove(corpus: list[oracle.OracleDoc], theirs: dict[str, Any]) -> None:
    rows = []
    kept = 0
    for doc in corpus:
        dt_text = theirs[doc.doc_id]["c4_text"]
        if dt_text is None:
            continue
        kept += 1
        cf_text = c4_quality(doc.text).text
        if cf_text != dt_text:
            rows.append((doc.doc_id, len(dt_text), len(cf_text), "cleaned text differs"))
    assert kept > 100
    assert _report("c4_quality cleaned text", rows, kept) == 1.0


def test_pipeline_first_drop_matches_datatrove(
    corpus: list[oracle.OracleDoc], ours: dict[str, dict[str, Any]], theirs: dict[str, Any]
) -> None:
    """The whole text part of the recipe: datatrove's first dropping filter + reason vs our first failing rule."""
    rows = []
    for doc in corpus:
        dt: tuple[str, str | None] | None = None
        for name in TEXT_FILTERS:
            keep, reason = theirs[doc.doc_id][name]
            if name == "fineweb_qual" and dt is None and theirs[doc.doc_id]["c4_text"] is None:
                break
            if not keep and dt is None:
                dt = (name, reason)
        text_rules = [r for r in FINEWEB_RULES if r.filter in TEXT_FILTERS]
        first = decide(ours[doc.doc_id], text_rules).first_failing_rule
        cf = tuple(first.split("/", 1)) if first else None
        if dt != cf:
            rows.append((doc.doc_id, dt, cf, repr(doc.text[:80])))
    assert _report("pipeline first drop", rows, len(corpus)) >= MIN_AGREEMENT


def _hosts_file_domains(path: str) -> list[str]:
    with open(path, encoding="utf-8") as f:
        return [line.split()[1] + "\n" for line in f if line.startswith("0.0.0.0 ") and len(line.split()) > 1]


def test_url_filter_matches_datatrove(tmp_path: Any) -> None:
    shared = oracle.SHARED / "blocklists"
    domains: list[str] = []
    for name in ("gambling", "dating", "agressif", "mixed_adult"):
        with open(shared / "ut1" / f"{name}.domains", encoding="utf-8") as f:
            domains.extend(f.readlines())
    domains.extend(_hosts_file_domains(str(shared / "sinfonietta-pornography-hosts.txt")))
    block_urls: list[str] = []
    for name in ("adult", "phishing"):
        with open(shared / "ut1" / f"{name}.urls", encoding="utf-8") as f:
            block_urls.extend(f.readlines())
    (tmp_path / "domains").write_text("".join(domains), encoding="utf-8")
    (tmp_path / "urls").write_text("".join(block_urls), encoding="utf-8")
    lists = UrlFilterLists.fineweb(domain_files=[tmp_path / "domains"], url_files=[tmp_path / "urls"])

    words = {k: sorted(w for w in getattr(lists, k) if w) for k in ("banned_words", "soft_banned_words")}
    words["banned_subwords"] = sorted(w for w in lists.banned_subwords if w)
    stripped_domains = [d.strip() for d in domains if d.strip()]
    stripped_urls = [u.strip() for u in block_urls if u.strip()]
    urls = oracle.url_corpus(stripped_domains, stripped_urls, words)
    expected = oracle.run_url_oracle(urls, domains, block_urls)

    url_rules = [r for r in FINEWEB_RULES if r.filter == "url_filter"]
    rows = []
    reasons: Counter[str] = Counter()
    for url, dt in zip(urls, expected, strict=True):
        signals = compute_signals("", url, "en", resources=_resources(lists))
        cf = _our_verdict(signals, "url_filter") if url_rules else (True, None)
        reasons[str(dt[1])] += 1
        if dt != cf:
            rows.append((url, dt, cf, ""))
    print(f"\nURL verdicts by datatrove reason: {dict(reasons)}")
    assert len(reasons) == 7, reasons  # keep + the six drop reasons
    assert _report("url_filter", rows, len(urls)) >= MIN_AGREEMENT


def _resources(lists: UrlFilterLists) -> Any:
    from crawlforge.lib.heuristics import SignalResources

    return SignalResources(url_lists=lists)


def test_shipped_url_word_lists_are_datatrove_assets() -> None:
    from datatrove.utils._import_utils import ASSETS_PATH

    for name in ("banned_words.txt", "soft_banned_words.txt", "banned_subwords.txt"):
        with open(f"{ASSETS_PATH}/{name}", "rb") as theirs_f:
            assert wordlist_path("datatrove", name).read_bytes() == theirs_f.read(), name


def _spacy_en() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def _spacy_words(nlp: Any, text: str) -> list[str]:
    return [t.text.strip() for t in nlp.tokenizer(text) if t.text.strip()]


def test_word_splitter_matches_datatrove_spacy_tokenizer(corpus: list[oracle.OracleDoc]) -> None:
    """Token-for-token agreement of ``words_datatrove`` with spaCy's English rules (what datatrove 0.10 calls)."""
    from datatrove.utils.word_tokenizers import load_word_tokenizer

    nlp = _spacy_en()
    datatrove_tok = load_word_tokenizer("en")
    for doc in corpus[:40]:  # datatrove's wrapper == raw spaCy tokenizer + strip (checked on a sample: it is slow)
        assert datatrove_tok.word_tokenize(doc.text) == _spacy_words(nlp, doc.text), doc.doc_id
    docs = tokens = bad_docs = bad_tokens = 0
    for doc in corpus:
        ref = _spacy_words(nlp, doc.text)
        got = words_datatrove(doc.text)
        docs += 1
        tokens += len(ref)
        if got != ref:
            bad_docs += 1
            bad_tokens += sum(1 for a, b in zip(ref, got, strict=False) if a != b) + abs(len(ref) - len(got))
            print(f"  TOKENS DIFFER {doc.doc_id}: {_first_diff(ref, got)}")
    print(f"\nword splitting: {docs - bad_docs}/{docs} documents identical, {bad_tokens}/{tokens} tokens differ")
    assert bad_tokens <= tokens * 0.001


def _first_diff(ref: list[str], got: list[str]) -> str:
    for i, (a, b) in enumerate(zip(ref, got, strict=False)):
        if a != b:
            return f"at {i}: spaCy {ref[i : i + 4]} vs ours {got[i : i + 4]}"
    return f"length {len(ref)} vs {len(got)}"


def _sample_lines(corpus: list[oracle.OracleDoc], k: int) -> Iterator[str]:
    lines = [line.strip() for d in corpus for line in d.text.splitlines() if len(line.split()) >= 3]
    yield from random.Random(3).sample(lines, min(k, len(lines)))


def test_sentence_counts_match_spacy_sentencizer(corpus: list[oracle.OracleDoc]) -> None:
    nlp = _spacy_en()
    lines = list(_sample_lines(corpus, 4000))
    bad = [line for line in lines if len(list(nlp(line).sents)) != count_sentences_datatrove(words_datatrove(line))]
    for line in bad:
        print(f"  SENTENCES DIFFER: {line[:120]!r}")
    assert len(bad) <= len(lines) * 0.001
