"""Deterministic generator of a Common-Crawl-like crawl: WARC files plus a ground truth of what was planted.

Why this exists: ``make demo``, the tests and the benchmarks need WARC input that looks like Common Crawl,
is byte-identical on every machine, needs no network and comes in any size (600 pages for the demo,
hundreds of megabytes for benchmarks). Real CC files are large and cannot be shipped; a generator can plant
exactly the phenomena each pipeline stage must handle and record them, so stages can be scored against a
known answer (``ground_truth.jsonl``) instead of eyeballed.

What a sample contains (every kind is present in any sample of about 100 pages or more):

- HTML pages (``spec.pages`` HTTP-200 ``text/html`` responses) in 11 languages, English about half, written
  from per-language sentence templates and word lists (:mod:`crawlforge.lib.sample_vocab`) so that
  fastText lid.176 recognises them: ``article`` (encyclopedic prose), ``list`` (link lists, short lines),
  ``short`` (a bare page with one sentence), ``spam`` (keyword stuffing, repeated phrases, casino/pill
  words, hidden text), ``pii`` (contact pages with e-mails, phone numbers, IPs, card numbers, IBANs and
  look-alikes that are not PII), ``exact_dup`` (the payload of another page under another URL) and
  ``near_dup`` (a copy with a controlled fraction of words replaced).
- Per-host boilerplate: about 20 pages per host share a cookie banner, a ``<nav>`` menu and a footer.
- Charsets: most pages are UTF-8 declared in the HTTP header, some only in ``<meta charset>`` or
  ``<meta http-equiv>``; some French/German pages are windows-1252, Russian windows-1251 and Japanese
  Shift_JIS, always correctly declared.
- Extra responses beyond ``spec.pages``: non-HTML (JPEG, PDF, robots.txt, JSON), non-200 (301/302 with
  Location, 404, 500), one or two ``revisit`` records, and, as the very last record of the last file, a
  ``broken`` response whose block is shorter than its Content-Length (a clipped download, inside a complete
  gzip member).

The WARC layout follows Common Crawl: one gzip member per record; each file starts with a ``warcinfo``
record, then ``request``/``response``/``metadata`` per fetch, with correct ``sha1:`` base32 block and payload
digests. All randomness comes from ``random.Random`` seeded from ``spec.seed`` (one stream for the plan,
one per record), so any record can be regenerated on its own: a near-duplicate re-renders its original
instead of keeping every page in memory, which keeps memory flat for benchmark-sized samples.

Sizes and speed: the default spec (600 pages) is ~2.2 MB in 3 files and takes ~0.2 s; stored size is ~3.75 KB
per page (pages plus their share of extras, request and metadata records); one core writes ~10 MB/s of
.warc.gz (200 MB in ~20 s), CPU-bound.

``ground_truth.jsonl`` has one JSON object per response or revisit record, in file and offset order, keys sorted:
``warc_record_id`` (without ``<>``), ``url``, ``file`` (basename), ``kind`` (one of :data:`KINDS`), ``language``
(ISO 639-1 for HTTP-200 HTML, else null), ``charset``, ``charset_declared``, ``duplicate_of`` (record id of the
original for ``exact_dup``, ``near_dup`` and ``revisit``, else null), ``planted_jaccard`` (``near_dup`` only),
``pii`` (list, empty except on ``pii`` pages), ``http_status``, ``content_type`` (MIME type without parameters),
``host``, ``offset`` and ``length`` (of the record's gzip member in the file), and where they apply ``title``,
``changed_fraction`` (``near_dup``), ``hard_negatives`` (``pii``), ``refers_to`` (``revisit``) and
``declared_length``/``stored_length`` (``broken``). ``_spec.json`` records the spec, the generator version, the
file names and sizes; it is written last, so a folder without it is incomplete and is regenerated.

Byte-identity holds for the same CPython ``random`` algorithms (unchanged in 3.11/3.12) and the same zlib: the
decompressed records are identical everywhere, but a different zlib (e.g. zlib-ng) compresses differently.

Definitions a consumer needs:

- ``planted_jaccard`` is the Jaccard similarity of the sets of word 5-grams of the *visible text* of the
  original and the copy. Visible text: the text nodes of ``<body>`` (not ``<head>``, ``<script>``,
  ``<style>``), entities decoded, joined with spaces, split on whitespace (no lower-casing, punctuation kept).
  See :func:`visible_text` and :func:`shingle_jaccard`. Near-duplicates are made only from UTF-8 articles of
  space-separated languages.
- ``pii`` lists ``{"type", "value"}`` with the value exactly as written in the page; types are ``email``,
  ``phone``, ``ipv4_public``, ``ipv4_private``, ``ipv6_public``, ``ipv6_private``, ``credit_card`` (passes
  Luhn) and ``iban`` (valid check digits). ``hard_negatives`` lists look-alikes that are *not* PII: ``card_bad_luhn``,
  ``version`` (dotted quads such as 2.4.11.3), ``date``, ``price`` and ``hex_hash``.
- ``charset`` is the encoding of the payload bytes (``utf-8``, ``windows-1252``, ``windows-1251``,
  ``shift_jis``); ``charset_declared`` says where it is declared (``http``, ``meta``, ``http-equiv``). Exact
  duplicates keep their original's payload, so also its charset and declaration.
- ``language`` is the planted language; ``spam`` pages are English. fastText lid.176 agreed with it on every
  page of the samples checked (600 and 3,000 pages), though ``short`` pages are a single sentence without
  boilerplate, a weak signal for any identifier.
"""

from __future__ import annotations

import base64
import hashlib
import html
import ipaddress
import json
import math
import os
import pathlib
import random
import re
import string
import unicodedata
import uuid
import zlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

from crawlforge.lib.sample_vocab import FIRST_NAMES, LANGUAGES, LAST_NAMES, SPAM_WORDS, LangVocab


__all__ = [
    "GROUND_TRUTH_FILE",
    "KINDS",
    "SPEC_FILE",
    "SampleSpec",
    "generate_crawl",
    "generate_to_size",
    "shingle_jaccard",
    "visible_text",
]

#: Bump when the output of a spec changes, so an existing sample folder is regenerated.
GENERATOR_VERSION = 1
#: zlib level of the gzip members. Measured on these records: level 6 is only 3.6% smaller but 27% slower to
#: compress, and compression is about a fifth of the generator's time.
GZIP_LEVEL = 1
SPEC_FILE = "_spec.json"
GROUND_TRUTH_FILE = "ground_truth.jsonl"

PAGE_KINDS = ("article", "spam", "list", "short", "exact_dup", "near_dup", "pii")
EXTRA_KINDS = ("non_html", "non_200", "revisit", "broken")
KINDS = PAGE_KINDS + EXTRA_KINDS

#: Share of the HTML pages of each non-article kind; articles take the rest.
_PAGE_SHARES = {"spam": 0.04, "list": 0.04, "short": 0.03, "pii": 0.04, "exact_dup": 0.04, "near_dup": 0.05}
_EN_SHARE = 0.5
_PAGES_PER_HOST = 20
#: Fraction of the words of a near-duplicate that are replaced, cycled so the planted Jaccards spread
#: from clearly-duplicate to clearly-not.
_NEAR_DUP_CHANGES = (0.01, 0.03, 0.06, 0.1, 0.2)
#: Legacy encodings: language -> (WHATWG label, Python codec, every n-th article of the language).
_LEGACY = {
    "de": ("windows-1252", "cp1252", 6),
    "fr": ("windows-1252", "cp1252", 6),
    "ru": ("windows-1251", "cp1251", 4),
    "ja": ("shift_jis", "shift_jis", 4),
}
_NON_HTML = ("robots", "jpeg", "pdf", "json")
_NON_200 = ("301", "404", "302", "500")
_REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 404: "Not Found", 500: "Internal Server Error"}
_ISO3 = {
    "en": ("eng", "ENGLISH"), "de": ("deu", "GERMAN"), "fr": ("fra", "FRENCH"), "es": ("spa", "SPANISH"),
    "it": ("ita", "ITALIAN"), "pt": ("por", "PORTUGUESE"), "nl": ("nld", "DUTCH"), "ru": ("rus", "RUSSIAN"),
    "pl": ("pol", "POLISH"), "zh": ("zho", "Chinese"), "ja": ("jpn", "Japanese"),
}  # fmt: skip
_SERVERS = ("nginx/1.24.0", "Apache/2.4.58 (Ubuntu)", "cloudflare", "Microsoft-IIS/10.0", "LiteSpeed", "openresty")
_USER_AGENT = "crawlforge-sample/1.0 (synthetic crawl; https://example.org/crawlforge)"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EMPTY_SHA1 = "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"


@dataclass(frozen=True)
class SampleSpec:
    pages: int = 600  # number of HTML pages = WARC response records with HTTP 200 text/html
    files: int = 3  # number of .warc.gz files the records are spread over (pages round-robin)
    seed: int = 20261121
    snapshot: str = "SAMPLE-2026-47"


# ---------------------------------------------------------------------------------------------------------------
# Public helpers (the definitions ground truth is computed with)
# ---------------------------------------------------------------------------------------------------------------


_BODY_START = re.compile(r"<body\b[^>]*>", re.I)
_SCRIPT_STYLE = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


def visible_text(page: str) -> str:
    """Text of ``<body>`` outside scripts and styles: tags become spaces, entities are decoded.

    This is the input of ``planted_jaccard``. Regexes rather than an HTML parser: ~10x faster, and exact on
    the generator's well-formed markup.
    """
    m = _BODY_START.search(page)
    body = page[m.end() :] if m else page
    return html.unescape(_TAG.sub(" ", _SCRIPT_STYLE.sub(" ", body)))


def shingle_jaccard(a: str, b: str, n: int = 5) -> float:
    """Jaccard similarity of the sets of word n-grams (whitespace tokens) of two texts."""
    ta, tb = a.split(), b.split()
    sa = {tuple(ta[i : i + n]) for i in range(max(1, len(ta) - n + 1))}
    sb = {tuple(tb[i : i + n]) for i in range(max(1, len(tb) - n + 1))}
    union = sa | sb
    return len(sa & sb) / len(union) if union else 1.0


# ---------------------------------------------------------------------------------------------------------------
# Small utilities
# ---------------------------------------------------------------------------------------------------------------


def _digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _uuid(rng: random.Random) -> str:
    return f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _warc_date(dt: datetime) -> str:
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z"


def _http_date(dt: datetime) -> str:
    """RFC 7231 date without locale-dependent strftime names."""
    return (
        f"{_DAYS[dt.weekday()]}, {dt.day:02d} {_MONTHS[dt.month - 1]} {dt.year:04d} "
        f"{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d} GMT"
    )


def _ascii_slug(text: str, limit: int = 60) -> str:
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", norm).strip("-")[:limit].strip("-")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _base_time(spec: SampleSpec) -> datetime:
    """Start of the crawl: Monday of the ISO week in the snapshot name (``...-2026-47``), else from the seed."""
    m = re.search(r"(\d{4})-(\d{2})$", spec.snapshot)
    if m and 1 <= int(m.group(2)) <= 53:
        try:
            day = datetime.fromisocalendar(int(m.group(1)), int(m.group(2)), 1).replace(tzinfo=UTC)
        except ValueError:
            day = datetime(2026, 1, 1, tzinfo=UTC)
    else:
        day = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=spec.seed % 365)
    return day + timedelta(seconds=spec.seed % 36_000)


def _record_rng(seed: int, index: int) -> tuple[random.Random, tuple[str, str, str]]:
    """The random stream of one fetch, after drawing its request/response/metadata record ids.

    Seeding per fetch makes every record a pure function of (seed, index): duplicates can re-render their
    original and ground truth can name it without keeping pages in memory.
    """
    rng = random.Random((seed << 40) + index)
    return rng, (_uuid(rng), _uuid(rng), _uuid(rng))


# ---------------------------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------------------------


class _Lang:
    """A vocabulary with its templates compiled for fast filling.

    Each template becomes a list of (literal, choices) pairs where ``choices`` is a plain list (capitalised
    variants and year strings are precomputed), filled by indexing with ``rng.random()``: about 4x faster
    than ``rng.choice``/``format``, which matters because sentence filling is most of the generator's time.
    """

    def __init__(self, v: LangVocab) -> None:
        self.v = v
        self.sep = " " if v.spaced else ""
        slots: dict[str, list[str]] = {
            "S": [_cap(x) for x in v.subjects],
            "s": list(v.subjects),
            "V": list(v.verbs),
            "O": list(v.objects),
            "A": list(v.adverbials),
            "AC": [_cap(x) for x in v.adverbials],
            "C": list(v.connectors),
            "Y": [str(y) for y in range(1150, 2021)],
            "P": list(v.places),
        }
        self.templates: list[list[tuple[str, list[str] | None]]] = []
        for tpl in v.templates:
            parts = [(lit, slots[name] if name else None) for lit, name, _, _ in string.Formatter().parse(tpl)]
            self.templates.append(parts)
        words = {w for phrase in v.subjects + v.objects + v.adverbials for w in phrase.split()}
        self.words = sorted(words)

    def sentence(self, rng: random.Random) -> str:
        r = rng.random
        out = []
        for lit, choices in self.templates[int(r() * len(self.templates))]:
            out.append(lit)
            if choices is not None:
                out.append(choices[int(r() * len(choices))])
        return "".join(out)

    def paragraph(self, rng: random.Random, lo: int = 3, hi: int = 6) -> str:
        """lo..hi sentences (inclusive), filled inline (the hot loop of the generator)."""
        r = rng.random
        templates = self.templates
        n_tpl = len(templates)
        out = []
        for i in range(lo + int(r() * (hi - lo + 1))):
            if i:
                out.append(self.sep)
            for lit, choices in templates[int(r() * n_tpl)]:
                out.append(lit)
                if choices is not None:
                    out.append(choices[int(r() * len(choices))])
        return "".join(out)

    def title(self, rng: random.Random) -> str:
        return rng.choice(self.v.titles).format(P=rng.choice(self.v.places))


_LANGS: dict[str, _Lang] = {code: _Lang(v) for code, v in LANGUAGES.items()}


# ---------------------------------------------------------------------------------------------------------------
# Plan
# ---------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Host:
    name: str
    lang: str
    site: str
    ip: str
    server: str
    spam: bool = False
    head: str = ""  # stylesheet and scripts in <head>
    top: str = ""  # cookie banner, header and <nav>
    bottom: str = ""  # footer


@dataclass(slots=True)
class _Item:
    index: int
    kind: str
    lang: str | None
    host: _Host
    path: str
    charset: str = "utf-8"  # WHATWG label of the payload encoding
    declared: str = "http"  # http | meta | http-equiv
    original: int | None = None  # exact_dup / near_dup / revisit: index of the original fetch
    change: float | None = None  # near_dup: fraction of words replaced
    variant: str = ""  # non_html / non_200: which one


@dataclass
class _Plan:
    spec: SampleSpec
    items: list[_Item]  # by index
    files: list[list[int]]  # item indexes in record order, per file
    base: datetime


def _public_ipv4(rng: random.Random) -> str:
    while True:
        addr = ipaddress.IPv4Address(rng.getrandbits(32))
        if addr.is_global and not addr.is_multicast and addr.packed[0] not in (0, 127, 255):
            return str(addr)


def _quotas(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Deterministic counts per kind: at least one of each once there are 16 pages, articles take the rest."""
    counts = {k: (max(1, round(f * total)) if total >= 16 else int(f * total)) for k, f in shares.items()}
    while sum(counts.values()) > total - max(1, total // 2):  # keep at least half articles
        biggest = max(counts, key=lambda k: counts[k])
        if counts[biggest] == 0:
            break
        counts[biggest] -= 1
    return {"article": total - sum(counts.values()), **counts}


def _language_quotas(total: int) -> list[str]:
    """English about half, the other ten languages share the rest evenly (earlier ones get the remainder)."""
    codes = list(LANGUAGES)
    n_en = round(total * _EN_SHARE) if total >= len(codes) * 2 else max(1, total - (len(codes) - 1)) if total else 0
    rest = total - n_en
    others = codes[1:]
    counts = [rest // len(others) + (1 if i < rest % len(others) else 0) for i in range(len(others))]
    out = ["en"] * n_en
    for code, n in zip(others, counts, strict=True):
        out += [code] * n
    return out


def _make_host(rng: random.Random, lang: str, taken: set[str], spam: bool = False) -> _Host:
    v = LANGUAGES[lang]
    for attempt in range(1_000_000):
        if spam:
            words = rng.sample(("best", "cheap", "casino", "bonus", "pills", "deals", "win", "slots", "online"), 2)
            name = f"www.{words[0]}-{words[1]}-{rng.randint(10, 999)}.{rng.choice(('biz', 'xyz', 'top', 'info'))}"
            site = f"{_cap(words[0])} {_cap(words[1])} Online"
        else:
            word = rng.choice(v.site_words)
            place = _ascii_slug(rng.choice(v.places)) if v.spaced and lang != "ru" else rng.choice(v.site_words)
            suffix = str(attempt // 8 + 2) if attempt >= 8 or place == word else ""  # large samples: number them
            name = f"www.{word}-{place}{suffix}.{v.tld}"
            site = f"{_cap(word)} {_cap(place.replace('-', ' '))}"
        if name not in taken:
            taken.add(name)
            break
    else:  # pragma: no cover - 8 attempts per suffix always find a free name eventually
        raise RuntimeError("no free host name")
    host = _Host(name=name, lang=lang, site=site, ip=_public_ipv4(rng), server=rng.choice(_SERVERS), spam=spam)
    _host_boilerplate(rng, host)
    return host


def _host_boilerplate(rng: random.Random, host: _Host) -> None:
    """Cookie banner, header with <nav> and footer: identical on every page of the host."""
    v = LANGUAGES[host.lang]
    esc = html.escape
    theme = rng.choice(("classic", "magazine", "minimal", "portal"))
    color = f"#{rng.getrandbits(24):06x}"
    host.head = (
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="stylesheet" href="/static/css/{theme}.{rng.getrandbits(32):08x}.css">\n'
        f"<style>body{{font-family:Georgia,serif;margin:0}}.{theme}-header{{background:{color};color:#fff}}"
        f".cookie-banner{{position:fixed;bottom:0;width:100%;background:#222;color:#eee;padding:8px}}"
        f"nav ul{{list-style:none;display:flex;gap:1em}}footer{{font-size:small;color:#666}}</style>\n"
        f"<script>window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}"
        f"gtag('js',new Date());gtag('config','G-{rng.getrandbits(40):010X}');</script>\n"
    )
    if host.spam:
        host.top = f'<div class="top"><a href="/">{esc(host.site)}</a></div>\n'
        host.bottom = f"<footer><p>{esc(host.site)} - 18+ only - gamble responsibly</p></footer>\n"
        return
    slugs = ("", "news/", "topics/", "about/", "contact/", "privacy/")
    nav = "".join(f'<li><a href="/{s}">{esc(label)}</a></li>' for s, label in zip(slugs, v.nav, strict=True))
    host.top = (
        f'<div class="cookie-banner" id="cookie-consent"><p>{esc(v.cookie)}</p>'
        f'<button type="button" class="accept">{esc(v.accept)}</button></div>\n'
        f'<header class="{theme}-header"><a class="logo" href="/">{esc(host.site)}</a>\n'
        f'<nav class="main-menu"><ul>{nav}</ul></nav></header>\n'
    )
    links = "".join(f'<li><a href="/{s}">{esc(label)}</a></li>' for s, label in zip(slugs[3:], v.nav[3:], strict=True))
    host.bottom = (
        f'<footer class="site-footer"><p>{esc(v.footer.format(year=2026, site=host.site))}</p>'
        f"<ul>{links}</ul></footer>\n"
    )


def _build_plan(spec: SampleSpec) -> _Plan:
    """Decide every fetch (kind, language, host, URL, charset, file, order) before writing anything."""
    rng = random.Random(spec.seed)
    counts = _quotas(spec.pages, _PAGE_SHARES)
    base_kinds = ["article"] * counts["article"] + ["list"] * counts["list"]
    base_kinds += ["short"] * counts["short"] + ["pii"] * counts["pii"]
    rng.shuffle(base_kinds)
    langs = _language_quotas(len(base_kinds))
    taken: set[str] = set()
    by_lang: dict[str, list[int]] = {}
    for i, lang in enumerate(langs):
        by_lang.setdefault(lang, []).append(i)
    # About _PAGES_PER_HOST pages per host; a host is monolingual and shares its boilerplate.
    hosts: list[_Host] = []
    host_of: dict[int, _Host] = {}
    for lang, idxs in by_lang.items():
        n_hosts = max(1, round(len(idxs) / _PAGES_PER_HOST))
        lang_hosts = [_make_host(rng, lang, taken) for _ in range(n_hosts)]
        hosts += lang_hosts
        for j, i in enumerate(rng.sample(idxs, len(idxs))):
            host_of[i] = lang_hosts[j % n_hosts]
    items = [
        _Item(i, kind, lang, host_of[i], "") for i, (kind, lang) in enumerate(zip(base_kinds, langs, strict=True))
    ]
    for lang, idxs in by_lang.items():
        _assign_charsets([items[i] for i in idxs], lang)
    for it in items:
        it.path = _page_path(rng, it)
    if counts["spam"]:
        n_spam_hosts = max(1, round(counts["spam"] / _PAGES_PER_HOST))
        spam_hosts = [_make_host(rng, "en", taken, spam=True) for _ in range(n_spam_hosts)]
        for j in range(counts["spam"]):
            host = spam_hosts[j % n_spam_hosts]
            items.append(_Item(len(items), "spam", "en", host, f"/{rng.choice(SPAM_WORDS).replace(' ', '-')}-{j}"))
    articles = [it for it in items if it.kind == "article"]
    _add_duplicates(rng, items, articles, counts["exact_dup"], counts["near_dup"])
    n_pages = len(items)
    assert n_pages == spec.pages, (n_pages, spec.pages)

    # Pages are shuffled and dealt round-robin over the files; extras are spread the same way.
    order = list(range(n_pages))
    rng.shuffle(order)
    files: list[list[int]] = [order[f :: spec.files] for f in range(spec.files)]
    normal_hosts = hosts or [_make_host(rng, "en", taken)]
    extras: list[tuple[int, _Item]] = []
    n_each = max(4, round(spec.pages * 0.025))
    for kind, variants in (("non_html", _NON_HTML), ("non_200", _NON_200)):
        for j in range(n_each):
            variant = variants[j % len(variants)]
            host = normal_hosts[(j * 7 + len(extras)) % len(normal_hosts)]
            item = _Item(len(items), kind, None, host, _extra_path(rng, variant, j), variant=variant)
            items.append(item)
            extras.append((j % spec.files, item))
    for f, item in extras:
        positions = files[f]
        positions.insert(rng.randint(0, len(positions)), item.index)
    # Revisits at the end of a file (after their original, which is in the same file).
    n_revisits = 2 if spec.pages >= 200 else 1
    for r in range(n_revisits):
        f = r % spec.files
        candidates = [i for i in files[f] if items[i].kind == "article" and i < n_pages]
        if not candidates:
            continue
        orig = items[rng.choice(sorted(candidates))]
        rev = _Item(len(items), "revisit", orig.lang, orig.host, orig.path, original=orig.index)
        items.append(rev)
        files[f].append(rev.index)
    # The broken record: the very last record of the last file.
    host = normal_hosts[0]
    broken = _Item(len(items), "broken", host.lang, host, "")
    broken.path = _page_path(rng, broken)
    items.append(broken)
    files[-1].append(broken.index)
    return _Plan(spec, items, files, _base_time(spec))


def _assign_charsets(items: list[_Item], lang: str) -> None:
    """Most pages UTF-8 declared in HTTP; some declared only in <meta>; every n-th article in a legacy charset."""
    legacy = _LEGACY.get(lang)
    n_article = 0
    n_legacy = 0
    for j, it in enumerate(items):
        if it.kind == "article" and legacy and n_article % legacy[2] == 1:
            it.charset = legacy[0]
            it.declared = ("http", "meta", "http-equiv")[n_legacy % 3]
            n_legacy += 1
        elif j % 12 == 3:
            it.declared = "meta"
        elif j % 12 == 7:
            it.declared = "http-equiv"
        if it.kind == "article":
            n_article += 1


def _page_path(rng: random.Random, it: _Item) -> str:
    section = {"article": "wiki", "list": "archive", "short": "info", "pii": "contact", "broken": "wiki"}[it.kind]
    slug = _ascii_slug(_LANGS[it.host.lang].title(rng)) if LANGUAGES[it.host.lang].spaced and it.lang != "ru" else ""
    return f"/{section}/{slug or 'page'}-{it.index}" + (".html" if rng.random() < 0.3 else "")


def _extra_path(rng: random.Random, variant: str, j: int) -> str:
    return {
        "robots": "/robots.txt",
        "jpeg": f"/images/photo-{j}-{rng.getrandbits(24):06x}.jpg",
        "pdf": f"/files/annual-report-{rng.randint(2015, 2025)}-{j}.pdf",
        "json": f"/api/v1/articles/{rng.randint(1000, 99999)}?format=json",
        "301": f"/old/page-{j}.php",
        "302": f"/account/settings-{j}",
        "404": f"/wiki/deleted-page-{j}",
        "500": f"/search?q=archive+{j}",
    }[variant]


def _add_duplicates(rng: random.Random, items: list[_Item], articles: list[_Item], n_exact: int, n_near: int) -> None:
    if not articles:
        return
    exact_src = _pick(rng, articles, n_exact)
    for j, orig in enumerate(exact_src):
        path = orig.path + rng.choice(("?utm_source=newsletter", "?ref=home", "/amp", "?print=1")) + f"&v={j}"
        path = path.replace("/amp&", "/amp?")
        items.append(
            _Item(len(items), "exact_dup", orig.lang, orig.host, path, orig.charset, orig.declared, orig.index)
        )
    near_pool = [a for a in articles if a.charset == "utf-8" and LANGUAGES[a.lang or "en"].spaced]
    for j, orig in enumerate(_pick(rng, near_pool or articles, n_near)):
        change = _NEAR_DUP_CHANGES[j % len(_NEAR_DUP_CHANGES)]
        path = f"{orig.path.removesuffix('.html')}-{rng.choice(('copy', 'updated', 'v2', 'mirror'))}"
        items.append(_Item(len(items), "near_dup", orig.lang, orig.host, path, original=orig.index, change=change))


def _pick(rng: random.Random, pool: list[_Item], n: int) -> list[_Item]:
    """n originals, distinct while the pool allows."""
    if n <= len(pool):
        return rng.sample(pool, n)
    return [rng.choice(pool) for _ in range(n)]


# ---------------------------------------------------------------------------------------------------------------
# Page content
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class _Page:
    title: str
    main: str  # HTML of the main content
    truth: dict[str, Any] = field(default_factory=dict)
    bare: bool = False  # no host boilerplate


@dataclass
class _ArticleParts:
    title: str
    byline: str
    blocks: list[tuple[str, str]]  # ("h2" | "p", text)
    related: list[str]


def _article_parts(rng: random.Random, lang: _Lang, base: datetime) -> _ArticleParts:
    title = lang.title(rng)
    day = base - timedelta(days=rng.randint(30, 3000))
    byline = f"{day.year}-{day.month:02d}-{day.day:02d}"
    blocks: list[tuple[str, str]] = [("p", lang.paragraph(rng, 2, 4))]
    sections = rng.sample(lang.v.sections, k=min(len(lang.v.sections), rng.randint(2, 4)))
    for sec in sections:
        blocks.append(("h2", sec))
        for _ in range(rng.randint(1, 3)):
            blocks.append(("p", lang.paragraph(rng)))
    related = [lang.title(rng) for _ in range(3)]
    return _ArticleParts(title, byline, blocks, related)


def _article_main(parts: _ArticleParts, lang: _Lang) -> str:
    esc = html.escape
    out = [f'<article>\n<h1>{esc(parts.title)}</h1>\n<p class="byline"><time>{parts.byline}</time></p>\n']
    for tag, text in parts.blocks:
        out.append(f"<{tag}>{esc(text)}</{tag}>\n")
    out.append("</article>\n<aside><ul>")
    for t in parts.related:
        out.append(f'<li><a href="/wiki/{_ascii_slug(t) or "page"}">{esc(t)}</a></li>')
    out.append(f'</ul><p><a href="/topics/">{esc(lang.v.read_more)}</a></p></aside>\n')
    return "".join(out)


def _near_dup_parts(rng: random.Random, parts: _ArticleParts, lang: _Lang, change: float) -> _ArticleParts:
    """Copy the original's parts and replace ``change`` of the paragraph words by other words of the language."""
    words = {b: text.split() for b, (tag, text) in enumerate(parts.blocks) if tag == "p"}
    positions = [(b, t) for b, ws in words.items() for t in range(len(ws))]
    for b, t in rng.sample(positions, min(max(1, round(change * len(positions))), len(positions))):
        new = rng.choice(lang.words)
        while new == words[b][t]:
            new = rng.choice(lang.words)
        words[b][t] = new
    blocks = [(tag, " ".join(words[b]) if b in words else text) for b, (tag, text) in enumerate(parts.blocks)]
    return _ArticleParts(parts.title, parts.byline, blocks, parts.related)


def _list_page(rng: random.Random, lang: _Lang, base: datetime) -> _Page:
    esc = html.escape
    title = lang.v.list_title.format(P=rng.choice(lang.v.places))
    rows = []
    for _ in range(rng.randint(30, 60)):
        t = lang.title(rng)
        day = base - timedelta(days=rng.randint(1, 4000))
        rows.append(
            f'<li><a href="/wiki/{_ascii_slug(t) or "page"}-{rng.randint(1, 9999)}">{esc(t)}</a> '
            f"<span>{day.day:02d}.{day.month:02d}.{day.year}</span></li>\n"
        )
    pager = " ".join(f'<a href="?page={n}">{n}</a>' for n in range(1, rng.randint(4, 12)))
    main = f'<h1>{esc(title)}</h1>\n<ul class="archive">\n{"".join(rows)}</ul>\n<p class="pager">{pager}</p>\n'
    return _Page(title, main)


def _short_page(rng: random.Random, lang: _Lang, host: _Host) -> _Page:
    text = rng.choice(lang.v.short_texts)
    return _Page(host.site, f"<p>{html.escape(text)}</p>\n", bare=True)


def _spam_page(rng: random.Random) -> _Page:
    esc = html.escape
    words = SPAM_WORDS
    title = " | ".join(_cap(w) for w in rng.sample(words, 5)) + " 2026"
    phrase = f"{_cap(rng.choice(words))} {rng.choice(words)} {rng.choice(words)} - {rng.choice(words)} now!"
    out = [f"<h1>{esc(title)}</h1>\n"]
    for _ in range(rng.randint(3, 6)):
        out.append("<p>" + esc(" ".join(rng.choice(words) for _ in range(rng.randint(25, 60)))) + "</p>\n")
        out.append("<p><b>" + esc(" ".join([phrase] * rng.randint(4, 10))) + "</b></p>\n")
    links = "".join(
        f'<li><a href="/go?id={rng.randint(1, 99999)}">{esc(rng.choice(words))} {esc(rng.choice(words))}</a></li>'
        for _ in range(rng.randint(20, 40))
    )
    out.append(f"<ul>{links}</ul>\n")
    out.append('<div style="display:none">' + esc(" ".join(rng.choice(words) for _ in range(150))) + "</div>\n")
    return _Page(title, "".join(out))


# -- PII ---------------------------------------------------------------------------------------------------------


def _luhn_digit(payload: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def _card(rng: random.Random, valid: bool) -> str:
    prefix, length = rng.choice(
        (("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16))
    )
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(length - len(prefix) - 1))
    check = _luhn_digit(body)
    if not valid:
        check = (check + rng.randint(1, 9)) % 10
    number = body + str(check)
    sep = rng.choice((" ", "-", ""))
    groups = (4, 6, 5) if length == 15 else (4, 4, 4, 4)
    parts, pos = [], 0
    for g in groups:
        parts.append(number[pos : pos + g])
        pos += g
    return sep.join(parts)


_IBAN_FORMATS = {  # country -> BBAN pattern: n = digit, a = upper-case letter, c = digit or letter
    "DE": "n" * 18, "GB": "aaaa" + "n" * 14, "FR": "n" * 10 + "c" * 11 + "nn", "ES": "n" * 20, "NL": "aaaa" + "n" * 10,
    "IT": "a" + "n" * 10 + "c" * 12, "PL": "n" * 24, "PT": "n" * 21, "BE": "n" * 12,
}  # fmt: skip


def _iban(rng: random.Random, country: str) -> str:
    alphabet = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}
    bban = "".join(rng.choice(alphabet[c]) for c in _IBAN_FORMATS[country])
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = 98 - int(numeric) % 97
    iban = f"{country}{check:02d}{bban}"
    if rng.random() < 0.6:
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban


def _phone(rng: random.Random) -> str:
    d = lambda n: "".join(str(rng.randrange(10)) for _ in range(n))  # noqa: E731
    return rng.choice(
        (
            lambda: f"+44 20 7946 0{d(3)}",
            lambda: f"+1 (555) 010-0{d(3)}",
            lambda: f"+1 555-01{d(2)}-{d(4)}",
            lambda: f"+49 30 {d(6)}",
            lambda: f"+49 (0)89 {d(3)} {d(4)}",
            lambda: f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
            lambda: f"+34 91{d(1)} {d(3)} {d(3)}",
            lambda: f"+39 06 {d(4)} {d(4)}",
            lambda: f"+31 20 {d(3)} {d(4)}",
            lambda: f"+48 22 {d(3)} {d(2)} {d(2)}",
            lambda: f"+7 495 {d(3)}-{d(2)}-{d(2)}",
            lambda: f"+81 3-{d(4)}-{d(4)}",
            lambda: f"+86 10 {d(4)} {d(4)}",
            lambda: f"+351 21 {d(3)} {d(4)}",
        )
    )()


def _ipv6(rng: random.Random, public: bool) -> str:
    if public:
        while True:
            addr = ipaddress.IPv6Address((0x2A00 + rng.randrange(0x100)) << 112 | rng.getrandbits(64) << 48)
            if addr.is_global:
                return str(addr)
    prefix = rng.choice((0xFD00, 0xFE80))
    return str(ipaddress.IPv6Address(prefix << 112 | rng.getrandbits(16) << 80 | rng.getrandbits(32)))


def _private_ipv4(rng: random.Random) -> str:
    return rng.choice(
        (
            lambda: f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(1, 254)}",
            lambda: f"172.{rng.randint(16, 31)}.{rng.randrange(256)}.{rng.randint(1, 254)}",
            lambda: f"192.168.{rng.randrange(256)}.{rng.randint(1, 254)}",
        )
    )()


def _pii_page(rng: random.Random, lang: _Lang, host: _Host, base: datetime) -> _Page:
    esc = html.escape
    c = lang.v.contact
    domain = host.name.removeprefix("www.")
    pii: list[dict[str, str]] = []
    neg: list[dict[str, str]] = []

    def add(kind: str, value: str, into: list[dict[str, str]] = pii) -> str:
        into.append({"type": kind, "value": value})
        return esc(value)

    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    email1 = f"{first}.{last}@{domain}"
    email2 = f"{rng.choice(('redaktion', 'info', 'office', 'press', 'contact'))}{rng.randint(1, 99)}@{domain}"
    lines = [
        f'{esc(c["email"])}: <a href="mailto:{esc(email1)}">{add("email", email1)}</a>',
        f"{esc(c['phone'])}: {add('phone', _phone(rng))}",
        f"{esc(c['phone'])}: {add('phone', _phone(rng))}",
        f"{esc(c['bank'])}: {add('iban', _iban(rng, rng.choice(sorted(_IBAN_FORMATS))))}",
        f"{esc(c['card'])}: {add('credit_card', _card(rng, valid=True))}",
        f"{esc(c['card'])}: {add('card_bad_luhn', _card(rng, valid=False), neg)}",
        f"{esc(c['server'])}: {add('ipv4_public', _public_ipv4(rng))}, {add('ipv6_public', _ipv6(rng, True))}",
        f"LAN: {add('ipv4_private', _private_ipv4(rng))}, {add('ipv6_private', _ipv6(rng, False))}",
        f"{esc(c['version'])}: {add('version', '.'.join(str(rng.randint(0, 12)) for _ in range(4)), neg)}",
    ]
    day = base - timedelta(days=rng.randint(1, 900))
    date = rng.choice((f"{day.year}-{day.month:02d}-{day.day:02d}", f"{day.day:02d}.{day.month:02d}.{day.year}"))
    lines.append(f"{esc(c['updated'])}: {add('date', date, neg)}")
    price = rng.choice(
        (f"{rng.randint(5, 999)},{rng.randint(0, 99):02d} €", f"${rng.randint(5, 999)}.{rng.randint(0, 99):02d}")
    )
    lines.append(f"{esc(c['price'])}: {add('price', price, neg)}")
    lines.append(f"{esc(c['hash'])}: <code>{add('hex_hash', f'{rng.getrandbits(160):040x}', neg)}</code>")
    rng.shuffle(lines)
    intro = f"{esc(c['intro'])} {add('email', email2)} / {add('phone', _phone(rng))}"
    main = (
        f"<h1>{esc(c['title'])}</h1>\n<p>{intro}</p>\n<p>{esc(lang.paragraph(rng, 2, 3))}</p>\n"
        f'<ul class="contact">{"".join(f"<li>{line}</li>" for line in lines)}</ul>\n'
    )
    return _Page(c["title"], main, truth={"pii": pii, "hard_negatives": neg})


# -- assembly ----------------------------------------------------------------------------------------------------


def _html_document(it: _Item, page: _Page) -> str:
    host = it.host
    lang = it.lang or host.lang
    esc = html.escape
    if it.declared == "meta":
        decl = f'<meta charset="{it.charset}">\n'
    elif it.declared == "http-equiv":
        decl = f'<meta http-equiv="Content-Type" content="text/html; charset={it.charset}">\n'
    else:
        decl = ""
    if page.bare:
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{decl}<title>{esc(page.title)}</title>\n</head>\n'
            f"<body>\n{page.main}</body>\n</html>\n"
        )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n{decl}<title>{esc(page.title)} | {esc(host.site)}</title>\n'
        f"{host.head}</head>\n<body>\n{host.top}<main>\n{page.main}</main>\n{host.bottom}"
        f'<script src="/static/js/app.js" defer></script>\n</body>\n</html>\n'
    )


def _codec(label: str) -> str:
    return {"windows-1252": "cp1252", "windows-1251": "cp1251", "shift_jis": "shift_jis"}.get(label, "utf-8")


#: (HTTP status, HTTP headers with Content-Type first, body, ground-truth fields)
_Payload = tuple[int, list[tuple[str, str]], bytes, dict[str, Any]]


class _Renderer:
    """Renders the payload of each planned fetch; pure function of (spec, item)."""

    def __init__(self, plan: _Plan) -> None:
        self.plan = plan
        self.seed = plan.spec.seed

    def html_page(self, it: _Item, rng: random.Random) -> tuple[str, _Page]:
        lang = _LANGS[it.lang or it.host.lang]
        base = self.plan.base
        if it.kind in ("article", "broken"):
            parts = _article_parts(rng, lang, base)
            page = _Page(parts.title, _article_main(parts, lang))
        elif it.kind == "list":
            page = _list_page(rng, lang, base)
        elif it.kind == "short":
            page = _short_page(rng, lang, it.host)
        elif it.kind == "spam":
            page = _spam_page(rng)
        elif it.kind == "pii":
            page = _pii_page(rng, lang, it.host, base)
        elif it.kind == "near_dup":
            assert it.original is not None
            orig = self.plan.items[it.original]
            orig_rng, _ = _record_rng(self.seed, orig.index)
            orig_parts = _article_parts(orig_rng, lang, base)
            orig_html = _html_document(orig, _Page(orig_parts.title, _article_main(orig_parts, lang)))
            parts = _near_dup_parts(rng, orig_parts, lang, it.change or 0.0)
            page = _Page(parts.title, _article_main(parts, lang))
            doc = _html_document(it, page)
            page.truth["planted_jaccard"] = round(shingle_jaccard(visible_text(orig_html), visible_text(doc)), 6)
            return doc, page
        else:
            raise ValueError(f"not an HTML page kind: {it.kind}")
        return _html_document(it, page), page

    def payload(self, it: _Item, rng: random.Random) -> _Payload:
        """(status, HTTP headers, body, ground-truth fields) of one fetch."""
        truth: dict[str, Any] = {"language": it.lang, "charset": None, "charset_declared": None}
        if it.kind == "exact_dup":
            assert it.original is not None
            orig = self.plan.items[it.original]
            orig_rng, _ = _record_rng(self.seed, orig.index)
            status, headers, body, orig_truth = self.payload(orig, orig_rng)
            truth.update(charset=orig_truth["charset"], charset_declared=orig_truth["charset_declared"])
            truth["title"] = orig_truth.get("title")
            return status, headers, body, truth
        if it.kind in PAGE_KINDS or it.kind == "broken":
            doc, page = self.html_page(it, rng)
            body = doc.encode(_codec(it.charset), errors="xmlcharrefreplace")
            ctype = f"text/html; charset={it.charset.upper() if it.charset == 'utf-8' else it.charset}"
            if it.declared != "http":
                ctype = "text/html"
            truth.update(charset=it.charset, charset_declared=it.declared, title=page.title, **page.truth)
            return 200, [("Content-Type", ctype)], body, truth
        if it.kind == "non_html":
            return self._non_html(it, rng, truth)
        return self._non_200(it, rng, truth)

    def _non_html(self, it: _Item, rng: random.Random, truth: dict[str, Any]) -> _Payload:
        if it.variant == "robots":
            body = (
                "User-agent: *\nDisallow: /admin/\nDisallow: /search\nDisallow: /account/\n"
                f"Crawl-delay: {rng.randint(1, 10)}\n\nSitemap: https://{it.host.name}/sitemap.xml\n"
            ).encode()
            truth["charset"] = "utf-8"
            return 200, [("Content-Type", "text/plain")], body, truth
        if it.variant == "jpeg":
            head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00"
            body = head + rng.randbytes(rng.randint(1500, 6000)) + b"\xff\xd9"
            return 200, [("Content-Type", "image/jpeg")], body, truth
        if it.variant == "pdf":
            text = _LANGS[it.host.lang].sentence(rng).encode("ascii", "replace")
            stream = b"BT /F1 12 Tf 72 720 Td (" + text.replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
            body = (
                b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
                b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj\n"
                b"4 0 obj << /Length " + str(len(stream)).encode() + b" >> stream\n" + stream + b"\nendstream endobj\n"
                b"trailer << /Root 1 0 R >>\n%%EOF\n"
            )
            return 200, [("Content-Type", "application/pdf")], body, truth
        lang = _LANGS[it.host.lang]
        doc = {
            "id": rng.randint(1000, 99999),
            "title": lang.title(rng),
            "lang": it.host.lang,
            "tags": rng.sample(lang.v.sections, 2),
        }
        truth["charset"] = "utf-8"
        body = json.dumps(doc, ensure_ascii=False).encode()
        return 200, [("Content-Type", "application/json; charset=utf-8")], body, truth

    def _non_200(self, it: _Item, rng: random.Random, truth: dict[str, Any]) -> _Payload:
        status = int(it.variant)
        headers: list[tuple[str, str]] = [("Content-Type", "text/html; charset=UTF-8")]
        if status == 301:
            headers.append(("Location", f"https://{it.host.name}/wiki/page-{rng.randint(1, 9999)}"))
        elif status == 302:
            headers.append(("Location", f"/login?next={it.path.replace('/', '%2F')}"))
        reason = _REASONS[status]
        body = f"<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>\n".encode()
        truth["charset"] = "utf-8"
        return status, headers, body, truth


# ---------------------------------------------------------------------------------------------------------------
# WARC writing
# ---------------------------------------------------------------------------------------------------------------


def _warc_record(fields: list[tuple[str, str]], block: bytes, trailer: bytes = b"\r\n\r\n") -> bytes:
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields) + "\r\n"
    return head.encode("utf-8") + block + trailer


def _gzip_member(record: bytes) -> bytes:
    """One gzip member per record, as Common Crawl writes (records can be fetched with range requests)."""
    return zlib.compress(record, GZIP_LEVEL, wbits=31)


def _http_block(status: int, headers: list[tuple[str, str]], body: bytes, host: _Host, date: datetime) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS[status]}", f"Date: {_http_date(date)}", f"Server: {host.server}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines += [f"Content-Length: {len(body)}", "Cache-Control: max-age=600", "Vary: Accept-Encoding"]
    return ("\r\n".join([*lines, "Connection: close"]) + "\r\n\r\n").encode("latin-1") + body


class _WarcFileWriter:
    """Writes one WARC file of the plan and appends a ground-truth row per response/revisit record."""

    def __init__(self, plan: _Plan, f: int, name: str, fh: BinaryIO, truth_rows: list[dict[str, Any]]) -> None:
        self.plan = plan
        self.spec = plan.spec
        self.name = name
        self.fh = fh
        self.truth_rows = truth_rows
        self.renderer = _Renderer(plan)
        self.rng = random.Random(f"{self.spec.seed}:file:{f}")
        self.info_id = _uuid(self.rng)
        self.now = plan.base + timedelta(hours=3 * f)
        self.offset = 0
        self.written: dict[int, tuple[str, str, str]] = {}  # index -> (response id, WARC-Date, payload digest)
        self.hostname = f"sample-{f:05d}"

    def write(self, fields: list[tuple[str, str]], block: bytes, trailer: bytes = b"\r\n\r\n") -> tuple[int, int]:
        """One record as one gzip member; returns its (offset, length) in the file."""
        member = _gzip_member(_warc_record(fields, block, trailer))
        self.fh.write(member)
        start = self.offset
        self.offset += len(member)
        return start, len(member)

    def warcinfo(self) -> None:
        spec = self.spec
        info = (
            f"isPartOf: {spec.snapshot}\r\npublisher: crawlforge sample generator\r\n"
            f"description: Synthetic Common-Crawl-like sample (seed {spec.seed}, {spec.pages} pages)\r\n"
            f"operator: crawlforge\r\nhostname: {self.hostname}\r\n"
            f"software: crawlforge.lib.sample_crawl/{GENERATOR_VERSION}\r\nrobots: checked\r\n"
            "format: WARC File Format 1.0\r\n"
            "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/\r\n"
        ).encode()
        fields = [
            ("WARC-Type", "warcinfo"),
            ("WARC-Date", _warc_date(self.now)),
            ("WARC-Record-ID", f"<{self.info_id}>"),
            ("Content-Length", str(len(info))),
            ("Content-Type", "application/warc-fields"),
            ("WARC-Filename", self.name),
            ("WARC-Block-Digest", _digest(info)),
        ]
        self.write(fields, info)

    def fetch(self, idx: int) -> None:
        """request + response (or revisit) + metadata of one planned fetch, as Common Crawl writes them."""
        it = self.plan.items[idx]
        self.now += timedelta(seconds=self.rng.randint(0, 3))
        rng, (req_id, resp_id, meta_id) = _record_rng(self.spec.seed, idx)
        scheme = "http" if it.variant == "301" else "https"  # the 301s redirect http -> https
        url = f"{scheme}://{it.host.name}{it.path}"
        date = _warc_date(self.now)
        common = [("WARC-Warcinfo-ID", f"<{self.info_id}>"), ("WARC-IP-Address", it.host.ip), ("WARC-Target-URI", url)]
        request = (
            f"GET {it.path} HTTP/1.1\r\nUser-Agent: {_USER_AGENT}\r\n"
            "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            "Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: br,gzip\r\n"
            f"Host: {it.host.name}\r\nConnection: Keep-Alive\r\n\r\n"
        ).encode()
        self.write(
            [
                ("WARC-Type", "request"),
                ("WARC-Date", date),
                ("WARC-Record-ID", f"<{req_id}>"),
                ("Content-Length", str(len(request))),
                ("Content-Type", "application/http; msgtype=request"),
                *common,
                ("WARC-Payload-Digest", _EMPTY_SHA1),
                ("WARC-Block-Digest", _digest(request)),
            ],
            request,
        )
        head = [("WARC-Date", date), ("WARC-Record-ID", f"<{resp_id}>")]
        tail = [*common, ("WARC-Concurrent-To", f"<{req_id}>")]
        row: dict[str, Any] = {"warc_record_id": resp_id, "url": url, "file": self.name, "kind": it.kind}
        if it.kind == "revisit":
            self._revisit(it, head, tail, row)
        else:
            self._response(it, rng, head, tail, row)
            if it.kind == "broken":  # the last record of the file: nothing may follow it
                return
        meta = f"fetchTimeMs: {rng.randint(40, 2500)}\r\n"
        if row["language"]:
            code3, lname = _ISO3[row["language"]]
            meta += f"charset-detected: {str(row['charset']).upper()}\r\n"
            lang = {"code": row["language"], "code-iso-639-3": code3, "text-covered": 0.97, "score": 900.0}
            cld2 = {"reliable": True, "text-bytes": row["length"] * 2, "languages": [lang | {"name": lname}]}
            meta += f"languages-cld2: {json.dumps(cld2, separators=(',', ':'))}\r\n"
        meta_bytes = meta.encode()
        self.write(
            [
                ("WARC-Type", "metadata"),
                ("WARC-Date", date),
                ("WARC-Record-ID", f"<{meta_id}>"),
                ("Content-Length", str(len(meta_bytes))),
                ("Content-Type", "application/warc-fields"),
                ("WARC-Warcinfo-ID", f"<{self.info_id}>"),
                ("WARC-Concurrent-To", f"<{resp_id}>"),
                ("WARC-Target-URI", url),
                ("WARC-Block-Digest", _digest(meta_bytes)),
            ],
            meta_bytes,
        )

    def _response(
        self,
        it: _Item,
        rng: random.Random,
        head: list[tuple[str, str]],
        tail: list[tuple[str, str]],
        row: dict[str, Any],
    ) -> None:
        status, headers, body, truth = self.renderer.payload(it, rng)
        block = _http_block(status, headers, body, it.host, self.now)
        mime = headers[0][1].split(";")[0]
        payload_digest = _digest(body)
        fields = [
            ("WARC-Type", "response"),
            *head,
            ("Content-Length", str(len(block))),
            ("Content-Type", "application/http; msgtype=response"),
            *tail,
            ("WARC-Payload-Digest", payload_digest),
            ("WARC-Block-Digest", _digest(block)),
            ("WARC-Identified-Payload-Type", mime),
        ]
        if it.kind == "broken":  # a clipped download: the block stops short of its Content-Length
            stored = len(block) * 11 // 20
            offset, length = self.write(fields, block[:stored], trailer=b"")
            row.update(declared_length=len(block), stored_length=stored)
        else:
            offset, length = self.write(fields, block)
        self.written[it.index] = (row["warc_record_id"], head[0][1], payload_digest)
        is_page = status == 200 and mime == "text/html"
        row.update(
            language=truth["language"] if is_page else None,
            charset=truth["charset"],
            duplicate_of=None if it.original is None else _record_rng(self.spec.seed, it.original)[1][1],
            planted_jaccard=truth.get("planted_jaccard"),
            pii=truth.get("pii", []),
            http_status=status,
            content_type=mime,
            charset_declared=truth["charset_declared"],
            host=it.host.name,
            offset=offset,
            length=length,
        )
        if it.change is not None:
            row["changed_fraction"] = it.change
        if "hard_negatives" in truth:
            row["hard_negatives"] = truth["hard_negatives"]
        if truth.get("title"):
            row["title"] = truth["title"]
        self.truth_rows.append(row)

    def _revisit(
        self, it: _Item, head: list[tuple[str, str]], tail: list[tuple[str, str]], row: dict[str, Any]
    ) -> None:
        """An identical-payload revisit of an earlier response of this file: HTTP headers only, no payload."""
        assert it.original is not None
        orig_id, orig_date, orig_digest = self.written[it.original]
        orig = self.plan.items[it.original]
        _, headers, _, _ = self.renderer.payload(orig, _record_rng(self.spec.seed, orig.index)[0])
        block = _http_block(200, headers, b"", it.host, self.now)
        fields = [
            ("WARC-Type", "revisit"),
            *head,
            ("Content-Length", str(len(block))),
            ("Content-Type", "application/http; msgtype=response"),
            *tail,
            ("WARC-Profile", "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
            ("WARC-Refers-To", f"<{orig_id}>"),
            ("WARC-Refers-To-Target-URI", row["url"]),
            ("WARC-Refers-To-Date", orig_date),
            ("WARC-Payload-Digest", orig_digest),
            ("WARC-Block-Digest", _digest(block)),
        ]
        offset, length = self.write(fields, block)
        row.update(language=None, charset=None, duplicate_of=orig_id, planted_jaccard=None, pii=[])
        row.update(http_status=200, content_type=None, charset_declared=None, refers_to=orig_id)
        row.update(host=it.host.name, offset=offset, length=length)
        self.truth_rows.append(row)


def _write_file(plan: _Plan, f: int, out_path: pathlib.Path, name: str, truth_rows: list[dict[str, Any]]) -> None:
    with open(out_path, "wb") as fh:
        writer = _WarcFileWriter(plan, f, name, fh, truth_rows)
        writer.warcinfo()
        for idx in plan.files[f]:
            writer.fetch(idx)


# ---------------------------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------------------------


def _file_names(spec: SampleSpec) -> list[str]:
    return [f"{spec.snapshot}-{f:05d}.warc.gz" for f in range(spec.files)]


def _spec_record(spec: SampleSpec, target_bytes: int | None) -> dict[str, Any]:
    return {"generator_version": GENERATOR_VERSION, **asdict(spec), "target_bytes": target_bytes}


def _existing(out: pathlib.Path, want: dict[str, Any], keys: tuple[str, ...]) -> list[pathlib.Path] | None:
    """The sample files if ``_spec.json`` records the same values for ``keys`` and every file is there."""
    try:
        recorded = json.loads((out / SPEC_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if any(recorded.get(k) != want.get(k) for k in keys):
        return None
    paths = [out / n for n in recorded.get("warc_files", [])]
    if not paths or not all(p.is_file() for p in paths) or not (out / GROUND_TRUTH_FILE).is_file():
        return None
    return sorted(paths)


def _remove_previous(out: pathlib.Path) -> None:
    """Delete the files of the sample recorded in ``_spec.json`` (and nothing else)."""
    try:
        recorded = json.loads((out / SPEC_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        recorded = {}
    (out / SPEC_FILE).unlink(missing_ok=True)
    for name in [*recorded.get("warc_files", []), GROUND_TRUTH_FILE]:
        if isinstance(name, str) and "/" not in name:
            (out / name).unlink(missing_ok=True)


def _check_spec(spec: SampleSpec) -> None:
    if spec.pages < 1 or spec.files < 1:
        raise ValueError(f"a sample needs at least one page and one file: {spec}")
    if spec.seed < 0:
        raise ValueError(f"the seed must be non-negative: {spec}")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec.snapshot):  # it becomes part of file names
        raise ValueError(f"snapshot must be letters, digits, '.', '_' or '-': {spec.snapshot!r}")


def _write_sample(out: pathlib.Path, spec: SampleSpec, target_bytes: int | None) -> list[pathlib.Path]:
    _check_spec(spec)
    out.mkdir(parents=True, exist_ok=True)
    _remove_previous(out)
    plan = _build_plan(spec)
    names = _file_names(spec)
    truth_rows: list[dict[str, Any]] = []
    paths = []
    for f, name in enumerate(names):
        tmp = out / f".{name}.tmp"
        _write_file(plan, f, tmp, name, truth_rows)
        os.replace(tmp, out / name)
        paths.append(out / name)
    tmp = out / f".{GROUND_TRUTH_FILE}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        for row in truth_rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    os.replace(tmp, out / GROUND_TRUTH_FILE)
    record = _spec_record(spec, target_bytes)
    record["warc_files"] = names
    record["warc_bytes"] = sum(p.stat().st_size for p in paths)
    record["responses"] = len(truth_rows)
    tmp = out / f".{SPEC_FILE}.tmp"
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, out / SPEC_FILE)  # written last: a folder with a _spec.json is complete
    return sorted(paths)


def generate_crawl(output_dir: str | os.PathLike[str], spec: SampleSpec) -> list[pathlib.Path]:
    """Write spec.files WARC files + ``<output_dir>/ground_truth.jsonl``; return the WARC paths sorted.

    Same spec -> byte-identical files. If ``<output_dir>/_spec.json`` already records the same spec (and
    generator version) and the files exist, they are returned without rewriting; a different spec replaces
    the folder's sample files (only those the old ``_spec.json`` lists, plus the ground truth).
    """
    out = pathlib.Path(output_dir)
    want = _spec_record(spec, None)
    found = _existing(out, want, ("generator_version", "pages", "files", "seed", "snapshot"))
    if found is not None:
        return found
    return _write_sample(out, spec, None)


#: Stored bytes per HTML page (with its share of extras and request/metadata records), measured on the
#: default mix; generate_to_size aims a few percent above the target with it and grows if it falls short.
_BYTES_PER_PAGE = 3600


def generate_to_size(
    output_dir: str | os.PathLike[str],
    target_bytes: int,
    seed: int = 20261121,
    snapshot: str = "SAMPLE-2026-47",
    files: int | None = None,
) -> list[pathlib.Path]:
    """At least ``target_bytes`` of .warc.gz (for benchmarks); same idempotence as :func:`generate_crawl`.

    ``files`` defaults to one file per 64 MiB. The page count is estimated from the target; if the result
    is smaller than the target, the sample is regenerated with proportionally more pages.
    """
    if target_bytes < 1:
        raise ValueError("target_bytes must be positive")
    out = pathlib.Path(output_dir)
    n_files = files or max(1, math.ceil(target_bytes / (64 << 20)))
    want = {"generator_version": GENERATOR_VERSION, "seed": seed, "snapshot": snapshot, "target_bytes": target_bytes}
    keys = ("generator_version", "seed", "snapshot", "target_bytes") + (("files",) if files else ())
    if files:
        want["files"] = files
    found = _existing(out, want, keys)
    if found is not None:
        return found
    pages = max(1, math.ceil(target_bytes * 1.03 / _BYTES_PER_PAGE))
    while True:
        spec = SampleSpec(pages=pages, files=n_files, seed=seed, snapshot=snapshot)
        paths = _write_sample(out, spec, target_bytes)
        total = sum(p.stat().st_size for p in paths)
        if total >= target_bytes:
            return paths
        pages = math.ceil(pages * target_bytes / max(total, 1) * 1.03) + 1
