"""CCNet perplexity (cc_net/perplexity.py + mine.py @ bda555bd) with a real SentencePiece + 5-gram KenLM model.

The model is trained once per test session on wikitext-2-raw-v1.test.txt (56 articles; 6 held out), with the
project's own training helpers and KenLM's ``lmplz``/``build_binary`` built by ``scripts/build_kenlm.py``. If
those tools or the ``kenlm``/``sentencepiece`` modules are missing, the tests fail (they do not skip): the
set-up step is part of the project.
"""

from __future__ import annotations

import importlib.util
import json
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from crawlforge.lib import lm_training
from crawlforge.lib.ccnet_text import normalize
from crawlforge.lib.lm_training import (
    KenLMToolNotFoundError,
    LMFiles,
    encode_corpus,
    find_kenlm_tool,
    train_ccnet_lm,
    train_sentencepiece,
    write_normalized_corpus,
)
from crawlforge.lib.perplexity import (
    LineScore,
    PerplexityScorer,
    clear_model_cache,
    load_cutoffs,
    perplexity_bucket,
    pp,
)


WIKITEXT = "text/wikitext-2-raw-v1.test.txt"
CCNET_DOCS = "text/ccnet-cc_en_head-0091.jsonl"
N_TRAIN_ARTICLES = 56

SPAM = [
    "BUY CHEAP VIAGRA ONLINE!!! BEST PRICES $$$ CLICK HERE >>> www.cheap-pills-4u.biz FREE SHIPPING",
    "Home | About Us | Contact | Login | Register | Cart (0) | Checkout | FAQ | Sitemap",
    "SKU: 88213-XL | Size: XL | Color: Black | Qty: 1 | Price: $19.99 | Add to cart | Wishlist",
    "Click here to win a FREE iPhone!!! Limited offer, act now >>> bit.ly/win-free-iphone",
    "xxx hot girls live cam chat free sex dating sign up now 100% free no credit card",
]


def _detokenize(line: str) -> str:
    """Undo WikiText's tokenisation (`` @-@ ``, spaces before punctuation) so it reads like web text."""
    line = line.replace(" @-@ ", "-").replace(" @,@ ", ",").replace(" @.@ ", ".")
    line = re.sub(r" ([.,;:!?)\]'])", r"\1", line)
    line = re.sub(r"([(\[]) ", r"\1", line)
    return line.replace(" n't", "n't").strip()


def _wikitext_articles(path: Path) -> list[list[str]]:
    articles: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if re.fullmatch(r" = [^=].* = ", line):
            articles.append([])
        elif line.strip() and not line.startswith(" = ") and articles:
            articles[-1].append(_detokenize(line))
    return articles


@pytest.fixture(scope="session")
def wikitext(shared_data: Path) -> tuple[list[str], list[str]]:
    """(training paragraphs, held-out documents of 3 paragraphs each)."""
    articles = _wikitext_articles(shared_data / WIKITEXT)
    assert len(articles) > N_TRAIN_ARTICLES + 4
    train = [p for a in articles[:N_TRAIN_ARTICLES] for p in a]
    held_out = ["\n".join(a[:3]) for a in articles[N_TRAIN_ARTICLES:]]
    return train, held_out


@pytest.fixture(scope="session")
def lm_files(tmp_path_factory: pytest.TempPathFactory, wikitext: tuple[list[str], list[str]]) -> LMFiles:
    """Tiny CCNet-recipe LM (SentencePiece unigram, 2000 pieces; 5-gram KenLM), trained once per session."""
    for module in ("kenlm", "sentencepiece"):
        if importlib.util.find_spec(module) is None:
            pytest.fail(f"the `{module}` module is not installed: {lm_training.BUILD_HINT} and install the deps")
    try:
        find_kenlm_tool("lmplz")
        find_kenlm_tool("build_binary")
    except KenLMToolNotFoundError as exc:
        pytest.fail(str(exc))
    train, _ = wikitext
    return train_ccnet_lm(
        train,
        tmp_path_factory.mktemp("ccnet_lm"),
        "en",
        vocab_size=2000,
        fallback_vocab_size=None,
        memory="64M",
        vocab_estimate=4096,
        num_threads=2,
    )


@pytest.fixture
def scorer(lm_files: LMFiles) -> PerplexityScorer:
    return PerplexityScorer(lm_files.sp_model, lm_files.binary)


def test_training_produces_ccnet_files(lm_files: LMFiles) -> None:
    assert lm_files.sp_model.name == "en.sp.model"
    assert lm_files.binary.name == "en.arpa.bin"
    header = lm_files.arpa.read_text(encoding="utf-8")[:300]
    assert "ngram 5=" in header  # a 5-gram model
    # intermediate corpora are removed, nothing else is left behind
    assert sorted(p.name for p in lm_files.sp_model.parent.iterdir()) == [
        "en.arpa",
        "en.arpa.bin",
        "en.sp.model",
        "en.sp.vocab",
    ]


def test_wikipedia_text_scores_lower_than_spam(
    scorer: PerplexityScorer, wikitext: tuple[list[str], list[str]]
) -> None:
    _, held_out = wikitext
    held = [scorer.doc_perplexity(doc) for doc in held_out]
    spam = [scorer.doc_perplexity(doc) for doc in SPAM]
    assert all(isinstance(v, float) and v > 1 for v in held + spam)
    assert max(held) < min(spam), (held, spam)  # type: ignore[type-var]
    assert np.median(spam) > 3 * np.median(held)  # type: ignore[arg-type]


def _independent_perplexity(sp: Any, model: Any, text: str) -> tuple[float, float]:
    """Recompute CCNet's formula with the raw libraries: ``full_scores`` summed in float32 as KenLM's ``score``
    does internally, and the token count taken from the piece list."""
    pieces = sp.encode(normalize(text), out_type=str)
    total = np.float32(0.0)
    for prob, _ngram_len, _oov in model.full_scores(" ".join(pieces), bos=True, eos=True):
        total = np.float32(total + np.float32(prob))
    log_score = float(total)
    return log_score, round(10.0 ** (-log_score / (len(pieces) + 1)), 1)


def test_doc_perplexity_equals_direct_kenlm_computation(
    scorer: PerplexityScorer, lm_files: LMFiles, wikitext: tuple[list[str], list[str]], shared_data: Path
) -> None:
    _, held_out = wikitext
    ccnet_docs = [json.loads(line)["text"] for line in (shared_data / CCNET_DOCS).read_text().splitlines()]
    texts = [*held_out, *SPAM, *ccnet_docs, "Ünïcode — «quotes» 1,234.5 ％ in ONE line…", "x"]
    import kenlm
    import sentencepiece

    # separately loaded models, and the ARPA file rather than the binary the scorer uses
    sp = sentencepiece.SentencePieceProcessor(model_file=str(lm_files.sp_model))
    model = kenlm.Model(str(lm_files.arpa))
    for text in texts:
        log_score, expected = _independent_perplexity(sp, model, text)
        scores = scorer.line_scores(text)
        assert len(scores) == 1  # normalisation removed every "\n": one sequence per document, as in CCNet
        assert scores[0].log10_prob == log_score
        assert scorer.doc_perplexity(text) == expected


def test_per_line_variant(scorer: PerplexityScorer, lm_files: LMFiles) -> None:
    import kenlm

    model = kenlm.Model(str(lm_files.binary))
    doc = "The river flows north.\n\nIt was built in 1901 by the county."
    terms = []
    for line in doc.split("\n"):
        tokens = scorer.tokenize(line)
        terms.append(LineScore(model.score(tokens), len(tokens.split()) + 1))
    assert terms[1].length == 1  # an empty line still predicts </s>
    assert scorer.line_scores(doc, per_line=True) == terms
    total = sum(t.log10_prob for t in terms)
    assert scorer.doc_perplexity(doc, per_line=True) == round(pp(total, sum(t.length for t in terms)), 1)
    # CCNet's own pipeline joins the lines (no separator) before tokenizing, so the two readings differ ...
    assert scorer.doc_perplexity(doc) == scorer.doc_perplexity(doc.replace("\n", ""))
    assert scorer.doc_perplexity(doc) != scorer.doc_perplexity(doc, per_line=True)
    # ... but agree on a single line
    single = "The river flows north into the sea."
    assert scorer.doc_perplexity(single) == scorer.doc_perplexity(single, per_line=True)


def test_no_perplexity_for_empty_documents(scorer: PerplexityScorer) -> None:
    for text in (None, "", "   ", "\n\n", "\x01\x02\t"):
        assert scorer.doc_perplexity(text) is None
    assert scorer.perplexities(["", "Some text."])[0] is None


def test_deterministic_and_loaded_once(lm_files: LMFiles, wikitext: tuple[list[str], list[str]]) -> None:
    _, held_out = wikitext
    clear_model_cache()
    first = PerplexityScorer(lm_files.sp_model, lm_files.binary)
    values = first.perplexities([*held_out, *SPAM])
    assert first.perplexities([*held_out, *SPAM]) == values
    # another scorer on the same files reuses the loaded models (one load per process)
    second = PerplexityScorer(str(lm_files.sp_model), str(lm_files.binary))
    assert second.kenlm is first.kenlm
    assert second.sentencepiece is first.sentencepiece
    # pickling ships paths only; the copy scores identically
    clone = pickle.loads(pickle.dumps(first))
    assert clone._lm is None  # nothing loaded travelled with it
    assert clone.perplexities([*held_out, *SPAM]) == values
    # a fresh load of the same files gives the same numbers
    clear_model_cache()
    assert PerplexityScorer(lm_files.sp_model, lm_files.binary).perplexities([*held_out, *SPAM]) == values


def test_missing_model_file(tmp_path: Path) -> None:
    scorer = PerplexityScorer(tmp_path / "nope.sp.model", tmp_path / "nope.arpa.bin")
    with pytest.raises(FileNotFoundError, match=r"nope\.sp\.model"):
        scorer.doc_perplexity("text")


def test_missing_kenlm_tool_names_the_build_script(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(lm_training, "_REPO_BIN", tmp_path / "absent")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(lm_training.KENLM_BIN_ENV, raising=False)
    with pytest.raises(KenLMToolNotFoundError, match=r"scripts/build_kenlm\.py"):
        find_kenlm_tool("lmplz")
    with pytest.raises(KenLMToolNotFoundError, match=r"scripts/build_kenlm\.py"):
        train_ccnet_lm(["some text"], tmp_path / "out", "en")


def test_corpus_helpers_and_vocab_fallback(tmp_path: Path, wikitext: tuple[list[str], list[str]]) -> None:
    if importlib.util.find_spec("sentencepiece") is None:
        pytest.fail(f"the `sentencepiece` module is not installed: {lm_training.BUILD_HINT} and install the deps")
    import sentencepiece

    texts = ["First DOC — «one»\nsecond line", "", None, "  ", *wikitext[0][:150]]
    corpus = tmp_path / "corpus.txt"
    assert write_normalized_corpus(texts, corpus) == len(texts) - 2  # "" and None skipped, "  " -> empty line
    lines = corpus.read_text(encoding="utf-8").split("\n")
    assert lines[:2] == ['first doc  -  "one"second line', ""]  # — -> " - " between two spaces
    # the requested size is too large for this corpus: SentencePiece refuses, the fallback size is used
    model = train_sentencepiece(corpus, tmp_path / "xx.sp", vocab_size=50_000, fallback_vocab_size=300)
    assert model == tmp_path / "xx.sp.model"
    sp = sentencepiece.SentencePieceProcessor(model_file=str(model))
    assert sp.get_piece_size() == 300
    with pytest.raises(RuntimeError):
        train_sentencepiece(corpus, tmp_path / "yy.sp", vocab_size=50_000, fallback_vocab_size=None)
    assert not (tmp_path / "yy.sp.model").exists()
    tokenized = tmp_path / "corpus.sp.txt"
    assert encode_corpus(model, corpus, tokenized) == len(lines) - 1
    first = tokenized.read_text(encoding="utf-8").split("\n")[0]
    assert first == " ".join(sp.encode_as_pieces(lines[0]))


def test_buckets(tmp_path: Path) -> None:
    # CCNet's cutoff.csv layout: header ",lang,...", one row per percentile (index = percentile).
    csv_path = tmp_path / "cutoff.csv"
    rows = [",de,en"] + [f"{p},{p * 10},{p * 11}" for p in range(101)]
    rows[31] = "30,370,340"
    rows[61] = "60,590,520"
    csv_path.write_text("\n".join(rows) + "\n")
    cutoffs = load_cutoffs(csv_path)
    assert cutoffs == {"de": (370.0, 590.0), "en": (340.0, 520.0)}
    assert perplexity_bucket(339.9, "en", cutoffs) == "head"
    assert perplexity_bucket(340.0, "en", cutoffs) == "middle"  # strict "<"
    assert perplexity_bucket(519.9, "en", cutoffs) == "middle"
    assert perplexity_bucket(520.0, "en", cutoffs) == "tail"
    assert perplexity_bucket(100.0, "xx", cutoffs) == "all"  # no cutoffs for the language
    assert perplexity_bucket(None, "en", cutoffs) == "all"  # no perplexity
    assert perplexity_bucket(-1, "en", cutoffs) == "all"
    assert perplexity_bucket(float("nan"), "en", cutoffs) == "all"
    assert load_cutoffs(csv_path, percentile_head=10, percentile_tail=90)["de"] == (100.0, 900.0)
    with pytest.raises(ValueError, match="percentile"):
        load_cutoffs(csv_path, percentile_head=101)


def test_sentencepiece_model_bytes_do_not_depend_on_the_folder(
    tmp_path: Path, wikitext: tuple[list[str], list[str]]
) -> None:
    """The same corpus trained in two folders gives the same model file (hence the same model version).

    SentencePiece records its input and output paths inside the model; the real-cluster test found two lakes
    giving two versions of one model until training stopped passing paths.
    """
    import sentencepiece

    files = []
    for folder in ("lake-a/_staging", "elsewhere/deeper/_staging"):
        corpus = tmp_path / folder / "corpus.txt"
        corpus.parent.mkdir(parents=True)
        write_normalized_corpus(wikitext[0][:200], corpus)
        files.append(train_sentencepiece(corpus, corpus.parent / "en.sp", vocab_size=300, fallback_vocab_size=None))
    assert files[0].read_bytes() == files[1].read_bytes()
    sp = sentencepiece.SentencePieceProcessor(model_file=str(files[0]))
    vocab = files[0].with_suffix(".vocab").read_text(encoding="utf-8").splitlines()
    assert len(vocab) == sp.get_piece_size() == 300
    assert vocab[5].split("\t")[0] == sp.id_to_piece(5)
