"""Test helper: a document corpus built from the shared fixtures plus synthetic texts, and datatrove (the FineWeb
reference implementation) run on it as an oracle.

datatrove is a test-only dependency: ``pip install datatrove==0.10.1 spacy tldextract pyahocorasick regex fasteners``.
When it is missing, :func:`datatrove_missing` says why and the fidelity tests skip. The oracle runs in worker
processes (datatrove's spaCy tokenizer is slow) and never touches the network: tldextract uses its bundled
Public Suffix List snapshot.
"""

from __future__ import annotations

import glob
import json
import multiprocessing
import os
import random
import re
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any


SHARED = Path(os.environ.get("CRAWLFORGE_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
if not SHARED.is_dir():  # the work tree may sit elsewhere than next to shared/
    SHARED = Path("/work/shared/data")


@dataclass(frozen=True, slots=True)
class OracleDoc:
    doc_id: str
    source: str
    url: str | None
    text: str


def datatrove_missing() -> str | None:
    """``None`` when the oracle can run, else the reason it cannot."""
    try:
        import ahocorasick  # noqa: F401
        import datatrove  # noqa: F401
        import fasteners  # noqa: F401
        import regex  # noqa: F401
        import spacy  # noqa: F401
        import tldextract  # noqa: F401
    except ImportError as exc:
        return (
            f"datatrove oracle not installed ({exc}); "
            "pip install datatrove==0.10.1 spacy tldextract pyahocorasick fasteners regex"
        )
    if not SHARED.is_dir():
        return f"shared fixtures not found at {SHARED}"
    return None


# ---------------------------------------------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------------------------------------------


MAX_DOC_CHARS = 12_000


def _cap(text: str, limit: int = MAX_DOC_CHARS) -> str:
    """The text cut at the last line break before ``limit`` characters (keeps the oracle run short)."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return text[: cut if cut > 0 else limit]


def fixture_documents() -> list[OracleDoc]:
    """Real texts: WikiText articles, CCNet docs, CC WET records, and the two extraction benchmarks' ground truth.

    Documents longer than :data:`MAX_DOC_CHARS` are cut at a line break: datatrove's spaCy tokenizer makes the
    oracle slow, and long clean documents add little to the comparison.
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    docs: list[OracleDoc] = []
    wiki = (SHARED / "text" / "wikitext-2-raw-v1.test.txt").read_text(encoding="utf-8")
    for i, part in enumerate(p for p in re.split(r"(?m)^ = (?!=)[^\n]*= \n", wiki) if p.strip()):
        docs.append(OracleDoc(f"wikitext/{i}", "wikitext", f"https://en.wikipedia.org/wiki/WikiText_{i}", part))
    with open(SHARED / "text" / "ccnet-cc_en_head-0091.jsonl", encoding="utf-8") as f:
        for i, line in enumerate(f):
            d = json.loads(line)
            docs.append(OracleDoc(f"ccnet/{i}", "ccnet", d["id"], d["text"]))
    for path in sorted(glob.glob(str(SHARED / "warc" / "cc" / "*.wet.gz"))):
        with open(path, "rb") as stream:
            for i, rec in enumerate(ArchiveIterator(stream, parse_http=False)):
                if rec.record_type == WarcRecordType.conversion:
                    text = rec.reader.read().decode("utf-8", "replace")
                    url = rec.headers.get("WARC-Target-URI")
                    docs.append(OracleDoc(f"wet/{Path(path).name}/{i}", "wet", url, text))
    with open(SHARED / "extraction" / "scrapinghub-aeb" / "ground-truth.json", encoding="utf-8") as f:
        for key, value in sorted(json.load(f).items()):
            docs.append(OracleDoc(f"aeb/{key[:12]}", "aeb", value.get("url"), value["articleBody"]))
    for path in sorted(glob.glob(str(SHARED / "extraction" / "wcxb-dev-sample" / "ground-truth" / "*.json"))):
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        text = (d.get("ground_truth") or {}).get("main_content")
        if text:
            docs.append(OracleDoc(f"wcxb/{Path(path).stem}", "wcxb", d.get("url"), text))
    return docs


def _sentences(docs: list[OracleDoc]) -> list[str]:
    out: list[str] = []
    for doc in docs:
        if doc.source == "aeb":
            out.extend(s.strip() for s in re.split(r"(?<=[.!?])\s+", doc.text) if 20 < len(s.strip()) < 300)
    return out


def synthetic_documents(real: list[OracleDoc], seed: int = 7) -> list[OracleDoc]:
    """Spammy, repetitive and edge-case texts, plus line prefixes of real documents (texts near thresholds)."""
    rng = random.Random(seed)
    sents = _sentences(real)
    out: list[str] = []

    def para(k: int) -> str:
        return " ".join(rng.choice(sents) for _ in range(k))

    for k in range(1, 9):  # repeated paragraphs / lines
        out.append("\n\n".join([para(3)] * k + [para(2) for _ in range(rng.randint(1, 6))]))
        out.append("\n".join([rng.choice(sents)] * k + [rng.choice(sents) for _ in range(rng.randint(2, 10))]))
    spam = ["buy cheap pills online", "best price guaranteed", "click here now", "free shipping today", "top rated"]
    for k in range(2, 40, 3):  # keyword stuffing: top n-grams and duplicated n-grams
        out.append(" ".join(rng.choice(spam) for _ in range(k)) + ". " + para(rng.randint(0, 4)))
        out.append(para(2) + " " + " ".join(["the best deal of the year for you"] * (k // 2)) + ". " + para(3))
    for frac in (0.2, 0.5, 0.85, 0.95, 1.0):  # bullets, ellipses, hashes
        lines = [("- " if rng.random() < frac else "") + rng.choice(sents) for _ in range(20)]
        out.append("\n".join(lines))
        lines = [rng.choice(sents)[:60] + ("..." if rng.random() < frac else ".") for _ in range(20)]
        out.append("\n".join(lines))
        out.append("\n".join(("• " if rng.random() < frac else "") + rng.choice(sents) + " …" for _ in range(15)))
        out.append(para(6) + " " + " ".join(f"#tag{i}" for i in range(int(60 * frac))))
    out.append(para(8) + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit.\n" + para(5))
    out.append(para(4) + "\nvar x = {a: 1}; function f() { return x; }\n" + para(5) + "\nLorem ipsum dolor sit.")
    out.append(para(4) + "\nlorem ipsum and {braces} together here.\n" + para(8))
    out.append(para(6) + "\nPlease enable JavaScript { to view } this page.\n" + para(6))
    out.append(para(6) + "\nThis site uses cookies. Read our privacy policy and terms of use.\n" + para(6))
    out.append("\n".join(rng.choice(sents) + "[1][edit]" + ("[citation needed]" if i % 3 else "") for i in range(12)))
    out.append(para(5) + "\n" + "x" * 1001 + " tail words here.\n" + para(5))
    for n_words in (10, 30, 45, 49, 50, 51, 55, 70):  # around Gopher's 50-word minimum
        words = " ".join(para(12).split()[:n_words])
        out.append(words)
        out.append(words.replace(" ", "\n", n_words // 3))
    for _ in range(6):  # numeric tables, title lists, short lines, list-like text
        out.append("\n".join(" ".join(str(rng.randint(0, 9999)) for _ in range(8)) for _ in range(15)))
        out.append("\n".join(rng.choice(sents).title().rstrip(".") for _ in range(25)))
        out.append("\n".join(rng.choice(sents)[: rng.randint(5, 40)] for _ in range(30)))
        out.append("\n".join(w for w in para(10).split()))
    chat = [
        "I don't know what you're talking about :) it's fine, isn't it?",
        "y'all gonna love this!!! lol :-D <3 <3",
        "Email me at john.doe@example.com or visit http://www.example.com/path?q=1&x=2 ... ok",
        "We'll see. They'd've done it by 5pm, wouldn't they? Can't say. U.S.A. vs. U.K. - e.g. Mr. Smith's.",
        "Prices: $5.99, €10, 25% off!!! 3x faster; 10km/h (approx.) [see note] {json: true}",
        "Hello.World and good-bye... Also: A.B.C. is a 'quote' and “smart quotes” — dash – en dash.",
    ]
    for k in range(1, 12):
        out.append("\n".join(rng.choice(chat) for _ in range(k * 3)))
    out.extend(
        [
            "",
            " ",
            "\n\n\n",
            ".",
            "word",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z. " * 3,
            "Line one.\r\nLine two is here.\r\n\r\nLine three.\r\n",
            "First\u2028second\u2029third\x0cfourth\x1cfifth line of text with the words and to of.",
            "\t\tIndented\ttext\twith\ttabs and the words of the and to be with that have.\n" * 6,
        ]
    )
    docs = [
        OracleDoc(f"synthetic/{i}", "synthetic", f"https://synthetic.example.org/doc/{i}", t)
        for i, t in enumerate(out)
    ]
    # prefixes of real web documents: short texts near the sentence / word-count / ratio thresholds
    for doc in real:
        if doc.source in ("aeb", "wcxb", "wet"):
            lines = doc.text.splitlines()
            for k in (2, 6):
                if len(lines) > k:
                    docs.append(OracleDoc(f"{doc.doc_id}/head{k}", "prefix", doc.url, "\n".join(lines[:k])))
    return docs


def corpus_documents() -> list[OracleDoc]:
    real = [OracleDoc(d.doc_id, d.source, d.url, _cap(d.text)) for d in fixture_documents()]
    return real + synthetic_documents(real)


# ---------------------------------------------------------------------------------------------------------------
# URLs
# ---------------------------------------------------------------------------------------------------------------


def url_corpus(domains: list[str], urls: list[str], words: dict[str, list[str]], seed: int = 11) -> list[str]:
    """Document URLs of the corpus plus synthetic URLs that hit every URL-filter rule and its near misses."""
    rng = random.Random(seed)
    out = [d.url for d in fixture_documents() if d.url]
    for domain in rng.sample(domains, min(300, len(domains))):
        out.append(f"https://{domain}/index.html")
        out.append(f"http://www.{domain}/a/b?c=1")
        out.append(f"https://shop.{domain}.example.net/")
    out.extend(rng.sample(urls, min(200, len(urls))))
    out.extend(u + "x" for u in rng.sample(urls, min(50, len(urls))))
    for word in words["banned_words"]:
        out.append(f"https://news.example.com/{word}/story-1")
        out.append(f"https://news.example.com/{word.upper()}-story")
        out.append(f"https://news.example.com/story{word}s")
    soft = words["soft_banned_words"]
    for _ in range(150):
        picked = rng.sample(soft, rng.choice((1, 2, 3)))
        out.append("https://blog.example.org/" + "-".join([*picked, "daily", "post"]))
    for sub in words["banned_subwords"]:
        out.append(f"https://www.example.com/x{sub}y/page")
    out += ["http://192.168.1.1/admin", "http://10.0.0.1:8080/", "https://localhost/x", "http://[::1]/", "https://a.b"]
    return out


# ---------------------------------------------------------------------------------------------------------------
# oracle
# ---------------------------------------------------------------------------------------------------------------

_FILTERS: dict[str, Any] = {}


def _worker_init() -> None:
    warnings.filterwarnings("ignore")
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    _FILTERS.update(
        gopher_rep=GopherRepetitionFilter(),
        gopher_qual=GopherQualityFilter(),
        c4_quality=C4QualityFilter(filter_no_terminal_punct=False),
        fineweb_qual=FineWebQualityFilter(),
    )


def _verdict(result: bool | tuple[bool, str]) -> tuple[bool, str | None]:
    if isinstance(result, tuple):
        return bool(result[0]), result[1]
    return bool(result), None


def _run_one(item: tuple[str, str, str]) -> dict[str, Any]:
    """datatrove verdicts for one text; ``cleaned`` is crawlforge's C4 output, used as FineWeb's input."""
    from datatrove.data import Document

    doc_id, text, cleaned = item
    out: dict[str, Any] = {"doc_id": doc_id}
    for name in ("gopher_rep", "gopher_qual"):
        try:
            out[name] = _verdict(_FILTERS[name].filter(Document(text=text, id=doc_id)))
        except ZeroDivisionError:
            out[name] = (None, "ZeroDivisionError")
    c4_doc = Document(text=text, id=doc_id)
    out["c4_quality"] = _verdict(_FILTERS["c4_quality"].filter(c4_doc))
    out["c4_text"] = c4_doc.text if out["c4_quality"][0] else None
    try:
        out["fineweb_qual"] = _verdict(_FILTERS["fineweb_qual"].filter(Document(text=cleaned, id=doc_id)))
    except ZeroDivisionError:
        out["fineweb_qual"] = (None, "ZeroDivisionError")
    return out


def run_text_oracle(items: list[tuple[str, str, str]], processes: int = 2) -> dict[str, dict[str, Any]]:
    """datatrove's GopherRepetition / GopherQuality / C4Quality / FineWebQuality verdicts per ``(id, text, cleaned)``.

    Longest texts first, so the two workers finish together.
    """
    order = sorted(items, key=lambda it: -len(it[1]))
    # spawn, not fork: the test process may hold a JVM gateway and other threads
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes, initializer=_worker_init, mp_context=context) as pool:
        results = list(pool.map(_run_one, order, chunksize=8))
    return {r["doc_id"]: r for r in results}


def run_url_oracle(urls: list[str], domains: list[str], block_urls: list[str]) -> list[tuple[bool, str | None]]:
    """datatrove's ``URLFilter`` verdicts with the given domain / URL blocklists and its bundled word lists."""
    warnings.filterwarnings("ignore")
    from datatrove.data import Document
    from datatrove.pipeline.filters import URLFilter
    from datatrove.utils._import_utils import ASSETS_PATH
    from tldextract import TLDExtract

    def lines(name: str) -> list[str]:
        with open(os.path.join(ASSETS_PATH, name), encoding="utf-8") as f:
            return f.readlines()

    f = URLFilter(
        extra_domains=domains,
        extra_urls=block_urls,
        banned_words=lines("banned_words.txt"),
        banned_subwords=lines("banned_subwords.txt"),
        soft_banned_words=lines("soft_banned_words.txt"),
        use_integrated_lists=False,
    )
    f.tldextractor = TLDExtract(suffix_list_urls=(), cache_dir=None)  # the bundled PSL snapshot, no network
    return [_verdict(f.filter(Document(text="", id=str(i), metadata={"url": u}))) for i, u in enumerate(urls)]
