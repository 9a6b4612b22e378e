"""PII detection and redaction: e-mail addresses, public IP addresses, phone numbers, payment cards, IBANs.

Pure functions over ``str``, built for billions of pages: every pattern is compiled once at import, each detector
runs behind a cheap prefilter (an ``@`` for e-mail, a digit for everything else) and starts with a literal or a
single character class so that CPython's regex engine can skip non-candidate positions in C; no pattern can
backtrack catastrophically (the e-mail local part, the one unbounded run, is found by one anchored match on the
reversed text instead of a left-to-right search). Any ``str`` is accepted, including empty text, lone
surrogates and megabyte-long runs; ``None`` and bytes are coerced (bytes as UTF-8 with replacement). Detection
never raises on text.

API
---
:func:`find_pii` returns sorted, non-overlapping :class:`PiiSpan` ``(type, start, end, value)``, with
``text[start:end] == value``. :func:`redact` returns :class:`RedactResult` ``(text, counts)``:

``mode="placeholder"`` (default)
    every span becomes a typed placeholder (:data:`PLACEHOLDERS`: ``<EMAIL>``, ``<IP_ADDRESS>``, ``<PHONE>``,
    ``<CREDIT_CARD>``, ``<IBAN>``); ``placeholders=`` overrides them, e.g. :data:`DOLMA_PLACEHOLDERS` (Dolma's
    mixer strings, anchors.md section B6: ``" |||EMAIL_ADDRESS||| "``, ``" |||PHONE_NUMBER||| "``,
    ``" |||IP_ADDRESS||| "``; Dolma has no card or IBAN entity, so those keep ours).
``mode="fineweb"``
    e-mail and IPv4 are found with the exact semantics of FineWeb's ``PIIFormatter`` (huggingface/datatrove
    0.10.1 ``src/datatrove/pipeline/formatters/pii.py``, anchors.md section B2) and replaced with its dummy values,
    cycling through :data:`FINEWEB_EMAIL_REPLACEMENTS` and :data:`FINEWEB_IP_REPLACEMENTS`.
    ``redact(text, "fineweb", types=FINEWEB_TYPES)`` equals ``PIIFormatter().format(text)`` of a fresh formatter
    (tests/lib/test_pii.py checks it on the fixture corpus). FineWeb has no IPv6, phone, card or IBAN redaction;
    when those types are asked for they get the placeholders above. One deliberate difference: datatrove's
    replacement counter lives in the formatter object and carries on from one document to the next, so the value a
    document gets depends on which documents the same task processed before it. Here each call starts the cycle at
    ``fineweb_start`` (default ``(0, 0)``: every document as if it were first), so output never depends on Spark
    partitioning (DESIGN.md principle 4). To replay a datatrove task exactly, pass the running counts.
    ``types="ipv4"`` alone equals ``PIIFormatter(remove_emails=False)`` (IPs inside e-mails are then replaced).

:func:`count_pii` gives the per-type counts alone (the ``signals`` columns). ``rules="fineweb"`` on
:func:`find_pii` returns FineWeb's e-mail/IPv4 spans. ``types`` selects types; ``"ip"`` means both IP versions.

Types and where their rules come from
-------------------------------------
``email``
    *fineweb rules*: datatrove's regex (an RFC 5322-style local part after ``\\b``, a dotted host name of
    ``[A-Za-z0-9-]`` labels with no TLD check, or a bracketed domain literal). *crawlforge rules* (the default):
    local part of ASCII letters, digits, ``._%+-`` and Latin-1/Latin Extended-A/B letters (RFC 6531 addresses
    such as ``müller@...``), at most 64 characters (RFC 5321 section 4.5.3.1.1); host labels per RFC 1035
    (letters, digits, inner hyphens, at most 63); the last label must be a top-level domain of the ICANN section
    of the Public Suffix List (the snapshot bundled in ``tldextract``, a runtime dependency; never fetched), so
    ``user@server.local``, ``logo@2x.png``, ``lodash@4.17.21`` and ``a@b.c`` are not e-mail. Trailing labels
    that are not TLDs are dropped (``name@example.com.Next``). Also rejected: ``user@host.tld:path`` (scp/ssh
    remotes such as ``git@github.com:org/repo``), the user info of a URL (``http://user:pass@host.example.com``)
    and ``name@2x.ext`` image names. An apostrophe inside the local part is kept (``sean.o'brien@...``).
``ipv4``
    *fineweb rules*: datatrove's dotted-quad regex (no word boundaries, so it also matches inside longer digit
    runs) kept only when ``ipaddress.ip_address(match).is_global``; it runs on the text left after e-mail
    replacement. *crawlforge rules*: a dotted quad not glued to letters, digits or further ``.digit`` groups
    (``1.2.3.4.5`` is not an address), ``is_global`` (this interpreter's ``ipaddress``; FineWeb's semantics:
    private, loopback, link-local, shared CGN, documentation, reserved and broadcast addresses are not PII) and
    not multicast (224/4 names a group, not a host, although Python < 3.13 calls it global), and not preceded by
    a version or numbering cue (``version``, ``v``, ``build``, ``release``, ``firmware``, ``section``, ``OID``...),
    which keeps ``version 1.2.3.4`` and ``section 2.1.3.4`` out.
``ipv6``
    (no FineWeb equivalent) a colon-hexadecimal run that ``ipaddress.IPv6Address`` accepts and that is a global
    unicast address (``2000::/3`` and ``is_global``: documentation ``2001:db8::/32``, ``fe80::/10``, ``fc00::/7``,
    loopback and the unspecified address are not PII) or an IPv4-mapped address whose IPv4 part is global.
    Requiring ``2000::/3`` keeps code such as ``a[1::2]`` or ``dead::beef`` (which ``is_global`` accepts) out.
``phone``
    (no FineWeb equivalent; Dolma's regex, anchors.md B6, covers US numbers only) four shapes, all with separators
    unless a ``+`` says it is a number: international (``+``, ``00`` or ``(+44)``, then an ITU-T E.164 country
    code and a national number whose length fits that country's numbering plan, digits in groups separated by
    space, ``-``, ``.`` or ``/``, an optional ``(0)`` trunk digit); North American (NANP, ITU-T E.164 country 1:
    area code and exchange ``[2-9]XX``, ``(415) 555-2671``, ``415-555-2671``, optional leading ``1``); national
    numbers with a trunk ``0`` (``020 7946 0958``, ``030 1234567``, ``01 23 45 67 89``, ``(02) 9876 5432``,
    ``03-1234-5678``: 9 to 12 digits); and Brazilian ``(11) 91234-5678``. Rejected: dates and date-times, times,
    prices, IP-like quads, US ZIP+4 codes, lists of like-separated numbers (``04 11 23 35 42 49``), numbers glued
    to words, paths or ids (``FHC/ABJ/03/095/2018``), and numbers right after an identifier label (``ISBN``,
    ``Order #``, ``invoice``, ``serial number:``, ``IMEI``, ``Ticket ID:``...). A number followed by more digit
    groups is cut where its length fits (``+1 415 555 0132 2024``).
``credit_card``
    13 to 19 digits, unseparated or grouped like a printed card (4-4-4-4, 4-4-4-4-3, 4-6-5 Amex, 4-6-4 Diners, a
    consistent space or hyphen), a Luhn checksum (ISO/IEC 7812-1 annex B), and an issuer prefix with a length it
    issues (the networks' published IIN ranges: Visa 16/19, Mastercard incl. 2221-2720, Amex, Discover, JCB,
    Diners, UnionPay, Maestro, Mir, RuPay). About one random number in ten passes Luhn; the issuer/length table
    and the grouping rule reject most of those. Not cards: 13-digit Visa (retired, and indistinguishable from
    EAN-13 barcodes starting with 4), a card-shaped window inside a longer list of numbers, and numbers after an
    identifier label.
``iban``
    ISO 13616: two-letter country code, two check digits, a BBAN of exactly the length the SWIFT IBAN registry
    gives for that country (:data:`IBAN_LENGTHS`), printed compact or in groups, and the ISO 7064 MOD 97-10 check
    (the rearranged number modulo 97 is 1). Upper case only.

Not detected (by design): names, postal addresses, national ids (SSNs, passport numbers), dates of birth,
obfuscated addresses (``john [at] example [dot] com``), local 7-digit numbers (``555-1234``) and national numbers
without a trunk 0 or ``+`` (``912 345 678``): none can be told from ordinary numbers or words by a pattern with
the precision a corpus-wide redaction needs.
"""

from __future__ import annotations

import bisect
import contextlib
import ipaddress
import itertools
import pkgutil
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Literal, NamedTuple


__all__ = [
    "ALL_TYPES",
    "DOLMA_PLACEHOLDERS",
    "FINEWEB_EMAIL_REPLACEMENTS",
    "FINEWEB_IP_REPLACEMENTS",
    "FINEWEB_TYPES",
    "IBAN_LENGTHS",
    "PLACEHOLDERS",
    "PiiSpan",
    "RedactResult",
    "count_pii",
    "find_pii",
    "iban_checksum_ok",
    "luhn_ok",
    "redact",
]

PiiType = Literal["email", "ipv4", "ipv6", "phone", "credit_card", "iban"]
RedactMode = Literal["placeholder", "fineweb"]
Rules = Literal["crawlforge", "fineweb"]

#: every type, in the order overlaps are resolved (an earlier type wins a contested stretch of text)
ALL_TYPES: tuple[str, ...] = ("email", "iban", "credit_card", "ipv6", "ipv4", "phone")
#: the types FineWeb's ``PIIFormatter`` redacts
FINEWEB_TYPES: tuple[str, ...] = ("email", "ipv4")
#: ``types=`` aliases
_ALIASES: dict[str, tuple[str, ...]] = {"ip": ("ipv4", "ipv6"), "ip_address": ("ipv4", "ipv6")}

PLACEHOLDERS: dict[str, str] = {
    "email": "<EMAIL>",
    "ipv4": "<IP_ADDRESS>",
    "ipv6": "<IP_ADDRESS>",
    "phone": "<PHONE>",
    "credit_card": "<CREDIT_CARD>",
    "iban": "<IBAN>",
}
#: Dolma's mixer replacement strings (allenai/dolma, anchors.md section B6); cards and IBANs keep ours.
DOLMA_PLACEHOLDERS: dict[str, str] = {
    **PLACEHOLDERS,
    "email": " |||EMAIL_ADDRESS||| ",
    "ipv4": " |||IP_ADDRESS||| ",
    "ipv6": " |||IP_ADDRESS||| ",
    "phone": " |||PHONE_NUMBER||| ",
}
#: ``PIIFormatter`` defaults, datatrove 0.10.1 ``formatters/pii.py`` (example.com/org are reserved by IANA)
FINEWEB_EMAIL_REPLACEMENTS: tuple[str, ...] = ("email@example.com", "firstname.lastname@example.org")
#: ``PIIFormatter`` defaults ("randomly generated list of ips", datatrove 0.10.1 ``formatters/pii.py``)
FINEWEB_IP_REPLACEMENTS: tuple[str, ...] = (
    "22.214.171.124",
    "126.96.36.199",
    "188.8.131.52",
    "184.108.40.206",
    "220.127.116.11",
    "18.104.22.168",
)


class PiiSpan(NamedTuple):
    """One detected item: its type (one of :data:`ALL_TYPES`), ``text[start:end]``, and that text."""

    type: str
    start: int
    end: int
    value: str


class RedactResult(NamedTuple):
    """Redacted text and the number of replaced spans per requested type (zero included)."""

    text: str
    counts: dict[str, int]


# ---------------------------------------------------------------------------------------------------------------
# shared helpers
# ---------------------------------------------------------------------------------------------------------------

_HAS_DIGIT = re.compile(r"[0-9]").search
_WORD_CHAR = re.compile(r"\w").match  # Python's Unicode \w, the same test as the regex engine's \b


def _word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of ``words``."""
    return frozenset(words.split())


def _as_text(text: object) -> str:
    """``text`` as ``str``: ``None`` is empty, bytes are decoded as UTF-8 with replacement characters."""
    if isinstance(text, str):
        return text
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray | memoryview):
        return bytes(text).decode("utf-8", "replace")
    return str(text)


def _resolve_types(types: Iterable[str] | str | None) -> frozenset[str]:
    """The requested types as a set; aliases ``ip``/``ip_address`` mean both IP versions."""
    if types is None:
        return frozenset(ALL_TYPES)
    if isinstance(types, str):
        types = (types,)
    out: set[str] = set()
    for name in types:
        key = str(name).lower()
        if key in _ALIASES:
            out.update(_ALIASES[key])
        elif key in PLACEHOLDERS:
            out.add(key)
        else:
            raise ValueError(f"unknown PII type {name!r}; expected some of {ALL_TYPES} (or 'ip')")
    return frozenset(out)


def _reversed_run_start(text: str, lo: int, end: int, run_rev: re.Pattern[str]) -> int:
    """Start of the longest run of ``run_rev``'s characters ending at ``end``, not before ``lo``.

    ``run_rev`` is a ``[chars]*`` pattern matched once, anchored, on the reversed text: linear in the run
    length, where a left-to-right regex search for "run followed by @" is quadratic on long runs (base64 blobs).
    The window grows geometrically, so a typical call reverses only 64 characters.
    """
    width = 64
    while True:
        start = max(lo, end - width)
        seg = text[start:end][::-1]
        m = run_rev.match(seg)
        k = m.end() if m else 0
        if k < len(seg) or start == lo:
            return end - k
        width *= 8


# ---------------------------------------------------------------------------------------------------------------
# IP validity
# ---------------------------------------------------------------------------------------------------------------


def _fineweb_ip_ok(candidate: str) -> bool:
    """datatrove ``public_ip_validator``: ``ipaddress.ip_address(ip).is_global``; unparsable is not an IP."""
    try:
        return ipaddress.ip_address(candidate).is_global
    except ValueError:
        return False


def _ipv4_pii(candidate: str) -> bool:
    """A globally reachable unicast IPv4 address (``is_global`` and not multicast); unparsable is not one.

    ``ipaddress`` rejects octets above 255 and leading zeros (``010.1.1.1``), both ambiguous in the wild.
    """
    try:
        addr = ipaddress.IPv4Address(candidate)
    except ValueError:
        return False
    return addr.is_global and not addr.is_multicast


_IPV6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")


def _ipv6_pii(candidate: str) -> bool:
    """Global unicast IPv6 (RFC 4291 section 2.4: ``2000::/3``, and ``is_global``) or IPv4-mapped global IPv4."""
    try:
        addr = ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    mapped = addr.ipv4_mapped
    if mapped is not None:
        return mapped.is_global and not mapped.is_multicast
    return addr in _IPV6_GLOBAL_UNICAST and addr.is_global


# ---------------------------------------------------------------------------------------------------------------
# FineWeb (datatrove PIIFormatter) semantics: e-mail and IPv4
# ---------------------------------------------------------------------------------------------------------------
#
# datatrove substitutes, in this order, over the whole text:
#   email  \b LOCAL @ DOMAIN       LOCAL  = [atext]+(?:\.[atext]+)*   (atext: A-Za-z0-9 and !#$%&'*+/=?^_`{|}~-)
#                                  DOMAIN = (?:LABEL\.)+LABEL | \[ (OCTET\.){3} (OCTET | [A-Za-z0-9-]*[A-Za-z0-9]:) \]
#                                  LABEL  = [A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?
#   ipv4   (OCTET\.){3}OCTET       OCTET  = 25[0-5] | 2[0-4][0-9] | [01]?[0-9][0-9]?  (alternatives in this order)
# then keeps an IPv4 match only when it is_global. We reproduce the matches exactly, but find them differently:
#
# * e-mail, anchored on each '@': a match uses the first '@' after its start (the local part cannot hold one),
#   so matches are ordered by their '@'. For an '@' whose DOMAIN matches, the leftmost valid start is the first
#   position s (not before the end of the previous match) in the run of [atext.] before '@' such that text[s:@]
#   neither starts nor ends with '.', holds no '..', and \b holds at s. This is what finditer finds, without its
#   quadratic rescans of long [atext] runs.
# * IPv4, per maximal run of [0-9.] inside the text between e-mail matches: an IPv4 match only holds [0-9.], so it
#   lies inside one run, and the e-mail replacement strings start and end with letters, so no match can reach
#   across a replaced e-mail. Scanning runs of 7+ characters with 3+ dots finds the same matches as datatrove's
#   scan of the replaced text.

_FW_ATEXT = "A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-"
_FW_LOCAL_RUN_REV = re.compile(f"[{_FW_ATEXT}.]*")
_OCTET = "(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"
_LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_FW_DOMAIN = re.compile(f"(?:{_LABEL}\\.)+{_LABEL}|\\[(?:{_OCTET}\\.){{3}}(?:{_OCTET}|[A-Za-z0-9-]*[A-Za-z0-9]:)\\]")
_FW_IPV4 = re.compile(f"(?:{_OCTET}\\.){{3}}{_OCTET}")
_DIGIT_DOT_RUN = re.compile(r"[0-9][0-9.]{6,}")


def _fw_local_start(text: str, lo: int, at: int) -> int:
    """Leftmost start ``>= lo`` of datatrove's ``\\bLOCAL`` ending at ``at`` (the '@'), or -1."""
    if at == 0 or text[at - 1] == ".":
        return -1
    run = _reversed_run_start(text, lo, at, _FW_LOCAL_RUN_REV)
    if run == at:
        return -1
    dots = text.rfind("..", run, at)
    if dots != -1:
        run = dots + 2
    for s in range(run, at):
        if text[s] == ".":
            continue
        before = s > 0 and _WORD_CHAR(text[s - 1]) is not None
        if before != (_WORD_CHAR(text[s]) is not None):
            return s
    return -1


def _fineweb_emails(text: str) -> list[tuple[int, int]]:
    """(start, end) of every e-mail datatrove's ``PIIFormatter`` replaces, in order."""
    out: list[tuple[int, int]] = []
    pos = 0
    at = text.find("@")
    while at != -1:
        m = _FW_DOMAIN.match(text, at + 1)
        if m is not None:
            s = _fw_local_start(text, pos, at)
            if s != -1:
                out.append((s, m.end()))
                pos = m.end()
                at = text.find("@", pos)
                continue
        at = text.find("@", at + 1)
    return out


def _fineweb_ipv4(text: str, lo: int, hi: int, out: list[tuple[int, int]]) -> None:
    """Append (start, end) of every global IPv4 match datatrove replaces in ``text[lo:hi]``."""
    for run in _DIGIT_DOT_RUN.finditer(text, lo, hi):
        a, b = run.span()
        if text.count(".", a, b) < 3:
            continue
        for m in _FW_IPV4.finditer(text, a, b):
            if _fineweb_ip_ok(m.group()):
                out.append(m.span())


def _fineweb_spans(text: str, wanted: frozenset[str]) -> list[PiiSpan]:
    """datatrove's e-mail and IPv4 matches; without e-mail (``remove_emails=False``) IPs are sought everywhere."""
    emails = _fineweb_emails(text) if "email" in wanted and "@" in text else []
    spans = [PiiSpan("email", s, e, text[s:e]) for s, e in emails]
    if "ipv4" in wanted and _HAS_DIGIT(text):
        ips: list[tuple[int, int]] = []
        lo = 0
        for s, e in emails:
            if s > lo:
                _fineweb_ipv4(text, lo, s, ips)
            lo = e
        _fineweb_ipv4(text, lo, len(text), ips)
        spans.extend(PiiSpan("ipv4", s, e, text[s:e]) for s, e in ips)
    return spans


# ---------------------------------------------------------------------------------------------------------------
# crawlforge rules: e-mail
# ---------------------------------------------------------------------------------------------------------------

_LATIN_LETTERS = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_CF_LOCAL_RUN_REV = re.compile(f"[A-Za-z0-9._%+'\\-{_LATIN_LETTERS}]*")
_CF_DOMAIN_ASCII = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
_CF_IDN_LABEL = f"[A-Za-z0-9{_LATIN_LETTERS}](?:[A-Za-z0-9{_LATIN_LETTERS}-]{{0,61}}[A-Za-z0-9{_LATIN_LETTERS}])?"
_CF_DOMAIN_IDN = re.compile(f"{_CF_IDN_LABEL}(?:\\.{_CF_IDN_LABEL})+")
_DOMAIN_TAIL = re.compile(f"[A-Za-z0-9_\\-{_LATIN_LETTERS}]").match
_SCP_TAIL = re.compile(r":[\w/~.]").match
_RETINA_LABEL = re.compile(r"[0-9]+x").fullmatch

# used only when tldextract's Public Suffix List snapshot cannot be read
_FALLBACK_GTLDS = _word_set(
    "com org net edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat xxx post app dev io "
    "ai co me tv cc xyz online site top shop store tech blog cloud email page art club news live space website agency "
    "company global solutions services digital media network group studio design team world today"
)
_ASCII_LOWER = "abcdefghijklmnopqrstuvwxyz"
_TLDS: frozenset[str] | None = None


def _load_tlds() -> frozenset[str]:
    """Top-level domains of the ICANN section of the Public Suffix List snapshot bundled in ``tldextract``.

    Unicode TLDs are added in both forms (``рф`` and ``xn--p1ai``). Without the snapshot: a built-in list of common
    generic TLDs plus every two-letter code (country TLDs), which is looser but never fails.
    """
    global _TLDS  # noqa: PLW0603 - loaded once per worker process
    if _TLDS is not None:
        return _TLDS
    tlds: set[str] = set()
    try:
        data = pkgutil.get_data("tldextract", ".tld_set_snapshot")
    except (ImportError, OSError):
        data = None
    if data:
        for raw in data.decode("utf-8", "replace").splitlines():
            line = raw.strip()
            if "===END ICANN DOMAINS===" in line:
                break
            if not line or line.startswith("//"):
                continue
            label = line.lstrip("!*.").rsplit(".", 1)[-1].lower()
            if not label:
                continue
            tlds.add(label)
            if not label.isascii():
                with contextlib.suppress(UnicodeError):
                    tlds.add(label.encode("idna").decode("ascii"))
    if len(tlds) < 200:  # missing or damaged snapshot
        tlds = set(_FALLBACK_GTLDS) | {a + b for a in _ASCII_LOWER for b in _ASCII_LOWER}
    _TLDS = frozenset(tlds)
    return _TLDS


def _host_end(text: str, start: int, pattern: re.Pattern[str], tlds: frozenset[str]) -> int:
    """End of the longest host name ``pattern`` matches at ``start`` whose last label is a TLD, or -1.

    Trailing labels that are not TLDs are dropped (``name@example.com.Next sentence``); two labels minimum.
    """
    m = pattern.match(text, start)
    if m is None:
        return -1
    host = m.group()
    while True:
        dot = host.rfind(".")
        if dot <= 0:
            return -1
        if host[dot + 1 :].lower() in tlds:
            if host.count(".") == 1 and _RETINA_LABEL(host[:dot].lower()):
                return -1  # icon@2x.png: an image asset name
            return start + len(host)
        host = host[:dot]


def _cf_domain_end(text: str, start: int) -> int:
    """End of the e-mail host at ``start``, or -1: an internationalised (Latin) host name when its TLD is real,
    else the ASCII host name when its TLD is real (``user@example.comé...`` in mojibake keeps ``example.com``).
    ``icon@2x.png``-style asset names are not hosts."""
    tlds = _load_tlds()
    ascii_end = _host_end(text, start, _CF_DOMAIN_ASCII, tlds)
    if ascii_end != -1 and (ascii_end >= len(text) or not _DOMAIN_TAIL(text[ascii_end])):
        return ascii_end
    idn_end = _host_end(text, start, _CF_DOMAIN_IDN, tlds)
    return idn_end if idn_end != -1 else ascii_end


def _url_userinfo(text: str, start: int) -> bool:
    """True when ``start`` is inside the authority of a URL (``http://user:pass@host``), not in its path/query."""
    lo = max(0, start - 256)
    scheme = text.rfind("://", lo, start)
    if scheme == -1:
        return False
    between = text[scheme + 3 : start]
    return not any(c in between for c in "/?#") and not any(c.isspace() for c in between)


def _cf_emails(text: str) -> list[PiiSpan]:
    out: list[PiiSpan] = []
    pos = 0
    at = text.find("@")
    while at != -1:
        end = _cf_domain_end(text, at + 1)
        if end != -1 and not _SCP_TAIL(text, end):
            run = _reversed_run_start(text, pos, at, _CF_LOCAL_RUN_REV)
            dots = text.rfind("..", run, at)
            if dots != -1:
                run = dots + 2
            while run < at and text[run] in "._%+-'":
                run += 1
            if run < at and text[at - 1] not in ".'" and at - run <= 64 and not _url_userinfo(text, run):
                out.append(PiiSpan("email", run, end, text[run:end]))
                pos = end
                at = text.find("@", pos)
                continue
        at = text.find("@", at + 1)
    return out


# ---------------------------------------------------------------------------------------------------------------
# crawlforge rules: IPv4 and IPv6
# ---------------------------------------------------------------------------------------------------------------

# first token is a plain class (fast skip); the look-behind after the first digit checks the character before it
_CF_IPV4 = re.compile(
    r"[0-9](?<![0-9A-Za-z_.][0-9])[0-9]{0,2}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
    r"(?![0-9A-Za-z_]|\.[0-9]|-[A-Za-z])"
)
# what precedes a dotted quad that is a version, an OID or a section number rather than an address
_NUMBERING_CUE = re.compile(
    r"(?:\bv|\bver|version|versions|\bbuild|\brelease[sd]?|\brev|\brevision|\bfirmware|\bkernel|\bbios|\bupdate"
    r"|\bpatch|\bsdk|\bapi|\bprotocol|\boid|\bsection|\bsections|\bsec|\bchapter|\bclause|\barticle|\bpara"
    r"|\bparagraph|\bfig|\bfigure|\btable|\bstep|\bitem|\brule|\bpart|\bannex|\bappendix|§)"
    r"\.?[\s:#=(\"'\[]*$",
    re.IGNORECASE,
)


def _cf_ipv4(text: str) -> list[PiiSpan]:
    out: list[PiiSpan] = []
    for m in _CF_IPV4.finditer(text):
        value = m.group()
        if not _ipv4_pii(value):
            continue
        s = m.start()
        if _NUMBERING_CUE.search(text, max(0, s - 24), s):
            continue
        out.append(PiiSpan("ipv4", s, m.end(), value))
    return out


_IPV6_HINT = re.compile(r":[0-9A-Fa-f]{0,4}:")
_IPV6_CHARS = frozenset("0123456789abcdefABCDEF:.")
_IPV6_MAX = 45  # longest textual IPv6 (IPv4-mapped, full form)


def _cf_ipv6(text: str) -> list[PiiSpan]:
    out: list[PiiSpan] = []
    done = 0
    n = len(text)
    for hint in _IPV6_HINT.finditer(text):
        h = hint.start()
        if h < done:
            continue
        s = h
        while s > 0 and text[s - 1] in _IPV6_CHARS and h - s < 64:
            s -= 1
        e = hint.end()
        while e < n and text[e] in _IPV6_CHARS and e - s < 128:
            e += 1
        done = e
        if s > 0 and (text[s - 1] in _IPV6_CHARS or _WORD_CHAR(text[s - 1])):
            continue  # glued to a word, or a run too long to be one address
        if e < n and (text[e] in _IPV6_CHARS or _WORD_CHAR(text[e])):
            continue
        while e > s and text[e - 1] == ".":  # a full stop after the address
            e -= 1
        if e - s <= _IPV6_MAX and _ipv6_pii(text[s:e]):
            out.append(PiiSpan("ipv6", s, e, text[s:e]))
    return out


# ---------------------------------------------------------------------------------------------------------------
# crawlforge rules: phone numbers
# ---------------------------------------------------------------------------------------------------------------

# ITU-T E.164 assigned country calling codes (ITU-T Operational Bulletin list; the set is prefix-free).
_COUNTRY_CODES = _word_set(
    """1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66
    81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233
    234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 258 260 261
    262 263 264 265 266 267 268 269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 371 372 373
    374 375 376 377 378 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508 509 590
    591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689
    690 691 692 800 808 850 852 853 855 856 870 878 880 881 882 883 886 888 960 961 962 963 964 965 966 967 968
    970 971 972 973 974 975 976 977 979 992 993 994 995 996 998"""
)
# national significant number lengths (min, max) for the most common country codes, from each country's
# numbering plan as published to the ITU; other codes get _NSN_DEFAULT.
_NSN_LENGTHS: dict[str, tuple[int, int]] = {
    "1": (10, 10), "7": (10, 10), "20": (8, 10), "27": (9, 9), "30": (10, 10), "31": (9, 9), "32": (8, 9),
    "33": (9, 9), "34": (9, 9), "36": (8, 9), "39": (6, 11), "40": (9, 9), "41": (9, 9), "43": (4, 13),
    "44": (9, 10), "45": (8, 8), "46": (6, 12), "47": (8, 8), "48": (9, 9), "49": (6, 13), "51": (8, 9),
    "52": (10, 10), "53": (8, 8), "54": (10, 11), "55": (10, 11), "56": (9, 9), "57": (8, 10), "58": (10, 10),
    "60": (8, 10), "61": (9, 9), "62": (8, 12), "63": (8, 10), "64": (8, 10), "65": (8, 8), "66": (8, 9),
    "81": (9, 10), "82": (8, 10), "84": (9, 10), "86": (10, 11), "90": (10, 10), "91": (10, 10), "92": (9, 10),
    "212": (9, 9), "234": (8, 10), "254": (9, 9), "351": (9, 9), "352": (4, 11), "353": (7, 9), "354": (7, 9),
    "358": (5, 12), "380": (9, 9), "420": (9, 9), "421": (9, 9), "852": (8, 8), "886": (8, 9), "966": (9, 9),
    "971": (8, 9), "972": (8, 9),
}  # fmt: skip
_NSN_DEFAULT = (6, 12)
# national numbers that begin with 0 after the country code (Italy, Côte d'Ivoire, Congo, San Marino)
_KEEPS_LEADING_ZERO = frozenset({"39", "225", "242", "378"})

_SP = "[ \u00a0]"
_PH_SEP = f"(?:{_SP}?[\\-/]{_SP}?|\\.|{_SP})"
_PH_PAREN = "\\([0-9]{1,5}\\)"
_PH_GROUPS = (
    f"(?:{_PH_PAREN}|[0-9]{{1,15}})(?:{_PH_SEP}?{_PH_PAREN}|{_PH_SEP}[0-9]{{1,15}}|(?<=\\))[0-9]{{1,15}}){{0,9}}"
)
# "+", "00" or "(+" as in "(+44) 20 ..."; no letter, digit or "+" before it
_PH_INTL = re.compile(
    "(?:\\+(?<![\\w+]\\+)|00(?<![\\w+.,/-]00)(?<![0-9][ \\-./]00)(?=[1-9])|\\((?<![\\w+(]\\()\\+[0-9]{1,3}\\))"
    f"{_SP}?{_PH_GROUPS}"
)
_PH_END = r"(?![0-9]|[\-.][0-9]|[A-Za-z_])"
_TRUNK_SEP = f"(?:{_SP}?[\\-/]{_SP}?|[ \u00a0.])"
# One scan for the three national shapes. The first character is consumed by a plain class (so the regex engine
# skips other characters in C) and each alternative checks it with a look-behind; the alternatives cannot match
# at the same position (they differ in the first one or two characters, or in the digits before ")"). The checks
# on the characters before the number are done in Python (_national_start_ok).
_PH_NATIONAL = re.compile(
    "[(0-9](?:"
    # NANP, (415) 555-2671: area code and exchange 2-9XX
    f"(?<=\\()(?P<nanp_pa>[2-9][0-9]{{2}})\\){_SP}?[2-9][0-9]{{2}}[ \u00a0\\-.][0-9]{{4}}{_PH_END}"
    # NANP, 415-555-2671 / 415.555.2671 / 415 555 2671 (same separator twice)
    f"|(?<=[2-9])(?P<nanp>[0-9]{{2}})(?P<nanp_s>[ \u00a0\\-.])[2-9][0-9]{{2}}(?P=nanp_s)[0-9]{{4}}{_PH_END}"
    # Brazil, (11) 91234-5678 / (11) 3456-7890
    f"|(?<=\\()(?P<br>[1-9][0-9])\\){_SP}?(?P<br1>9?[0-9]{{4}})-(?P<br2>[0-9]{{4}}){_PH_END}"
    # trunk 0, (02) 9876 5432
    f"|(?<=\\()(?P<tp>0[1-9][0-9]{{0,3}})\\){_SP}?[0-9]{{1,8}}(?:{_TRUNK_SEP}[0-9]{{1,8}}){{0,5}}"
    # trunk 0, 020 7946 0958 / 030-1234567 / 01 23 45 67 89 / 089/12345678 / 030 / 1234567
    f"|(?<=0)(?P<t>[1-9][0-9]{{0,3}}){_TRUNK_SEP}[0-9]{{1,8}}(?:{_TRUNK_SEP}[0-9]{{1,8}}){{0,5}}"
    ")"
)
_PH_GROUP = re.compile(r"\(([0-9]+)\)|[0-9]+")
# an identifier label right before a number ("ISBN", "Order #", "serial number:", "Ticket ID:") makes it an id
_ID_CUE = re.compile(
    r"\b(?:isbn(?:-1[03])?|issn|doi|ean|gtin|upc|barcode|order|invoice|sku|serial|s/n|part|model|ref|reference|"
    r"tracking|imei|iccid|account|acct|case|docket|patent|ticket|receipt|transaction|txn|lot|batch|zip|postcode|"
    r"population|id)(?:[\s.:#-]*(?:number|no|nr|num|id|code|is))*[\s.:#=-]*$",
    re.IGNORECASE,
)
_YEAR_RANGE = re.compile(r"(?:19|20)[0-9]{2}")


def _id_context(text: str, start: int) -> bool:
    """True when the text right before ``start`` is an identifier label (:data:`_ID_CUE`)."""
    return _ID_CUE.search(text, max(0, start - 40), start) is not None


def _groups(text: str, start: int, end: int) -> list[tuple[int, int, str, bool]]:
    """Digit groups in ``text[start:end]``: (start, end, digits, parenthesised)."""
    return [
        (m.start(), m.end(), m.group(1) or m.group(), m.group(1) is not None)
        for m in _PH_GROUP.finditer(text, start, end)
    ]


def _intl_ok(groups: list[tuple[int, int, str, bool]], _run: list[tuple[int, int, str, bool]]) -> bool:
    """An E.164 number: known country code, then a national number of a length that country uses.

    A first group of at most three digits followed by a separator is the country code itself (``+44 20 ...``);
    otherwise the code is read off the digits (``+442079460958``; the code set is prefix-free). A ``(0)`` right
    after the code (``+44 (0)20 ...``) and a leading 0 written by mistake (``+44 020 ...``) are trunk digits.
    """
    first, paren = groups[0][2], groups[0][3]
    tail = groups[1:]
    if tail and len(first) <= 3 and not paren:
        cc, head = first, ""
    else:
        cc = next((first[:k] for k in (1, 2, 3) if first[:k] in _COUNTRY_CODES), "")
        head = first[len(cc) :]
    if cc not in _COUNTRY_CODES:
        return False
    if not head and tail and tail[0][3] and tail[0][2] == "0" and len(tail) > 1:
        tail = tail[1:]
    nsn = head + "".join(g[2] for g in tail)
    if nsn.startswith("0") and cc not in _KEEPS_LEADING_ZERO:
        nsn = nsn[1:]
    lo, hi = _NSN_LENGTHS.get(cc, _NSN_DEFAULT)
    if not lo <= len(nsn) <= hi or len(cc) + len(nsn) > 15:
        return False
    if cc == "1":  # NANP: area code and exchange start with 2-9
        return nsn[0] in "23456789" and nsn[3] in "23456789"
    return cc in _KEEPS_LEADING_ZERO or not nsn.startswith("0")


def _trunk_ok(text: str, groups: list[tuple[int, int, str, bool]], run: list[tuple[int, int, str, bool]]) -> bool:
    """A national number written with its trunk 0: 9-12 digits, date, IP and number-list shapes excluded.

    ``groups`` is a leading part of the separator-joined ``run``; it may stop early only where the separator
    changes (``06.12.34.56.78 24/7``), never inside a list of like-separated numbers (``04 11 23 35 42 49``).
    """
    digits = "".join(g[2] for g in groups)
    if not 9 <= len(digits) <= 12 or len(groups) < 2:
        return False
    k = len(groups)
    if k < len(run) and text[groups[-2][1] : groups[-1][0]] == text[groups[-1][1] : run[k][0]]:
        return False
    if all(len(g[2]) == 2 for g in groups) and len(digits) != 10:
        return False  # pairs: only the ten-digit French/Belgian style
    if len(groups[-1][2]) < 2 or sum(len(g[2]) == 1 for g in groups) > 1:
        return False  # one single-digit group at most, never last (0180 5 123456)
    raw = {text[a[1] : b[0]] for a, b in itertools.pairwise(groups)}
    if len(raw) > 1 and any("." in x or "/" in x for x in raw):
        return False  # 06.05.2024 14 / 03/03/2026 19:44: a date, then more digits
    seps = {x.strip(" \u00a0") for x in raw} - {""}
    if len(groups) == 2 and len(groups[1][2]) < 6:
        return False  # 02134-1234 (ZIP+4), 0171 1234 (too short to be one number)
    # 010.001.002.003 is an IP-like quad, not a phone number
    return not ("." in seps and len(groups) == 4 and all(len(g[2]) <= 3 for g in groups))


def _phone_end_ok(text: str, end: int) -> bool:
    """Nothing glued after the number: no ASCII letter, digit or ``_``, and no ``:digit`` (a time)."""
    if end >= len(text):
        return True
    after = text[end]
    if after.isascii() and (after.isalnum() or after == "_"):
        return False
    return not (after == ":" and text[end + 1 : end + 2].isdigit())


def _best_prefix(
    text: str,
    groups: list[tuple[int, int, str, bool]],
    check: Callable[[list[tuple[int, int, str, bool]], list[tuple[int, int, str, bool]]], bool],
    min_groups: int,
) -> int:
    """End of the longest run of leading ``groups`` that ``check(prefix, groups)`` accepts and ends cleanly, or -1."""
    for k in range(len(groups), min_groups - 1, -1):
        sub = groups[:k]
        end = sub[-1][1]
        if _phone_end_ok(text, end) and check(sub, groups):
            return end
    return -1


def _grouped_phones(
    text: str,
    pattern: re.Pattern[str],
    prefix: Callable[[str, int], int],
    check: Callable[[list[tuple[int, int, str, bool]], list[tuple[int, int, str, bool]]], bool],
    min_groups: int,
    out: list[PiiSpan],
) -> None:
    """Append the numbers ``pattern`` finds and ``check`` accepts (longest valid run of leading digit groups).

    The scan resumes at the end of an accepted number, not at the end of the pattern's match, so a number that
    follows another one inside the same separator-joined run of groups is still found.
    """
    pos = 0
    while True:
        m = pattern.search(text, pos)
        if m is None:
            return
        s = m.start()
        groups = _groups(text, prefix(text, s), m.end())
        end = _best_prefix(text, groups, check, min_groups) if groups else -1
        if end == -1:
            pos = m.end()
            continue
        if not _id_context(text, s):
            out.append(PiiSpan("phone", s, end, text[s:end]))
        pos = end


def _intl_digits_start(text: str, s: int) -> int:
    """Where the digits start after the international prefix: ``+``, ``00`` or ``(+`` (as in ``(+44) 20 ...``)."""
    return s + (1 if text[s] == "+" else 2)


def _same_start(text: str, s: int) -> int:
    return s


def _national_start_ok(text: str, s: int) -> bool:
    """No letter, digit, ``+``, ``(``, ``/``, ``#`` or ``-`` right before ``s``, and no digit plus separator
    (the number would be part of a longer one, or a path or id such as ``FHC/ABJ/03/095/2018``)."""
    if s == 0:
        return True
    before = text[s - 1]
    if before in "+(/\\#-" or _WORD_CHAR(before):
        return False
    return not (s >= 2 and before in " .,\u00a0" and text[s - 2].isdigit())


def _nanp_start(text: str, s: int) -> int:
    """Start of a NANP number at ``s`` including a leading country code ``1`` (``1-800-...``, ``1 (888) ...``)."""
    if s >= 2 and text[s - 2] == "1" and text[s - 1] in " -.\u00a0" and (s == 2 or not text[s - 3].isalnum()):
        return s - 2
    if s >= 1 and text[s - 1] == "1" and text[s] == "(" and (s == 1 or not text[s - 2].isalnum()):
        return s - 1
    return s


def _cf_phones(text: str) -> list[PiiSpan]:
    out: list[PiiSpan] = []
    if "+" in text or "00" in text:
        _grouped_phones(text, _PH_INTL, _intl_digits_start, _intl_ok, 1, out)
    pos = 0
    while True:
        m = _PH_NATIONAL.search(text, pos)
        if m is None:
            break
        s, end = m.start(), -1
        if m.group("nanp_pa") or m.group("nanp"):
            s = _nanp_start(text, s)  # "+1 ..." was left to the international pattern
            if _national_start_ok(text, s):
                end = m.end()
        elif m.group("br"):
            if _national_start_ok(text, s) and not (
                _YEAR_RANGE.fullmatch(m.group("br1")) and _YEAR_RANGE.fullmatch(m.group("br2"))
            ):
                end = m.end()  # (12) 2019-2020 is a footnote and a year range
        elif _national_start_ok(text, s):
            groups = _groups(text, s, m.end())
            end = _best_prefix(text, groups, lambda g, run: _trunk_ok(text, g, run), 2)
        if end == -1:
            pos = m.start() + 1
            continue
        if not _id_context(text, s):
            out.append(PiiSpan("phone", s, end, text[s:end]))
        pos = end
    return out


# ---------------------------------------------------------------------------------------------------------------
# crawlforge rules: payment cards
# ---------------------------------------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of ISO/IEC 7812-1 annex B on a string of ASCII digits."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# (first digits low, high, lengths issued): public issuer identification number ranges of the card networks
_CARD_RANGES: tuple[tuple[int, int, frozenset[int]], ...] = (
    (4, 4, frozenset({16, 19})),  # Visa (13-digit Visa is long retired; 13-digit EAN barcodes starting 4 are not)
    (51, 55, frozenset({16})),  # Mastercard
    (2221, 2720, frozenset({16})),  # Mastercard 2-series
    (34, 34, frozenset({15})),  # American Express
    (37, 37, frozenset({15})),
    (6011, 6011, frozenset(range(16, 20))),  # Discover
    (644, 649, frozenset(range(16, 20))),
    (65, 65, frozenset(range(16, 20))),  # Discover / RuPay
    (3528, 3589, frozenset(range(16, 20))),  # JCB
    (300, 305, frozenset(range(14, 20))),  # Diners Club
    (3095, 3095, frozenset(range(14, 20))),
    (36, 36, frozenset(range(14, 20))),
    (38, 39, frozenset(range(14, 20))),
    (62, 62, frozenset(range(16, 20))),  # UnionPay
    (2200, 2204, frozenset(range(16, 20))),  # Mir
    (5018, 5018, frozenset(range(13, 20))),  # Maestro
    (5020, 5020, frozenset(range(13, 20))),
    (5038, 5038, frozenset(range(13, 20))),
    (5893, 5893, frozenset(range(13, 20))),
    (6304, 6304, frozenset(range(13, 20))),
    (6759, 6759, frozenset(range(13, 20))),
    (6761, 6763, frozenset(range(13, 20))),
    (60, 60, frozenset({16})),  # RuPay
    (81, 82, frozenset({16})),
)


def _card_issuer_ok(digits: str) -> bool:
    n = len(digits)
    for lo, hi, lengths in _CARD_RANGES:
        k = len(str(lo))
        if lo <= int(digits[:k]) <= hi and n in lengths:
            return True
    return False


def _card_shape_ok(lengths: tuple[int, ...]) -> bool:
    """Printed card groupings: one run, 4-4-4-4(-x) with a last group of 1-4, Amex 4-6-5, Diners 4-6-4."""
    if len(lengths) == 1:
        return 13 <= lengths[0] <= 19
    if lengths in ((4, 6, 5), (4, 6, 4)):
        return True
    return len(lengths) >= 3 and all(x == 4 for x in lengths[:-1]) and 1 <= lengths[-1] <= 4


_CARD_RUN = re.compile(r"[0-9](?:[ \-]?[0-9]){12,}")
_CARD_GROUP = re.compile(r"[0-9]+")


def _cf_cards(text: str) -> list[PiiSpan]:
    out: list[PiiSpan] = []
    n = len(text)
    for m in _CARD_RUN.finditer(text):
        s0, e0 = m.start(), m.end()
        # the run's first / last group cannot start / end a card when glued to a word, a sign or a decimal part
        glued_start = s0 > 0 and (text[s0 - 1] in ".,+-/" or (text[s0 - 1].isascii() and text[s0 - 1].isalnum()))
        glued_end = e0 < n and (
            (text[e0].isascii() and text[e0].isalnum()) or (text[e0] in ".,/" and text[e0 + 1 : e0 + 2].isdigit())
        )
        groups = [(g.start(), g.end()) for g in _CARD_GROUP.finditer(text, s0, e0)]
        if len(groups) > 6:
            continue  # longer than any card layout (5 groups) plus one: a list of numbers
        i = 0
        while i < len(groups):
            found = -1
            for j in range(min(len(groups), i + 5), i, -1):
                if (i == 0 and glued_start) or (j == len(groups) and glued_end):
                    continue
                sub = groups[i:j]
                if not _card_shape_ok(tuple(b - a for a, b in sub)):
                    continue
                if len({text[a[1] : b[0]] for a, b in itertools.pairwise(sub)}) > 1:
                    continue  # one separator throughout
                digits = "".join(text[a:b] for a, b in sub)
                if luhn_ok(digits) and _card_issuer_ok(digits):
                    found = j
                    break
            if found == -1:
                i += 1
                continue
            s, e = groups[i][0], groups[found - 1][1]
            # a list of numbers that happens to hold a card-like window (one extra group, e.g. a CVV, is fine)
            if len(groups) <= found - i + 1 and not _id_context(text, s):
                out.append(PiiSpan("credit_card", s, e, text[s:e]))
            i = found
    return out


# ---------------------------------------------------------------------------------------------------------------
# crawlforge rules: IBAN
# ---------------------------------------------------------------------------------------------------------------

#: IBAN length per country code (SWIFT IBAN registry, release 99, 2025)
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29,
    "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}  # fmt: skip


def iban_checksum_ok(iban: str) -> bool:
    """ISO 7064 MOD 97-10 as ISO 13616 applies it: move the first four characters to the end, letters to 10-35."""
    compact = iban.replace(" ", "").upper()
    if len(compact) < 5 or not compact.isascii() or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


_IBAN_START = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z][0-9]{2}")
_IBAN_SPACE = " \u00a0"


def _cf_ibans(text: str) -> list[PiiSpan]:
    out: list[PiiSpan] = []
    n = len(text)
    for m in _IBAN_START.finditer(text):
        s = m.start()
        length = IBAN_LENGTHS.get(text[s : s + 2])
        if length is None:
            continue
        need = length - 4
        i = m.end()
        chars: list[str] = []
        while len(chars) < need and i < n:
            ch = text[i]
            if ch in _IBAN_SPACE and i + 1 < n and text[i + 1] not in _IBAN_SPACE:
                i += 1  # one space between groups
                ch = text[i]
            if not (ch.isascii() and (ch.isdigit() or ch.isupper())):
                break
            chars.append(ch)
            i += 1
        if len(chars) != need or (i < n and text[i].isascii() and text[i].isalnum()):
            continue
        if iban_checksum_ok(text[s : s + 4] + "".join(chars)):
            out.append(PiiSpan("iban", s, i, text[s:i]))
    return out


# ---------------------------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------------------------

_PRIORITY = {name: i for i, name in enumerate(ALL_TYPES)}
_CF_DETECTORS = (
    ("email", _cf_emails),
    ("iban", _cf_ibans),
    ("credit_card", _cf_cards),
    ("ipv6", _cf_ipv6),
    ("ipv4", _cf_ipv4),
    ("phone", _cf_phones),
)


def _non_overlapping(spans: list[PiiSpan], fixed: list[PiiSpan]) -> list[PiiSpan]:
    """``fixed`` plus every span of ``spans`` (taken by type priority, then position) that overlaps nothing kept.

    The kept intervals are disjoint, so a candidate only has to be checked against its two neighbours (bisect).
    """
    kept = sorted(fixed, key=lambda x: x.start)
    starts = [x.start for x in kept]
    ends = [x.end for x in kept]
    for span in sorted(spans, key=lambda x: (_PRIORITY[x.type], x.start, -x.end)):
        i = bisect.bisect_right(starts, span.start)
        if (i > 0 and ends[i - 1] > span.start) or (i < len(starts) and starts[i] < span.end):
            continue
        starts.insert(i, span.start)
        ends.insert(i, span.end)
        kept.insert(i, span)
    return kept


def find_pii(text: str, types: Iterable[str] | str | None = None, *, rules: Rules = "crawlforge") -> list[PiiSpan]:
    """PII spans in ``text``, sorted by position and non-overlapping.

    Args:
        text: any string (``None`` and bytes are coerced; nothing raises).
        types: some of :data:`ALL_TYPES` (``"ip"`` means both IP versions); all by default.
        rules: ``"crawlforge"`` (the module's precise rules) or ``"fineweb"`` (datatrove ``PIIFormatter``
            semantics for e-mail and IPv4, which then take precedence over every other type; the other types
            use the crawlforge rules in the remaining text).
    """
    if rules not in ("crawlforge", "fineweb"):
        raise ValueError(f"rules must be 'crawlforge' or 'fineweb', not {rules!r}")
    wanted = _resolve_types(types)
    text = _as_text(text)
    has_at = "@" in text
    has_digit = _HAS_DIGIT(text) is not None
    if not has_at and not has_digit:  # every type needs an "@" (e-mail) or a digit (the others)
        return []
    fixed: list[PiiSpan] = []
    found: list[PiiSpan] = []
    if rules == "fineweb":
        fixed = _fineweb_spans(text, wanted)
        wanted = wanted - {"email", "ipv4"}
    for name, detect in _CF_DETECTORS:
        if name in wanted and (has_at if name == "email" else has_digit):
            found.extend(detect(text))
    if not fixed and len(found) <= 1:
        return found
    return _non_overlapping(found, fixed)


def count_pii(text: str, types: Iterable[str] | str | None = None, *, rules: Rules = "crawlforge") -> dict[str, int]:
    """Number of spans per requested type (zeros included): the ``signals`` columns."""
    wanted = _resolve_types(types)
    counts = dict.fromkeys(sorted(wanted, key=_PRIORITY.__getitem__), 0)
    for span in find_pii(text, wanted, rules=rules):
        counts[span.type] += 1
    return counts


def redact(
    text: str,
    mode: RedactMode = "placeholder",
    types: Iterable[str] | str | None = None,
    *,
    placeholders: Mapping[str, str] | None = None,
    fineweb_start: tuple[int, int] = (0, 0),
) -> RedactResult:
    """``text`` with every PII span replaced, and the number of replacements per requested type.

    Args:
        text: any string (``None`` and bytes are coerced; nothing raises).
        mode: ``"placeholder"``: crawlforge rules, typed placeholders. ``"fineweb"``: datatrove ``PIIFormatter``
            rules and dummy values for e-mail and IPv4, placeholders for the other types (no FineWeb equivalent).
        types: some of :data:`ALL_TYPES` (``"ip"`` = both versions); all by default. ``FINEWEB_TYPES`` with
            ``mode="fineweb"`` reproduces FineWeb.
        placeholders: replacement per type, overriding :data:`PLACEHOLDERS` (e.g. :data:`DOLMA_PLACEHOLDERS`).
        fineweb_start: where the e-mail and IP replacement cycles start (datatrove's counters; see the module
            docstring). The counts returned tell how far they moved.
    """
    if mode not in ("placeholder", "fineweb"):
        raise ValueError(f"mode must be 'placeholder' or 'fineweb', not {mode!r}")
    wanted = _resolve_types(types)
    text = _as_text(text)
    counts = dict.fromkeys(sorted(wanted, key=_PRIORITY.__getitem__), 0)
    spans = find_pii(text, wanted, rules="fineweb" if mode == "fineweb" else "crawlforge")
    if not spans:
        return RedactResult(text, counts)
    table = dict(PLACEHOLDERS)
    if placeholders:
        table.update(placeholders)
    email_i, ip_i = fineweb_start
    parts: list[str] = []
    pos = 0
    for span in spans:
        parts.append(text[pos : span.start])
        if mode == "fineweb" and span.type == "email":
            parts.append(FINEWEB_EMAIL_REPLACEMENTS[(email_i + counts["email"]) % len(FINEWEB_EMAIL_REPLACEMENTS)])
        elif mode == "fineweb" and span.type == "ipv4":
            parts.append(FINEWEB_IP_REPLACEMENTS[(ip_i + counts["ipv4"]) % len(FINEWEB_IP_REPLACEMENTS)])
        else:
            parts.append(table[span.type])
        counts[span.type] += 1
        pos = span.end
    parts.append(text[pos:])
    return RedactResult("".join(parts), counts)
