"""A labelled licence set for ``crawlforge.lib.rights``: every HTML page of the shared extraction fixtures.

Pages are referenced by path under ``<shared data>/extraction/`` (never copied). The label is the licence the page
itself declares for its content, read by a person from the page: ``<type>-<version>`` when the page states a
version (``cc-by-sa-4.0``), the type alone when it does not or when its parts carry different versions
(``cc-by-sa``: Stack Exchange posts are 2.5, 3.0 or 4.0), ``cc`` for "a Creative Commons licence" without a type,
``other`` for a named non-CC licence of the page's text. Every page not listed is labelled ``none``: it declares no
licence for its text. Hard negatives among them (checked by hand, listed in :data:`HARD_NEGATIVES`): licences of
CSS/JS frameworks and icon fonts in comments, image credits ("[CC BY 2.0], via Wikimedia Commons"), the RDF
namespace ``creativecommons.org/ns#`` in an SVG, ``dcterms.rightsHolder`` / ``DC.Rights`` copyright notices, a
software product "licensed under the GNU GPL v3", "CC BY" mentioned as an example.

How it was made: the 531 pages were grepped for ``creativecommons``, ``rel=license``, ``licensed under``,
``cc by``, ``public domain``, ``gnu.org/licenses``, ``dc.rights`` and ``name=license`` (45 pages matched), each
match was read in context and labelled; the other 486 pages are ``none``. The detector was written while
looking at these pages, so the measured numbers are optimistic (see ``benchmarks/rights_quality.py``).

:data:`HELD_OUT` is a second, held-out set (the WARC fixtures' HTML pages), labelled the same way.

``NOAI`` lists the pages with a ``noai`` / ``noimageai`` robots directive (grep for ``noai``: three pages matched,
two were base64 image data).
"""

from __future__ import annotations

from pathlib import Path


SCRAPINGHUB = "scrapinghub-aeb/html/"
WCXB = "wcxb-dev-sample/html/"

LICENCES: dict[str, str] = {
    # rel="license" to CC BY 3.0 (twice) and the CC badge
    SCRAPINGHUB + "d90bda7ed14df19574f4ca8b1ccde5752a78f40058af1393e81cc99adb3e8756.html.gz": "cc-by-3.0",
    # GiveWell footer, text only: "licensed under a Creative Commons Attribution-Noncommercial-Share alike 3.0"
    SCRAPINGHUB + "ac3c035520461017a7c5b248d8e39ef063cad4c0c7d7b7ecd68aff8f15099485.html.gz": "cc-by-nc-sa-3.0",
    SCRAPINGHUB + "ad9e9e596f21a6812fae27b5d9d622359826c368e471d7d5ff9ac4676eaac9cd.html.gz": "cc-by-nc-sa-3.0",
    # Stack Exchange: per-post licence URLs (URL-encoded data attributes), "User contributions licensed under CC BY-SA"
    WCXB + "0172.html.gz": "cc-by-sa",
    WCXB + "0564.html.gz": "cc-by-sa",
    WCXB + "0567.html.gz": "cc-by-sa",
    WCXB + "1177.html.gz": "cc-by-sa-4.0",
    WCXB + "2827.html.gz": "cc-by-sa-4.0",
    # iFixit: "Licensed under Creative Commons" linking its own licensing page (no type on the page)
    WCXB + "0652.html.gz": "cc",
    WCXB + "2982.html.gz": "cc",
    WCXB + "3022.html.gz": "cc",
    WCXB + "3023.html.gz": "cc",
    # MDN: "Content available under a Creative Commons license" (its own page says which)
    WCXB + "0672.html.gz": "cc",
    WCXB + "2854.html.gz": "cc",
    WCXB + "2856.html.gz": "cc",
    WCXB + "2993.html.gz": "cc",
    # Tauri footer: "CC-BY / MIT" (no claim verb)
    WCXB + "0677.html.gz": "cc-by",
    # rel="license" link and anchor
    WCXB + "0683.html.gz": "cc-by-sa-4.0",
    # Kubernetes docs: "Documentation Distributed under CC BY 4.0" (anchor to their LICENSE file)
    WCXB + "0685.html.gz": "cc-by-4.0",
    WCXB + "2866.html.gz": "cc-by-4.0",
    # Google developers: anchor to CC BY 4.0 ("code samples are licensed under the Apache 2.0 License")
    WCXB + "0701.html.gz": "cc-by-4.0",
    # TU Delft course page: the statement is inside a JSON blob of a <script> (rendered by JavaScript)
    WCXB + "0823.html.gz": "cc-by-nc-sa-4.0",
    # embedded CC RDF: <license rdf:resource="http://creativecommons.org/licenses/by-nc-sa/2.0/">
    WCXB + "2660.html.gz": "cc-by-nc-sa-2.0",
    # Python docs: "This page is licensed under the Python Software Foundation License Version 2"
    WCXB + "2858.html.gz": "other",
    WCXB + "2859.html.gz": "other",
    # rel="license" to the GNU FDL
    WCXB + "2879.html.gz": "gfdl",
    # Wikipedia: <link rel="license"> CC BY-SA 4.0
    WCXB + "2905.html.gz": "cc-by-sa-4.0",
    WCXB + "3010.html.gz": "cc-by-sa-4.0",
    # rel="license" CC BY-NC-ND 4.0
    WCXB + "4332.html.gz": "cc-by-nc-nd-4.0",
}

HARD_NEGATIVES: tuple[str, ...] = (
    SCRAPINGHUB + "1f765c48780665e89cc3af1f7c9af47876e9fae9b5be4a936b0649e10f5e3198.html.gz",  # upload form text
    SCRAPINGHUB + "55bb6340e3d7dd8632ba45179ae43c39f8ad0cfcecb4719e3b9cf6106ffb70a3.html.gz",  # image credits
    SCRAPINGHUB + "57e2e98887a1965689955921208e32f410b10e2b95c907e74e57982d3edf3cc6.html.gz",  # GPL theme comment
    SCRAPINGHUB + "5fbc7ccb504c755ae23a85499a17518483d7862b74b4a5c34d86ede1a1a4448e.html.gz",  # a script's licence
    SCRAPINGHUB + "921019755f4a96ac4abf9dbcb4ef9d5ac202624a542d5ea70912330aa6fcc71f.html.gz",  # xmlns:cc in an SVG
    SCRAPINGHUB + "dfd43bc0d46e7aaa78ba10fbcb5b9fdfe78771d36cb4c7497e17fb6f69170ec5.html.gz",  # GPL theme comment
    SCRAPINGHUB + "e1cd54e5577d077df83a12a4753c3c8bf2d88d68cd709cc4c442874777581c4a.html.gz",  # dcterms.rightsHolder
    WCXB + "0196.html.gz",  # GPL / MIT in CSS comments
    WCXB + "0499.html.gz",  # Font Awesome "Icons: CC BY 4.0" in SVG comments
    WCXB + "0526.html.gz",  # Bootstrap "Licensed under MIT"
    WCXB + "0667.html.gz",  # Font Awesome
    WCXB + "2381.html.gz",  # "(e.g., CC BY for fully OA journals)"
    WCXB + "2996.html.gz",  # Font Awesome
    WCXB + "4467.html.gz",  # "OpenProject is proudly licensed under the GNU GPL v3" (the software)
    WCXB + "4548.html.gz",  # DC.Rights "Copyright Berklee College of Music"
)

NOAI: frozenset[str] = frozenset({WCXB + "0522.html.gz"})

HELD_OUT: dict[str, str] = {
    # labelled after the detector was written, before it was run on them: every HTML response record of the shared
    # WARC fixtures (<shared>/warc/*/*.warc.gz, 35 pages; ``held_out_pages``), keyed "<file>::<url>"
    "cc/whirlwind.CC-MAIN-2024-22.warc.gz::https://an.wikipedia.org/wiki/Escopete": "cc-by-sa-4.0",
    # "This website is licensed under <a href=...by/4.0/?ref=chooser-v1 rel="license noopener noreferrer">"
    "non-cc/dolma-wget-sample-0000.warc.gz::https://soldaini.net/": "cc-by-4.0",
}


def pages(shared: Path) -> list[str]:
    """Every labelled page (relative to ``<shared>/extraction``), sorted."""
    root = shared / "extraction"
    return sorted(str(p.relative_to(root)) for p in root.glob("*/html/*.html.gz"))


def label(page: str) -> str:
    return LICENCES.get(page, "none")


def held_out_pages(shared: Path) -> list[tuple[str, bytes, dict[str, str] | None, str | None]]:
    """(key, payload, kept HTTP headers, charset) of every HTML record of the shared WARC fixtures, in file order."""
    from crawlforge.lib.warc_reader import read_local_file

    out = []
    for path in sorted((shared / "warc").glob("*/*.warc.gz")):
        records, _ = read_local_file(str(path), "held-out")
        rel = str(path.relative_to(shared / "warc"))
        out += [(f"{rel}::{r.url}", r.payload, r.http_headers, r.charset) for r in records]
    return out
