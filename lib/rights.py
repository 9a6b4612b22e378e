"""Licence, opt-out and TDM evidence of one crawled page, from its HTTP headers and HTML (pure Python, no Spark).

Open and copyright-clean corpora (Common Pile, KL3M, "Towards Best Practices for Open Datasets") keep a document
only with evidence that its licence allows reuse, and respect machine-readable opt-outs. This module records that
evidence per page; the ``rights`` job stores it in the ``signals_rights`` family and recipes decide.

**Licences.** Evidence is collected from, in decreasing order of trust (the ``source`` of the evidence):

``rel``     ``<link|a|area rel="license" href=...>`` (HTML's licence link type, what CC's chooser emits);
``header``  an HTTP ``Link: <url>; rel="license"`` header;
``meta``    ``<meta name="license|dc.rights|dcterms.license|dc.license" content=...>`` with a licence URL or name;
``rdf``     CC's embedded RDF (``<license rdf:resource=...>``, ``cc:license``);
``href``    any other attribute value that is a Creative Commons licence or public-domain URL: plain ``<a href>``
            links, CC badge images, attributes named ``*license*`` (URL-decoded: Stack Exchange's share sheets);
``text``    a licence statement in the visible text ("licensed under a Creative Commons Attribution-ShareAlike 4.0
            License", "This page is licensed under the ... License"), after comments, scripts and styles are
            removed, so the licences of CSS frameworks and icon fonts are not taken for the page's.

Non-CC licence URLs count only through ``rel``/``header``/``meta`` (a page links the Apache licence for its code
samples without putting its text under it). The page's licence comes from the most trusted source that has any;
:func:`detect_licence` reports the licence type (``cc-by-sa``, ``cc0``, ``pdm``, ``gfdl``, ``cc`` for "a Creative
Commons licence" without a type, ``other``), its version when every piece of evidence agrees on one, a *class*
(``public_domain``, ``permissive``, ``share_alike``, ``noncommercial``, ``noderivatives``, ``unknown``, ``none``),
and a **conflict** when machine-readable evidence (every source but ``text``) names licence types of different
classes: the class is then ``conflict`` and the page counts as neither permissive nor open.

**Opt-outs.** ``noai`` / ``noimageai`` directives (DeviantArt's proposal, used by several art and news sites) in
``<meta name="robots">``, in a ``<meta>`` named after one of the AI user agents, or in ``X-Robots-Tag`` (also in its
``agent: directives`` form for those agents). **TDMRep** (W3C Community Group final report, 2024):
``tdm-reservation`` (``1`` reserves text-and-data-mining rights, ``0`` does not) and ``tdm-policy`` from the HTTP
headers or ``<meta name="tdm-reservation|tdm-policy">``. TDMRep gives the HTTP header priority over HTML: when both
are present the header's value is used and a disagreement is recorded as the ``tdm`` conflict. A value other than
``0``/``1`` is malformed: recorded as such, never read as a reservation.

Everything here is regular-expression scanning of tags, tolerant of broken HTML, unquoted attributes and upper
case; it never raises on bad input.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote


__all__ = [
    "LicenceEvidence",
    "PageRights",
    "classify_licence_url",
    "detect_licence",
    "page_rights",
    "parse_robots_directives",
]

MAX_SCAN_BYTES = 2 * 1024 * 1024
MAX_URLS = 8
SOURCE_ORDER: tuple[str, ...] = ("rel", "header", "meta", "rdf", "href", "text")
MACHINE_SOURCES = frozenset(SOURCE_ORDER[:-1])

PUBLIC_DOMAIN = "public_domain"
PERMISSIVE = "permissive"
SHARE_ALIKE = "share_alike"
NONCOMMERCIAL = "noncommercial"
NODERIVATIVES = "noderivatives"
UNKNOWN = "unknown"
CONFLICT = "conflict"
NONE = "none"
PERMISSIVE_CLASSES = frozenset({PUBLIC_DOMAIN, PERMISSIVE})
OPEN_CLASSES = frozenset({PUBLIC_DOMAIN, PERMISSIVE, SHARE_ALIKE})
"""Open Definition-conformant classes: what Common Pile keeps (CC BY, CC BY-SA, CC0, public domain)."""

# ------------------------------------------------------------------------------------------------
# Licence URLs and names

_CC_URL = re.compile(
    r"(?:https?:)?//(?:[a-z]+\.)?creativecommons\.org/(licenses|licences|publicdomain|l|p)/([a-z+\-]+)"
    r"(?:/(\d+(?:\.\d+)?))?",
    re.IGNORECASE,
)
_CC_TYPES = {
    "by": "cc-by",
    "by-sa": "cc-by-sa",
    "by-nd": "cc-by-nd",
    "by-nc": "cc-by-nc",
    "by-nc-sa": "cc-by-nc-sa",
    "by-nc-nd": "cc-by-nc-nd",
    "by-nd-nc": "cc-by-nc-nd",
    "by-sa-nc": "cc-by-nc-sa",
    "zero": "cc0",
    "mark": "pdm",
    "publicdomain": "cc-pd",
    "sampling": "cc-sampling",
    "sampling+": "cc-sampling",
    "nc-sampling+": "cc-sampling",
}
_OTHER_URLS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"gnu\.org/(?:copyleft/fdl|licenses/fdl)", re.I), "gfdl"),
    (re.compile(r"gnu\.org/(?:copyleft/gpl|licenses/(?:gpl|agpl|lgpl))", re.I), "gpl"),
    (re.compile(r"opendatacommons\.org/licenses/(pddl|by|odbl)", re.I), "odc"),
    (re.compile(r"opensource\.org/licenses/", re.I), "osi"),
    (re.compile(r"apache\.org/licenses/", re.I), "apache"),
)
TYPE_CLASS = {
    "cc-by": PERMISSIVE,
    "cc-by-sa": SHARE_ALIKE,
    "cc-by-nd": NODERIVATIVES,
    "cc-by-nc": NONCOMMERCIAL,
    "cc-by-nc-sa": NONCOMMERCIAL,
    "cc-by-nc-nd": NONCOMMERCIAL,
    "cc0": PUBLIC_DOMAIN,
    "pdm": PUBLIC_DOMAIN,
    "cc-pd": PUBLIC_DOMAIN,
    "cc-sampling": UNKNOWN,
    "gfdl": SHARE_ALIKE,
    "gpl": SHARE_ALIKE,
    "odc": UNKNOWN,
    "osi": UNKNOWN,
    "apache": PERMISSIVE,
    "cc": UNKNOWN,
    "other": UNKNOWN,
}


def classify_licence_url(url: str) -> tuple[str, str | None] | None:
    """``(type, version)`` of a known licence URL (``https://creativecommons.org/licenses/by-sa/4.0/`` ->
    ``('cc-by-sa', '4.0')``; GNU, Open Data Commons, OSI and Apache licence pages without a version), else None."""
    m = _CC_URL.search(url)
    if m:
        kind, code, version = m.group(1).lower(), m.group(2).lower(), m.group(3)
        if kind == "publicdomain" and code in ("zero", "mark"):
            return _CC_TYPES[code], version
        if kind == "publicdomain":
            return None  # /publicdomain/ landing pages
        lic = _CC_TYPES.get(code)
        return (lic, version) if lic else None
    for pattern, lic in _OTHER_URLS:
        if pattern.search(url):
            return lic, None
    return None


_WORDS = r"[\s\-‐]*"
_CC_NAME = re.compile(
    r"creative\s+commons\s+(?:license\s+|licence\s+)?(?:\(?cc\)?\s+)?"
    r"(attribution(?:" + _WORDS + r"non" + _WORDS + r"commercial)?"
    r"(?:" + _WORDS + r"(?:share" + _WORDS + r"alike|no" + _WORDS + r"deriv(?:ative)?s?))?)"
    r"(?:\s*\([^)]{0,20}\))?\s*(\d\.\d)?",
    re.IGNORECASE,
)
_CC_ABBR = re.compile(
    r"\b(?:cc|creative\s+commons)[\s\-]by((?:[\s\-](?:nc|sa|nd)){0,2})\b(?:\s*(\d\.\d))?", re.IGNORECASE
)
_CC0_TEXT = re.compile(r"\bcc0\b|\bcc\s+zero\b", re.IGNORECASE)
_CLAIM = re.compile(
    r"\b(?:licen[cs]ed|available|distributed|released|published|made\s+available|shared)\s+under\b", re.I
)
_CC_GENERIC = re.compile(r"^\s*(?:a|the)?\s*creative\s+commons\b", re.IGNORECASE)
_OTHER_STATEMENT = re.compile(
    r"\b(?:this|the)\s+(?:page|work|site|website|content|article|text|documentation|post|material)s?\b"
    r"[^.<]{0,40}?\b(?:is|are)\s+licen[cs]ed\s+under\s+(?:the\s+|a\s+)?([A-Z][^.<]{2,60}?licen[cs]e\b)",
    re.IGNORECASE,
)


def _cc_type_from_words(words: str) -> str:
    """``'Attribution-NonCommercial-ShareAlike'`` or ``'by-nc-sa'`` -> ``'cc-by-nc-sa'``."""
    lower = words.lower()
    compact = re.sub(r"[^a-z]", "", lower)
    tokens = set(re.split(r"[^a-z]+", lower))
    nc = "noncommercial" in compact or "nc" in tokens
    nd = "noderiv" in compact or "nd" in tokens
    sa = ("sharealike" in compact or "sa" in tokens) and not nd
    return "cc-by" + "".join(s for s, on in (("-nc", nc), ("-sa", sa), ("-nd", nd)) if on)


def _text_licences(text: str) -> list[tuple[str, str | None]]:
    """Licence statements in visible text: a claim ("licensed under", "available under"...) followed by a licence."""
    found: list[tuple[str, str | None]] = []
    for claim in _CLAIM.finditer(text):
        tail = text[claim.end() : claim.end() + 160]
        m = _CC_NAME.search(tail[:120])
        if m and m.start() < 40:
            found.append((_cc_type_from_words(m.group(1)), m.group(2)))
            continue
        m = _CC_ABBR.search(tail[:60])
        if m:
            found.append((_cc_type_from_words("by" + m.group(1)), m.group(2)))
            continue
        if _CC0_TEXT.search(tail[:40]):
            found.append(("cc0", "1.0"))
            continue
        if _CC_GENERIC.match(tail):
            found.append(("cc", None))
    for m in _OTHER_STATEMENT.finditer(text):
        if not re.search(r"creative\s+commons", m.group(1), re.I):
            found.append(("other", None))
    return found


# ------------------------------------------------------------------------------------------------
# HTML scanning

# [^<>]: a stray "<" ends a tag attempt, so a page full of unclosed "<" is scanned in linear time
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9:_-]*)\b([^<>]*)>", re.DOTALL)
_ATTR = re.compile(r"""([^\s=/"'<>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "svg")
_HIDDEN_OPEN = re.compile(r"<!--|<(" + "|".join(_HIDDEN_TAGS) + r")\b", re.IGNORECASE)
_HIDDEN_CLOSE = {t: re.compile(rf"</{t}\b[^<>]*>", re.IGNORECASE) for t in _HIDDEN_TAGS}
_ANY_TAG = re.compile(r"<[^<>]*>")
_LICENCE_META = frozenset({"license", "licence", "dc.rights", "dcterms.license", "dc.license", "dcterms.rights"})
_RDF_LICENCE = frozenset({"license", "cc:license", "dc:rights", "dcterms:license", "cc:licence"})


def _without_hidden(doc: str) -> str:
    """``doc`` without comments and script/style/noscript/template/svg elements, in one linear pass.

    An element or comment that is never closed runs to the end of the page (as browsers parse an unclosed
    ``<script>`` or ``<!--``). A regex ``<script>.*?</script>`` would rescan the rest of the page for every unclosed
    opening: quadratic on a page with thousands of them.
    """
    parts: list[str] = []
    pos = 0
    while True:
        m = _HIDDEN_OPEN.search(doc, pos)
        if m is None:
            parts.append(doc[pos:])
            break
        parts.append(doc[pos : m.start()])
        if m.group(1) is None:  # a comment
            end = doc.find("-->", m.end())
            if end < 0:
                break
            pos = end + 3
        else:
            close = _HIDDEN_CLOSE[m.group(1).lower()].search(doc, m.end())
            if close is None:
                break
            pos = close.end()
    return " ".join(parts)


def _attrs(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        name = m.group(1).lower()
        if name not in out:
            value = next((g for g in m.group(2, 3, 4) if g is not None), "")
            out[name] = html.unescape(value).strip()
    return out


def _decode(payload: bytes | str, charset: str | None) -> str:
    if isinstance(payload, str):
        return payload[:MAX_SCAN_BYTES]
    data = payload[:MAX_SCAN_BYTES]
    try:
        return data.decode(charset or "utf-8", "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class LicenceEvidence:
    source: str  # one of SOURCE_ORDER
    type: str
    version: str | None
    url: str | None


@dataclass(slots=True)
class PageRights:
    """Everything :func:`page_rights` found on one page (see the module docstring)."""

    licence: str = NONE
    licence_type: str = NONE
    licence_version: str | None = None
    licence_class: str = NONE
    licence_source: str = NONE
    licence_urls: list[str] = field(default_factory=list)
    licence_conflict: bool = False
    meta_robots: str | None = None
    x_robots_tag: str | None = None
    noai: bool = False
    noimageai: bool = False
    optout_source: str | None = None
    tdm_reservation: int | None = None
    tdm_policy: str | None = None
    tdm_source: str | None = None
    tdm_malformed: bool = False
    conflicts: list[str] = field(default_factory=list)
    evidence: list[LicenceEvidence] = field(default_factory=list)

    @property
    def permissive(self) -> bool:
        return self.licence_class in PERMISSIVE_CLASSES

    @property
    def open(self) -> bool:
        return self.licence_class in OPEN_CLASSES

    @property
    def tdm_reserved(self) -> bool:
        return self.tdm_reservation == 1


def _licence_id(lic_type: str, version: str | None) -> str:
    return f"{lic_type}-{version}" if version else lic_type


def detect_licence(evidence: Sequence[LicenceEvidence]) -> dict[str, object]:
    """The page's licence from its evidence (module docstring): type, version, class, source, urls, conflict."""
    if not evidence:
        return {"licence": NONE, "type": NONE, "version": None, "class": NONE, "source": NONE, "urls": [],
                "conflict": False}  # fmt: skip
    best = min(SOURCE_ORDER.index(e.source) for e in evidence)
    top = [e for e in evidence if SOURCE_ORDER.index(e.source) == best]
    types = list(dict.fromkeys(e.type for e in top))
    machine_classes = {TYPE_CLASS.get(e.type, UNKNOWN) for e in evidence if e.source in MACHINE_SOURCES}
    machine_classes.discard(UNKNOWN)
    conflict = len(machine_classes) > 1 or len({TYPE_CLASS.get(t, UNKNOWN) for t in types}) > 1
    lic_type = types[0]
    versions = {e.version for e in top if e.type == lic_type}
    version = versions.pop() if len(versions) == 1 else None
    urls = list(dict.fromkeys(e.url for e in evidence if e.url))[:MAX_URLS]
    return {
        "licence": _licence_id(lic_type, version),
        "type": lic_type,
        "version": version,
        "class": CONFLICT if conflict else TYPE_CLASS.get(lic_type, UNKNOWN),
        "source": SOURCE_ORDER[best],
        "urls": urls,
        "conflict": conflict,
    }


_LINK_HEADER = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")


def _link_header_licences(value: str | None) -> list[LicenceEvidence]:
    out: list[LicenceEvidence] = []
    for m in _LINK_HEADER.finditer(value or ""):
        params = m.group(2).lower()
        if re.search(r"""rel\s*=\s*["']?[^"';]*\blicen[cs]e\b""", params):
            url = m.group(1).strip()
            kind = classify_licence_url(url) or ("other", None)
            out.append(LicenceEvidence("header", kind[0], kind[1], url))
    return out


# ------------------------------------------------------------------------------------------------
# robots directives

_VALUED_DIRECTIVES = frozenset({"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"})


def parse_robots_directives(value: str | None) -> dict[str, set[str]]:
    """``X-Robots-Tag`` / meta robots content -> agent (lower case; ``*`` for all) -> directives (lower case).

    ``"noindex, GPTBot: noai, noimageai"`` -> ``{"*": {"noindex"}, "gptbot": {"noai", "noimageai"}}``: as in
    Google's X-Robots-Tag syntax, an ``agent:`` prefix applies to the directives after it.
    """
    out: dict[str, set[str]] = {}
    agent = "*"
    for part in re.split(r"[,;]", value or ""):
        token = part.strip().lower()
        if not token:
            continue
        name, colon, rest = token.partition(":")
        name = name.strip()
        if colon and name not in _VALUED_DIRECTIVES and re.fullmatch(r"[a-z0-9_.\-]+", name):
            agent = name
            token = rest.strip()
            if not token:
                continue
        directive = token.split(":", 1)[0].strip()
        for d in directive.split():
            out.setdefault(agent, set()).add(d)
    return out


def _optouts(directives: Mapping[str, set[str]], agents: frozenset[str]) -> set[str]:
    found: set[str] = set()
    for agent, ds in directives.items():
        if agent in ("*", "robots") or agent in agents:
            found |= ds & {"noai", "noimageai"}
    return found


# ------------------------------------------------------------------------------------------------
# The page


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for k, v in headers.items():
        if k.lower() == name:
            return v
    return None


def _tdm_value(raw: str | None) -> tuple[int | None, bool]:
    if raw is None:
        return None, False
    v = raw.strip().strip("\"'")
    if v in ("0", "1"):
        return int(v), False
    return None, True


def page_rights(
    payload: bytes | str | None,
    headers: Mapping[str, str] | None = None,
    charset: str | None = None,
    ai_agents: Iterable[str] = (),
) -> PageRights:
    """Licence, opt-out and TDM evidence of one page (module docstring); ``headers`` are the HTTP response's."""
    agents = frozenset(a.lower() for a in ai_agents)
    out = PageRights()
    doc = _decode(payload or b"", charset)
    evidence: list[LicenceEvidence] = list(_link_header_licences(_header(headers, "link")))
    meta: dict[str, list[str]] = {}
    for m in _TAG.finditer(doc):
        tag = m.group(1).lower()
        raw = m.group(2)
        if tag != "meta" and tag not in _RDF_LICENCE:
            low = raw.lower()
            if "licen" not in low and "creativecommons" not in low:
                continue  # most tags: nothing to look at, skip parsing their attributes
        attrs = _attrs(raw)
        if tag == "meta":
            name = (attrs.get("name") or attrs.get("property") or attrs.get("http-equiv") or "").lower()
            content = attrs.get("content")
            if name and content is not None:
                meta.setdefault(name, []).append(content)
                if name in _LICENCE_META and content:
                    kind = classify_licence_url(content)
                    if kind is None and name in ("license", "licence", "dcterms.license", "dc.license"):
                        kind = next(iter(_text_licences("licensed under " + content)), None)
                    if kind:
                        url = content if "//" in content else None
                        evidence.append(LicenceEvidence("meta", kind[0], kind[1], url))
            continue
        rel = attrs.get("rel", "").lower().split()
        href = attrs.get("href")
        if tag in ("link", "a", "area") and "license" in rel and href:
            kind = classify_licence_url(href) or ("other", None)
            evidence.append(LicenceEvidence("rel", kind[0], kind[1], href))
            continue
        if tag in _RDF_LICENCE:
            url = attrs.get("rdf:resource") or attrs.get("rdf:about") or attrs.get("href") or ""
            kind = classify_licence_url(url)
            if kind:
                evidence.append(LicenceEvidence("rdf", kind[0], kind[1], url))
            continue
        for name, value in attrs.items():
            if "creativecommons" not in value.lower():
                continue
            # URL-encoded in a data attribute named *license* (Stack Exchange's share sheets)
            url = unquote(value) if "license" in name and "%2f" in value.lower() else value
            m_cc = _CC_URL.search(url)
            kind = classify_licence_url(url) if m_cc else None
            if m_cc and kind:
                evidence.append(LicenceEvidence("href", kind[0], kind[1], m_cc.group(0)))
    visible = _ANY_TAG.sub(" ", _without_hidden(doc))
    visible = re.sub(r"\s+", " ", html.unescape(visible))
    evidence += [LicenceEvidence("text", t, v, None) for t, v in _text_licences(visible)]
    lic = detect_licence(evidence)
    out.evidence = evidence
    out.licence = str(lic["licence"])
    out.licence_type = str(lic["type"])
    out.licence_version = lic["version"]  # type: ignore[assignment]
    out.licence_class = str(lic["class"])
    out.licence_source = str(lic["source"])
    out.licence_urls = list(lic["urls"])  # type: ignore[call-overload]
    out.licence_conflict = bool(lic["conflict"])
    if out.licence_conflict:
        out.conflicts.append("licence")

    # opt-outs: meta robots (and metas named after AI agents), X-Robots-Tag
    robots_values = [(n, v) for n, vs in meta.items() for v in vs if n == "robots" or n in agents]
    out.meta_robots = "; ".join(f"{n}: {v}" if n != "robots" else v for n, v in robots_values)[:500] or None
    meta_dirs: dict[str, set[str]] = {}
    for n, v in robots_values:
        for agent, ds in parse_robots_directives(v).items():
            meta_dirs.setdefault(n if agent == "*" else agent, set()).update(ds)
    x_robots = _header(headers, "x-robots-tag")
    out.x_robots_tag = x_robots[:500] if x_robots else None
    from_meta = _optouts(meta_dirs, agents)
    from_header = _optouts(parse_robots_directives(x_robots), agents)
    out.noai = "noai" in from_meta | from_header
    out.noimageai = "noimageai" in from_meta | from_header
    sources = [s for s, found in (("meta", from_meta), ("header", from_header)) if found]
    out.optout_source = "+".join(sources) or None

    # TDMRep: the HTTP header has priority over the HTML meta
    h_res, h_bad = _tdm_value(_header(headers, "tdm-reservation"))
    m_raw = (meta.get("tdm-reservation") or [None])[0]
    m_res, m_bad = _tdm_value(m_raw)
    out.tdm_malformed = h_bad or m_bad
    if h_res is not None:
        out.tdm_reservation, out.tdm_source = h_res, "header"
        if m_res is not None and m_res != h_res:
            out.conflicts.append("tdm")
    elif m_res is not None:
        out.tdm_reservation, out.tdm_source = m_res, "meta"
    policy = _header(headers, "tdm-policy") or (meta.get("tdm-policy") or [None])[0]
    out.tdm_policy = policy.strip()[:500] if policy and policy.strip() else None
    return out
