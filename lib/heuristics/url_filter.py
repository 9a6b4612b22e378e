"""URL signals of FineWeb's ``URLFilter`` (RefinedWeb-style URL filtering).

Source: huggingface/datatrove 0.10.1 ``src/datatrove/pipeline/filters/url_filter.py`` (FineWeb recipe
``examples/fineweb.py``, step 2), after RefinedWeb (Penedo et al. 2023, §G.1). A document is dropped, in this
order, when

1. ``domain``: the registered domain (public-suffix aware, ``tldextract`` without private suffixes) is listed;
2. ``subdomain``: the fully qualified host name is listed;
3. ``url``: the exact URL is listed;
4. ``hard_blacklisted``: a banned word equals a URL token (URL split on ``[^a-zA-Z0-9]+``, case kept);
5. ``soft_blacklisted``: at least ``soft_word_threshold = 2`` soft-banned words are URL tokens;
6. ``blacklisted_subword``: a banned subword is a substring of the URL with every non-alphanumeric character
   removed and lower-cased.

The banned / soft-banned / subword lists ship with crawlforge (``resources/wordlists/datatrove``); the domain and
URL blocklists are configuration (files of one entry per line, read like datatrove: stripped lines, ``#`` lines
skipped). :func:`url_signals` only counts; the thresholds live in :mod:`crawlforge.lib.heuristics.decisions`.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any


__all__ = ["UrlFilterLists", "normalize_url_word", "url_signals"]

_NON_ALNUM = re.compile(r"[^a-zA-Z0-9]+")


def normalize_url_word(text: str) -> str:
    """Keep ``[a-zA-Z0-9]`` only and lower-case (datatrove's ``normalize``)."""
    return _NON_ALNUM.sub("", text).lower()


def _read_entries(lines: Iterable[str]) -> set[str]:
    # datatrove's parse_list(do_normalize=False): every line not starting with "#", stripped (empty lines give "")
    return {line.strip() for line in lines if not line.startswith("#")}


@dataclass(frozen=True)
class UrlFilterLists:
    """The lists one URL filter uses. Build once per worker; immutable and picklable.

    Attributes:
        domains: registered domains or host names to block (exact match on either).
        urls: full URLs to block (exact match).
        banned_words / soft_banned_words / banned_subwords: normalized words (see :func:`normalize_url_word`).
    """

    domains: frozenset[str] = frozenset()
    urls: frozenset[str] = frozenset()
    banned_words: frozenset[str] = frozenset()
    soft_banned_words: frozenset[str] = frozenset()
    banned_subwords: frozenset[str] = frozenset()

    @classmethod
    def fineweb(cls, domain_files: Iterable[str | Path] = (), url_files: Iterable[str | Path] = ()) -> UrlFilterLists:
        """FineWeb's word lists (shipped) plus domain / URL blocklists read from files or datatrove-style tarballs.

        A ``.tar.gz`` path is read like datatrove's bundled ``url_filterblacklistsv0_3_0.tar.gz``: its members
        named ``domains`` and ``urls`` are used.
        """
        from crawlforge.lib.heuristics.wordlists import url_filter_words

        domains: set[str] = set()
        urls: set[str] = set()
        for target, paths, member in ((domains, domain_files, "domains"), (urls, url_files, "urls")):
            for path in paths:
                target.update(_read_entries(_iter_lines(Path(path), member)))
        return cls(
            domains=frozenset(domains),
            urls=frozenset(urls),
            banned_words=url_filter_words("banned_words"),
            soft_banned_words=url_filter_words("soft_banned_words"),
            banned_subwords=url_filter_words("banned_subwords"),
        )

    @cached_property
    def _subword_re(self) -> re.Pattern[str] | None:
        words = sorted((w for w in self.banned_subwords if w), key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words))) if words else None


def _iter_lines(path: Path, member: str) -> Iterable[str]:
    if path.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(path, "r:gz") as tar:
            for info in tar.getmembers():
                if info.isfile() and Path(info.name).name == member:
                    f = tar.extractfile(info)
                    if f is not None:
                        yield from (line.decode("utf-8", "replace") for line in f)
        return
    with open(path, encoding="utf-8", errors="replace") as f:
        yield from f


_TLD_EXTRACTOR: Any = None


def _tld_extract(url: str) -> tuple[str, str]:
    """(registered domain, fully qualified host) of ``url``, from the Public Suffix List snapshot in tldextract."""
    global _TLD_EXTRACTOR  # noqa: PLW0603 - one extractor per worker process
    if _TLD_EXTRACTOR is None:
        import tldextract

        # suffix_list_urls=() : use the snapshot shipped in the wheel, never the network; no on-disk cache.
        _TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    info = _TLD_EXTRACTOR(url)
    if hasattr(info, "top_domain_under_public_suffix"):  # tldextract >= 5.3 renamed registered_domain
        registered = info.top_domain_under_public_suffix
    else:
        registered = info.registered_domain
    return registered, info.fqdn


def url_signals(url: str | None, lists: UrlFilterLists) -> dict[str, bool | int | None]:
    """URL-filter signals for one document; all ``None`` when the document has no URL.

    Columns:
        url_domain_blocked: registered domain is in ``lists.domains``.
        url_subdomain_blocked: fully qualified host is in ``lists.domains``.
        url_blocked: the exact URL is in ``lists.urls``.
        url_banned_words: number of distinct hard-banned words that are URL tokens.
        url_soft_banned_words: number of distinct soft-banned words that are URL tokens.
        url_banned_subwords: number of banned-subword occurrences (non-overlapping, longest first) in the
            normalized URL; 0 means none occurs.
    """
    if not url:
        return {
            "url_domain_blocked": None,
            "url_subdomain_blocked": None,
            "url_blocked": None,
            "url_banned_words": None,
            "url_soft_banned_words": None,
            "url_banned_subwords": None,
        }
    if lists.domains:
        registered, fqdn = _tld_extract(url)
        domain_blocked = registered in lists.domains
        subdomain_blocked = fqdn in lists.domains
    else:
        domain_blocked = subdomain_blocked = False
    tokens = set(_NON_ALNUM.split(url))
    sub_re = lists._subword_re
    return {
        "url_domain_blocked": domain_blocked,
        "url_subdomain_blocked": subdomain_blocked,
        "url_blocked": url in lists.urls,
        "url_banned_words": len(tokens & lists.banned_words),
        "url_soft_banned_words": len(tokens & lists.soft_banned_words),
        "url_banned_subwords": 0 if sub_re is None else len(sub_re.findall(normalize_url_word(url))),
    }
